// Stores many quotes at once: the save path of bulk quoting (API and CLI). Each quote is rated
// and stored exactly as createQuote (quote-service.ts) stores one — same document, same
// Idempotency-Key scope and request hash, an audit entry each — but with one insertMany for the
// quotes, one for their audit entries and one announcement for the batch (the rating book writes
// it as one page), instead of 4–5 database round trips per quote and a book record each.
//
// Rating preparation and the quote document are createQuote's own (prepareRating in
// rating-request.ts, quoteDocument in quote-service.ts); only the reads are shared per run and the
// writes batched.
// Idempotency without a scan: as with createQuote, a quote's _id is derived from its idempotency
// scope, so a replayed row (E11000) is found by _id, the one filter FerretDB 1.x answers from an
// index. (Quotes stored before ids were derived are still found by idempotencyScope, a scan, only
// in that rare case.)
import type { Caller } from '../auth/caller.ts';
import { isClientOf } from '../clients/client-service.ts';
import type { RatableVersion } from '../catalogue/rating-lookups.ts';
import { conflict } from '../http/app-error.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { insertEachStored } from '../db/insert-batcher.ts';
import type { QualificationListCheck, QuoteContext, QuotePicks, RatingResult } from '../rating/index.ts';
import { qualificationSource, type QualificationRunMemo } from './qualification-source.ts';
import { QuoteModel, type RawStoredQuote } from './quote-model.ts';
import { findQuoteRecord, hashRequest, idempotentQuoteId, newQuoteEvent, newQuoteNumber, quoteDocument, quoteRecordOf, storedQuote, storedQuoteEvent, type QuoteDeps, type QuoteRecord, type StoredQuoteEvent } from './quote-service.ts';
import { listQuotesStored } from './quote-lists.ts';
import { prepareRating, rate, readEnterprise, type EnterpriseLookups, type EnterpriseRecord, type QuoteRequest } from './rating-request.ts';
import { decodeStoredQuote, storeProgrammesOf } from './stored-context.ts';
import { subsidySource } from './subsidy-source.ts';

export interface BatchQuoteItem {
  request: QuoteRequest;
  /** As createQuote's Idempotency-Key: the same key and request return the first quote. */
  idempotencyKey: string;
}

export type BatchQuoteOutcome =
  | { ok: true; replayed: boolean; quote: { id: string; quoteNumber: string; productVersion: string; result: RatingResult } }
  | { ok: false; error: unknown };

/**
 * Reads shared by the rows of one bulk run: enterprises, whether the broker acts for them, the
 * subsidies their policies of a year already expect (a policy bound during the run is not seen by
 * its later rows) and the departments' newest lists per region (nor a list uploaded during it).
 */
export class BatchQuoteCache implements EnterpriseLookups {
  private readonly enterprises = new Map<string, Promise<EnterpriseRecord | null>>();
  private readonly received = new Map<string, Promise<{ programme: string; amountFen: number }[]>>();
  private readonly clients = new Map<string, Promise<boolean>>();
  private readonly newestLists = new Map<string, Promise<unknown>>();
  private readonly qualificationRun: QualificationRunMemo = <T>(key: string, read: () => Promise<T>) => remembered<unknown>(this.newestLists, key, read) as Promise<T>;

  enterprise(id: string): Promise<EnterpriseRecord | null> {
    return remembered(this.enterprises, id, () => readEnterprise(id));
  }

  receivedThisYear(enterpriseId: string, year: string): Promise<{ programme: string; amountFen: number }[]> {
    return remembered(this.received, `${enterpriseId}:${year}`, () => subsidySource().recorded(enterpriseId, year));
  }

  isClientOf(brokerOrganisationId: string, enterpriseId: string): Promise<boolean> {
    return remembered(this.clients, `${brokerOrganisationId}:${enterpriseId}`, () => isClientOf(brokerOrganisationId, enterpriseId));
  }

