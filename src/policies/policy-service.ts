import mongoose from 'mongoose';
import { recordAudit } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import { conflict, notFound } from '../http/app-error.ts';
import { visibleOrNotFound } from '../auth/visibility.ts';
import { bindRefusal } from '../quotes/quote-actions.ts';
import { leanRatingRecordOf, loadVisibleQuote, markBound, randomCode, RATING_PROJECTION, ratedRecordFields, ratedViewFields, type LeanRatingFields, type QuoteRecord, type StoredQuoteEvent } from '../quotes/quote-service.ts';
import type { RatingResult } from '../rating/index.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { poolViewFields } from '../pools/pool-shares.ts';
import { claimIdempotencyKey } from './idempotency-key.ts';
import { PolicyBindKeyModel, PolicyModel, type StoredPolicy } from './policy-model.ts';
import type { PolicyRecord, PolicyView } from './policy-schemas.ts';
import { buildPolicyLists, listIssuedPolicy, listPolicies } from './policy-lists.ts';
import { derivedObjectId } from '../db/derived-id.ts';
import { toDictionaryPackedJson, toDictionaryPackedText } from '../db/json-text.ts';
import { storedContextText, storeProgrammesOf, withStoredContext } from '../quotes/stored-context.ts';
import { premiumOf, recordPayment, type PaymentEvents, type PaymentRequest } from './policy-payments.ts';
import type { PolicyChangeEvents } from './policy-changes.ts';
import { endorsementsOf, endorsePolicy, policyHistory, previewEndorsement } from './endorsement-service.ts';
import type { EndorsementRequest } from './endorsement-schemas.ts';
import { claimViewFields } from './claim-log.ts';
import { cancellationOf, cancelPolicy, previewCancellation } from './cancellation-service.ts';
import type { CancellationRequest } from './cancellation-schemas.ts';
import { buildExpiringLists, listExpiringPolicies, listExpiringPolicy } from './expiring-lists.ts';

export type { PolicyRecord, PolicyView, PolicySummary } from './policy-schemas.ts';
export { listPolicies } from './policy-lists.ts';

/** The one mapper from a stored policy (a lean read, or the document its insert wrote) to its frozen record. */
export function policyRecordOf(stored: StoredPolicy): PolicyRecord {
  return Object.freeze({
    ...ratedRecordFields(stored),
    policyNumber: stored.policyNumber,
    quoteId: stored.quoteId,
    issuedAt: stored.issuedAt,
    ...(stored.boundBy ? { boundBy: { keyId: stored.boundBy.keyId ?? undefined, userName: stored.boundBy.userName ?? undefined } } : {}),
    grossPremiumFen: stored.grossPremiumFen,
    netPremiumFen: stored.netPremiumFen,
    vatFen: stored.vatFen,
    expectedSubsidyFen: stored.expectedSubsidyFen,
    expectedNetCostFen: stored.expectedNetCostFen,
    subsidies: (stored.subsidies ?? []).map((s) => ({ programme: s.programme!, amountFen: s.amountFen! })),
    ...(stored.poolShares ? { poolShares: stored.poolShares.map((p) => ({ insurer: p.insurer!, role: p.role as 'lead' | 'follower', sharePercent: p.sharePercent!, grossPremiumFen: p.grossPremiumFen!, netPremiumFen: p.netPremiumFen!, vatFen: p.vatFen! })) } : {}),
    ...(stored.idempotencyScope ? { idempotencyScope: stored.idempotencyScope } : {}),
    ...(stored.renewalOf ? { renewalOf: stored.renewalOf } : {}),
    // Cancellation (another part of #26) records a status; the renewal refuses a cancelled policy.
    ...(typeof stored.status === 'string' ? { status: stored.status } : {}),
  });
}

/** A stored policy's record by id, or null. By _id alone: see loadVisibleQuote. Unchecked: callers check visibility (the renewal's chain does). */
export async function findPolicyRecord(id: string | mongoose.Types.ObjectId): Promise<PolicyRecord | null> {
  const stored = mongoose.isValidObjectId(id) ? await PolicyModel.findById(id).lean<StoredPolicy>() : null;
  return stored ? policyRecordOf(await withStoredContext(stored)) : null;
}

/** A policy as the API shows it. */
export function toPolicyView(record: PolicyRecord): PolicyView {
  return {
    ...ratedViewFields(record),
    policyNumber: record.policyNumber,
    quoteId: record.quoteId,
    issuedAt: record.issuedAt.toISOString(),
    grossPremiumFen: record.grossPremiumFen,
    netPremiumFen: record.netPremiumFen,
    vatFen: record.vatFen,
    expectedSubsidyFen: record.expectedSubsidyFen,
    expectedNetCostFen: record.expectedNetCostFen,
    subsidies: [...record.subsidies],
    ...(record.poolShares ? { poolShares: [...record.poolShares] } : {}),
    ...(record.renewalOf ? { renewalOf: record.renewalOf } : {}),
    result: record.result,
  };
}

