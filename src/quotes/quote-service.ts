// Quotes: create (one, idempotent), get, list, compare, verify, expiry; and what other
// capabilities may do to a quote (policies mark it bound). Rating requests are prepared in
// rating-request.ts, underwriting decisions taken in underwriting.ts, bulk saves in quote-batch.ts.
import { createHash, randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import type { AuditEntryView } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import { visibleOrNotFound } from '../auth/visibility.ts';
import { findPinnedVersion } from '../catalogue/rating-lookups.ts';
import { chinaDate } from '../rating/calendar.ts';
import { conflict, invalidInput } from '../http/app-error.ts';
import type { QuoteContext, QuotePicks, RatingResult } from '../rating/index.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { createInsertBatcher } from '../db/insert-batcher.ts';
import { observeInsertBatch } from '../http/metrics.ts';
import { fromJsonText, toDictionaryPackedJson } from '../db/json-text.ts';
import { poolViewFields } from '../pools/pool-shares.ts';
import { COLD_QUOTE_FIELDS, expandStoredQuote, QuoteModel, type RawStoredQuote, type StoredQuote } from './quote-model.ts';
import type { DerivedInput, QuoteCreatedEntry, QuoteRecord, QuoteView, RatedRecord } from './quote-schemas.ts';
import { listNewQuote, markSummaryBound } from './quote-lists.ts';
import { addDays } from '../rating/calendar.ts';
import { prepareRating, rate, type PreparedRating, type QuoteRequest } from './rating-request.ts';
import { derivedObjectId } from '../db/derived-id.ts';
import { decodeStoredQuote, storedContextValue, storeProgrammesOf, withStoredContext } from './stored-context.ts';

export type { QuoteRecord, QuoteSummary, QuoteView, RatedRecord } from './quote-schemas.ts';

// ---------------------------------------------------------------------------------------------
// Records: a stored quote leaves this capability only as a frozen QuoteRecord (quote-schemas.ts),
// made by quoteRecordOf; the policies capability makes its records from the same shared fields.

/** The stored fields a quote's and a policy's records share (the policy's are copied from its quote at bind). */
export type StoredRated = Pick<StoredQuote, '_id' | 'quoteNumber' | 'productCode' | 'productVersion' | 'line' | 'enterpriseOrganisationId' | 'enterpriseName' | 'brokerOrganisationId' | 'insurerOrganisationId' | 'poolMemberIds' | 'startDate' | 'endDate' | 'inputs' | 'picks' | 'context' | 'result'>;

/** The shared part of a quote's or policy's record, decoded from its stored form (JSON text parsed, objects as they are). */
export function ratedRecordFields(stored: StoredRated): RatedRecord {
  return {
    id: String(stored._id),
    quoteNumber: stored.quoteNumber,
    productCode: stored.productCode,
    productVersion: stored.productVersion,
    line: stored.line,
    enterpriseOrganisationId: stored.enterpriseOrganisationId,
    enterpriseName: stored.enterpriseName,
    brokerOrganisationId: stored.brokerOrganisationId,
    insurerOrganisationId: stored.insurerOrganisationId,
    ...(stored.poolMemberIds?.length ? { poolMemberIds: [...stored.poolMemberIds] } : {}),
    startDate: stored.startDate,
    endDate: stored.endDate,
    inputs: fromJsonText<Record<string, unknown>>(stored.inputs), // JSON text in a quote (objects in a policy, and in quotes stored before)
    picks: (stored.picks ?? {}) as QuotePicks,
    context: fromJsonText<QuoteContext>(stored.context),
    result: fromJsonText<RatingResult>(stored.result),
  };
}

/**
 * The audit entry of a quote's creation: stored in the quote before session 10 (`createdEntry`),
 * since then made of the quote's own fields: its creator (createdBy with role and organisation),
 * createdAt, and the status and premium before any decision — referred, with the result as
 * rated then, if an underwriter decided it; else what its result decided. Undefined for quotes
 * stored before either (their creation is in the audit log).
 */
function creationEntryOf(stored: StoredQuote, result: RatingResult, originalResult: RatingResult | undefined): QuoteCreatedEntry | undefined {
  const entry = stored.createdEntry;
  if (entry?.at) {
    return {
      at: entry.at,
      actor: { keyId: entry.actor?.keyId ?? '', userName: entry.actor?.userName ?? '', role: entry.actor?.role ?? '', organisationId: entry.actor?.organisationId ?? '' },
      status: entry.status ?? '', grossPremiumFen: entry.grossPremiumFen ?? 0,
    };
  }
  const by = stored.createdBy;
  if (!by?.role || !by.organisationId) return undefined;
  const decided = Boolean(stored.underwriting?.action);
  return {
    at: stored.createdAt,
    actor: { keyId: by.keyId ?? '', userName: by.userName ?? '', role: by.role, organisationId: by.organisationId },
    status: decided ? 'referred' : result.decision.outcome,
    grossPremiumFen: (originalResult ?? result).grossPremiumFen,
  };
}

/**
 * The one mapper from a stored quote (a read decoded by decodeStoredQuote, or the fields its insert
 * packed) to its record.
 */
export function quoteRecordOf(stored: StoredQuote): QuoteRecord {
  const uw = stored.underwriting;
  const rated = ratedRecordFields(stored);
  const originalResult = uw?.originalResult ? fromJsonText<RatingResult>(uw.originalResult) : undefined;
  const entry = creationEntryOf(stored, rated.result, originalResult);
  return Object.freeze({
    ...rated,
    status: stored.status,
    quoteDate: stored.quoteDate,
    validUntil: stored.validUntil,
    grossPremiumFen: stored.grossPremiumFen,
    requestHash: stored.requestHash,
    ...(uw?.action && uw.at ? {
      underwriting: {
        action: uw.action, by: { keyId: uw.by?.keyId ?? undefined, userName: uw.by?.userName ?? undefined }, at: uw.at,
        ...(uw.reason ? { reason: uw.reason } : {}),
        ...(originalResult ? { originalResult } : {}),
        ...(uw.originalPicks ? { originalPicks: uw.originalPicks as QuotePicks } : {}),
      },
    } : {}),
    ...(stored.policyId ? { policyId: stored.policyId } : {}),
    ...(stored.renewalOf ? { renewalOf: stored.renewalOf } : {}),
    ...(stored.derived ? { derived: JSON.parse(stored.derived) as DerivedInput[] } : {}),
    ...(entry ? { createdEntry: entry } : {}),
    createdAt: stored.createdAt,
  });
}

/** A stored quote's record by id, or null. By _id alone: see loadVisibleQuote. */
export async function findQuoteRecord(id: string): Promise<QuoteRecord | null> {
  const stored = mongoose.isValidObjectId(id) ? await QuoteModel.findById(id).lean<RawStoredQuote>() : null;
  return stored ? quoteRecordOf(await decodeStoredQuote(stored)) : null;
}

/** What a quote's and a policy's views share, from their records. */
export function ratedViewFields(record: RatedRecord) {
  return {
    id: record.id,
    quoteNumber: record.quoteNumber,
    productCode: record.productCode,
    productVersion: record.productVersion,
    line: record.line,
    enterpriseId: record.enterpriseOrganisationId,
    enterpriseName: record.enterpriseName,
    brokerOrganisationId: record.brokerOrganisationId,
    insurerOrganisationId: record.insurerOrganisationId,
    startDate: record.startDate,
    endDate: record.endDate,
  };
}

/** A quote as the API shows it. */
export function toQuoteView(record: QuoteRecord, now: Date = new Date()): QuoteView {
  const uw = record.underwriting;
  return {
    ...ratedViewFields(record),
    status: record.status,
    expired: isExpired(record, now),
    quoteDate: record.quoteDate,
    validUntil: record.validUntil,
    inputs: record.inputs,
    picks: record.picks,
    result: record.result,
    ...(uw ? { underwriting: { action: uw.action, by: uw.by.userName ?? '', at: uw.at.toISOString(), ...(uw.reason ? { reason: uw.reason } : {}) } } : {}),
    ...(record.policyId ? { policyId: record.policyId } : {}),
    ...(record.renewalOf ? { renewalOf: record.renewalOf, derived: [...(record.derived ?? [])] } : {}),
    createdAt: record.createdAt.toISOString(),
  };
}

function isExpired(doc: { validUntil: string; status: string }, now: Date): boolean {
  return doc.status !== 'bound' && doc.validUntil < chinaDate(now);
}

const BASE32 = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export function randomCode(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => BASE32[b % BASE32.length]).join('');
}