  qualificationLists(enterprise: EnterpriseRecord, date: string, asked: readonly string[]): Promise<QualificationListCheck[]> {
    return qualificationSource().check(enterprise, date, asked, this.qualificationRun);
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
  doc: ReturnType<typeof quoteDocument>;
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
  // Created at the batch's instant, as its summary says (mongoose keeps a createdAt given).
  const doc = { ...quoteDocument(caller, request, prepared, result, { id: idempotentQuoteId(scope), scope, requestHash: hashRequest(request) }, now), createdAt: now };
  return { index, doc, result, version: prepared.version, context: prepared.context, inputs: request.inputs, picks: doc.picks as QuotePicks, enterpriseName: prepared.enterprise!.name };
}

/** The announcement of a quote this batch stored. */
const storedEventOf = (p: Prepared): StoredQuoteEvent =>
  newQuoteEvent({ _id: p.doc._id, quoteNumber: p.doc.quoteNumber, productCode: p.version.productCode, productVersion: p.version.version, inputs: p.inputs, picks: p.picks }, p.result, p.context);

/**
 * Rates and stores a quote per item (brokers), as createQuote would one by one, and announces them
 * as one batch. One outcome per item, in order: the quote (new or replayed) or the error
 * createQuote would have thrown for it.
 */
export async function createQuotes(deps: QuoteDeps, caller: Caller, items: readonly BatchQuoteItem[], now: Date = new Date(), cache: BatchQuoteCache = new BatchQuoteCache()): Promise<BatchQuoteOutcome[]> {
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

  const announced: StoredQuoteEvent[] = [];
  const listed: QuoteRecord[] = [];
  const inserted: Prepared[] = [];
  const duplicates: Prepared[] = [];
  await storeProgrammesOf(prepared.map((p) => p.context));
  let pending = prepared;
  for (let attempt = 0; pending.length > 0; attempt++) {
    // In their stored form, as createQuote inserts one (storedQuote: no mongoose casting;
    // test/quotes/stored-quote.test.ts), created at the batch's instant, as their summaries say.
    const failures = await insertEachStored(QuoteModel, pending.map((p) => storedQuote(p.doc, now)));
    const retry: Prepared[] = [];
    for (const [position, p] of pending.entries()) {
      const failure = failures[position];
      if (!failure) inserted.push(p);
      else if (!isDuplicateKeyError(failure)) outcomes[p.index] = { ok: false, error: failure };
      else duplicates.push(p);
    }
    // E11000: a replay (found by its derived _id), or a quote-number collision (new number, again).
    for (const p of duplicates.splice(0)) {
      const existing = await findQuoteRecord(String(p.doc._id));
      if (existing) replayed(p, existing);
      else if (attempt < 5) {
        p.doc.quoteNumber = newQuoteNumber(p.doc.quoteDate);
        retry.push(p);
      } else {
        const byScope = await QuoteModel.findOne({ idempotencyScope: p.doc.idempotencyScope }).lean<RawStoredQuote>();
        if (byScope) replayed(p, quoteRecordOf(await decodeStoredQuote(byScope)));
        else outcomes[p.index] = { ok: false, error: new Error(`quote ${p.doc.quoteNumber} could not be stored: duplicate key`) };
      }
    }
    pending = retry;
  }

  function replayed(p: Prepared, existing: QuoteRecord): void {
    if (existing.requestHash !== p.doc.requestHash) {
      outcomes[p.index] = { ok: false, error: conflict('This Idempotency-Key was already used with a different request.', [{ path: 'header.idempotency-key', message: 'must be new for a different request (idempotency)' }]) };
      return;
    }
    const result = existing.result;
    outcomes[p.index] = { ok: true, replayed: true, quote: { id: existing.id, quoteNumber: existing.quoteNumber, productVersion: existing.productVersion, result } };
    listed.push(existing); // as a replayed createQuote lists again: the first attempt may have stopped before
    // As a replayed createQuote announces again: the first attempt may have stopped before it.
    if (existing.status === 'quoted' || existing.status === 'referred') announced.push(storedQuoteEvent(existing, 0));
  }

  // Each quote carried its creation's audit entry in its own insert (quoteDocument).
  for (const p of inserted) {
    outcomes[p.index] = { ok: true, replayed: false, quote: { id: String(p.doc._id), quoteNumber: p.doc.quoteNumber, productVersion: p.version.version, result: p.result } };
    announced.push(storedEventOf(p));
    // The record from the fields before packing (nothing to inflate), with the result and context as rated.
    listed.push(quoteRecordOf({ ...p.doc, createdAt: now, updatedAt: now, context: p.context, result: p.result } as never));
  }
  // Summaries in one insert, then the list entries (each key's in one insert per turn).
  await listQuotesStored(listed);
  if (announced.length > 0) await deps.events.quotesStored({ quotes: announced, bulk: true });
  return outcomes;
}
