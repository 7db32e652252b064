// Stores many quotes at once: the save path of bulk quoting (API and CLI). Each quote is rated
// and stored exactly as createQuote (src/quotes/quote-service.ts) stores one — same document,
// same Idempotency-Key scope and request hash, an audit entry each — but with one insertMany for
// the quotes, one for their audit entries and one rating-book page for the batch, instead of
// 4–5 database round trips per quote and a hook record each.
//
// Idempotency without a scan: a batch quote's _id is derived from its idempotency scope (the
// first 12 bytes of its SHA-256), so a replayed row (E11000) is found by _id, the one filter
// FerretDB 1.x answers from an index. A quote stored by createQuote under the same key (random
// _id) is still found, by its idempotencyScope (a scan, only in that rare case).
//
// TODO(quotes): this mirrors createQuote's rating preparation and document; it belongs in
// quote-service.ts as createQuotes(), which would also run the onQuoteStored hooks per batch.
import { createHash } from 'node:crypto';
import mongoose from 'mongoose';
import { AuditEntryModel } from '../audit/audit-log.ts';
import { OrganisationModel } from '../auth/auth-model.ts';
import type { Caller } from '../auth/caller.ts';
import { findEffectiveVersion, findOwnVersion, findPinnedVersion, subsidyProgrammesFor, type RatableVersion } from '../catalogue/catalogue-service.ts';
import { todayInChina } from '../catalogue/catalogue-routes.ts';
import { conflict, invalidInput } from '../http/app-error.ts';
import { PolicyModel } from '../policies/policy-model.ts';
import { QuoteModel, type QuoteDoc } from '../quotes/quote-model.ts';
import { quotingRoleOf, randomCode, storable, type QuoteRequest } from '../quotes/quote-service.ts';
import { withRatingErrors } from '../quotes/rating-errors.ts';
import { evaluateQuote, type EnterpriseContext, type QuoteContext, type QuotePicks, type RatingResult } from '../rating/index.ts';
import { appendPage, bookKey, type BookEntry } from './rating-book.ts';

export interface BatchQuoteItem {
  request: QuoteRequest;
  /** As createQuote's Idempotency-Key: the same key and request return the first quote. */
  idempotencyKey: string;
}

export type BatchQuoteOutcome =
  | { ok: true; replayed: boolean; quote: { id: string; quoteNumber: string; productVersion: string; result: RatingResult } }
  | { ok: false; error: unknown };

const DAY_MS = 86_400_000;
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

function defaultEndDate(start: string): string {
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  const anniversary = new Date(Date.UTC(y + 1, m - 1, d));
  if (anniversary.getUTCMonth() !== m - 1) anniversary.setUTCDate(0); // 29 Feb → 28 Feb
  return new Date(anniversary.getTime() - DAY_MS).toISOString().slice(0, 10);
}

interface EnterpriseRecord {
  id: string;
  name: string;
  regionCode?: string;
  qualifications: string[];
}

/**
 * Reads shared by the rows of one bulk run: enterprises and the subsidies their policies of a
 * year already expect (a policy bound during the run is not seen by its later rows).
 */
export class BatchQuoteCache {
  private readonly enterprises = new Map<string, Promise<EnterpriseRecord | null>>();
  private readonly received = new Map<string, Promise<{ programme: string; amountFen: number }[]>>();

  enterprise(id: string): Promise<EnterpriseRecord | null> {
    let found = this.enterprises.get(id);
    if (!found) {
      found = (async () => {
        const org = mongoose.isValidObjectId(id) ? await OrganisationModel.findById(id).lean() : null;
        if (!org || org.kind !== 'enterprise') return null;
        return { id: String(org._id), name: org.name, ...(org.regionCode ? { regionCode: org.regionCode } : {}), qualifications: [...(org.qualifications ?? [])] };
      })();
      found.catch(() => this.enterprises.delete(id));
      this.enterprises.set(id, found);
    }
    return found;
  }

  receivedThisYear(enterpriseId: string, startDate: string): Promise<{ programme: string; amountFen: number }[]> {
    const year = startDate.slice(0, 4);
    const key = `${enterpriseId}:${year}`;
    let found = this.received.get(key);
    if (!found) {
      found = (async () => {
        const policies = await PolicyModel.find({ enterpriseOrganisationId: enterpriseId, startDate: { $gte: `${year}-01-01`, $lte: `${year}-12-31` } }, { subsidies: 1 }).lean();
        const totals = new Map<string, number>();
        for (const policy of policies) for (const s of policy.subsidies ?? []) totals.set(s.programme!, (totals.get(s.programme!) ?? 0) + (s.amountFen ?? 0));
        return [...totals].map(([programme, amountFen]) => ({ programme, amountFen }));
      })();
      found.catch(() => this.received.delete(key));
      this.received.set(key, found);
    }
    return found;
  }
}