// Concurrent quote creations share insert commands (src/db/insert-batcher.ts).
const quoteInserts = createInsertBatcher(QuoteModel, { onBatch: observeInsertBatch });

const duplicateField = (err: unknown) => Object.keys((err as { keyPattern?: object })?.keyPattern ?? {})[0] ?? String((err as Error).message).match(/index: (\w+)/)?.[1];

/** The quote id of an idempotency scope: 12 bytes of its SHA-256, as an ObjectId. */
export function idempotentQuoteId(scope: string): mongoose.Types.ObjectId {
  return derivedObjectId(`quote-idempotency:${scope}`);
}

export function hashRequest(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/** What a stored quote looks like to reactions: what re-rating it needs, and its current outcome. */
export interface StoredQuoteEvent {
  id: string;
  quoteNumber: string;
  productCode: string;
  productVersion: string;
  status: string;
  inputs: unknown;
  picks: QuotePicks | undefined;
  context: QuoteContext;
  grossPremiumFen: number;
  decision: string;
  /** Increases with every change of the quote's picks or outcome (create 0, approve/decline 1). */
  revision: number;
}

/**
 * What the quotes capability announces (src/service.ts wires the reactions: the portfolio's rating
 * book records every stored quote). Reactions run before the request is answered and may run more
 * than once for the same revision (an Idempotency-Key replay announces again, so a reaction that
 * failed is retried): they are idempotent.
 */
export interface QuoteEvents {
  quotesStored(stored: QuotesStored): Promise<void>;
}

/**
 * What the quotes capability's operations depend on, bound once by its factory (createQuotes in
 * quotes.ts): the operations here take it as their first argument, and nobody outside the
 * factory passes it (or learns of the hub).
 */
export interface QuoteDeps {
  /** Where stored, approved and declined quotes are announced. */
  events: QuoteEvents;
}

/** Quotes stored, approved or declined: one from a request, or a bulk save's batch. */
export interface QuotesStored {
  quotes: readonly StoredQuoteEvent[];
  /** A bulk save's batch (the rating book writes it as one page rather than a record each). */
  bulk: boolean;
}

/** A stored quote as its announcement carries it. */
export function storedQuoteEvent(record: QuoteRecord, revision: number): StoredQuoteEvent {
  return ratingRecordOf(record, record.status, revision);
}

/** The announcement of a quote just stored, from what was stored rather than read back. */
export function newQuoteEvent(doc: { _id: mongoose.Types.ObjectId; quoteNumber: string; productCode: string; productVersion: string; inputs: unknown; picks: unknown }, result: RatingResult, context: QuoteContext): StoredQuoteEvent {
  return ratingRecordOf({ ...doc, id: String(doc._id), context, result }, result.decision.outcome, 0);
}

/** Announces one stored quote. */
export function announceStored(deps: QuoteDeps, doc: QuoteRecord, revision: number): Promise<void> {
  return deps.events.quotesStored({ quotes: [storedQuoteEvent(doc, revision)], bulk: false });
}

/** A new quote number: Q, the quote date, six characters of the BASE32 alphabet. */
export function newQuoteNumber(quoteDate: string): string {
  return `Q${quoteDate.replaceAll('-', '')}${randomCode(6)}`;
}

/** The stored document of a new quote (createQuote, and the bulk save's batches). */
export function quoteDocument(caller: Caller, request: QuoteRequest, prepared: PreparedRating, result: RatingResult, ids: { id: mongoose.Types.ObjectId; scope: string; requestHash: string }, now: Date, renewal?: RenewalQuote) {
  const enterprise = prepared.enterprise!;
  return {
    _id: ids.id,
    quoteNumber: newQuoteNumber(prepared.quoteDate),
    idempotencyScope: ids.scope,
    requestHash: ids.requestHash,
    status: result.decision.outcome,
    productCode: prepared.version.productCode,
    productVersion: prepared.version.version,
    line: prepared.version.definition.line,
    insurerOrganisationId: prepared.version.insurerOrganisationId,
    ...(prepared.version.poolMemberIds.length ? { poolMemberIds: prepared.version.poolMemberIds } : {}),
    brokerOrganisationId: renewal?.brokerOrganisationId ?? caller.organisationId,
    enterpriseOrganisationId: enterprise.id,
    enterpriseName: enterprise.name,
    createdBy: { keyId: caller.keyId, userName: caller.userName, role: caller.role, organisationId: caller.organisationId },
    quoteDate: prepared.quoteDate,
    startDate: prepared.startDate,
    endDate: prepared.endDate,
    validUntil: addDays(prepared.quoteDate, prepared.version.definition.validityDays ?? 30),
    // The context's subsidy programmes as the ids of their snapshots (stored-context.ts); these and
    // the other cold fields are packed into `z` by storedQuote.
    inputs: request.inputs,
    picks: request.picks ?? {},
    context: storedContextValue(prepared.context),
    result,
    grossPremiumFen: result.grossPremiumFen,
    decisionReasons: result.decision.reasons.map((r) => r.rule),
    ...(renewal ? { renewalOf: renewal.renewalOf, derived: JSON.stringify(renewal.derived) } : {}),
  };
}

/**
 * A new quote's document as mongoose would store it (its defaults and timestamps added), built
 * without mongoose's casting: the quote's insert skips it (test/quotes/stored-quote.test.ts checks
 * that casting this form changes nothing).
 */
export function storedQuote(doc: ReturnType<typeof quoteDocument>, now: Date): StoredQuoteFields {
  const cold: Record<string, unknown> = {};
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) (COLD.has(key) ? cold : fields)[key] = value;
  return { ...fields, z: toDictionaryPackedJson(cold, doc.productCode), createdAt: now, updatedAt: now } as StoredQuoteFields;
}
const COLD: ReadonlySet<string> = new Set(COLD_QUOTE_FIELDS);
/** A new quote as inserted: its fields, and the cold ones packed in `z` (src/quotes/quote-model.ts). */
export type StoredQuoteFields = Pick<StoredQuote, '_id' | 'quoteNumber' | 'idempotencyScope' | 'status' | 'productCode' | 'productVersion' | 'grossPremiumFen' | 'createdAt' | 'updatedAt'> & { z: unknown };

