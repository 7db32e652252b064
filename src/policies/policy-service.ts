import mongoose from 'mongoose';
import { recordAudit } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import { addDays, chinaDate } from '../rating/calendar.ts';
import { conflict, notFound } from '../http/app-error.ts';
import { scopedQuery } from '../auth/scope.ts';
import { visibleOrNotFound } from '../auth/visibility.ts';
import { recordPolicySubsidies } from './subsidy-ledger.ts';
import { loadVisibleQuote, markBound, randomCode, type StoredQuoteEvent } from '../quotes/quote-service.ts';
import type { QuoteContext, QuotePicks, RatingResult } from '../rating/index.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { fromJsonText } from '../db/json-text.ts';
import { poolViewFields, type PoolRecord } from '../pools/pool-shares.ts';
import { PolicyModel, type PolicyDoc } from './policy-model.ts';
import type { PolicyList, PolicyView } from './policy-schemas.ts';
import { derivedObjectId } from '../db/derived-id.ts';

export type { PolicyView } from './policy-schemas.ts';

export function toPolicyView(doc: PolicyDoc): PolicyView {
  return {
    id: String(doc._id),
    policyNumber: doc.policyNumber,
    quoteId: doc.quoteId,
    quoteNumber: doc.quoteNumber,
    productCode: doc.productCode,
    productVersion: doc.productVersion,
    line: doc.line,
    enterpriseId: doc.enterpriseOrganisationId,
    enterpriseName: doc.enterpriseName,
    brokerOrganisationId: doc.brokerOrganisationId,
    insurerOrganisationId: doc.insurerOrganisationId,
    startDate: doc.startDate,
    endDate: doc.endDate,
    issuedAt: doc.issuedAt.toISOString(),
    grossPremiumFen: doc.grossPremiumFen,
    netPremiumFen: doc.netPremiumFen,
    vatFen: doc.vatFen,
    expectedSubsidyFen: doc.expectedSubsidyFen,
    expectedNetCostFen: doc.expectedNetCostFen,
    subsidies: (doc.subsidies ?? []).map((s) => ({ programme: s.programme!, amountFen: s.amountFen! })),
    ...(doc.poolShares ? { poolShares: doc.poolShares.map((p) => ({ insurer: p.insurer!, role: p.role as 'lead' | 'follower', sharePercent: p.sharePercent!, grossPremiumFen: p.grossPremiumFen!, netPremiumFen: p.netPremiumFen!, vatFen: p.vatFen! })) } : {}),
    result: doc.result as RatingResult,
  };
}

/**
 * What the policies capability announces, once per issued policy (src/service.ts wires the
 * reactions: the rating book records the policy, the documents capability stores its schedule).
 */
export interface PolicyEvents {
  policyIssued(policy: PolicyView): Promise<void>;
}

/** The 409 of a quote already bound: the policy's id is in the details, so a client can fetch it. */
function alreadyBound(quoteNumber: string, policy: { _id: unknown; policyNumber: string }) {
  return conflict(`Quote ${quoteNumber} is already bound as policy ${policy.policyNumber}.`, [
    { path: 'policyId', message: 'is the policy the quote is already bound as (bound)', value: String(policy._id) },
  ]);
}

