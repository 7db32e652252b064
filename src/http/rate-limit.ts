// Per-API-key rate limiting counted once across every instance on the database, without a
// database round trip per request. See docs/hardening.md (Rate limiting) for the design.
//
// A key's minute is cut into numbered blocks of tokens whose sizes every instance computes the
// same way from the limit (large at first, shrinking to 1 near the end: `blockSizes`). An instance
// takes a block by inserting the document `<key>|<window>|<block>` — an insert by exact `_id`, the
// one write FerretDB 1.x makes exactly-once under concurrency (E11000 for the loser, proven in
// test/db/unique-index.test.ts); an `$inc` would be simpler but FerretDB 1.x updates a document by
// reading and rewriting it. The winner hands the block's tokens out from memory; the loser tries
// the next block. The blocks partition the limit, so the requests allowed by all instances
// together never exceed it; a fresh key costs one insert per block, and a key whose blocks are all
// taken is refused from memory until its minute ends.
// Trade-off: tokens an instance took but did not use (it got fewer requests than its block) are
// lost to the others, so the service may refuse a little before the limit — never after it.
// Database down: an insert that fails for another reason than E11000 counts the block as this
// process's own (fail open: the limiter never turns an outage into 429s beyond this process's own
// count, and the routes answer 503 themselves).
import type { Request, Response } from 'express';
import mongoose, { Schema } from 'mongoose';
import { AppError, type ErrorDetail } from './app-error.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';

const WINDOW_MS = 60_000;

// Key and window are kept for the sweep and for people; slot and n say which tokens the block holds.
const rateBlockSchema = new Schema(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    window: { type: Number, required: true },
    slot: { type: Number, required: true },
    n: { type: Number, required: true },
  },
  // A new collection name: the old per-key counters (`rateLimitBuckets`) had a unique (key, window) index.
  { collection: 'rateLimitBlocks', versionKey: false },
);
rateBlockSchema.index({ window: 1 });

export const RateBlockModel = mongoose.model('RateBlock', rateBlockSchema);

const blockId = (key: string, window: number, slot: number) => `${key}|${window}|${slot}`;

/**
 * The sizes of a minute's blocks for a limit: at most limit/20 (so two instances each holding a
 * block waste little), then a quarter of what is left, down to 1. Every instance must derive the
 * same list, so it depends on the limit only.
 */
function blockSizes(perMinute: number): readonly number[] {
  const sizes: number[] = [];
  const largest = Math.max(1, Math.floor(perMinute / 20));
  for (let left = perMinute; left > 0;) {
    const size = Math.min(left, Math.max(1, Math.min(largest, Math.floor(left / 4))));
    sizes.push(size);
    left -= size;
  }
  return sizes;
}

interface KeyState {
  key: string;
  window: number;
  /** Tokens of the blocks this process holds (taken by insert, or counted as its own in an outage). */
  held: number;
  /** Tokens handed out to requests. */
  used: number;
  /** The next block to try; every block before it is held by someone. */
  nextSlot: number;
  /** The block being taken, which requests without a token wait for. */
  taking: Promise<void> | undefined;
}

export interface RateLimiterOptions {
  /** Requests per key per minute; 0 turns the limiter off. */
  perMinute: number;
  /** The clock, for tests. */
  now?: () => number;
  /** Told of every refused request (the metrics count them). */
  onRefused?: () => void;
  /** Whether answers carry RateLimit-Limit/-Remaining (default true); Retry-After is always set on a refusal. */
  rateLimitHeaders?: boolean;
  /** The refusal's words, for a limiter counting something else than an API key's requests. */
  refusal?: (perMinute: number, retryAfter: number) => { message: string; details: ErrorDetail[] };
}

/** The per-API-key limiter's refusal. */
const keyRefusal = (perMinute: number, retryAfter: number) => ({
  message: `Too many requests for this API key: at most ${perMinute} a minute. Try again in ${retryAfter} s.`,
  details: [{ path: 'header.authorization', message: `exceeds ${perMinute} requests per minute for this API key (rate limit)` }],
});

/** A refusal of the limiter: a rate_limited AppError that also says when to try again. */
export class RateLimitedError extends AppError {
  constructor(message: string, details: ErrorDetail[], readonly retryAfterSeconds: number) {
    super('rate_limited', message, details);
  }
}

