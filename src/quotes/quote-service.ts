import { createHash, randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { recordAudit } from '../audit/audit-log.ts';
import { OrganisationModel } from '../auth/auth-model.ts';
import type { Caller } from '../auth/caller.ts';
import { findEffectiveVersion, findOwnVersion, findPinnedVersion, subsidyProgrammesFor, type RatableVersion } from '../catalogue/catalogue-service.ts';
import { chinaDate } from '../rating/calendar.ts';
import { conflict, invalidInput, notFound } from '../http/app-error.ts';
import { subsidiesRecorded } from '../policies/subsidy-ledger.ts';
import { evaluateQuote, type EnterpriseContext, type QuoteContext, type QuotePicks, type QuotingRole, type RatingResult, type SubsidyProgramme } from '../rating/index.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { createInsertBatcher } from '../db/insert-batcher.ts';
import { QuoteModel, UnderwritingDecisionModel, type QuoteDoc } from './quote-model.ts';
import { withRatingErrors } from './rating-errors.ts';
import type { ApproveQuote, PricingRequest, QuoteList, QuoteRequest, QuoteView } from './quote-schemas.ts';

export type { PricingRequest, QuoteRequest, QuoteView } from './quote-schemas.ts';

/** How the caller's role picks inside filed ranges. */
export function quotingRoleOf(caller: Caller): QuotingRole {
  if (caller.role === 'broker') return 'broker';
  if (caller.role === 'enterprise') return 'customer';
  return 'underwriter';
}

const DAY_MS = 86_400_000;
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** One year of cover by default: from the start date to the day before its anniversary. */
function defaultEndDate(start: string): string {
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  const anniversary = new Date(Date.UTC(y + 1, m - 1, d));
  if (anniversary.getUTCMonth() !== m - 1) anniversary.setUTCDate(0); // 29 Feb → 28 Feb
  return new Date(anniversary.getTime() - DAY_MS).toISOString().slice(0, 10);
}

export interface EnterpriseRecord {
  id: string;
  name: string;
  regionCode?: string;
  qualifications: string[];
}

/** The enterprise organisation with this id, or null when there is none. */
export async function readEnterprise(id: string): Promise<EnterpriseRecord | null> {
  const org = mongoose.isValidObjectId(id) ? await OrganisationModel.findById(id).lean() : null;
  if (!org || org.kind !== 'enterprise') return null;
  return { id: String(org._id), name: org.name, ...(org.regionCode ? { regionCode: org.regionCode } : {}), qualifications: [...(org.qualifications ?? [])] };
}

/** Where rating reads the enterprise and its subsidies so far this year; a bulk run shares one per run. */
export interface EnterpriseLookups {
  enterprise(id: string): Promise<EnterpriseRecord | null>;
  /** Expected subsidy per programme on the enterprise's policies starting in `year` (YYYY). */
  receivedThisYear(enterpriseId: string, year: string): Promise<{ programme: string; amountFen: number }[]>;
}

const databaseLookups: EnterpriseLookups = { enterprise: readEnterprise, receivedThisYear: subsidiesRecorded };

export interface PreparedRating {
  version: RatableVersion;
  context: QuoteContext;
  quoteDate: string;
  startDate: string;
  endDate: string;
  enterprise: EnterpriseRecord | undefined;
}

/** Checks the dates, finds the version and builds the rating context of a request (no writes). */
export async function prepareRating(caller: Caller, request: PricingRequest, now: Date, lookups: EnterpriseLookups = databaseLookups): Promise<PreparedRating> {
  const quoteDate = chinaDate(now);
  const startDate = request.startDate ?? quoteDate;
  if (startDate < quoteDate) throw invalidInput('Cover cannot start before the quote date.', [{ path: 'body.startDate', message: `must be on or after ${quoteDate} (no backdating)` }]);
  if (startDate > addDays(quoteDate, 366)) throw invalidInput('Cover must start within a year of the quote.', [{ path: 'body.startDate', message: `must be on or before ${addDays(quoteDate, 366)} (maximum)` }]);
  const endDate = request.endDate ?? defaultEndDate(startDate);
  if (endDate < startDate) throw invalidInput('The end date is before the start date.', [{ path: 'body.endDate', message: 'must be on or after startDate (order)' }]);

  let version: RatableVersion;
  if (request.productVersion) {
    const insurerStaff = caller.role === 'insurer-admin' || caller.role === 'underwriter';
    version = insurerStaff ? await findOwnVersion(caller, request.productCode, request.productVersion) : await findPinnedVersion(request.productCode, request.productVersion);
  } else {
    version = await findEffectiveVersion(request.productCode, startDate);
  }

  const enterpriseId = caller.role === 'enterprise' ? caller.organisationId : request.enterpriseId;
  // Both reads at once; the ledger read is only used when the enterprise exists.
  const receivedThisYear = enterpriseId && mongoose.isValidObjectId(enterpriseId) ? lookups.receivedThisYear(enterpriseId, startDate.slice(0, 4)) : undefined;
  receivedThisYear?.catch(() => {}); // awaited below unless the enterprise check throws first
  const enterprise = enterpriseId ? await lookups.enterprise(enterpriseId) : undefined;
  if (enterpriseId && !enterprise) throw invalidInput('The enterprise does not exist.', [{ path: 'body.enterpriseId', message: 'must be the id of an enterprise organisation (exists)' }]);
  const facts = request.enterprise ?? {};
  const enterpriseContext: EnterpriseContext = {
    ...(enterprise?.regionCode ? { regionCode: enterprise.regionCode } : {}),
    qualifications: [...new Set([...(enterprise?.qualifications ?? []), ...(facts.qualifications ?? [])])],
    supportYear: facts.supportYear ?? 1,
    // Subsidy already expected on this enterprise's policies starting in the same year, per programme.
    receivedThisYear: enterprise ? await receivedThisYear! : [],
    ...(facts.awards ? { awards: facts.awards } : {}),
    ...(facts.coverScope ? { coverScope: facts.coverScope } : {}),
  };
  const programmes: SubsidyProgramme[] = await subsidyProgrammesFor(version.definition.line);
  // The tariff is chosen by the start date, so the engine checks it is in force on that day.
  const context: QuoteContext = { asOf: startDate, period: { start: startDate, end: endDate }, role: quotingRoleOf(caller), enterprise: enterpriseContext, programmes };
  return { version, context, quoteDate, startDate, endDate, enterprise: enterprise ?? undefined };
}

export function rate(version: RatableVersion, inputs: unknown, picks: QuotePicks | undefined, context: QuoteContext): RatingResult {
  return withRatingErrors(() => evaluateQuote(version.compiled, inputs, picks, context));
}

/** The stored form of a value: JSON, so absent fields stay absent instead of becoming nulls. */
export function storable<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Prices without storing anything: the full result with its worksheet. */
export async function previewPrice(caller: Caller, request: PricingRequest, now: Date = new Date()): Promise<RatingResult> {
  const prepared = await prepareRating(caller, request, now);
  return rate(prepared.version, request.inputs, request.picks, prepared.context);
}

// ---------------------------------------------------------------------------------------------

export function toQuoteView(doc: QuoteDoc, now: Date = new Date()): QuoteView {
  return {
    id: String(doc._id),
    quoteNumber: doc.quoteNumber,
    status: doc.status,
    expired: isExpired(doc, now),
    productCode: doc.productCode,
    productVersion: doc.productVersion,
    line: doc.line,
    enterpriseId: doc.enterpriseOrganisationId,
    enterpriseName: doc.enterpriseName,
    brokerOrganisationId: doc.brokerOrganisationId,
    insurerOrganisationId: doc.insurerOrganisationId,
    quoteDate: doc.quoteDate,
    startDate: doc.startDate,
    endDate: doc.endDate,
    validUntil: doc.validUntil,
    inputs: doc.inputs as Record<string, unknown>,
    picks: (doc.picks ?? {}) as Record<string, string | number>,
    result: doc.result as RatingResult,
    ...(doc.underwriting?.action ? { underwriting: { action: doc.underwriting.action, by: doc.underwriting.by?.userName ?? '', at: doc.underwriting.at!.toISOString(), ...(doc.underwriting.reason ? { reason: doc.underwriting.reason } : {}) } } : {}),
    ...(doc.policyId ? { policyId: doc.policyId } : {}),
    createdAt: (doc.get('createdAt') as Date).toISOString(),
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
const quoteInserts = createInsertBatcher(QuoteModel);

const duplicateField = (err: unknown) => Object.keys((err as { keyPattern?: object })?.keyPattern ?? {})[0] ?? String((err as Error).message).match(/index: (\w+)/)?.[1];

/** The quote id of an idempotency scope: 12 bytes of its SHA-256, as an ObjectId. */
export function idempotentQuoteId(scope: string): mongoose.Types.ObjectId {
  return new mongoose.Types.ObjectId(createHash('sha256').update(`quote-idempotency:${scope}`).digest().subarray(0, 12));
}

export function hashRequest(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/** What a stored quote looks like to hooks: what re-rating it needs, and its current outcome. */
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
 * Hooks run after a quote is stored, approved or declined, before the request is answered (the
 * portfolio's rating book records it). A hook may run more than once for the same revision (an
 * Idempotency-Key replay runs it again, so a hook that failed is retried): hooks are idempotent.
 */
export type QuoteStoredHook = (quote: StoredQuoteEvent) => Promise<void>;
const storedHooks: QuoteStoredHook[] = [];
export function onQuoteStored(hook: QuoteStoredHook): void {
  storedHooks.push(hook);
}

async function runStoredHooks(doc: QuoteDoc, revision: number): Promise<void> {
  if (storedHooks.length === 0) return;
  const result = doc.result as RatingResult;
  const event: StoredQuoteEvent = {
    id: String(doc._id), quoteNumber: doc.quoteNumber, productCode: doc.productCode, productVersion: doc.productVersion, status: doc.status,
    inputs: doc.inputs, picks: (doc.picks ?? undefined) as QuotePicks | undefined, context: doc.context as QuoteContext,
    grossPremiumFen: result.grossPremiumFen, decision: result.decision.outcome, revision,
  };
  for (const hook of storedHooks) await hook(event);
}

/** A new quote number: Q, the quote date, six characters of the BASE32 alphabet. */
export function newQuoteNumber(quoteDate: string): string {
  return `Q${quoteDate.replaceAll('-', '')}${randomCode(6)}`;
}

/** The stored document of a new quote (createQuote, and the bulk save's batches). */
export function quoteDocument(caller: Caller, request: QuoteRequest, prepared: PreparedRating, result: RatingResult, ids: { id: mongoose.Types.ObjectId; scope: string; requestHash: string }) {
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
    brokerOrganisationId: caller.organisationId,
    enterpriseOrganisationId: enterprise.id,
    enterpriseName: enterprise.name,
    createdBy: { keyId: caller.keyId, userName: caller.userName },
    quoteDate: prepared.quoteDate,
    startDate: prepared.startDate,
    endDate: prepared.endDate,
    validUntil: addDays(prepared.quoteDate, prepared.version.definition.validityDays ?? 30),
    inputs: storable(request.inputs),
    picks: request.picks ?? {},
    context: prepared.context,
    result,
    grossPremiumFen: result.grossPremiumFen,
    decisionReasons: result.decision.reasons.map((r) => r.rule),
  };
}

/**
 * Creates a quote for an enterprise (broker). With an Idempotency-Key, a retried request returns
 * the first quote; the unique idempotencyScope index guarantees a single write.
 */
export async function createQuote(caller: Caller, request: QuoteRequest, idempotencyKey: string | undefined, now: Date = new Date()): Promise<{ quote: QuoteView; replayed: boolean }> {
  const requestHash = hashRequest(request);
  const scope = idempotencyKey ? `${caller.organisationId}:${idempotencyKey}` : undefined;
  // With a key, the quote's id is derived from it, so a retry finds the first quote by _id (the
  // one read FerretDB answers from an index) and a concurrent twin fails its insert on _id.
  const id = scope ? idempotentQuoteId(scope) : new mongoose.Types.ObjectId();
  if (scope) {
    const existing = await QuoteModel.findById(id);
    if (existing) return replay(existing, requestHash, now);
  }
  const prepared = await prepareRating(caller, request, now);
  const result = rate(prepared.version, request.inputs, request.picks, prepared.context);
  const enterprise = prepared.enterprise!;
  const doc = quoteDocument(caller, request, prepared, result, { id, scope: scope ?? `auto:${String(id)}`, requestHash });
  const status = result.decision.outcome;
  for (let attempt = 0; ; attempt++) {
    try {
      const created = await quoteInserts.insert(attempt === 0 ? doc : { ...doc, quoteNumber: newQuoteNumber(prepared.quoteDate) });
      await recordAudit(caller, { action: 'quote.create', entityType: 'quote', entityId: String(id), organisationId: caller.organisationId, summary: `Quote ${created.quoteNumber} for ${enterprise.name}: ${status}, gross ${result.grossPremiumFen} fen.` }, now);
      await runStoredHooks(created, 0);
      return { quote: toQuoteView(created, now), replayed: false };
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      if ((duplicateField(err) === 'quoteNumber' || /quoteNumber/.test((err as Error).message)) && attempt < 5) continue;
      if (scope) {
        const existing = await QuoteModel.findById(id);
        if (existing) return replay(existing, requestHash, now);
      }
      throw err;
    }
  }
}

async function replay(existing: QuoteDoc, requestHash: string, now: Date): Promise<{ quote: QuoteView; replayed: boolean }> {
  if (existing.requestHash !== requestHash) {
    throw conflict('This Idempotency-Key was already used with a different request.', [{ path: 'header.idempotency-key', message: 'must be new for a different request (idempotency)' }]);
  }
  if (existing.status === 'quoted' || existing.status === 'referred') await runStoredHooks(existing, 0); // a first attempt may have stopped before its hooks
  return { quote: toQuoteView(existing, now), replayed: true };
}

/** Who sees a quote or policy: its broker firm, its insurer's staff, its enterprise; platform admins. */
export function visibilityFilter(caller: Caller): Record<string, string> {
  switch (caller.role) {
    case 'broker': return { brokerOrganisationId: caller.organisationId };
    case 'insurer-admin':
    case 'underwriter': return { insurerOrganisationId: caller.organisationId };
    case 'enterprise': return { enterpriseOrganisationId: caller.organisationId };
    default: return {};
  }
}

/** Whether a stored quote or policy is visible to the caller (the same rule as visibilityFilter). */
export function isVisibleTo(caller: Caller, doc: { brokerOrganisationId: string; insurerOrganisationId: string; enterpriseOrganisationId: string }): boolean {
  return Object.entries(visibilityFilter(caller)).every(([field, value]) => doc[field as keyof typeof doc] === value);
}

// Read by _id alone, then checked here: FerretDB 1.x answers only an exact { _id } filter from its
// index; adding the visibility fields to the filter made every read scan the collection.
export async function loadVisibleQuote(caller: Caller, id: string): Promise<QuoteDoc> {
  const doc = mongoose.isValidObjectId(id) ? await QuoteModel.findById(id) : null;
  if (!doc || !isVisibleTo(caller, doc)) throw notFound('The quote');
  return doc;
}

export interface QuoteFilter {
  status?: string;
  productCode?: string;
  enterpriseId?: string;
  limit: number;
  offset: number;
}

export async function listQuotes(caller: Caller, filter: QuoteFilter, now: Date = new Date()): Promise<QuoteList> {
  const query: Record<string, unknown> = { ...visibilityFilter(caller) };
  if (filter.status) query.status = filter.status;
  if (filter.productCode) query.productCode = filter.productCode;
  if (filter.enterpriseId) query.enterpriseOrganisationId = filter.enterpriseId;
  const [docs, total] = await Promise.all([
    QuoteModel.find(query).sort({ createdAt: -1, _id: -1 }).skip(filter.offset).limit(filter.limit),
    QuoteModel.countDocuments(query),
  ]);
  return { items: docs.map((d) => toQuoteView(d, now)), total, limit: filter.limit, offset: filter.offset };
}

export async function getQuote(caller: Caller, id: string, now: Date = new Date()): Promise<QuoteView> {
  return toQuoteView(await loadVisibleQuote(caller, id), now);
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
  const recomputed = rate(version, doc.inputs, doc.picks as QuotePicks, doc.context as QuoteContext);
  const stored = amountsOf(doc.result as RatingResult);
  const fresh = amountsOf(recomputed);
  const differences: { path: string; stored: number | null; recomputed: number | null }[] = [];
  for (const path of new Set([...stored.keys(), ...fresh.keys()])) {
    if (stored.get(path) !== fresh.get(path)) differences.push({ path, stored: stored.get(path) ?? null, recomputed: fresh.get(path) ?? null });
  }
  if (recomputed.decision.outcome !== (doc.result as RatingResult).decision.outcome) {
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

// ---------------------------------------------------------------------------------------------
// Underwriting.

async function loadReferredForUnderwriter(caller: Caller, id: string): Promise<QuoteDoc> {
  const doc = await loadVisibleQuote(caller, id);
  if (caller.role !== 'platform-admin' && doc.insurerOrganisationId !== caller.organisationId) throw notFound('The quote');
  if (doc.status !== 'referred') throw conflict(`Quote ${doc.quoteNumber} is ${doc.status}; only a referred quote awaits an underwriting decision.`);
  return doc;
}

async function claimDecision(doc: QuoteDoc, action: 'approve' | 'decline', now: Date): Promise<void> {
  try {
    await UnderwritingDecisionModel.create({ quoteId: String(doc._id), action, at: now });
  } catch (err) {
    if (isDuplicateKeyError(err)) throw conflict(`Quote ${doc.quoteNumber} has already been decided by another underwriter.`);
    throw err;
  }
}

/**
 * Approves a referred quote, optionally with new picks inside the filed ranges: the quote is
 * re-rated on its pinned version and the new worksheet stored; the original result is kept.
 */
export async function approveQuote(caller: Caller, id: string, input: ApproveQuote, now: Date = new Date()): Promise<QuoteView> {
  const doc = await loadReferredForUnderwriter(caller, id);
  const version = await findPinnedVersion(doc.productCode, doc.productVersion);
  const picks = input.picks ?? (doc.picks as Record<string, string | number>);
  const context = { ...(doc.context as QuoteContext), role: 'underwriter' as const };
  const result = withRatingErrors(() => evaluateQuote(version.compiled, doc.inputs, picks, context));
  if (result.decision.outcome === 'declined') {
    throw conflict(`With these picks the quote is declined by rule ${result.decision.reasons.filter((r) => r.action === 'decline').map((r) => r.rule).join(', ')}; decline it instead.`);
  }
  await claimDecision(doc, 'approve', now);
  const before = doc.result as RatingResult;
  await QuoteModel.updateOne({ _id: doc._id }, {
    $set: {
      status: 'approved', picks, context, result, grossPremiumFen: result.grossPremiumFen,
      underwriting: { action: 'approve', by: { keyId: caller.keyId, userName: caller.userName }, at: now, ...(input.note ? { reason: input.note } : {}), originalResult: before, originalPicks: doc.picks },
    },
  });
  await recordAudit(caller, {
    action: 'quote.approve', entityType: 'quote', entityId: String(doc._id), organisationId: doc.insurerOrganisationId,
    summary: `Approved referred quote ${doc.quoteNumber}; gross ${before.grossPremiumFen} → ${result.grossPremiumFen} fen.`,
    changes: [{ path: 'picks', from: doc.picks, to: picks }, { path: 'grossPremiumFen', from: before.grossPremiumFen, to: result.grossPremiumFen }],
  }, now);
  const approved = (await QuoteModel.findById(doc._id))!;
  await runStoredHooks(approved, 1);
  return toQuoteView(approved, now);
}

export async function declineQuote(caller: Caller, id: string, reason: string, now: Date = new Date()): Promise<QuoteView> {
  const doc = await loadReferredForUnderwriter(caller, id);
  await claimDecision(doc, 'decline', now);
  await QuoteModel.updateOne({ _id: doc._id }, { $set: { status: 'declined', underwriting: { action: 'decline', by: { keyId: caller.keyId, userName: caller.userName }, at: now, reason } } });
  await recordAudit(caller, { action: 'quote.decline', entityType: 'quote', entityId: String(doc._id), organisationId: doc.insurerOrganisationId, summary: `Declined referred quote ${doc.quoteNumber}: ${reason}` }, now);
  const declined = (await QuoteModel.findById(doc._id))!;
  await runStoredHooks(declined, 1);
  return toQuoteView(declined, now);
}

