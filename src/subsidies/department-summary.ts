// A department's summary of the subsidy applications it reviews (#27): per programme and province,
// the applications submitted in a period (by their submission date, a China date, `from` and `to`
// inclusive) and what became of them — granted (the amount granted), refused and pending (the
// amounts applied for), withdrawn apart. It reads only the kept facts of the period's months
// (department-summary-log.ts) for the department's lists (the keys scopedApplications names for its
// coverage: its programmes × its regions; a platform admin's the platform's), every fact checked
// against the coverage again. Nothing per application, nothing outside the period; the totals are
// the sums of the rows, to the fen.
import type { Caller } from '../auth/caller.ts';
import { scopedSummary, summaryKey, summaryMonthsKey } from '../auth/scope.ts';
import { chinaDate } from '../rating/calendar.ts';
import { provinceCodeOf, provinceName } from '../i18n/provinces.ts';
import type { LocalText } from '../i18n/pick.ts';
import { invalidInput } from '../http/app-error.ts';
import { departmentSummaryLog, departmentSummaryMonths, type OutcomeFact, type SubmittedFact } from './department-summary-log.ts';

export interface SummaryQuery { from?: string; to?: string; programme?: string }

/** The figures of a row and of the totals: counts, and integer fen. */
export interface SummaryFigures {
  applications: number;
  /** Applied for by every application submitted in the period (withdrawn ones included). */
  appliedFen: number;
  granted: number;
  /** The amounts granted (at most what those applications applied for). */
  grantedFen: number;
  refused: number;
  /** The amounts the refused applications applied for. */
  refusedFen: number;
  pending: number;
  /** The amounts the applications still awaiting a decision applied for. */
  pendingFen: number;
  withdrawn: number;
  /** The amounts the withdrawn applications had applied for. */
  withdrawnFen: number;
}

export interface SummaryRow extends SummaryFigures {
  programme: string;
  programmeName: LocalText;
  /** The two-digit province code ('' when the enterprise's region is not recorded). */
  provinceCode: string;
  provinceName: LocalText;
}

export interface DepartmentSummary {
  from: string;
  to: string;
  programme?: string;
  rows: SummaryRow[];
  totals: SummaryFigures;
}

const FIGURES = ['applications', 'appliedFen', 'granted', 'grantedFen', 'refused', 'refusedFen', 'pending', 'pendingFen', 'withdrawn', 'withdrawnFen'] as const;
const zero = (): SummaryFigures => ({ applications: 0, appliedFen: 0, granted: 0, grantedFen: 0, refused: 0, refusedFen: 0, pending: 0, pendingFen: 0, withdrawn: 0, withdrawnFen: 0 });

/** Adds one application (its submission and its outcome, if any) to a row's figures. */
function count(figures: SummaryFigures, submitted: SubmittedFact, outcome: OutcomeFact | undefined): void {
  figures.applications += 1;
  figures.appliedFen += submitted.appliedFen;
  if (outcome?.status === 'granted') {
    figures.granted += 1;
    figures.grantedFen += outcome.amountFen ?? 0;
  } else if (outcome?.status === 'refused') {
    figures.refused += 1;
    figures.refusedFen += submitted.appliedFen;
  } else if (outcome?.status === 'withdrawn') {
    figures.withdrawn += 1;
    figures.withdrawnFen += submitted.appliedFen;
  } else {
    figures.pending += 1;
    figures.pendingFen += submitted.appliedFen;
  }
}

/** The totals: each figure the sum of the rows'. */
function sumFigures(rows: readonly SummaryFigures[]): SummaryFigures {
  const totals = zero();
  for (const row of rows) for (const f of FIGURES) totals[f] += row[f];
  return totals;
}

/** The period asked for: default the China calendar year to today; `from` after `to` is a 400. */
function summaryPeriod(query: SummaryQuery, now: Date = new Date()): { from: string; to: string } {
  const today = chinaDate(now);
  const from = query.from ?? `${(query.to ?? today).slice(0, 4)}-01-01`;
  const to = query.to ?? (from.slice(0, 4) === today.slice(0, 4) ? today : `${from.slice(0, 4)}-12-31`);
  if (from > to) throw invalidInput('The period ends before it starts.', [{ path: 'query.from', message: `must be on or before to (${to}) (formatMaximum)` }]);
  return { from, to };
}

/**
 * The applications submitted in the period in `caller`'s lists, each once with its outcome: the
 * facts of the summary logs of the period's months (department-summary-log.ts), every one checked
 * against the caller's coverage again. Per list, its months with facts (one small log), then one
 * log per month of the period among them: nothing per application, nothing outside the period.
 */
async function applicationsIn(caller: Caller, programme: string | undefined, from: string, to: string): Promise<{ submitted: Map<string, SubmittedFact>; outcomes: Map<string, OutcomeFact> }> {
  const { lists, accept } = scopedSummary(caller, programme);
  const inPeriod = (month: string) => month >= from.slice(0, 7) && month <= to.slice(0, 7);
  const keys = (await Promise.all(lists.map(async (list) => (await departmentSummaryMonths.all(summaryMonthsKey(list))).map((e) => e.value).filter(inPeriod).map((month) => summaryKey(list, month))))).flat();
  const submitted = new Map<string, SubmittedFact>();
  const outcomes = new Map<string, OutcomeFact>();
  for (const facts of await Promise.all(keys.map((key) => departmentSummaryLog.all(key)))) {
    for (const { value } of facts) {
      if (!accept(value) || value.submittedOn < from || value.submittedOn > to) continue;
      if (value.kind === 'submitted') submitted.set(value.id, value);
      else outcomes.set(value.id, value);
    }
  }
  return { submitted, outcomes };
}

/**
 * The summary `caller` (a department: its programmes × regions; a platform admin: every one) reads
 * for a period and, optionally, one programme (another department's programme: no rows).
 */
export async function departmentSummary(caller: Caller, query: SummaryQuery, now: Date = new Date()): Promise<DepartmentSummary> {
  const { from, to } = summaryPeriod(query, now);
  const { submitted, outcomes } = await applicationsIn(caller, query.programme, from, to);
  const rows = new Map<string, SummaryRow>();
  for (const entry of submitted.values()) {
    const province = provinceCodeOf(entry.regionCode) ?? '';
    const key = `${entry.programme}|${province}`;
    let row = rows.get(key);
    if (!row) rows.set(key, row = { programme: entry.programme, programmeName: entry.name, provinceCode: province, provinceName: provinceName(province || undefined), ...zero() });
    count(row, entry, outcomes.get(entry.id));
  }
  const sorted = [...rows.values()].sort((a, b) => a.programme.localeCompare(b.programme) || a.provinceCode.localeCompare(b.provinceCode));
  // The programme asked for is echoed only when it is one the caller is known to read (its own, or
  // one with rows): a value that names nothing is not written back (the filter matrix's rule).
  const known = query.programme && (caller.authority?.programmes.includes(query.programme) || sorted.length > 0);
  return { from, to, ...(known ? { programme: query.programme } : {}), rows: sorted, totals: sumFigures(sorted) };
}
