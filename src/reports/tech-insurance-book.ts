// The report's rows folded from an insurer's entries (tech-insurance-log.ts) and what happened to
// each policy since (refunds, claims, subsidies granted). Pure: the entries and figures come in;
// the rows, subtotals and totals go out, every amount summed in integer fen, so the totals are the
// sum of the rows to the fen.
import { LANGS } from '../http/common-schemas.ts';
import { nameOf } from '../i18n/messages.ts';
import type { LocalText } from '../i18n/pick.ts';
import { provinceCodeOf, provinceName } from '../i18n/provinces.ts';
import { splitByShares } from '../rating/index.ts';
import type { ReportEntry } from './tech-insurance-log.ts';

/** What became of a policy after its issue, for the whole policy (every member's parts together), in fen. */
export interface PolicyFigures {
  /** The endorsements' premium differences, charged (+) or refunded (−), gross and net. */
  endorsedGrossFen: number;
  endorsedNetFen: number;
  refundedFen: number;
  claimsPaidFen: number;
  subsidiesGrantedFen: number;
}

/** The business a row reports: the insurer's sole business, or its own share of pool business. */
export type ReportBusiness = 'sole' | 'pool-own-share';

export const REPORT_AMOUNTS = ['grossPremiumFen', 'netPremiumFen', 'refundedPremiumFen', 'sumInsuredFen', 'claimsPaidFen', 'subsidiesGrantedFen'] as const;
export type ReportAmount = typeof REPORT_AMOUNTS[number];

export interface ReportFigures extends Record<ReportAmount, number> {
  /** Policies issued in the period (each counted once per row; a pool policy by every member in its own report). */
  policies: number;
  /** Enterprises covered: distinct insured enterprises (in the totals: distinct over the whole report, so at most the rows' sum). */
  enterprises: number;
}

export interface ReportRow extends ReportFigures {
  line: string;
  lineName: LocalText;
  /** Two-digit GB/T 2260 province code of the enterprise's region; null when it was not recorded. */
  province: string | null;
  provinceName: LocalText;
  business: ReportBusiness;
}

export interface ReportSubtotal extends ReportFigures { business: ReportBusiness }

export interface ReportBook { rows: ReportRow[]; subtotals: ReportSubtotal[]; totals: ReportFigures }

const lineNameOf = (line: string): LocalText => {
  const [zh, en] = LANGS.map((lang) => nameOf('line', line, lang));
  return { zh: zh!, en: en! };
};

/** An amount of the whole policy as the entry's insurer carries it: all of it (sole), or its share split as the premium was (pool). */
function ownPart(entry: Pick<ReportEntry, 'business' | 'shares' | 'shareIndex'>, amountFen: number): number {
  if (entry.business !== 'pool' || !entry.shares || entry.shareIndex === undefined || amountFen === 0) return amountFen;
  // A refund (an endorsement's −) is split as its size and negated, as the endorsement's members' parts are (rating/endorsement.ts).
  const part = splitByShares(entry.shares, Math.abs(amountFen))[entry.shareIndex]!;
  return amountFen < 0 ? -part : part;
}

const emptyFigures = (): ReportFigures => ({ policies: 0, enterprises: 0, grossPremiumFen: 0, netPremiumFen: 0, refundedPremiumFen: 0, sumInsuredFen: 0, claimsPaidFen: 0, subsidiesGrantedFen: 0 });

/** Adds one entry's own amounts to a group. */
function add(into: ReportFigures, amounts: Record<ReportAmount, number>): void {
  into.policies++;
  for (const key of REPORT_AMOUNTS) into[key] += amounts[key];
}

/** The entry's own amounts: premium as issued plus the endorsements' differences, sum insured as kept, the rest split from the policy's figures. */
function amountsOf(entry: ReportEntry, figures: PolicyFigures | undefined): Record<ReportAmount, number> {
  return {
    grossPremiumFen: entry.grossPremiumFen + ownPart(entry, figures?.endorsedGrossFen ?? 0), netPremiumFen: entry.netPremiumFen + ownPart(entry, figures?.endorsedNetFen ?? 0), sumInsuredFen: entry.sumInsuredFen,
    refundedPremiumFen: ownPart(entry, figures?.refundedFen ?? 0), claimsPaidFen: ownPart(entry, figures?.claimsPaidFen ?? 0), subsidiesGrantedFen: ownPart(entry, figures?.subsidiesGrantedFen ?? 0),
  };
}

/** The rows (by line, province and business, in that order), a subtotal per business and the totals. */
export function foldReport(entries: readonly ReportEntry[], figures: ReadonlyMap<string, PolicyFigures>): ReportBook {
  const rows = new Map<string, ReportRow & { seen: Set<string> }>();
  const subtotals = new Map<ReportBusiness, ReportSubtotal & { seen: Set<string> }>();
  const totals = { ...emptyFigures(), seen: new Set<string>() };
  for (const entry of entries) {
    const business: ReportBusiness = entry.business === 'pool' ? 'pool-own-share' : 'sole';
    const province = provinceCodeOf(entry.regionCode) ?? null;
    const key = `${entry.line}|${province ?? '99'}|${business === 'sole' ? 0 : 1}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { line: entry.line, lineName: lineNameOf(entry.line), province, provinceName: provinceName(province ?? undefined), business, ...emptyFigures(), seen: new Set() }));
    let subtotal = subtotals.get(business);
    if (!subtotal) subtotals.set(business, (subtotal = { business, ...emptyFigures(), seen: new Set() }));
    const amounts = amountsOf(entry, figures.get(entry.policyId));
    for (const group of [row, subtotal, totals]) {
      add(group, amounts);
      group.seen.add(entry.enterpriseOrganisationId);
      group.enterprises = group.seen.size;
    }
  }
  const strip = <T extends { seen: Set<string> }>({ seen: _seen, ...rest }: T) => rest;
  const order = (b: ReportBusiness) => (b === 'sole' ? 0 : 1);
  return {
    rows: [...rows.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, row]) => strip(row)),
    subtotals: [...subtotals.values()].sort((a, b) => order(a.business) - order(b.business)).map(strip),
    totals: strip(totals),
  };
}