/** The audit entry of a quote's creation, from the quote itself (undefined for quotes stored before it was carried there). */
export function quoteCreationEntry(doc: QuoteRecord): AuditEntryView | undefined {
  const entry = doc.createdEntry;
  if (!entry) return undefined;
  return {
    at: entry.at.toISOString(),
    actor: { ...entry.actor },
    action: 'quote.create',
    summary: `Quote ${doc.quoteNumber} for ${doc.enterpriseName}: ${entry.status}, gross ${entry.grossPremiumFen} fen.`,
  };
}

/**
 * #26: what makes a quote a renewal (the policies capability's POST /v1/policies/{id}/renewal):
 * the policy it renews, the inputs the record decided, the policy's broker firm (the quote is
 * the broker's whoever asked: its lead insurer's staff may too), and the idempotency scope that
 * makes it exactly once (`renewal:<policyId>:<n>`).
 */
export interface RenewalQuote {
  renewalOf: string;
  derived: readonly DerivedInput[];
  brokerOrganisationId: string;
  scope: string;
}

/**
 * Creates a quote for an enterprise (broker). With an Idempotency-Key, a retried request returns
 * the first quote; the unique idempotencyScope index guarantees a single write. A renewal
 * (#26) goes the same way, with its own scope and the fields of `renewal`.
 */