/** The _id of a batch quote: derived from its idempotency scope, so a replay is found by _id. */
export function batchQuoteId(scope: string): mongoose.Types.ObjectId {
  return new mongoose.Types.ObjectId(createHash('sha256').update(scope).digest('hex').slice(0, 24));
}

interface Prepared {
  index: number;
  doc: Record<string, unknown> & { _id: mongoose.Types.ObjectId; quoteNumber: string; quoteDate: string; idempotencyScope: string; requestHash: string };
  result: RatingResult;
  version: RatableVersion;
  context: QuoteContext;
  inputs: unknown;
  picks: QuotePicks | undefined;
  enterpriseName: string;
}

async function prepareQuote(caller: Caller, item: BatchQuoteItem, index: number, now: Date, cache: BatchQuoteCache): Promise<Prepared> {
  const request = item.request;
  const quoteDate = todayInChina(now);
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
  const enterprise = await cache.enterprise(enterpriseId);
  if (!enterprise) throw invalidInput('The enterprise does not exist.', [{ path: 'body.enterpriseId', message: 'must be the id of an enterprise organisation (exists)' }]);
  const facts = request.enterprise ?? {};
  const enterpriseContext: EnterpriseContext = {
    ...(enterprise.regionCode ? { regionCode: enterprise.regionCode } : {}),
    qualifications: [...new Set([...enterprise.qualifications, ...(facts.qualifications ?? [])])],
    supportYear: facts.supportYear ?? 1,
    receivedThisYear: await cache.receivedThisYear(enterprise.id, startDate),
    ...(facts.awards ? { awards: facts.awards } : {}),
    ...(facts.coverScope ? { coverScope: facts.coverScope } : {}),
  };
  const programmes = await subsidyProgrammesFor(version.definition.line);
  const context: QuoteContext = { asOf: startDate, period: { start: startDate, end: endDate }, role: quotingRoleOf(caller), enterprise: enterpriseContext, programmes };
  const result = withRatingErrors(() => evaluateQuote(version.compiled, request.inputs, request.picks, context));
  const scope = `${caller.organisationId}:${item.idempotencyKey}`;
  const id = batchQuoteId(scope);
  const doc = {
    _id: id,
    quoteNumber: `Q${quoteDate.replaceAll('-', '')}${randomCode(6)}`,
    idempotencyScope: scope,
    requestHash: createHash('sha256').update(JSON.stringify(request)).digest('hex'),
    status: result.decision.outcome,
    productCode: version.productCode,
    productVersion: version.version,
    line: version.definition.line,
    insurerOrganisationId: version.insurerOrganisationId,
    brokerOrganisationId: caller.organisationId,
    enterpriseOrganisationId: enterprise.id,
    enterpriseName: enterprise.name,
    createdBy: { keyId: caller.keyId, userName: caller.userName },
    quoteDate,
    startDate,
    endDate,
    validUntil: addDays(quoteDate, version.definition.validityDays ?? 30),
    inputs: storable(request.inputs),
    picks: request.picks ?? {},
    context: storable(context),
    result: storable(result),
    grossPremiumFen: result.grossPremiumFen,
    decisionReasons: result.decision.reasons.map((r) => r.rule),
  };
  return { index, doc, result, version, context, inputs: doc.inputs, picks: doc.picks as QuotePicks, enterpriseName: enterprise.name };
}

/** Inserts quote documents; returns the positions that failed with their errors. */
async function insertQuotes(docs: readonly Record<string, unknown>[]): Promise<Map<number, { code?: number; errmsg?: string }>> {
  const failed = new Map<number, { code?: number; errmsg?: string }>();
  try {
    await QuoteModel.insertMany(docs, { ordered: false });
  } catch (err) {
    const writeErrors = (err as { writeErrors?: { index: number; code?: number; errmsg?: string; err?: { index: number; code?: number; errmsg?: string } }[] }).writeErrors;
    if (!writeErrors || writeErrors.length === 0) throw err;
    for (const w of writeErrors) {
      const e = w.err ?? w;
      failed.set(e.index, { code: e.code ?? w.code, errmsg: e.errmsg ?? w.errmsg });
    }
  }
  return failed;
}

const quoteEntry = (p: { doc: { _id: unknown; quoteNumber: string }; inputs: unknown; picks: QuotePicks | undefined; context: QuoteContext; result: RatingResult }): BookEntry => ({
  kind: 'quote', id: String(p.doc._id), revision: 0, number: p.doc.quoteNumber, inputs: p.inputs, picks: p.picks, context: p.context, storedPremiumFen: p.result.grossPremiumFen, storedDecision: p.result.decision.outcome,
});

