// The portfolio capability's front door: bulk quoting, rate-change impact, and the rating books
// with their background compaction, built once by src/service.ts (which stops it with close()).
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Caller } from '../auth/caller.ts';
import { startBulkQuote, type BulkQuoteDeps, type BulkQuoteOptions } from './bulk-quote-service.ts';
import { analyseRateChange } from './impact-service.ts';
import { recordIssuedPolicy, recordStoredQuotes, startBackgroundCompaction } from './rating-book.ts';

export interface PortfolioDeps extends BulkQuoteDeps {
  /** With it, the rating books are compacted in the background until close(). */
  compaction?: { logger: Logger; intervalMs?: number; onCompacted?: (records: number) => void };
}

export function createPortfolio(deps: PortfolioDeps) {
  const bulk: BulkQuoteDeps = Object.freeze({ quotes: deps.quotes });
  const compaction = deps.compaction ? startBackgroundCompaction(deps.compaction) : undefined;
  return Object.freeze({
    startBulkQuote: (caller: Caller, open: () => Readable, options?: BulkQuoteOptions) => startBulkQuote(bulk, caller, open, options),
    analyseRateChange,
    /** Reactions (registered by src/service.ts): the rating book records what was stored or issued. */
    recordStoredQuotes, recordIssuedPolicy,
    /** Stops the background compaction. */
    close: () => compaction?.stop(),
  });
}
export type PortfolioService = ReturnType<typeof createPortfolio>;