export async function createQuote(deps: QuoteDeps, caller: Caller, request: QuoteRequest, idempotencyKey: string | undefined, now: Date = new Date(), renewal?: RenewalQuote): Promise<{ quote: QuoteView; replayed: boolean }> {
  const requestHash = hashRequest(request);
  const scope = renewal ? renewal.scope : idempotencyKey ? `${caller.organisationId}:${idempotencyKey}` : undefined;
  // With a key, the quote's id is derived from it, so a retry finds the first quote by _id (the
  // one read FerretDB answers from an index) and a concurrent twin fails its insert on _id.
  const id = scope ? idempotentQuoteId(scope) : new mongoose.Types.ObjectId();
  // No read before the insert: a new key (the common case) costs no idempotency round trip; a
  // retried one fails its insert on _id (or its rating, if the catalogue moved on) and is then
  // answered from the stored quote.
  const storedTwin = async () => (scope ? findQuoteRecord(String(id)) : null);
  let prepared: PreparedRating;
  try {
    prepared = await prepareRating(caller, request, now);
  } catch (err) {
    const existing = await storedTwin();
    if (existing) return replay(deps, existing, requestHash, now);
    throw err;
  }
  const result = rate(prepared.version, request.inputs, request.picks, prepared.context);
  const doc = quoteDocument(caller, request, prepared, result, { id, scope: scope ?? `auto:${String(id)}`, requestHash }, now, renewal);
  await storeProgrammesOf([prepared.context]); // no write once this process has stored them
  for (let attempt = 0; ; attempt++) {
    try {
      const fields = attempt === 0 ? doc : { ...doc, quoteNumber: newQuoteNumber(prepared.quoteDate) };
      await quoteInserts.insertStored(storedQuote(fields, now));
      // The record from what was inserted (its fields before packing: nothing to inflate), with the
      // result and context as rated.
      const created = quoteRecordOf({ ...fields, createdAt: now, updatedAt: now, context: prepared.context, result } as StoredQuote);
      // Its summary and list entries, before it is answered: a quote once created is in its lists.
      await listNewQuote(created);
      // The audit entry travelled in the quote's insert (createdEntry); the rating book's record
      // follows (it shares an insert command with concurrent requests' records).
      await deps.events.quotesStored({ quotes: [newQuoteEvent({ ...doc, quoteNumber: created.quoteNumber }, result, prepared.context)], bulk: false });
      return { quote: toQuoteView(created, now), replayed: false };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      if ((duplicateField(err) === 'quoteNumber' || /quoteNumber/.test((err as Error).message)) && attempt < 5) continue;
      const existing = await storedTwin();
      if (existing) return replay(deps, existing, requestHash, now);
      throw err;
    }
  }
}

