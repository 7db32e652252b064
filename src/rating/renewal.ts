// What a renewal takes from the record (#26, ../shared/domain/policy-life.md "Renewal" and
// "Claims paid"): the support year from the chain of continuous policies, the experience loss
// ratio from the claims paid and the premium earned on that chain, and a claim's split among the
// pool members. Pure: dates and amounts in, no clock, no I/O.
import { divideHalfUp } from './money.ts';
import { earnedByDay, parseDay } from './period.ts';
import { splitShares, type MemberShare } from './pool-liability.ts';

/** Central 首台（套）/首批次 support covers at most this many continuous years. */
export const CENTRAL_SUPPORT_YEARS = 3;

/** A policy of a chain as these rules read it: its period (inclusive China dates) and gross premium. */
export interface ChainPolicy {
  startDate: string;
  endDate: string;
  grossPremiumFen: number;
  /** Claims paid on it (fen), however many. */
  claimsPaidFen?: number;
}

/** Whether `next` starts the day after `previous` ends: a gap of a day or more breaks the chain. */
export function isContinuous(previous: Pick<ChainPolicy, 'endDate'>, next: Pick<ChainPolicy, 'startDate'>): boolean {
  return parseDay(next.startDate) - parseDay(previous.endDate) === 1;
}

/**
 * The continuous tail of `policies` (oldest first): the policies from the last gap on. The last
 * policy is always in it.
 */
export function continuousTail<P extends ChainPolicy>(policies: readonly P[]): P[] {
  let from = policies.length - 1;
  while (from > 0 && isContinuous(policies[from - 1]!, policies[from]!)) from--;
  return policies.slice(Math.max(0, from));
}

/**
 * The support year of a new policy starting on `startDate` after `predecessors` (oldest first, the
 * expiring policy last): its position in the chain of continuous policies, 1 when it does not start
 * the day after the last one ended (or there is none).
 */
export function supportYearOf(predecessors: readonly Pick<ChainPolicy, 'startDate' | 'endDate'>[], startDate: string): number {
  const last = predecessors.at(-1);
  if (!last || !isContinuous(last, { startDate })) return 1;
  return continuousTail(predecessors.map((p) => ({ ...p, grossPremiumFen: 0 }))).length + 1;
}

/** Whether central support still applies in `supportYear` (years 1..3; none from year 4). */
export const centrallySupported = (supportYear: number) => supportYear <= CENTRAL_SUPPORT_YEARS;

/**
 * The premium earned by `asOf` (a China date), pro rata by day of the elapsed part: cover ends at
 * 00:00 of `asOf`, so the days elapsed are asOf − start (none before the start, the whole period
 * after the end). Half-up to the fen.
 */
export function earnedPremiumFen(policy: Pick<ChainPolicy, 'startDate' | 'endDate' | 'grossPremiumFen'>, asOf: string): number {
  return earnedByDay(policy.grossPremiumFen, { start: policy.startDate, end: policy.endDate }, asOf).earnedFen;
}

/** A loss ratio in hundredths of a percent (3750: 37.50%), half-up; undefined when nothing was earned. */
export function lossRatioHundredths(claimsPaidFen: number, earnedFen: number): number | undefined {
  return earnedFen <= 0 ? undefined : divideHalfUp(claimsPaidFen * 10_000, earnedFen);
}

/** A loss ratio in percent with two decimals ("37.50"), half-up; undefined when nothing was earned. */
export function lossRatioPercent(claimsPaidFen: number, earnedFen: number): string | undefined {
  const hundredths = lossRatioHundredths(claimsPaidFen, earnedFen);
  return hundredths === undefined ? undefined : `${Math.floor(hundredths / 100)}.${String(hundredths % 100).padStart(2, '0')}`;
}

export interface ChainExperience {
  claimsPaidFen: number;
  earnedPremiumFen: number;
  /** Percent, two decimals; undefined when no premium was earned yet. */
  lossRatioPercent: string | undefined;
  /** How many policies the chain holds. */
  policies: number;
}

/** Claims paid ÷ premium earned by `asOf` over the continuous chain ending with the last of `policies`. */
export function chainExperience(policies: readonly ChainPolicy[], asOf: string): ChainExperience {
  const chain = continuousTail(policies);
  const claimsPaidFen = chain.reduce((sum, p) => sum + (p.claimsPaidFen ?? 0), 0);
  const earned = chain.reduce((sum, p) => sum + earnedPremiumFen(p, asOf), 0);
  return { claimsPaidFen, earnedPremiumFen: earned, lossRatioPercent: lossRatioPercent(claimsPaidFen, earned), policies: chain.length };
}

export interface ClaimPart { insurer: string; role: 'lead' | 'follower'; sharePercent: string; paidFen: number }

/**
 * Each pool member's part of a claim paid, to the fen: its share rounded down, the lead taking
 * the remainder (as the premium is split: co-insurance.ts), so the parts add up to the claim.
 */
export function splitClaim(shares: readonly MemberShare[], paidFen: number): ClaimPart[] {
  return splitShares(shares, paidFen).map((p) => ({ insurer: p.insurer, role: p.role, sharePercent: p.sharePercent, paidFen: p.grossPremiumFen }));
}
