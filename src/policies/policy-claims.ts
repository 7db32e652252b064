// Claims paid on a policy (#26, ../shared/domain/policy-life.md "Claims paid"): recorded by the
// lead insurer's staff, each pool member's part to the fen (src/rating/renewal.ts splitClaim),
// kept per policy in a keyed log (`claims|<policyId>`, read by `_id`), idempotent by the
// Idempotency-Key through a claim record whose `_id` is derived from the key (E11000 = there).
// The renewal reads the claims of a chain from the same log (policy-renewal.ts).
import mongoose, { Schema } from 'mongoose';
import { recordAudit } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import { ownedByCallerInsurer } from '../auth/visibility.ts';
import { derivedObjectId } from '../db/derived-id.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { conflict, invalidInput } from '../http/app-error.ts';
import { addDays, chinaDate } from '../rating/calendar.ts';
import { cancellationOf } from './cancellation-service.ts';
import { splitClaim } from '../rating/renewal.ts';
import type { ClaimList, ClaimRequest, ClaimView } from './claim-schemas.ts';
import { claimKey, claimLog, claimViewFields, type StoredClaim } from './claim-log.ts';
import { entryOfRef } from './log-ref.ts';
import { hashRequest } from '../quotes/quote-service.ts';
import type { PolicyRecord } from './policy-schemas.ts';
import { loadVisiblePolicy } from './policy-service.ts';

/**
 * A recorded claim by `_id` (derived from the Idempotency-Key's scope, else new): its request's
 * hash and the claim, so a replay answers the same claim and another body with the key a 409.
 */
const claimRecordSchema = new Schema(
  { _id: { type: Schema.Types.ObjectId, required: true }, policyId: { type: String, required: true }, hash: { type: String, required: true }, v: { type: String, required: true } },
  { collection: 'policyClaims', versionKey: false },
);
const ClaimRecordModel = mongoose.model('PolicyClaim', claimRecordSchema);

/** What the policies capability announces of a claim paid (src/events.ts). */
export interface ClaimEvents {
  claimPaid(claim: ClaimView & { policy: PolicyRecord }): Promise<void>;
}

export interface ClaimDeps { events: ClaimEvents }

export interface ClaimOptions { idempotencyKey?: string | undefined; now?: Date }

/**
 * The 400s of a claim's dates: the loss inside the period of cover, paid on or after it and not in
 * the future. A cancellation effective on day D ends cover at 00:00 of D (policy-life.md): a
 * cancelled policy's claims are for losses up to the day before.
 */
async function checkDates(policy: PolicyRecord, body: ClaimRequest, today: string): Promise<void> {
  const cancelled = policy.status === 'cancelled' ? (await cancellationOf(policy.id))?.view : undefined;
  const lastCovered = cancelled ? addDays(cancelled.effectiveDate, -1) : policy.endDate;
  if (body.lossDate < policy.startDate || body.lossDate > lastCovered) {
    throw invalidInput('The date of loss is outside the policy\'s period of cover.', [{ path: 'body.lossDate', message: `must be from ${policy.startDate} to ${lastCovered} (period of cover${cancelled ? `: cancelled from ${cancelled.effectiveDate}` : ''})` }]);
  }
  if (body.paidOn < body.lossDate) throw invalidInput('The claim is paid before the loss.', [{ path: 'body.paidOn', message: 'must be on or after lossDate (order)' }]);
  if (body.paidOn > today) throw invalidInput('The claim is paid in the future.', [{ path: 'body.paidOn', message: `must be on or before ${today} (not in the future)` }]);
}

/** The claim a log entry holds for `id` (appended once: a replay finds it by its ref). */
async function numbered(policyId: string, claim: StoredClaim): Promise<ClaimView> {
  await claimLog.append(claimKey(policyId), claim.id, claim);
  const found = await entryOfRef(claimLog, claimKey(policyId), claim.id);
  return found ? { ...found.value, n: found.n + 1 } : { ...claim, n: 0 };
}

/**
 * Records a claim paid on a policy (the lead insurer's staff: a follower is 403, anyone who cannot
 * see the policy 404). With an Idempotency-Key a replay answers the same claim (`replayed`), another
 * body with the key a 409.
 */
export async function recordClaim(deps: ClaimDeps, caller: Caller, policyId: string, body: ClaimRequest, options: ClaimOptions = {}): Promise<{ claim: ClaimView; replayed: boolean }> {
  const now = options.now ?? new Date();
  const policy = ownedByCallerInsurer(caller, await loadVisiblePolicy(caller, policyId), 'The policy');
  const hash = hashRequest(body);
  const _id = options.idempotencyKey ? derivedObjectId(`claim:${policy.id}:${caller.organisationId}:${options.idempotencyKey}`) : new mongoose.Types.ObjectId();
  await checkDates(policy, body, chinaDate(now));
  const claim: StoredClaim = {
    id: String(_id), policyId: policy.id, lossDate: body.lossDate, paidOn: body.paidOn, paidFen: body.paidFen, description: body.description,
    ...(policy.poolShares?.length ? { memberParts: splitClaim(policy.poolShares, body.paidFen) } : {}),
    recordedAt: now.toISOString(), recordedBy: caller.userName,
  };
  try {
    await ClaimRecordModel.collection.insertOne({ _id, policyId: policy.id, hash, v: JSON.stringify(claim) });
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const first = await ClaimRecordModel.collection.findOne({ _id }) as { hash: string; v: string } | null;
    if (!first || first.hash !== hash) {
      throw conflict('This Idempotency-Key was already used with a different claim.', [{ path: 'header.idempotency-key', message: 'must be new for a different claim (idempotency)' }]);
    }
    // The first attempt may have stopped before its log entry: appending again is idempotent.
    return { claim: await numbered(policy.id, JSON.parse(first.v) as StoredClaim), replayed: true };
  }
  const recorded = await numbered(policy.id, claim);
  await recordAudit(caller, { action: 'policy.claim', entityType: 'policy', entityId: policy.id, organisationId: policy.insurerOrganisationId, summary: `Claim ${recorded.n} paid on policy ${policy.policyNumber}: ${claim.paidFen} fen on ${claim.paidOn} (loss ${claim.lossDate}).` }, now);
  await deps.events.claimPaid({ ...recorded, policy });
  return { claim: recorded, replayed: false };
}

/** The claims of a policy its readers see: the enterprise, its broker, the pool members (404 for anyone else). */
export async function listClaims(caller: Caller, policyId: string): Promise<ClaimList> {
  const policy = await loadVisiblePolicy(caller, policyId);
  const { claims, claimsPaidFen } = await claimViewFields(policy.id);
  return { items: claims, total: claims.length, claimsPaidFen };
}

/** The claims capability with its hub bound once (createServices). */
export function createClaims(deps: ClaimDeps) {
  const bound: ClaimDeps = Object.freeze({ ...deps });
  return Object.freeze({
    recordClaim: (caller: Caller, policyId: string, body: ClaimRequest, options?: ClaimOptions) => recordClaim(bound, caller, policyId, body, options),
    listClaims,
  });
}
export type ClaimsService = ReturnType<typeof createClaims>;
