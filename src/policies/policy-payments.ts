// Premium received (实收保费): the lead insurer's staff record each payment of premium on a policy,
// with the payer's reference, and the policy shows what was received, what is outstanding and,
// when its product declares one, the instalment schedule with the payments allocated oldest first.
//
// Exactly once: a reference is claimed per insurer by an insert with a derived `_id`
// (`<insurer organisation id>:<reference>`, payment-model.ts); the same payment again answers the
// claim's payment (200), a different payment under the reference is a 409. Received never exceeds
// the gross premium: the n-th payment takes place n of the policy's log with ref `#n`, so two
// payments that each fit alone but not together cannot both be placed (the second re-reads and
// is checked again).
import { refuseIfCancelled } from './policy-actions.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import { ownedByCallerInsurer } from '../auth/visibility.ts';
import { cachedCatalogueRead } from '../catalogue/catalogue-cache.ts';
import { findPinnedVersion } from '../catalogue/rating-lookups.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { conflict, invalidInput } from '../http/app-error.ts';
import { validateOrThrow } from '../http/schema-registry.ts';
import { allocatePayments, chinaDate, formatFen, instalmentSchedule, type InstalmentRule } from '../rating/index.ts';
import { changesOf } from './policy-changes.ts';
import { paymentLog, PaymentReferenceModel, type LoggedPayment, type StoredPaymentClaim } from './payment-model.ts';
import { paymentRequestSchema, type InstalmentView, type PaymentRequest, type PaymentView, type PolicyPayments } from './payment-schemas.ts';
import type { PolicyRecord } from './policy-schemas.ts';

export type { PaymentRequest, PaymentView, PolicyPayments } from './payment-schemas.ts';

/** What the policies capability announces once per payment recorded (src/events.ts; no reaction yet). */
export interface PaymentReceived {
  policy: PolicyRecord;
  payment: PaymentView;
  premiumReceivedFen: number;
}

/** Where recorded payments are announced (the hub, bound by createPolicies). */
export interface PaymentEvents {
  paymentReceived(event: PaymentReceived): Promise<void>;
}

const yuan = (fen: number) => `${formatFen(fen)} yuan`;

/** A policy's payments, in the order recorded (one keyed log read: a few `_id` reads). */
async function paymentsOf(policyId: string): Promise<LoggedPayment[]> {
  return (await paymentLog.all(policyId)).map((e) => e.value);
}

/** The premium received on a policy so far, in fen (what the subsidy application gate reads). */
export async function premiumReceivedFen(policyId: string): Promise<number> {
  return (await paymentsOf(policyId)).reduce((sum, p) => sum + p.amountFen, 0);
}

/**
 * The gross premium due on a policy: as issued, plus every change's difference (an endorsement
 * charges or refunds by days remaining: src/policies/policy-changes.ts). One or two `_id` reads.
 */
export async function premiumDueFen(policy: PolicyRecord): Promise<number> {
  return policy.grossPremiumFen + (await changesOf(policy.id)).reduce((sum, c) => sum + c.delta.grossPremiumFen, 0);
}

/** A pinned version's instalment rules (published versions never change: cached like the catalogue). */
function instalmentRulesOf(code: string, version: string): Promise<readonly InstalmentRule[] | undefined> {
  return cachedCatalogueRead(`instalments|${code}|${version}`, async () => (await findPinnedVersion(code, version)).definition.instalments);
}

const viewOf = (policyId: string, p: LoggedPayment): PaymentView => ({ policyId, ...p });

/** The premium of a policy: received, outstanding, the payments and the instalments with their allocation. */
export async function premiumOf(policy: PolicyRecord, today: string = chinaDate(new Date())): Promise<PolicyPayments> {
  const [payments, rules, due] = await Promise.all([paymentsOf(policy.id), instalmentRulesOf(policy.productCode, policy.productVersion).catch(() => undefined), premiumDueFen(policy)]);
  const received = payments.reduce((sum, p) => sum + p.amountFen, 0);
  const instalments: InstalmentView[] | undefined = rules?.length ? allocatePayments(instalmentSchedule(rules, policy.startDate, due), payments, today) : undefined;
  return {
    policyId: policy.id, policyNumber: policy.policyNumber, grossPremiumFen: due,
    premiumReceivedFen: received, premiumOutstandingFen: Math.max(0, due - received),
    payments: payments.map((p) => viewOf(policy.id, p)),
    ...(instalments ? { instalments } : {}),
  };
}

/** The claim's payment as the API shows it (a replay answers exactly what the first recording did). */
function claimView(claim: Pick<StoredPaymentClaim, 'policyId' | 'reference' | 'amountFen' | 'receivedOn' | 'recordedAt' | 'recordedBy'>): PaymentView {
  return { policyId: claim.policyId, reference: claim.reference, amountFen: claim.amountFen, receivedOn: claim.receivedOn, recordedAt: new Date(claim.recordedAt).toISOString(), recordedBy: claim.recordedBy?.userName ?? '' };
}

const overPremium = (policy: PolicyRecord, due: number, received: number, amountFen: number) => conflict(
  `A payment of ${yuan(amountFen)} would take the premium received on policy ${policy.policyNumber} to ${yuan(received + amountFen)}, above the gross premium due of ${yuan(due)}.`,
  [{ path: 'body.amountFen', message: `must be at most ${Math.max(0, due - received)}, the premium outstanding (outstanding)` }],
);

const reusedReference = (reference: string, claim: StoredPaymentClaim) => conflict(
  `The payment reference ${reference} was already recorded by your insurer for a different payment (${yuan(claim.amountFen)} received on ${claim.receivedOn}).`,
  [{ path: 'body.reference', message: 'must be new for a different payment: a reference is recorded once per insurer (unique)' }],
);

