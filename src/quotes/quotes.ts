// The quotes capability's front door: every quote operation routes, pages and the portfolio call,
// built once by src/service.ts with its dependencies bound. It sits apart from quote-service.ts because it
// gathers the whole folder (underwriting and the batch import quote-service.ts; gathering them
// there would be an import circle).
import type { Caller } from '../auth/caller.ts';
import { addVectorFromQuote, vectorDraftsFor } from './vector-from-quote.ts';
import { createQuotes as storeQuoteBatch, type BatchQuoteCache, type BatchQuoteItem } from './quote-batch.ts';
import type { ApproveQuote } from './quote-schemas.ts';
import { buildQuoteLists, listQuotes } from './quote-lists.ts';
import { compareQuotes, createQuote, getQuote, quoteRecordOf, verifyQuote, type QuoteDeps, type RenewalQuote } from './quote-service.ts';
import { previewPrice, type QuoteRequest } from './rating-request.ts';
import { approveQuote, declineQuote } from './underwriting.ts';

/**
 * The quotes capability with its dependencies (`QuoteDeps`: the hub) bound once: what it stores,
 * approves or declines is announced there (the reactions src/service.ts registered), so no caller
 * passes or sees the hub.
 */
export function createQuotes(deps: QuoteDeps) {
  const bound: QuoteDeps = Object.freeze({ ...deps });
  return Object.freeze({
    previewPrice,
    createQuote: (caller: Caller, request: QuoteRequest, idempotencyKey: string | undefined, now?: Date) => createQuote(bound, caller, request, idempotencyKey, now),
    /** #26: a renewal quote (the policies capability), priced and stored as createQuote does. */
    createRenewalQuote: (caller: Caller, request: QuoteRequest, renewal: RenewalQuote, now?: Date) => createQuote(bound, caller, request, undefined, now, renewal),
    /** Stores a batch (bulk quoting), announced as one bulk event. */
    storeBatch: (caller: Caller, items: readonly BatchQuoteItem[], now?: Date, cache?: BatchQuoteCache) => storeQuoteBatch(bound, caller, items, now, cache),
    getQuote, listQuotes, compareQuotes, verifyQuote,
    approveQuote: (caller: Caller, id: string, input: ApproveQuote, now?: Date) => approveQuote(bound, caller, id, input, now),
    declineQuote: (caller: Caller, id: string, reason: string, now?: Date) => declineQuote(bound, caller, id, reason, now),
    addVectorFromQuote,
    /** The drafts a caller may keep a quote in as a test vector: the rule addVectorFromQuote refuses by. */
    vectorDraftsFor,
    /**
     * The migration of #25 (offline, idempotent): summaries and list entries for quotes stored
     * before lists were kept (`npm run book:migrate`; on start when its marker says it has not run).
     */
    buildLists: () => buildQuoteLists(quoteRecordOf),
  });
}
export type QuotesService = ReturnType<typeof createQuotes>;