/** The policy id of a quote: derived from the quote's, so a lost race is recognised by _id (an index read). */
function policyIdOf(quoteId: unknown): mongoose.Types.ObjectId {
  return derivedObjectId(`policy-of-quote:${String(quoteId)}`);
}

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
export async function bindQuote(events: PolicyEvents, caller: Caller, quoteId: string, options: BindOptions = {}): Promise<{ policy: PolicyView; replayed: boolean }> {
  const now = options.now ?? new Date();
  const scope = options.idempotencyKey ? `${caller.organisationId}:${options.idempotencyKey}` : undefined;
  const quote = await loadVisibleQuote(caller, quoteId);
  if (caller.role === 'broker' && quote.brokerOrganisationId !== caller.organisationId) throw notFound('The quote');
  const id = policyIdOf(quote._id);
  const result = quote.result as RatingResult;
  if (scope || quote.status === 'bound') {
    const existing = await PolicyModel.findById(id);
    if (existing && scope && existing.idempotencyScope === scope) return { policy: await completeBind(caller, existing, quote, result), replayed: true };
    if (existing) throw alreadyBound(quote.quoteNumber, existing);
    if (scope && await PolicyModel.exists({ idempotencyScope: scope, quoteId: { $ne: String(quote._id) } })) {
      throw conflict('This Idempotency-Key was already used to bind another quote.', [{ path: 'header.idempotency-key', message: 'must be new for a different quote (idempotency)' }]);
    }
  }
  if (quote.status === 'bound') throw conflict(`Quote ${quote.quoteNumber} is already bound.`);
  if (quote.status === 'declined') throw conflict(`Quote ${quote.quoteNumber} was declined and cannot be bound.`);
  if (quote.status === 'referred') throw conflict(`Quote ${quote.quoteNumber} is referred to an underwriter; it can be bound once approved.`);
  if (quote.validUntil < chinaDate(now)) throw conflict(`Quote ${quote.quoteNumber} expired on ${quote.validUntil}; ask for a new quote.`);

  let policy: PolicyDoc | undefined;
  for (let attempt = 0; !policy; attempt++) {
    try {
      policy = await PolicyModel.create({ _id: id, ...policyFields(caller, quote, result, now), ...(scope ? { idempotencyScope: scope } : {}) });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const existing = await PolicyModel.findById(id);
      if (existing && scope && existing.idempotencyScope === scope) return { policy: await completeBind(caller, existing, quote, result), replayed: true };
      if (existing) {
        await recordPolicySubsidies(ledgerEntryOf(id, quote, result)); // completes a bind that stopped before its ledger entry
        throw alreadyBound(quote.quoteNumber, existing);
      }
      if (attempt >= 5) throw err; // a policy-number collision, five times over: give up loudly
    }
  }
  const issued = await completeBind(caller, policy, quote, result);
  await recordAudit(caller, { action: 'policy.issue', entityType: 'policy', entityId: String(policy._id), organisationId: quote.insurerOrganisationId, summary: `Bound quote ${quote.quoteNumber} as policy ${policy.policyNumber}, gross ${policy.grossPremiumFen} fen.` }, now);
  const view = toPolicyView(policy);
  await events.policyIssued(view);
  return { policy: issued, replayed: false };
}

type BindableQuote = Awaited<ReturnType<typeof loadVisibleQuote>>;

/** The ledger entry and the quote's bound mark: both idempotent, so a replay completes a bind that stopped early. */
async function completeBind(caller: Caller, policy: PolicyDoc, quote: BindableQuote, result: RatingResult): Promise<PolicyView> {
  await recordPolicySubsidies(ledgerEntryOf(policy._id, quote, result));
  if (quote.status !== 'bound') await markBound(String(quote._id), String(policy._id));
  return withPoolShares(caller, policy);
}

function policyFields(caller: Caller, quote: BindableQuote, result: RatingResult, now: Date) {
  return {
    policyNumber: `P${quote.startDate.slice(0, 4)}${randomCode(10)}`,
    quoteId: String(quote._id),
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
    result,
    inputs: quote.inputs,
    picks: quote.picks,
    context: quote.context,
  };
}

function ledgerEntryOf(policyId: unknown, quote: { enterpriseOrganisationId: string; startDate: string }, result: RatingResult) {
  return { id: String(policyId), enterpriseId: quote.enterpriseOrganisationId, startDate: quote.startDate, subsidies: result.subsidies.layers.map((l) => ({ programme: l.programme, amountFen: l.amountFen })) };
}

export async function loadVisiblePolicy(caller: Caller, id: string): Promise<PolicyDoc> {
  const doc = mongoose.isValidObjectId(id) ? await PolicyModel.findById(id) : null; // by _id alone: see loadVisibleQuote
  return visibleOrNotFound<PolicyDoc>(caller, doc, 'The policy');
}

export async function getPolicy(caller: Caller, id: string): Promise<PolicyView> {
  return withPoolShares(caller, await loadVisiblePolicy(caller, id));
}

/** A policy's view with its insurer's name and, when co-insured, every member's share (named, with liability) and the caller's own. */
export async function withPoolShares(caller: Caller, doc: PolicyDoc): Promise<PolicyView> {
  return { ...toPolicyView(doc), ...(await poolViewFields(caller, doc as unknown as PoolRecord)) };
}

