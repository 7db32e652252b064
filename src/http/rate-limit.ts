// Per-API-key rate limiting with counts shared through the database, so every instance behind a
// load balancer enforces the same limit. See docs/hardening.md (Rate limiting) for the design.
//
// Why not one database write per request: on FerretDB 1.x (SQLite) a write costs about a
// millisecond and writes are serialised, which would cap the whole service. Each process instead
// counts in memory and adds its count to a per-key, per-minute bucket every `flushMs`
// (`updateOne({ key, window }, { $inc: { n } }, { upsert: true })`, a single-document update),
// reading the bucket's total back. A key's first request in a window waits for one read of the
// bucket, so a new instance starts from what the others already counted.
// Trade-off: between flushes an instance does not see the others' requests, so the service as a
// whole can overshoot by at most (instances − 1) × the rate × flushMs; within one instance the
// limit is exact, bursts included: a count being written is still counted until the bucket's new
// total is known. A bucket update that fails (database outage) stays in this process's count and
// is sent again at the next flush of the same window; a bucket that cannot be read counts as 0
// (fail open: the limiter never turns a database outage into 429s beyond this process's own count).
import type { Request, Response } from 'express';
import mongoose, { Schema } from 'mongoose';
import { AppError } from './app-error.ts';

const WINDOW_MS = 60_000;

// _id is `<key>|<window>` so reads and updates are exact _id filters, the only kind FerretDB 1.x
// answers from an index (docs/database.md); key and window are kept for the sweep and for people.
const rateBucketSchema = new Schema(
  {
    _id: { type: String, required: true },
    key: { type: String, required: true },
    window: { type: Number, required: true },
    n: { type: Number, required: true, default: 0 },
  },
  { collection: 'rateLimitBuckets', versionKey: false },
);
rateBucketSchema.index({ key: 1, window: 1 }, { unique: true });
rateBucketSchema.index({ window: 1 });

export const RateBucketModel = mongoose.model('RateBucket', rateBucketSchema);

const bucketId = (key: string, window: number) => `${key}|${window}`;

interface KeyState {
  key: string;
  window: number;
  /** Requests this process allowed and has not yet sent to the bucket. */
  pending: number;
  /** Requests sent to the bucket whose update has not returned yet: still counted here. */
  inFlight: number;
  /** The bucket's total as last read (every instance's flushed requests, ours included). */
  shared: number;
  /** Resolves once the bucket has been read for this window. */
  loaded: Promise<void> | undefined;
}

export interface RateLimiterOptions {
  /** Requests per key per minute; 0 turns the limiter off. */
  perMinute: number;
  /** How often counts go to the database (default 250 ms). */
  flushMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

export interface RateLimiter {
  /** Counts one request of `key`; throws a rate_limited AppError (and sets Retry-After) when over. */
  take(key: string, res?: Response): Promise<void>;
  /** Writes pending counts now (tests, shutdown). */
  flush(): Promise<void>;
  /** Stops the flush timer. */
  close(): Promise<void>;
}

/** Creates a limiter: fixed one-minute windows per key, counted in memory and shared through MongoDB. */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { perMinute, flushMs = 250, now = Date.now } = options;
  const states = new Map<string, KeyState>();
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let lastSweep = 0;

  const readBucket = async (state: KeyState) => {
    try {
      const doc = await RateBucketModel.findById(bucketId(state.key, state.window), { n: 1 }).lean<{ n: number }>();
      state.shared = Math.max(state.shared, doc?.n ?? 0);
    } catch {
      // Fail open: the database being away is answered by the routes themselves (503).
    }
  };

  /** Adds `n` to the state's bucket; false when the database did not take it. */
  const addToBucket = async ({ key, window }: KeyState, n: number): Promise<boolean> => {
    const _id = bucketId(key, window);
    try {
      await RateBucketModel.updateOne({ _id }, { $inc: { n }, $setOnInsert: { key, window } }, { upsert: true });
      return true;
    } catch (err) {
      // Two instances creating the same bucket at once: one insert loses the unique index race; update again.
      if ((err as { code?: number }).code !== 11000) return false;
      return RateBucketModel.updateOne({ _id }, { $inc: { n } }).then(() => true, () => false);
    }
  };

  // A count moves pending → inFlight → shared, and take() adds all three, so no request is
  // forgotten while its update is on the way (the limit stays exact within the process).
  const sendPending = async (state: KeyState) => {
    const n = state.pending;
    state.pending = 0;
    state.inFlight += n;
    const added = await addToBucket(state, n);
    state.inFlight -= n;
    if (added) {
      state.shared += n; // at least this many, even if the read below fails
      await readBucket(state);
    } else if (state.window === Math.floor(now() / WINDOW_MS)) {
      state.pending += n; // kept in this process's count and sent again at the next flush
    }
  };

  const flushOnce = async () => {
    const currentWindow = Math.floor(now() / WINDOW_MS);
    const work: Promise<void>[] = [];
    for (const [id, state] of states) {
      if (state.pending > 0) work.push(sendPending(state));
      else if (state.window < currentWindow && state.inFlight === 0) states.delete(id);
    }
    await Promise.all(work);
    if (now() - lastSweep > WINDOW_MS) {
      lastSweep = now();
      // No TTL indexes on FerretDB 1.x: old buckets are removed here.
      await RateBucketModel.deleteMany({ window: { $lt: Math.floor(now() / WINDOW_MS) - 1 } }).catch(() => {});
    }
  };

  const flush = async () => {
    while (flushing) await flushing;
    flushing = flushOnce().finally(() => (flushing = undefined));
    await flushing;
  };

  const schedule = () => {
    if (timer || perMinute === 0) return;
    timer = setInterval(() => void flush(), flushMs);
    timer.unref();
  };

  return {
    async take(key, res) {
      if (perMinute === 0) return;
      schedule();
      const t = now();
      const window = Math.floor(t / WINDOW_MS);
      // Keyed by key and window: an ended window's count stays until the next flush sends it.
      const id = bucketId(key, window);
      let state = states.get(id);
      if (!state) {
        state = { key, window, pending: 0, inFlight: 0, shared: 0, loaded: undefined };
        states.set(id, state);
      }
      if (!state.loaded) {
        const s = state;
        s.loaded = readBucket(s);
      }
      await state.loaded;
      const used = () => state.shared + state.inFlight + state.pending;
      if (used() >= perMinute) {
        const retryAfter = Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - t) / 1000));
        res?.setHeader('Retry-After', String(retryAfter));
        res?.setHeader('RateLimit-Limit', String(perMinute));
        res?.setHeader('RateLimit-Remaining', '0');
        throw new AppError('rate_limited', `Too many requests for this API key: at most ${perMinute} a minute. Try again in ${retryAfter} s.`, [
          { path: 'header.authorization', message: `exceeds ${perMinute} requests per minute for this API key (rate limit)` },
        ]);
      }
      state.pending += 1;
      res?.setHeader('RateLimit-Limit', String(perMinute));
      res?.setHeader('RateLimit-Remaining', String(Math.max(0, perMinute - used())));
    },
    flush,
    async close() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await flush();
    },
  };
}

/** The response of a request, which Express links to it (for the Retry-After header). */
export function responseOf(req: Request): Response | undefined {
  return (req as Request & { res?: Response }).res;
}
