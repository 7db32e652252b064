// The insurer's half-yearly (or yearly) tech-insurance report (#27; subsidies-and-money.md "What
// insurers report"): per line and province, the policies it issued in the period, the enterprises
// they cover, gross and net premium written (its own share of pool business, in rows of their
// own), premium refunded on cancellations, sum insured, claims paid and subsidies granted — read
// from the insurer's one or two half-year logs (tech-insurance-log.ts): the policies' entries, each
// re-checked against the caller's scope, and the facts kept since their issue (refunds, claims,
// grants: tech-insurance-facts.ts), folded. Nothing is read per policy.
import { reportInsurerOf, scopedInsurerReport } from '../auth/scope.ts';
import type { Caller } from '../auth/caller.ts';
import { findOrganisationById } from '../auth/auth-service.ts';
import { insurerDirectory } from '../auth/insurer-directory.ts';
import { forbidden, invalidInput, notFound } from '../http/app-error.ts';
import type { LocalText } from '../i18n/pick.ts';
import { chinaDate, halfYearOf, reportPeriod, type ReportPeriod } from '../rating/index.ts';
import { foldReport, type PolicyFigures, type ReportBook } from './tech-insurance-book.ts';
import type { GrantedSubsidies } from './tech-insurance-facts.ts';
import { isReportFact, techInsuranceLog, type ReportEntry, type ReportFact } from './tech-insurance-log.ts';

/** What the report needs besides its logs: offline only (book:migrate, book:verify), what was granted on a policy's applications. */
export interface ReportDeps { subsidies: GrantedSubsidies }

export interface ReportNote { code: string; text: LocalText }

export interface TechInsuranceReport extends ReportBook {
  insurer: { id: string; code: string; name: string; nameEn?: string };
  period: { code: string; from: string; to: string };
  notes: ReportNote[];
}

/** The period asked for, by default the current half year (China time). */
function periodOf(code: string | undefined, now: Date): ReportPeriod {
  const period = reportPeriod(code ?? halfYearOf(chinaDate(now)));
  if (!period) throw invalidInput('The period is not a half year or a year.', [{ path: 'query.period', message: 'must be YYYY, YYYYH1 or YYYYH2 (pattern)' }]);
  return period;
}

/** The insurer whose report the caller reads: its own, or (a platform admin) the one it names by code. */
async function insurerOf(caller: Caller, code: string | undefined): Promise<TechInsuranceReport['insurer']> {
  const named = code === undefined ? undefined : (await insurerDirectory()).get(code);
  // An unknown code names no insurer: none to read for a platform admin (404), not its own for anyone else (403).
  if (code !== undefined && !named) {
    if (caller.role === 'platform-admin') throw notFound('The insurer');
    throw forbidden(OWN_REPORT_ONLY);
  }
  const id = reportInsurerOf(caller, named?.id);
  if (id === undefined) {
    if (caller.role === 'platform-admin') throw invalidInput('Name the insurer whose report to read.', [{ path: 'query.insurer', message: 'must be given by a platform admin (required)' }]);
    throw forbidden(OWN_REPORT_ONLY);
  }
  // The insurer named, or the caller's own (one read by `_id`, kept).
  const found = named ?? await findOrganisationById(id);
  if (!found) throw notFound('The insurer');
  return { id: found.id, code: found.code, name: found.name, ...(found.nameEn ? { nameEn: found.nameEn } : {}) };
}

const OWN_REPORT_ONLY = 'An insurer admin reads its own insurer\'s report only.';

/** The entries of the insurer's logs for the period's half years (each passing the caller's scope) and the figures their facts add up to per policy. */
async function entriesOf(caller: Caller, insurerId: string, period: ReportPeriod): Promise<{ entries: ReportEntry[]; figures: Map<string, PolicyFigures> }> {
  const halves = await Promise.all(period.halves.map(async (half) => {
    const { key, accept } = scopedInsurerReport(caller, insurerId, half);
    return (await techInsuranceLog.all(key)).map((e) => e.value).filter((v) => isReportFact(v) || accept(v));
  }));
  const values = halves.flat();
  const entries = values.filter((v): v is ReportEntry => !isReportFact(v) && v.issuedOn >= period.from && v.issuedOn <= period.to);
  return { entries, figures: figuresOf(entries, values.filter(isReportFact)) };
}

/**
 * Refunds, claims and subsidies granted of each policy, summed from its facts (whole policy; the
 * fold takes each insurer's own share). Only facts of the entries read count (a fact is trusted
 * as far as its policy's entry passed the caller's scope), and a grant only by a programme the
 * policy was issued with an application to.
 */
function figuresOf(entries: readonly ReportEntry[], facts: readonly ReportFact[]): Map<string, PolicyFigures> {
  const programmes = new Map(entries.map((e) => [e.policyId, e.programmes]));
  const figures = new Map<string, PolicyFigures>();
  for (const fact of facts) {
    const carried = programmes.get(fact.policyId);
    if (!carried || (fact.fact === 'granted' && !carried.includes(fact.programme ?? ''))) continue;
    let own = figures.get(fact.policyId);
    if (!own) figures.set(fact.policyId, (own = { endorsedGrossFen: 0, endorsedNetFen: 0, refundedFen: 0, claimsPaidFen: 0, subsidiesGrantedFen: 0 }));
    if (fact.fact === 'endorsement') {
      own.endorsedGrossFen += fact.amountFen;
      own.endorsedNetFen += fact.netFen ?? 0;
    } else if (fact.fact === 'refund') own.refundedFen += fact.amountFen;
    else if (fact.fact === 'claim') own.claimsPaidFen += fact.amountFen;
    else own.subsidiesGrantedFen += fact.amountFen;
  }
  return figures;
}

/** The report of the caller's insurer (or, for a platform admin, the named one) for a period: a fold of one log per half year. */
export async function techInsuranceReport(caller: Caller, query: { period?: string; insurer?: string }, now: Date = new Date()): Promise<TechInsuranceReport> {
  const period = periodOf(query.period, now);
  const insurer = await insurerOf(caller, query.insurer);
  const { entries, figures } = await entriesOf(caller, insurer.id, period);
  // Cancellations, claims and grants are all kept as facts: nothing is left out of the figures, so no note.
  return { insurer, period: { code: period.code, from: period.from, to: period.to }, ...foldReport(entries, figures), notes: [] };
}