/**
 * What the policies capability announces, once per issued policy (src/service.ts wires the
 * reactions: the rating book records the policy, the documents capability stores its schedule).
 * The record as stored, so a reaction needs no read of its own.
 */
export interface PolicyEvents extends PaymentEvents {
  policyIssued(policy: PolicyRecord): Promise<void>;
}

/** What the policies capability's operations depend on, bound once by createPolicies (nobody else passes it). */
export interface PolicyDeps {
  /** Where issued policies, and changes of them (policy-changes.ts), are announced. */
  events: PolicyEvents & PolicyChangeEvents;
  /** #26 cancellation: what was granted on a policy's subsidy applications (the subsidies capability's, bound in src/service.ts). */
  grantedOnPolicy?: (policyId: string, programmes: readonly string[]) => Promise<number>;
}

/** The 409 of a quote already bound: the policy's id is in the details, so a client can fetch it. */
function alreadyBound(quoteNumber: string, policy: PolicyRecord) {
  return conflict(`Quote ${quoteNumber} is already bound as policy ${policy.policyNumber}.`, [
    { path: 'policyId', message: 'is the policy the quote is already bound as (bound)', value: policy.id },
  ]);
}

/** The policy id of a quote: derived from the quote's, so a lost race is recognised by _id (an index read). */
function policyIdOf(quoteId: unknown): mongoose.Types.ObjectId {
  return derivedObjectId(`policy-of-quote:${String(quoteId)}`);
}

/**
 * Claims a bind's Idempotency-Key for this quote (idempotency-key.ts). (Keys of binds before the
 * claims existed, #25, are not checked this way.)
 */
const claimBindKey = (scope: string, quoteId: string) => claimIdempotencyKey(scope, {
  model: PolicyBindKeyModel, kind: 'bind-key', field: 'quoteId', value: quoteId,
  message: 'This Idempotency-Key was already used to bind another quote.', rule: 'must be new for a different quote (idempotency)',
});

export interface BindOptions {
  /** As createQuote's: a retried bind with the same key returns the same policy (replayed). */
  idempotencyKey?: string | undefined;
  now?: Date;
}

/**
 * Binds a quoted or approved, unexpired quote into a policy. Exactly once under concurrency:
 * the policy insert carries the quote id under a unique index, so only one bind can win. With an
 * Idempotency-Key, a retry of the winning bind (after a lost answer) gets its policy back
 * (`replayed`); any other bind of a bound quote is a 409 whose details carry the policy id.
 */
export async function bindQuote(deps: PolicyDeps, caller: Caller, quoteId: string, options: BindOptions = {}): Promise<{ policy: PolicyView; replayed: boolean }> {
  const now = options.now ?? new Date();
  const scope = options.idempotencyKey ? `${caller.organisationId}:${options.idempotencyKey}` : undefined;
  const quote = await loadVisibleQuote(caller, quoteId);
  if (caller.role === 'broker' && quote.brokerOrganisationId !== caller.organisationId) throw notFound('The quote');
  const id = policyIdOf(quote.id);
  const result = quote.result;
  if (scope || quote.status === 'bound') {
    const existing = await findPolicyRecord(id);
    if (existing && scope && existing.idempotencyScope === scope) return { policy: await completeBind(caller, existing, quote), replayed: true };
    if (existing) throw alreadyBound(quote.quoteNumber, existing);
    if (scope) await claimBindKey(scope, quote.id);
  }
  const refusal = bindRefusal(quote, now); // the rule the pages show the bind button by (nextActions)
  if (refusal) throw conflict(refusal);

  let policy: PolicyRecord | undefined;
  await storeProgrammesOf([quote.context]); // the policy names its context's programmes as its quote does (stored-context.ts)
  for (let attempt = 0; !policy; attempt++) {
    try {
      const created = await PolicyModel.create({ _id: id, ...policyFields(caller, quote, result, now), ...(scope ? { idempotencyScope: scope } : {}) });
      policy = policyRecordOf({ ...created.toObject(), result, context: quote.context }); // the result and context as the quote's record has them, not re-parsed from their text
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const existing = await findPolicyRecord(id);
      if (existing && scope && existing.idempotencyScope === scope) return { policy: await completeBind(caller, existing, quote), replayed: true };
      if (existing) throw alreadyBound(quote.quoteNumber, existing);
      if (attempt >= 5) throw err; // a policy-number collision, five times over: give up loudly
    }
  }
  const issued = await completeBind(caller, policy, quote);
  await recordAudit(caller, { action: 'policy.issue', entityType: 'policy', entityId: policy.id, organisationId: quote.insurerOrganisationId, summary: `Bound quote ${quote.quoteNumber} as policy ${policy.policyNumber}, gross ${policy.grossPremiumFen} fen.` }, now);
  await deps.events.policyIssued(policy);
  return { policy: issued, replayed: false };
}