/**
 * Rates and stores a quote per item (brokers), as createQuote would one by one, and records them
 * in their rating books. One outcome per item, in order: the quote (new or replayed) or the error
 * createQuote would have thrown for it.
 */
export async function createQuotes(caller: Caller, items: readonly BatchQuoteItem[], now: Date = new Date(), cache: BatchQuoteCache = new BatchQuoteCache()): Promise<BatchQuoteOutcome[]> {
  const outcomes: BatchQuoteOutcome[] = new Array(items.length);
  const prepared: Prepared[] = [];
  await Promise.all(items.map(async (item, index) => {
    try {
      prepared.push(await prepareQuote(caller, item, index, now, cache));
    } catch (err) {
      outcomes[index] = { ok: false, error: err };
    }
  }));
  prepared.sort((a, b) => a.index - b.index);

  const bookEntries = new Map<string, BookEntry[]>();
  const addToBook = (productCode: string, productVersion: string, entry: BookEntry) => {
    const book = bookKey(productCode, productVersion);
    let list = bookEntries.get(book);
    if (!list) bookEntries.set(book, (list = []));
    list.push(entry);
  };
  const inserted: Prepared[] = [];
  const duplicates: Prepared[] = [];
  let pending = prepared;
  for (let attempt = 0; pending.length > 0; attempt++) {
    const failed = await insertQuotes(pending.map((p) => p.doc));
    const retry: Prepared[] = [];
    for (const [position, p] of pending.entries()) {
      const failure = failed.get(position);
      if (!failure) inserted.push(p);
      else if (failure.code !== 11000) outcomes[p.index] = { ok: false, error: new Error(failure.errmsg ?? 'the quote could not be stored') };
      else duplicates.push(p);
    }
    // E11000: a replay (found by its derived _id), or a quote-number collision (new number, again).
    for (const p of duplicates.splice(0)) {
      const existing = await QuoteModel.findById(p.doc._id);
      if (existing) replayed(p, existing);
      else if (attempt < 5) {
        p.doc.quoteNumber = `Q${p.doc.quoteDate.replaceAll('-', '')}${randomCode(6)}`;
        retry.push(p);
      } else {
        const byScope = await QuoteModel.findOne({ idempotencyScope: p.doc.idempotencyScope });
        if (byScope) replayed(p, byScope);
        else outcomes[p.index] = { ok: false, error: new Error(`quote ${p.doc.quoteNumber} could not be stored: duplicate key`) };
      }
    }
    pending = retry;
  }

  function replayed(p: Prepared, existing: QuoteDoc): void {
    if (existing.requestHash !== p.doc.requestHash) {
      outcomes[p.index] = { ok: false, error: conflict('This Idempotency-Key was already used with a different request.', [{ path: 'header.idempotency-key', message: 'must be new for a different request (idempotency)' }]) };
      return;
    }
    const result = existing.result as RatingResult;
    outcomes[p.index] = { ok: true, replayed: true, quote: { id: String(existing._id), quoteNumber: existing.quoteNumber, productVersion: existing.productVersion, result } };
    // As a replayed createQuote re-runs its hooks: the first attempt may have stopped before them.
    if (existing.status === 'quoted' || existing.status === 'referred') {
      addToBook(existing.productCode, existing.productVersion, quoteEntry({ doc: existing, inputs: existing.inputs, picks: (existing.picks ?? undefined) as QuotePicks | undefined, context: existing.context as QuoteContext, result }));
    }
  }

  if (inserted.length > 0) {
    await AuditEntryModel.insertMany(inserted.map((p) => ({
      at: now,
      actor: { keyId: caller.keyId, userName: caller.userName, role: caller.role, organisationId: caller.organisationId },
      action: 'quote.create', entityType: 'quote', entityId: String(p.doc._id), organisationId: caller.organisationId,
      summary: `Quote ${p.doc.quoteNumber} for ${p.enterpriseName}: ${p.result.decision.outcome}, gross ${p.result.grossPremiumFen} fen.`,
    })));
  }
  for (const p of inserted) {
    outcomes[p.index] = { ok: true, replayed: false, quote: { id: String(p.doc._id), quoteNumber: p.doc.quoteNumber, productVersion: p.version.version, result: p.result } };
    addToBook(p.version.productCode, p.version.version, quoteEntry(p));
  }
  for (const [book, entries] of bookEntries) await appendPage(book, entries, now);
  return outcomes;
}
