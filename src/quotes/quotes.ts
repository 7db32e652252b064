// The quotes capability's front door: every quote operation routes, pages and the portfolio call,
// built once by src/service.ts with the hub bound. It sits apart from quote-service.ts because it
// gathers the whole folder (underwriting and the batch import quote-service.ts; gathering them
// there would be an import circle).
import type { Caller } from '../auth/caller.ts';
import { addVectorFromQuote } from './vector-from-quote.ts';
import { createQuotes as storeQuoteBatch, type BatchQuoteCache, type BatchQuoteItem } from './quote-batch.ts';
import type { ApproveQuote } from './quote-schemas.ts';
import { compareQuotes, createQuote, getQuote, listQuotes, verifyQuote, type QuoteEvents } from './quote-service.ts';
import { previewPrice, type QuoteRequest } from './rating-request.ts';
import { approveQuote, declineQuote } from './underwriting.ts';

/**
 * Quotes with `events` in their closure: what they store, approve or decline is announced there
 * (the reactions src/service.ts registered), so no caller passes the hub.
 */
export function createQuotes(deps: { events: QuoteEvents }) {
  const { events } = deps;
  return Object.freeze({
    previewPrice,
    createQuote: (caller: Caller, request: QuoteRequest, idempotencyKey: string | undefined, now?: Date) => createQuote(events, caller, request, idempotencyKey, now),
    /** Stores a batch (bulk quoting), announced as one bulk event. */
    storeBatch: (caller: Caller, items: readonly BatchQuoteItem[], now?: Date, cache?: BatchQuoteCache) => storeQuoteBatch(events, caller, items, now, cache),
    getQuote, listQuotes, compareQuotes, verifyQuote,
    approveQuote: (caller: Caller, id: string, input: ApproveQuote, now?: Date) => approveQuote(events, caller, id, input, now),
    declineQuote: (caller: Caller, id: string, reason: string, now?: Date) => declineQuote(events, caller, id, reason, now),
    addVectorFromQuote,
  });
}
export type QuotesService = ReturnType<typeof createQuotes>;
