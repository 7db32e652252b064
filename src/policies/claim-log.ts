// The log of the claims paid on each policy (#26): `claims|<policyId>` in a keyed log, read by
// `_id` (src/db/keyed-log.ts). Apart from policy-claims.ts so the policy's view (policy-service.ts)
// and the renewal read it without an import circle.
import { defineKeyedLog } from '../db/keyed-log.ts';
import type { ClaimView } from './claim-schemas.ts';

/** A claim as the log keeps it (its number is its position in the log, plus one). */
export type StoredClaim = Omit<ClaimView, 'n'>;

export const claimLog = defineKeyedLog<StoredClaim>('PolicyClaimEntry', 'policyClaimLog');
export const claimKey = (policyId: string) => `claims|${policyId}`;

/** Every claim of a policy, oldest first, numbered from 1 (one chunk or a few `_id` reads). */
export async function claimsOf(policyId: string): Promise<ClaimView[]> {
  return (await claimLog.all(claimKey(policyId))).map((e) => ({ ...e.value, n: e.n + 1 }));
}

/** Sum paid on a policy. */
export async function claimsPaidFenOf(policyId: string): Promise<number> {
  return (await claimsOf(policyId)).reduce((sum, c) => sum + c.paidFen, 0);
}

/** The claims a policy's view lists, with their sum. */
export async function claimViewFields(policyId: string): Promise<{ claims: ClaimView[]; claimsPaidFen: number }> {
  const claims = await claimsOf(policyId);
  return { claims, claimsPaidFen: claims.reduce((sum, c) => sum + c.paidFen, 0) };
}

