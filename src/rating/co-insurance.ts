// Splitting a co-insured premium among pool members to the fen.
import type { ScaledDecimal } from './money.ts';
import type { CoInsuranceShare } from './rating-result.ts';

/** A pool member as compiled from the product. */
export interface PoolMember {
  insurer: string;
  role: 'lead' | 'follower';
  sharePercent: string;
  share: ScaledDecimal;
}

function floorShare(amountFen: number, share: ScaledDecimal): number {
  const n = amountFen * share.num;
  if (Number.isSafeInteger(n)) return Math.floor(n / 10 ** share.exp);
  return Number((BigInt(amountFen) * BigInt(share.num)) / 10n ** BigInt(share.exp));
}

/**
 * Splits gross and net premium by pool shares: every member gets its share rounded down and the
 * lead takes the remainder fen, so the parts always add up to the whole.
 */
export function splitCoInsurance(members: readonly PoolMember[], grossFen: number, netFen: number): CoInsuranceShare[] {
  const out: CoInsuranceShare[] = [];
  let grossLeft = grossFen;
  let netLeft = netFen;
  let lead: CoInsuranceShare | undefined;
  for (const m of members) {
    const g = floorShare(grossFen, m.share);
    const n = floorShare(netFen, m.share);
    const part: CoInsuranceShare = { insurer: m.insurer, role: m.role, sharePercent: m.sharePercent, grossPremiumFen: g, netPremiumFen: n, vatFen: g - n };
    grossLeft -= g;
    netLeft -= n;
    if (m.role === 'lead') lead = part;
    out.push(part);
  }
  if (lead) {
    lead.grossPremiumFen += grossLeft;
    lead.netPremiumFen += netLeft;
    lead.vatFen = lead.grossPremiumFen - lead.netPremiumFen;
  }
  return out;
}