export async function listPolicies(caller: Caller, filter: { productCode?: string; enterpriseId?: string; limit: number; offset: number }): Promise<PolicyList> {
  const asked: Record<string, unknown> = {};
  if (filter.productCode) asked.productCode = filter.productCode;
  if (filter.enterpriseId) asked.enterpriseOrganisationId = filter.enterpriseId;
  const query = scopedQuery(caller, 'business', asked);
  const [docs, total] = await Promise.all([
    PolicyModel.find(query).sort({ issuedAt: -1, _id: -1 }).skip(filter.offset).limit(filter.limit),
    PolicyModel.countDocuments(query),
  ]);
  return { items: await Promise.all(docs.map((d) => withPoolShares(caller, d))), total, limit: filter.limit, offset: filter.offset };
}

/**
 * The co-insured policies the caller's insurer carries a share of (lead or follower), issued on a
 * China date from `from` to `to` inclusive, oldest first: what a pool statement lists.
 */
export async function listPoolPolicies(caller: Caller, period: { from: string; to: string }): Promise<PolicyView[]> {
  const query = scopedQuery(caller, 'poolBusiness', { issuedAt: { $gte: new Date(`${period.from}T00:00:00+08:00`), $lt: new Date(`${addDays(period.to, 1)}T00:00:00+08:00`) } });
  const docs = await PolicyModel.find(query).sort({ issuedAt: 1, _id: 1 });
  return docs.map(toPolicyView);
}

// ---------------------------------------------------------------------------------------------
// Read model for the portfolio's rating book: what re-rating needs of every issued policy, in the
// shape of a stored quote's announcement (revision 0). Its number is the bound quote's, as the
// book has always recorded it.

/** Only what re-rating reads: not the worksheet. */
const RATING_PROJECTION = { quoteNumber: 1, policyNumber: 1, productCode: 1, productVersion: 1, inputs: 1, picks: 1, context: 1, result: 1 } as const;

interface LeanRatingFields {
  _id: unknown;
  quoteNumber?: string;
  policyNumber: string;
  productCode: string;
  productVersion: string;
  inputs: unknown;
  picks?: unknown;
  context: unknown;
  result?: unknown;
}

function ratingRecordOf(doc: LeanRatingFields): StoredQuoteEvent {
  const result = fromJsonText<{ grossPremiumFen?: number; decision?: { outcome?: string } } | undefined>(doc.result);
  return {
    id: String(doc._id), quoteNumber: doc.quoteNumber ?? doc.policyNumber, productCode: doc.productCode, productVersion: doc.productVersion, status: 'issued',
    inputs: fromJsonText(doc.inputs), picks: fromJsonText<QuotePicks | undefined>(doc.picks) ?? undefined, context: fromJsonText<QuoteContext>(doc.context),
    grossPremiumFen: result?.grossPremiumFen ?? 0, decision: result?.decision?.outcome ?? 'unknown', revision: 0,
  };
}

/** One issued policy as the rating book records it, or null when there is none. */
export async function policyRatingRecord(id: string): Promise<StoredQuoteEvent | null> {
  const doc = mongoose.isValidObjectId(id) ? await PolicyModel.findById(id, RATING_PROJECTION).lean<LeanRatingFields>() : null;
  return doc ? ratingRecordOf(doc) : null;
}

/** Every issued policy of a product version as the rating book records it, streamed (slow on FerretDB: a scan). */
export async function* policyRatingRecords(productCode: string, productVersion: string): AsyncGenerator<StoredQuoteEvent> {
  const cursor = PolicyModel.find({ productCode, productVersion }, RATING_PROJECTION).lean<LeanRatingFields[]>().cursor({ batchSize: 1000 });
  for await (const doc of cursor as AsyncIterable<LeanRatingFields>) yield ratingRecordOf(doc);
}

/**
 * The policies capability with its hub bound: a bind announces the policy on `events` (the
 * reactions src/service.ts registered), so callers never pass the hub.
 */
export function createPolicies(deps: { events: PolicyEvents }) {
  const { events } = deps;
  return Object.freeze({
    bindQuote: (caller: Caller, quoteId: string, options?: BindOptions) => bindQuote(events, caller, quoteId, options),
    getPolicy, listPolicies,
  });
}
export type PoliciesService = ReturnType<typeof createPolicies>;
