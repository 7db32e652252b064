// A version's co-insurance pool against the organisations: every member a real insurer, shares
// adding up to 100%. Checked at publication; quotes and policies then carry the members' ids.
import { insurersByCode } from '../auth/auth-service.ts';
import { conflict, invalidInput } from '../http/app-error.ts';
import type { ProductDefinition } from '../rating/index.ts';

const SHARE_SCALE = 1_000_000;

/** A percent string in millionths of a percent ("33.333333" → 33333333), or NaN. */
export function shareMillionths(sharePercent: string): number {
  return /^\d+(\.\d{1,6})?$/.test(sharePercent) ? Math.round(Number(sharePercent) * SHARE_SCALE) : NaN;
}

/** The share in its shortest form ("30.000" → "30"), as invitations and messages show it. */
export function canonicalShare(millionths: number): string {
  return String(millionths / SHARE_SCALE);
}

/** Whether a pool's shares add up to exactly 100% (a draft being edited may not yet). */
export function poolAddsUp(members: readonly { sharePercent: string }[]): boolean {
  return members.reduce((sum, m) => sum + shareMillionths(m.sharePercent), 0) === 100 * SHARE_SCALE;
}

/**
 * Refuses a pool whose shares do not add up to 100% (400, on the last member's share) or that
 * names a code no insurer organisation has (409, on that member's insurer). `root` prefixes the
 * JSON path (`definition/coInsurance/members/2/insurer`).
 */
export async function checkPoolMembers(definition: ProductDefinition, root = 'definition'): Promise<void> {
  const members = definition.coInsurance?.members;
  if (!members) return;
  const total = members.reduce((sum, m) => sum + shareMillionths(m.sharePercent), 0);
  if (total !== 100 * SHARE_SCALE) {
    const shown = Number.isNaN(total) ? 'not a number' : `${total / SHARE_SCALE}%`;
    throw invalidInput(`The co-insurance shares add up to ${shown}, not 100%.`, [
      { path: `${root}/coInsurance/members/${members.length - 1}/sharePercent`, message: `shares add up to ${shown}; they must add up to 100 (pool-shares)` },
    ]);
  }
  const insurers = await insurersByCode(); // fresh: an insurer created a moment ago counts
  const unknown = members.map((m, i) => ({ code: m.insurer, i })).filter(({ code }) => !insurers.has(code));
  if (unknown.length) {
    throw conflict(`The pool names ${unknown.map((u) => u.code).join(', ')}, which no insurer organisation has; create the insurer first (POST /v1/organisations with kind insurer).`,
      unknown.map(({ code, i }) => ({ path: `${root}/coInsurance/members/${i}/insurer`, message: `${code} must be the code of an insurer organisation (pool-member)` })));
  }
}