async function replay(deps: QuoteDeps, existing: QuoteRecord, requestHash: string, now: Date): Promise<{ quote: QuoteView; replayed: boolean }> {
  if (existing.requestHash !== requestHash) {
    throw conflict('This Idempotency-Key was already used with a different request.', [{ path: 'header.idempotency-key', message: 'must be new for a different request (idempotency)' }]);
  }
  // A first attempt may have stopped before its lists or its announcement: both are idempotent.
  await listNewQuote(existing);
  if (existing.status === 'quoted' || existing.status === 'referred') await announceStored(deps, existing, 0);
  return { quote: toQuoteView(existing, now), replayed: true };
}

// Read by _id alone, then checked here: FerretDB 1.x answers only an exact { _id } filter from its
// index; adding the visibility fields to the filter made every read scan the collection.
export async function loadVisibleQuote(caller: Caller, id: string): Promise<QuoteRecord> {
  return visibleOrNotFound(caller, await findQuoteRecord(id), 'The quote');
}

export async function getQuote(caller: Caller, id: string, now: Date = new Date()): Promise<QuoteView> {
  return withPoolShares(caller, await loadVisibleQuote(caller, id), now);
}

/** A quote's view with its insurer's name and, when co-insured, every member's share and the caller's own. */
async function withPoolShares(caller: Caller, record: QuoteRecord, now: Date): Promise<QuoteView> {
  return { ...toQuoteView(record, now), ...(await poolViewFields(caller, record)) };
}