export interface RateLimiter {
  /** Counts one request of `key`; throws a RateLimitedError (and sets Retry-After) when over. */
  take(key: string, res?: Response): Promise<void>;
  /**
   * Refuses at once, without a database round trip, when this process already knows `key` has
   * nothing left this minute (it took the last block or found every block taken); otherwise does
   * nothing and counts nothing.
   */
  refuseIfExhausted(key: string, res?: Response): void;
  /** Waits for the blocks being taken (tests). */
  flush(): Promise<void>;
  /** Waits for the blocks being taken and forgets every key. */
  close(): Promise<void>;
}

/** Creates a limiter: fixed one-minute windows per key, counted once across instances through MongoDB. */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { perMinute, now = Date.now, onRefused, refusal = keyRefusal, rateLimitHeaders = true } = options;
  const header = (res: Response | undefined, name: string, value: number) => {
    if (rateLimitHeaders) res?.setHeader(name, String(value));
  };
  const sizes = blockSizes(perMinute);
  // Tokens in the blocks from each slot on, for RateLimit-Remaining.
  const untakenFrom = sizes.map((_, i) => sizes.slice(i).reduce((a, b) => a + b, 0)).concat(0);
  const states = new Map<string, KeyState>();
  let lastSweep = now();

  /** Takes the next free block of the state's window: one insert, more only when others took blocks. */
  const takeBlock = async (state: KeyState) => {
    while (state.nextSlot < sizes.length) {
      const slot = state.nextSlot++;
      const n = sizes[slot]!;
      try {
        await RateBlockModel.collection.insertOne({ _id: blockId(state.key, state.window, slot) as never, key: state.key, window: state.window, slot, n });
        state.held += n;
        return;
      } catch (err) {
        if (isDuplicateKeyError(err)) continue; // another instance holds it
        state.held += n; // fail open within this process's own count
        return;
      }
    }
  };

  const sweep = () => {
    const t = now();
    if (t - lastSweep < WINDOW_MS) return;
    lastSweep = t;
    const current = Math.floor(t / WINDOW_MS);
    for (const [id, state] of states) if (state.window < current && !state.taking) states.delete(id);
    // No TTL indexes on FerretDB 1.x: old blocks are removed here.
    void RateBlockModel.deleteMany({ window: { $lt: current - 1 } }).catch(() => {});
  };

  const refuse = (window: number, t: number, res?: Response): never => {
    const retryAfter = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - t) / 1000));
    res?.setHeader('Retry-After', String(retryAfter));
    header(res, 'RateLimit-Limit', perMinute);
    header(res, 'RateLimit-Remaining', 0);
    onRefused?.();
    const { message, details } = refusal(perMinute, retryAfter);
    throw new RateLimitedError(message, details, retryAfter);
  };

  const pending = () => [...states.values()].map((s) => s.taking).filter((p) => p !== undefined);
  const flush = async (): Promise<void> => {
    await Promise.all(pending());
  };

  return {
    async take(key, res) {
      if (perMinute === 0) return;
      sweep();
      const t = now();
      const window = Math.floor(t / WINDOW_MS);
      const id = `${key}|${window}`;
      let state = states.get(id);
      if (!state) states.set(id, (state = { key, window, held: 0, used: 0, nextSlot: 0, taking: undefined }));
      const s = state;
      // One block is taken at a time per key; requests that find no token wait for it and look again.
      while (s.used >= s.held) {
        if (s.nextSlot >= sizes.length) refuse(window, t, res);
        await (s.taking ??= takeBlock(s).finally(() => (s.taking = undefined)));
      }
      s.used += 1;
      header(res, 'RateLimit-Limit', perMinute);
      // What this process still holds plus the blocks nobody may have taken yet.
      header(res, 'RateLimit-Remaining', s.held - s.used + untakenFrom[s.nextSlot]!);
    },
    refuseIfExhausted(key, res) {
      if (perMinute === 0) return;
      const t = now();
      const window = Math.floor(t / WINDOW_MS);
      const s = states.get(`${key}|${window}`);
      if (s && !s.taking && s.used >= s.held && s.nextSlot >= sizes.length) refuse(window, t, res);
    },
    flush,
    async close() {
      await flush();
      states.clear();
    },
  };
}

/** The response of a request, which Express links to it (for the Retry-After header). */
export function responseOf(req: Request): Response | undefined {
  return (req as Request & { res?: Response }).res;
}
