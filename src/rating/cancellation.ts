// A policy cancelled (退保, Insurance Law art. 54), as arithmetic: no I/O, no clock. The premium
// kept (../shared/domain/policy-life.md, "Cancellation"):
// - cancelled by the policyholder on or before the start date (cover never started): the
//   contract's handling fee, a percent of the premium (the 首版次 product: 5%);
// - by the policyholder after cover started: the product's short-period scale (the standard one
//   of tariffs.md by default) on the months elapsed, a started month counting whole;
// - by the insurer: pro rata by day, (D − start) ÷ days of the period, half-up to the fen.
// A cancellation effective on D ends cover at 00:00 of D. The refund is what was received above
// the premium kept (never negative: unpaid premium is not refunded), split into net/VAT and among
// pool members as a premium is (src/rating/endorsement.ts).
import { memberParts, premiumParts, type MemberShare, type PremiumParts } from './endorsement.ts';
import { parseDecimal, percentOfFen } from './money.ts';
import { addMonths, earnedByDay, parseDay } from './period.ts';
import type { CoInsuranceShare } from './rating-result.ts';

export type CancellationInitiator = 'policyholder' | 'insurer';

/** A product's cancellation rules as its definition declares them (`cancellation`). */
export interface CancellationRules {
  beforeStartFeePercent?: string;
  shortPeriodScale?: readonly { months: number; percent: string }[];
}

/** The standard short-period scale (../shared/domain/tariffs.md): percent kept by months elapsed. */
export const STANDARD_SHORT_PERIOD_SCALE: readonly { months: number; percent: string }[] = Object.freeze(
  [10, 20, 30, 40, 50, 60, 70, 80, 85, 90, 95, 100].map((percent, i) => ({ months: i + 1, percent: String(percent) })),
);

export type KeptBasis = 'before-start-fee' | 'short-period' | 'pro-rata-by-day';

export interface KeptPremium {
  basis: KeptBasis;
  keptFen: number;
  /** The percent of the premium kept (fee or scale); absent for the by-day reading. */
  percent?: string;
  daysElapsed: number;
  periodDays: number;
  monthsElapsed: number;
}

/** Calendar months from `start` to `day`, a started month counting whole (2025-01-01 → 2025-05-10: 5). */
export function monthsElapsed(start: string, day: string): number {
  const [s, d] = [parseDay(start), parseDay(day)];
  let months = 0;
  while (addMonths(s, months) < d) months++;
  return months;
}

/** amount × percent ÷ 100, half-up to the fen. */
function percentOf(amountFen: number, percent: string): number {
  const p = parseDecimal(percent);
  if (!p) throw new RangeError(`not a percent: ${percent}`);
  return percentOfFen(amountFen, p);
}

/** The kept percent of a scale for the months elapsed: the first row reaching them, else the last. */
export function scalePercent(scale: readonly { months: number; percent: string }[], months: number): string {
  return (scale.find((row) => row.months >= months) ?? scale.at(-1)!).percent;
}

/**
 * The premium kept on a cancellation effective `effectiveDate` (from the start date to the end
 * date; undefined outside). `premiumFen` is the premium for the whole period (as issued plus
 * every endorsement's difference).
 */
export function keptPremium(a: {
  premiumFen: number;
  period: { start: string; end: string };
  effectiveDate: string;
  initiatedBy: CancellationInitiator;
  rules?: CancellationRules | undefined;
}): KeptPremium | undefined {
  const [start, end, day] = [parseDay(a.period.start), parseDay(a.period.end), parseDay(a.effectiveDate)];
  if ([start, end, day].some(Number.isNaN) || day > end) return undefined;
  const periodDays = end - start + 1;
  const daysElapsed = Math.max(0, day - start);
  const months = day <= start ? 0 : monthsElapsed(a.period.start, a.effectiveDate);
  const base = { daysElapsed, periodDays, monthsElapsed: months };
  if (a.initiatedBy === 'insurer') {
    return { basis: 'pro-rata-by-day', keptFen: earnedByDay(a.premiumFen, a.period, a.effectiveDate).earnedFen, ...base };
  }
  if (day <= start) {
    const percent = a.rules?.beforeStartFeePercent ?? '0';
    return { basis: 'before-start-fee', keptFen: percentOf(a.premiumFen, percent), percent, ...base };
  }
  const percent = scalePercent(a.rules?.shortPeriodScale?.length ? a.rules.shortPeriodScale : STANDARD_SHORT_PERIOD_SCALE, months);
  return { basis: 'short-period', keptFen: Math.min(a.premiumFen, percentOf(a.premiumFen, percent)), percent, ...base };
}

export interface CancellationArithmetic {
  kept: KeptPremium;
  /** The premium kept, gross/net/VAT. */
  keptParts: PremiumParts;
  /** What is refunded (positive), gross/net/VAT: received − kept, at least 0. */
  refund: PremiumParts;
  /** Each pool member's part of the refund (co-insured policies). */
  members?: CoInsuranceShare[];
  /** The change of the premium due: kept − due (negative or 0), with each member's part. */
  delta: PremiumParts;
  deltaMembers?: CoInsuranceShare[];
}

/** The premium kept, the refund and their splits; undefined when the date is after the period. */
export function cancellationFigures(a: {
  premiumDueFen: number;
  receivedFen: number;
  period: { start: string; end: string };
  effectiveDate: string;
  initiatedBy: CancellationInitiator;
  rules?: CancellationRules | undefined;
  vatRatePercent: string;
  poolShares?: readonly MemberShare[] | undefined;
}): CancellationArithmetic | undefined {
  const kept = keptPremium({ premiumFen: a.premiumDueFen, period: a.period, effectiveDate: a.effectiveDate, initiatedBy: a.initiatedBy, rules: a.rules });
  if (!kept) return undefined;
  const refund = premiumParts(Math.max(0, a.receivedFen - kept.keptFen), a.vatRatePercent);
  const delta = premiumParts(kept.keptFen - a.premiumDueFen, a.vatRatePercent);
  const pool = a.poolShares?.length ? a.poolShares : undefined;
  return {
    kept, keptParts: premiumParts(kept.keptFen, a.vatRatePercent), refund, delta,
    ...(pool ? { members: memberParts(pool, refund), deltaMembers: memberParts(pool, delta) } : {}),
  };
}