/** Every fen amount of a result, by path, for comparing a stored result with a re-rating. */
export function amountsOf(result: RatingResult): Map<string, number> {
  const amounts = new Map<string, number>([
    ['grossPremiumFen', result.grossPremiumFen], ['netPremiumFen', result.netPremiumFen], ['vatFen', result.vatFen],
    ['enterprisePaysFen', result.enterprisePaysFen], ['expectedNetCostFen', result.expectedNetCostFen], ['subsidies.totalFen', result.subsidies.totalFen],
  ]);
  for (const s of result.sections) {
    amounts.set(`sections[${s.key}].premiumFen`, s.premiumFen);
    for (const item of s.items ?? []) amounts.set(`sections[${s.key}].items[${item.index}].premiumFen`, item.premiumFen);
  }
  for (const layer of result.subsidies.layers) amounts.set(`subsidies.layers[${layer.programme}].amountFen`, layer.amountFen);
  for (const share of result.coInsurance ?? []) amounts.set(`coInsurance[${share.insurer}].grossPremiumFen`, share.grossPremiumFen);
  for (const line of result.worksheet) amounts.set(`worksheet[${line.step}].runningPremiumFen`, line.runningPremiumFen);
  return amounts;
}

/** Re-rates a stored quote on its pinned version with its stored inputs, picks and context. */
export async function verifyQuote(caller: Caller, id: string): Promise<{ matches: boolean; checkedAmounts: number; differences: { path: string; stored: number | null; recomputed: number | null }[] }> {
  const doc = await loadVisibleQuote(caller, id);
  const version = await findPinnedVersion(doc.productCode, doc.productVersion);
  const recomputed = rate(version, doc.inputs, doc.picks, doc.context);
  const stored = amountsOf(doc.result);
  const fresh = amountsOf(recomputed);
  const differences: { path: string; stored: number | null; recomputed: number | null }[] = [];
  for (const path of new Set([...stored.keys(), ...fresh.keys()])) {
    if (stored.get(path) !== fresh.get(path)) differences.push({ path, stored: stored.get(path) ?? null, recomputed: fresh.get(path) ?? null });
  }
  if (recomputed.decision.outcome !== doc.result.decision.outcome) {
    differences.push({ path: 'decision.outcome', stored: null, recomputed: null });
  }
  return { matches: differences.length === 0, checkedAmounts: stored.size, differences };
}

/** Several quotes of one enterprise and product side by side, with what differs between them. */
export async function compareQuotes(caller: Caller, ids: string[], now: Date = new Date()) {
  const docs = await Promise.all(ids.map((id) => loadVisibleQuote(caller, id)));
  const first = docs[0]!;
  const mismatch = docs.find((d) => d.enterpriseOrganisationId !== first.enterpriseOrganisationId || d.productCode !== first.productCode);
  if (mismatch) throw invalidInput('Quotes can be compared only for one enterprise and one product.', [{ path: 'query.ids', message: 'must name quotes of the same enterprise and product (same-enterprise-product)' }]);
  const views = docs.map((d) => toQuoteView(d, now));
  const differingFields = (pick: (v: QuoteView) => Record<string, unknown>) =>
    [...new Set(views.flatMap((v) => Object.keys(pick(v))))].filter((k) => new Set(views.map((v) => JSON.stringify(pick(v)[k] ?? null))).size > 1).sort();
  return {
    enterpriseId: first.enterpriseOrganisationId,
    productCode: first.productCode,
    columns: views.map((v) => ({
      id: v.id, quoteNumber: v.quoteNumber, status: v.status, expired: v.expired, productVersion: v.productVersion,
      grossPremiumFen: v.result.grossPremiumFen, netPremiumFen: v.result.netPremiumFen, vatFen: v.result.vatFen,
      expectedSubsidyFen: v.result.subsidies.totalFen, expectedNetCostFen: v.result.expectedNetCostFen,
      decision: v.result.decision.outcome, inputs: v.inputs, picks: v.picks,
      coefficients: Object.fromEntries(v.result.worksheet.map((l) => [l.step, l.value])),
    })),
    differingInputs: differingFields((v) => v.inputs),
    differingPicks: differingFields((v) => v.picks),
  };
}