/**
 * The policy's summary and list entries, and the quote's bound mark: idempotent, so a replay completes a bind that stopped early. (The
 * subsidy ledger records the policy in reaction to its announcement: src/service.ts.)
 */
async function completeBind(caller: Caller, policy: PolicyRecord, quote: QuoteRecord): Promise<PolicyView> {
  // On the lists (idempotent: a replay re-appends safely, completing a bind cut off before).
  await listIssuedPolicy(policy);
  await listExpiringPolicy(policy); // #26: the due-for-renewal lists (expiring-lists.ts)
  if (quote.status !== 'bound') await markBound(quote.id, policy.id);
  return withPoolShares(caller, policy);
}

function policyFields(caller: Caller, quote: QuoteRecord, result: RatingResult, now: Date) {
  return {
    policyNumber: `P${quote.startDate.slice(0, 4)}${randomCode(10)}`,
    quoteId: quote.id,
    quoteNumber: quote.quoteNumber,
    productCode: quote.productCode,
    productVersion: quote.productVersion,
    line: quote.line,
    insurerOrganisationId: quote.insurerOrganisationId,
    ...(quote.poolMemberIds?.length ? { poolMemberIds: [...quote.poolMemberIds] } : {}),
    brokerOrganisationId: quote.brokerOrganisationId,
    enterpriseOrganisationId: quote.enterpriseOrganisationId,
    enterpriseName: quote.enterpriseName,
    startDate: quote.startDate,
    endDate: quote.endDate,
    issuedAt: now,
    boundBy: { keyId: caller.keyId, userName: caller.userName },
    grossPremiumFen: result.grossPremiumFen,
    netPremiumFen: result.netPremiumFen,
    vatFen: result.vatFen,
    expectedSubsidyFen: result.subsidies.totalFen,
    expectedNetCostFen: result.expectedNetCostFen,
    subsidies: result.subsidies.layers.map((l) => ({ programme: l.programme, amountFen: l.amountFen })),
    ...(result.coInsurance ? { poolShares: result.coInsurance } : {}),
    // Packed as the quote's, with the product's dictionary (src/db/json-text.ts).
    result: toDictionaryPackedJson(result, quote.productCode),
    inputs: toDictionaryPackedJson(quote.inputs, quote.productCode),
    picks: quote.picks,
    context: toDictionaryPackedText(storedContextText(quote.context), quote.productCode),
    ...(quote.renewalOf ? { renewalOf: quote.renewalOf } : {}),
  };
}

export async function loadVisiblePolicy(caller: Caller, id: string): Promise<PolicyRecord> {
  return visibleOrNotFound(caller, await findPolicyRecord(id), 'The policy');
}

/** One policy with its versions, current terms and endorsements (each with its 批单's address). */
export async function getPolicy(caller: Caller, id: string): Promise<PolicyView> {
  const record = await loadVisiblePolicy(caller, id);
  const [view, premium, history, claims, cancelled] = await Promise.all([withPoolShares(caller, record), premiumOf(record), endorsementsOf(record.id), claimViewFields(record.id), record.status === 'cancelled' ? cancellationOf(record.id) : undefined]);
  // Premium received (policy-payments.ts): two or three reads of the policy's payments log by `_id`; the claims paid from its claims log (by `_id`).
  // The premium due from one source, the change log (endorsements and a cancellation alike), as premiumOf read it.
  const { premiumReceivedFen, premiumOutstandingFen, payments, instalments, grossPremiumFen: chargedPremiumFen } = premium;
  return { ...view, premiumReceivedFen, premiumOutstandingFen, payments, ...(instalments ? { instalments } : {}), ...policyHistory(record, history, (n) => `/v1/policies/${record.id}/endorsements/${n}/pdf`), chargedPremiumFen, ...claims, status: record.status === 'cancelled' ? 'cancelled' : 'issued', ...(cancelled ? { cancellation: cancelled.view } : {}) };
}