/** Whether a claim holds this very payment (then recording it again is a replay). */
const samePayment = (claim: StoredPaymentClaim, policyId: string, request: PaymentRequest) =>
  claim.policyId === policyId && claim.amountFen === request.amountFen && claim.receivedOn === request.receivedOn;

/** What a recording read of the policy's premium: its payments so far and the premium due. */
interface PremiumRead { payments: LoggedPayment[]; due: number }

const premiumRead = async (policy: PolicyRecord): Promise<PremiumRead> => {
  const [payments, due] = await Promise.all([paymentsOf(policy.id), premiumDueFen(policy)]);
  return { payments, due };
};
const totalReceived = (payments: readonly LoggedPayment[]) => payments.reduce((sum, p) => sum + p.amountFen, 0);

/**
 * Places the claimed payment in the policy's log (idempotent: a replay completes a recording cut
 * off before), starting from what the request read (`read`). Place n is taken with ref `#n` by
 * whoever saw n payments; a writer that lost the place reads the payments again and checks the
 * total again. Refused (the claim released) when it no longer fits. Answers the premium received
 * with the payment in it.
 */
async function placePayment(policy: PolicyRecord, claimId: string, payment: LoggedPayment, read: PremiumRead): Promise<number> {
  for (let payments = read.payments; ; payments = await paymentsOf(policy.id)) {
    const received = totalReceived(payments);
    if (payments.some((p) => p.reference === payment.reference)) return received;
    if (received + payment.amountFen > read.due) {
      await PaymentReferenceModel.collection.deleteOne({ _id: claimId as never });
      throw overPremium(policy, read.due, received, payment.amountFen);
    }
    const n = payments.length;
    await paymentLog.append(policy.id, `#${n}`, payment);
    const [placed] = await paymentLog.range(policy.id, n, n);
    if (placed?.value.reference === payment.reference) return received + payment.amountFen;
  }
}

function checkRequest(request: PaymentRequest, now: Date): void {
  // The route validated it already; the pages call here directly, so the schema is checked again.
  validateOrThrow(paymentRequestSchema, request, 'body');
  const today = chinaDate(now);
  if (request.receivedOn > today) throw invalidInput('A payment cannot be received in the future.', [{ path: 'body.receivedOn', message: `must be today (${today}) or earlier (not-in-future)` }]);
}

export interface RecordedPayment {
  payment: PaymentView;
  /** True when the request repeated a payment already recorded (200, nothing new). */
  replayed: boolean;
}

/**
 * Records a payment of premium on a policy, by the lead insurer's staff (a pool follower: 403;
 * others: 404). Exactly once per insurer and reference; audited and announced once.
 */
export async function recordPayment(deps: { events: PaymentEvents }, caller: Caller, policy: PolicyRecord, request: PaymentRequest, now: Date = new Date()): Promise<RecordedPayment> {
  ownedByCallerInsurer(caller, policy, 'The policy');
  // #26 cancellation: a cancelled policy takes no more premium (the settlement is its refund).
  refuseIfCancelled(policy, 'no payment is recorded on it');
  checkRequest(request, now);
  const claimId = `${policy.insurerOrganisationId}:${request.reference}`;
  const claim = { _id: claimId, policyId: policy.id, reference: request.reference, amountFen: request.amountFen, receivedOn: request.receivedOn, recordedAt: now, recordedBy: { keyId: caller.keyId, userName: caller.userName, organisationId: caller.organisationId } };
  const answered = await replayOf(policy, claimId, request);
  if (answered) return answered;
  const read = await premiumRead(policy); // the payments and the premium due, read once and passed down
  const received = totalReceived(read.payments);
  if (received + request.amountFen > read.due) throw overPremium(policy, read.due, received, request.amountFen);
  try {
    await PaymentReferenceModel.collection.insertOne(claim as never);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const raced = await replayOf(policy, claimId, request);
    if (raced) return raced;
    throw err; // claimed and released between the insert and the read: let the client retry
  }
  const payment = claimView(claim);
  const { policyId: _policyId, ...logged } = payment;
  const premiumReceived = await placePayment(policy, claimId, logged, read);
  await recordAudit(caller, {
    action: 'policy.payment', entityType: 'policy', entityId: policy.id, organisationId: policy.insurerOrganisationId,
    summary: `Premium received on policy ${policy.policyNumber}: ${yuan(request.amountFen)} on ${request.receivedOn}, reference ${request.reference} (received ${yuan(premiumReceived)} of ${yuan(read.due)} due).`,
    changes: [{ path: 'premiumReceivedFen', from: premiumReceived - request.amountFen, to: premiumReceived }],
  }, now);
  await deps.events.paymentReceived({ policy, payment, premiumReceivedFen: premiumReceived });
  return { payment, replayed: false };
}

/** The answer to a reference already claimed: the same payment (completed in the log), or a 409; undefined when unclaimed. */
async function replayOf(policy: PolicyRecord, claimId: string, request: PaymentRequest): Promise<RecordedPayment | undefined> {
  const claim = await PaymentReferenceModel.collection.findOne({ _id: claimId as never }) as StoredPaymentClaim | null;
  if (!claim) return undefined;
  if (!samePayment(claim, policy.id, request)) throw reusedReference(request.reference, claim);
  const payment = claimView(claim);
  const { policyId: _policyId, ...logged } = payment;
  await placePayment(policy, claimId, logged, await premiumRead(policy));
  return { payment, replayed: true };
}