/**
 * Marks a quote bound as a policy (the policies capability, once the policy is stored): its summary
 * first, then the quote, so a bind replay (which marks again while the quote is not bound) never
 * leaves a bound quote listed as unbound.
 */
export async function markBound(quoteId: string, policyId: string): Promise<void> {
  await markSummaryBound(quoteId, policyId);
  await QuoteModel.updateOne({ _id: quoteId }, { $set: { status: 'bound', policyId } });
}

// ---------------------------------------------------------------------------------------------
// The rating read model: what re-rating needs of every stored quote and issued policy, as
// announcements carry it and the portfolio's rating book records it. Built here, once, for both
// capabilities (the policies capability reads its own collection through the same projection).

/** What the rating read model reads of a stored quote or policy: its record, or the decoded-or-text fields of a read. */
export interface RatingFields {
  id: string;
  quoteNumber: string;
  productCode: string;
  productVersion: string;
  inputs: unknown;
  picks?: unknown;
  context: unknown;
  result?: unknown;
}

/** A stored quote or policy as read through RATING_PROJECTION (JSON text still as text). */
export interface LeanRatingFields extends Omit<RatingFields, 'id' | 'quoteNumber'> {
  _id: unknown;
  quoteNumber?: string;
  policyNumber?: string;
  status?: string;
  underwriting?: { action?: string | null } | null;
  /** A quote's packed cold fields (since session 10: expandStoredQuote). */
  z?: unknown;
}

/** Only what re-rating reads of a quote or policy: not the audit entry nor an underwriter's original result. */
export const RATING_PROJECTION = { quoteNumber: 1, policyNumber: 1, productCode: 1, productVersion: 1, status: 1, inputs: 1, picks: 1, context: 1, result: 1, underwriting: 1, z: 1 } as const;

/** The one builder of the rating read model. */
export function ratingRecordOf(fields: RatingFields, status: string, revision: number): StoredQuoteEvent {
  const result = fromJsonText<{ grossPremiumFen?: number; decision?: { outcome?: string } } | undefined>(fields.result);
  return {
    id: fields.id, quoteNumber: fields.quoteNumber, productCode: fields.productCode, productVersion: fields.productVersion, status,
    inputs: fromJsonText(fields.inputs), picks: fromJsonText<QuotePicks | undefined>(fields.picks) ?? undefined, context: fromJsonText<QuoteContext>(fields.context),
    grossPremiumFen: result?.grossPremiumFen ?? 0, decision: result?.decision?.outcome ?? 'unknown', revision,
  };
}

/**
 * The rating record of a read through RATING_PROJECTION: a quote with its status (revision 1 once an
 * underwriter decided it), a policy issued at revision 0 under its bound quote's number, as the
 * book has always recorded it.
 */
export function leanRatingRecordOf(doc: LeanRatingFields, kind: 'quote' | 'policy'): StoredQuoteEvent {
  const fields = { ...doc, id: String(doc._id), quoteNumber: doc.quoteNumber ?? doc.policyNumber ?? '' };
  return kind === 'policy' ? policyRatingRecordOf(fields) : ratingRecordOf(fields, doc.status ?? '', doc.underwriting?.action ? 1 : 0);
}

/** The rating record of an issued policy (a read, or the record its bind announced): revision 0 under its bound quote's number. */
export function policyRatingRecordOf(fields: RatingFields): StoredQuoteEvent {
  return ratingRecordOf(fields, 'issued', 0);
}

/** Every stored quote of a product version as the rating book records it, streamed (slow on FerretDB: a scan). */
export async function* quoteRatingRecords(productCode: string, productVersion: string): AsyncGenerator<StoredQuoteEvent> {
  const cursor = QuoteModel.find({ productCode, productVersion }, RATING_PROJECTION).lean<LeanRatingFields[]>().cursor({ batchSize: 1000 });
  for await (const doc of cursor as AsyncIterable<LeanRatingFields>) yield leanRatingRecordOf(await withStoredContext(expandStoredQuote(doc) as LeanRatingFields), 'quote');
}
