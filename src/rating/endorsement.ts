// A premium changed mid-term (批改), as arithmetic: no I/O, no clock. The difference of the annual
// premiums after and before, by the days from the effective date to the end of the period over
// the days of the period (按日比例, ../shared/domain/policy-life.md: 3,600,000 → 4,200,000 fen from
// 2025-07-01 on a policy of 2025 → 600,000 × 184 / 365 = 302,465.75 → 302,466), rounded half-up
// to the fen; split into net and VAT as a premium is (net = gross ÷ 1.06, half-up), and among the
// pool members by share (each rounded down, the lead takes the remainder fen: co-insurance.ts).
// A decrease is worked on its size and given back negative, so a refund rounds as a charge does.
import { parseDecimal, proRataFen, splitVat } from './money.ts';
import { parseDay } from './period.ts';
import { splitShares, type MemberShare } from './pool-liability.ts';
import type { CoInsuranceShare } from './rating-result.ts';

export type { MemberShare } from './pool-liability.ts';

/** Gross, net and VAT of an amount of premium (negative parts: a refund). */
export interface PremiumParts {
  grossPremiumFen: number;
  netPremiumFen: number;
  vatFen: number;
}

/** Days from `effectiveDate` to the period's end, both counted, and the days of the period; undefined when the date is outside it. */
export function daysRemaining(period: { start: string; end: string }, effectiveDate: string): { daysLeft: number; periodDays: number } | undefined {
  const [start, end, from] = [parseDay(period.start), parseDay(period.end), parseDay(effectiveDate)];
  if ([start, end, from].some(Number.isNaN) || from < start || from > end) return undefined;
  return { daysLeft: end - from + 1, periodDays: end - start + 1 };
}

const negate = (fen: number) => (fen === 0 ? 0 : -fen);

/** Splits a VAT-inclusive amount (negative: a refund) into gross, net and VAT at the product's rate. */
export function premiumParts(grossFen: number, vatRatePercent: string): PremiumParts {
  const rate = parseDecimal(vatRatePercent);
  if (!rate) throw new RangeError(`not a VAT rate: ${vatRatePercent}`);
  const { netFen, vatFen } = splitVat(Math.abs(grossFen), rate);
  return grossFen < 0
    ? { grossPremiumFen: negate(Math.abs(grossFen)), netPremiumFen: negate(netFen), vatFen: negate(vatFen) }
    : { grossPremiumFen: grossFen, netPremiumFen: netFen, vatFen };
}

/** Each member's part of an amount (negative: a refund), to the fen; the parts add up to the whole. */
export function memberParts(shares: readonly MemberShare[], parts: PremiumParts): CoInsuranceShare[] {
  const refund = parts.grossPremiumFen < 0;
  const split = splitShares(shares, Math.abs(parts.grossPremiumFen), Math.abs(parts.netPremiumFen));
  if (!refund) return split;
  return split.map((m) => ({ ...m, grossPremiumFen: negate(m.grossPremiumFen), netPremiumFen: negate(m.netPremiumFen), vatFen: negate(m.vatFen) }));
}

export interface EndorsementArithmetic {
  daysLeft: number;
  periodDays: number;
  /** Charged (positive), refunded (negative) or none (0). */
  difference: PremiumParts;
  /** Each pool member's part of the difference (co-insured policies only). */
  members?: CoInsuranceShare[];
}

/**
 * The difference an endorsement charges or refunds: (after − before) annual gross × days left ÷
 * days of the period, half-up to the fen, with its net/VAT split and members' parts. Undefined
 * when the effective date is outside the period.
 */
export function endorsementDifference(a: {
  period: { start: string; end: string };
  effectiveDate: string;
  annualGrossBeforeFen: number;
  annualGrossAfterFen: number;
  vatRatePercent: string;
  poolShares?: readonly MemberShare[] | undefined;
}): EndorsementArithmetic | undefined {
  const days = daysRemaining(a.period, a.effectiveDate);
  if (!days) return undefined;
  const gross = proRataFen(a.annualGrossAfterFen - a.annualGrossBeforeFen, days.daysLeft, days.periodDays);
  const difference = premiumParts(gross, a.vatRatePercent);
  return { ...days, difference, ...(a.poolShares?.length ? { members: memberParts(a.poolShares, difference) } : {}) };
}
