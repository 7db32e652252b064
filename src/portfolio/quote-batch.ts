// Stores many quotes at once: the save path of bulk quoting (API and CLI). Each quote is rated
// and stored exactly as createQuote (src/quotes/quote-service.ts) stores one — same document,
// same Idempotency-Key scope and request hash, an audit entry each — but with one insertMany for
// the quotes, one for their audit entries and one rating-book page for the batch, instead of
// 4–5 database round trips per quote and a hook record each.
//
// Rating preparation and the quote document are createQuote's own (prepareRating, quoteDocument
// in src/quotes/quote-service.ts); only the reads are shared per run and the writes batched.
// Idempotency without a scan: as with createQuote, a quote's _id is derived from its idempotency
// scope, so a replayed row (E11000) is found by _id, the one filter FerretDB 1.x answers from an
// index. (Quotes stored before ids were derived are still found by idempotencyScope, a scan, only
// in that rare case.) Book pages are written here directly rather than through the
// onQuoteStored hooks, one page per batch instead of a tail record per quote.
import type mongoose from 'mongoose';
import { AuditEntryModel } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import type { RatableVersion } from '../catalogue/catalogue-service.ts';
import { conflict } from '../http/app-error.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { insertEach } from '../db/insert-batcher.ts';
import { subsidiesRecorded } from '../policies/subsidy-ledger.ts';
import { QuoteModel, type QuoteDoc } from '../quotes/quote-model.ts';
import {
  hashRequest, idempotentQuoteId, newQuoteNumber, prepareRating, quoteDocument, rate, readEnterprise,
  type EnterpriseLookups, type EnterpriseRecord, type QuoteRequest,
} from '../quotes/quote-service.ts';
import type { QuoteContext, QuotePicks, RatingResult } from '../rating/index.ts';
import { appendPage, bookKey, type BookEntry } from './rating-book.ts';

export interface BatchQuoteItem {
  request: QuoteRequest;
  /** As createQuote's Idempotency-Key: the same key and request return the first quote. */
  idempotencyKey: string;
}

export type BatchQuoteOutcome =
  | { ok: true; replayed: boolean; quote: { id: string; quoteNumber: string; productVersion: string; result: RatingResult } }
  | { ok: false; error: unknown };

/**
 * Reads shared by the rows of one bulk run: enterprises and the subsidies their policies of a
 * year already expect (a policy bound during the run is not seen by its later rows).
 */
export class BatchQuoteCache implements EnterpriseLookups {
  private readonly enterprises = new Map<string, Promise<EnterpriseRecord | null>>();
  private readonly received = new Map<string, Promise<{ programme: string; amountFen: number }[]>>();

  enterprise(id: string): Promise<EnterpriseRecord | null> {
    return remembered(this.enterprises, id, () => readEnterprise(id));
  }

  receivedThisYear(enterpriseId: string, year: string): Promise<{ programme: string; amountFen: number }[]> {
    return remembered(this.received, `${enterpriseId}:${year}`, () => subsidiesRecorded(enterpriseId, year));
  }
}

function remembered<T>(map: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  let found = map.get(key);
  if (!found) {
    found = read();
    found.catch(() => map.delete(key));
    map.set(key, found);
  }
  return found;
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
  const prepared = await prepareRating(caller, request, now, cache);
  const result = rate(prepared.version, request.inputs, request.picks, prepared.context);
  const scope = `${caller.organisationId}:${item.idempotencyKey}`;
  const doc = quoteDocument(caller, request, prepared, result, { id: idempotentQuoteId(scope), scope, requestHash: hashRequest(request) });
  return { index, doc, result, version: prepared.version, context: prepared.context, inputs: doc.inputs, picks: doc.picks as QuotePicks, enterpriseName: prepared.enterprise!.name };
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
    const failures = await insertEach(QuoteModel, pending.map((p) => p.doc));
    const retry: Prepared[] = [];
    for (const [position, p] of pending.entries()) {
      const failure = failures[position];
      if (!failure) inserted.push(p);
      else if (!isDuplicateKeyError(failure)) outcomes[p.index] = { ok: false, error: failure };
      else duplicates.push(p);
    }
    // E11000: a replay (found by its derived _id), or a quote-number collision (new number, again).
    for (const p of duplicates.splice(0)) {
      const existing = await QuoteModel.findById(p.doc._id);
      if (existing) replayed(p, existing);
      else if (attempt < 5) {
        p.doc.quoteNumber = newQuoteNumber(p.doc.quoteDate);
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
