// Each pool member's part of a policy's liability: every limit of every coverage × the member's
// share, split to the fen like the premium (members rounded down, the lead takes the remainder).
import { splitCoInsurance, type PoolMember } from './co-insurance.ts';
import { parseDecimal, percentOfFen, toScaledInteger } from './money.ts';
import type { ProductDefinition } from './product-schema.ts';
import type { CoInsuranceShare } from './rating-result.ts';

/** One resolved limit of a coverage, in fen. */
export interface CoverageLimit {
  coverage: string;
  kind: 'aggregate' | 'perEvent' | 'perItem' | 'subLimit';
  amountFen: number;
}

/** An amount entered in 元 or 万元 as fen, exactly; undefined when absent or not an amount. */
function moneyFen(value: unknown, unit: string | undefined): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  return toScaledInteger(value, unit === '万元' ? 6 : 2);
}

/** The limits of every coverage as the inputs set them (a field, a fixed amount, or a percent of another limit). */
export function coverageLimitsFen(definition: ProductDefinition, inputs: Record<string, unknown>): CoverageLimit[] {
  const units = new Map(definition.form.fields.map((f) => [f.key, (f as { unit?: string }).unit]));
  const out: CoverageLimit[] = [];
  for (const coverage of definition.coverages) {
    const byKind = new Map<string, number>();
    for (const limit of coverage.limits ?? []) {
      let fen: number | undefined;
      if (limit.field) fen = moneyFen(inputs[limit.field], units.get(limit.field));
      else if (limit.amountFen !== undefined) fen = limit.amountFen;
      else if (limit.percentOf) {
        const base = byKind.get(limit.percentOf.limit);
        const percent = parseDecimal(limit.percentOf.percent);
        if (base !== undefined && percent) fen = percentOfFen(base, percent);
      }
      if (fen === undefined) continue;
      if (limit.kind !== 'subLimit' && !byKind.has(limit.kind)) byKind.set(limit.kind, fen);
      out.push({ coverage: coverage.code, kind: limit.kind, amountFen: fen });
    }
  }
  return out;
}

/** A pool member's share as a policy stores it (its percent as a decimal string). */
export type MemberShare = Pick<CoInsuranceShare, 'insurer' | 'role' | 'sharePercent'>;

/**
 * Splits a gross amount and its net among pool members by share, to the fen (the rule of the
 * premium: each rounded down, the lead takes the remainder, co-insurance.ts). A share that is not
 * a decimal is a RangeError (a stored share always is one).
 */
export function splitShares(shares: readonly MemberShare[], grossFen: number, netFen = grossFen): CoInsuranceShare[] {
  const members: PoolMember[] = shares.map((s) => {
    const percent = parseDecimal(s.sharePercent);
    if (!percent) throw new RangeError(`not a share: ${s.sharePercent}`);
    return { insurer: s.insurer, role: s.role, sharePercent: s.sharePercent, share: { num: percent.num, exp: percent.exp + 2 } };
  });
  return splitCoInsurance(members, grossFen, netFen);
}

/** Splits an amount among pool members by share, to the fen (the same rule as the premium). */
export function splitByShares(shares: readonly MemberShare[], amountFen: number): number[] {
  return splitShares(shares, amountFen).map((part) => part.grossPremiumFen);
}