/** A policy's view with its insurer's name and, when co-insured, every member's share (named, with liability) and the caller's own. */
export async function withPoolShares(caller: Caller, record: PolicyRecord): Promise<PolicyView> {
  return { ...toPolicyView(record), ...(await poolViewFields(caller, record)) };
}

// ---------------------------------------------------------------------------------------------
// Read model for the portfolio's rating book: what re-rating needs of every issued policy, built
// as the quotes capability builds it for a stored quote (leanRatingRecordOf, in quote-service.ts).

/** One issued policy as the rating book records it, or null when there is none. */
export async function policyRatingRecord(id: string): Promise<StoredQuoteEvent | null> {
  const doc = mongoose.isValidObjectId(id) ? await PolicyModel.findById(id, RATING_PROJECTION).lean<LeanRatingFields>() : null;
  return doc ? leanRatingRecordOf(await withStoredContext(doc), 'policy') : null;
}

/** Every issued policy of a product version as the rating book records it, streamed (slow on FerretDB: a scan). */
export async function* policyRatingRecords(productCode: string, productVersion: string): AsyncGenerator<StoredQuoteEvent> {
  const cursor = PolicyModel.find({ productCode, productVersion }, RATING_PROJECTION).lean<LeanRatingFields[]>().cursor({ batchSize: 1000 });
  for await (const doc of cursor as AsyncIterable<LeanRatingFields>) yield leanRatingRecordOf(await withStoredContext(doc), 'policy');
}


/**
 * The policies capability with its dependencies (`PolicyDeps`: the hub) bound once: a bind
 * announces the policy there (the reactions src/service.ts registered), so callers never pass or
 * see the hub.
 */
export function createPolicies(deps: PolicyDeps) {
  const bound: PolicyDeps = Object.freeze({ ...deps });
  return Object.freeze({
    bindQuote: (caller: Caller, quoteId: string, options?: BindOptions) => bindQuote(bound, caller, quoteId, options),
    getPolicy, listPolicies,
    /** Premium received: record a payment (the lead insurer's staff), a policy's premium, payments and instalments. */
    recordPayment: async (caller: Caller, policyId: string, request: PaymentRequest) => recordPayment(bound, caller, await loadVisiblePolicy(caller, policyId), request),
    listPayments: async (caller: Caller, policyId: string) => premiumOf(await loadVisiblePolicy(caller, policyId)),
    /** An endorsement priced (nothing stored), and recorded (exactly once per Idempotency-Key, announced as a PolicyChange). */
    previewEndorsement: async (caller: Caller, id: string, request: EndorsementRequest) => previewEndorsement(caller, await loadVisiblePolicy(caller, id), request),
    endorsePolicy: async (caller: Caller, id: string, request: EndorsementRequest, options?: { idempotencyKey?: string | undefined }) => endorsePolicy(bound.events, caller, await loadVisiblePolicy(caller, id), request, options),
    /** #26 cancellation (退保): priced (nothing stored), and recorded exactly once per policy (announced as a PolicyChange). */
    previewCancellation: async (caller: Caller, id: string, request: CancellationRequest) => previewCancellation(bound, caller, await loadVisiblePolicy(caller, id), request),
    cancelPolicy: async (caller: Caller, id: string, request: CancellationRequest) => cancelPolicy(bound, caller, await loadVisiblePolicy(caller, id), request),
    /** A visible policy's record with its endorsements (documents, pages). */
    policyWithEndorsements: async (caller: Caller, id: string) => {
      const record = await loadVisiblePolicy(caller, id);
      return { record, endorsements: await endorsementsOf(record.id) };
    },
    /** The migration of a data folder from before the lists (idempotent): every policy's summary and list entries. */
    buildLists: () => buildPolicyLists(allPolicyRecords()),
    /** #26: the policies due for renewal (GET /v1/policies?expiringWithin=N). */
    listExpiring: listExpiringPolicies,
    /** #26: the migration of a data folder from before the due-for-renewal lists (idempotent). */
    buildExpiringLists: () => buildExpiringLists(allPolicyRecords()),
  });
}
export type PoliciesService = ReturnType<typeof createPolicies>;

/**
 * Every stored policy as its record, oldest issued first, streamed (a scan: for offline work only —
 * book:migrate, which builds the lists and aggregates, and book:verify, which checks them).
 */
export async function* allPolicyRecords(): AsyncGenerator<PolicyRecord> {
  const cursor = PolicyModel.find({}).sort({ issuedAt: 1, _id: 1 }).lean<StoredPolicy[]>().cursor({ batchSize: 500 });
  for await (const doc of cursor as AsyncIterable<StoredPolicy>) yield policyRecordOf(await withStoredContext(doc));
}
