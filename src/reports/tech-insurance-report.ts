// The insurer's half-yearly (or yearly) tech-insurance report (#27; subsidies-and-money.md "What
// insurers report"): per line and province, the policies it issued in the period, the enterprises
// they cover, gross and net premium written (its own share of pool business, in rows of their
// own), premium refunded on cancellations, sum insured, claims paid and subsidies granted — read
// from the insurer's one or two half-year logs (tech-insurance-log.ts), each entry re-checked
// against the caller's scope, and the figures of those policies through two ports.
import { reportInsurerOf, scopedInsurerReport } from '../auth/scope.ts';
import type { Caller } from '../auth/caller.ts';
import { findOrganisationById } from '../auth/auth-service.ts';
import { insurerDirectory } from '../auth/insurer-directory.ts';
import { forbidden, invalidInput, notFound } from '../http/app-error.ts';
import type { LocalText } from '../i18n/pick.ts';
import { chinaDate, halfYearOf, reportPeriod, type ReportPeriod } from '../rating/index.ts';
import { foldReport, type PolicyFigures, type ReportBook } from './tech-insurance-book.ts';
import { techInsuranceLog, type ReportEntry } from './tech-insurance-log.ts';

/**
 * A port: what the policy-life work (#26: cancellations and claims) records of a policy after its
 * issue, declared here and provided by src/service.ts. Amounts are the whole policy's (every pool
 * member's parts together), integer fen; a policy without any is absent (or 0). The report takes
 * each insurer's own share itself.
 */
export interface PolicyLifeFigures {
  /** False while cancellations and claims are not recorded: both read as zero and the report says so. */
  readonly recorded: boolean;
  /** Premium refunded on cancellation, VAT included, per policy id. */
  refundsFen(policyIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /** Claims paid, per policy id. */
  claimsPaidFen(policyIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
}

/** A port: the subsidies granted on a policy's applications to these programmes (outcomes recorded as granted), in fen. */
export interface GrantedSubsidies {
  grantedFen(policyId: string, programmes: readonly string[]): Promise<number>;
}

export interface ReportDeps { life: PolicyLifeFigures; subsidies: GrantedSubsidies }

export interface ReportNote { code: string; text: LocalText }

export interface TechInsuranceReport extends ReportBook {
  insurer: { id: string; code: string; name: string; nameEn?: string };
  period: { code: string; from: string; to: string };
  notes: ReportNote[];
}

/** The note a report carries while cancellations and claims are not recorded. */
const LIFE_NOT_RECORDED: ReportNote = {
  code: 'policy-life-not-recorded',
  text: { zh: '退保与赔款数据尚未记录：退保保费与已付赔款按零列示。', en: 'Cancellations and claims are not recorded yet: premium refunded and claims paid read as zero.' },
};

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

/** The entries of the insurer's logs for the period's half years, each passing the caller's scope. */
async function entriesOf(caller: Caller, insurerId: string, period: ReportPeriod): Promise<ReportEntry[]> {
  const halves = await Promise.all(period.halves.map(async (half) => {
    const { key, accept } = scopedInsurerReport(caller, insurerId, half);
    return (await techInsuranceLog.all(key)).map((e) => e.value).filter(accept);
  }));
  return halves.flat().filter((e) => e.issuedOn >= period.from && e.issuedOn <= period.to);
}

/** Refunds, claims and subsidies granted of each policy (the ports; granted look-ups a few at a time). */
async function figuresOf(deps: ReportDeps, entries: readonly ReportEntry[]): Promise<Map<string, PolicyFigures>> {
  const ids = [...new Set(entries.map((e) => e.policyId))];
  const [refunds, claims] = await Promise.all([deps.life.refundsFen(ids), deps.life.claimsPaidFen(ids)]);
  const programmes = new Map(entries.map((e) => [e.policyId, e.programmes]));
  const figures = new Map<string, PolicyFigures>();
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(ids.slice(i, i + 50).map(async (id) => {
      const granted = programmes.get(id)!.length ? await deps.subsidies.grantedFen(id, programmes.get(id)!) : 0;
      figures.set(id, { refundedFen: refunds.get(id) ?? 0, claimsPaidFen: claims.get(id) ?? 0, subsidiesGrantedFen: granted });
    }));
  }
  return figures;
}

/** The report of the caller's insurer (or, for a platform admin, the named one) for a period. */
export async function techInsuranceReport(deps: ReportDeps, caller: Caller, query: { period?: string; insurer?: string }, now: Date = new Date()): Promise<TechInsuranceReport> {
  const period = periodOf(query.period, now);
  const insurer = await insurerOf(caller, query.insurer);
  const entries = await entriesOf(caller, insurer.id, period);
  const book = foldReport(entries, await figuresOf(deps, entries));
  return { insurer, period: { code: period.code, from: period.from, to: period.to }, ...book, notes: deps.life.recorded ? [] : [LIFE_NOT_RECORDED] };
}
