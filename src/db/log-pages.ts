// A page of a list kept as a keyed log (src/db/keyed-log.ts): newest first, the records' summaries
// loaded by id for the page alone. Cost follows the page, never the book:
// - the first page reads the newest chunk and `limit` summaries;
// - a deep page by cursor (`after`: the opaque position of the last item of the page before) costs
//   the same; `offset` is kept for small skips, up to MAX_OFFSET (beyond it: use `after`);
// - the total of an unfiltered list is the log's length (its top + 1): kept, not counted;
//   a filtered list answers no total, and a scan stops after `maxScan` entries, answering what it
//   found and a cursor to go on from.
import { invalidInput } from '../http/app-error.ts';
import type { KeyedLog, LogEntry } from './keyed-log.ts';

/** The deepest `offset` a list accepts: past it a page must be asked for by cursor. */
export const MAX_OFFSET = 1000;
/** Entries a filtered page examines before it answers what it has, with a cursor. */
export const DEFAULT_MAX_SCAN = 5000;

export interface LogPageQuery { limit: number; offset?: number | undefined; after?: string | undefined }

export interface LogPage<S> {
  items: S[];
  limit: number;
  offset: number;
  /** How many the list holds: only for an unfiltered list (kept, not counted). */
  total?: number;
  /** The cursor of the next page, when there may be one. */
  next?: string;
}

export interface LogPageOptions<E, S> {
  /**
   * Whether `accept` or `keep` narrow the list (then it answers no total); without either it is
   * unfiltered. An `accept` that only re-checks the caller's scope (scope.ts) does not filter.
   */
  filtered?: boolean;
  /** Keeps an entry by what it carries (immutable fields: product, enterprise, parties). */
  accept?: (entry: E) => boolean;
  /** The summaries of `entries` (null for one that is gone or not to be shown), in their order. */
  load: (entries: readonly LogEntry<E>[]) => Promise<(S | null)[]>;
  /** Keeps a summary by what may change (its status). */
  keep?: (summary: S) => boolean;
  maxScan?: number;
}

/** The cursor of the page that starts below position `n` of a list (`next` and `after` carry it). */
export const cursorOf = (n: number) => Buffer.from(`n${n}`).toString('base64url');

/** The log position a cursor names; a 400 naming `query.after` for anything else. */
export function positionOf(after: string): number {
  const text = /^[A-Za-z0-9_-]{1,24}$/.test(after) ? Buffer.from(after, 'base64url').toString() : '';
  const match = /^n(0|[1-9]\d{0,14})$/.exec(text);
  if (!match) throw invalidInput('The page cursor is not one this service gave.', [{ path: 'query.after', message: 'must be the `next` of an earlier page (cursor)' }]);
  return Number(match[1]);
}

/** Validates offset/after together: a cursor starts its own page, an offset stays within MAX_OFFSET. */
function startOf(query: LogPageQuery): { before?: number; skip: number } {
  const offset = query.offset ?? 0;
  if (query.after !== undefined && offset > 0) throw invalidInput('A page is asked for by cursor or by offset, not both.', [{ path: 'query.offset', message: 'must be 0 with after (cursor)' }]);
  if (offset > MAX_OFFSET) throw invalidInput(`Pages deeper than ${MAX_OFFSET} are asked for by cursor.`, [{ path: 'query.offset', message: `must be at most ${MAX_OFFSET}; use after= with the next of the page before (maximum)` }]);
  return { ...(query.after !== undefined ? { before: positionOf(query.after) } : {}), skip: offset };
}

/** One page of `key`'s list: newest first, filtered, with a cursor to the next. */
export async function logPage<E, S>(log: KeyedLog<E>, key: string, query: LogPageQuery, options: LogPageOptions<E, S>): Promise<LogPage<S>> {
  const { before, skip } = startOf(query);
  const filtered = options.filtered ?? Boolean(options.accept || options.keep);
  const maxScan = options.maxScan ?? DEFAULT_MAX_SCAN;
  const items: S[] = [];
  let skipped = 0;
  let scanned = 0;
  let lastN: number | undefined;
  let more = false;
  scan: for await (const batch of log.newestFirst(key, before)) {
    let candidates = options.accept ? batch.filter((e) => options.accept!(e.value)) : batch;
    if (!options.keep && skipped < skip) {
      // Without a status filter, what an offset skips is never loaded.
      const s = Math.min(skip - skipped, candidates.length);
      skipped += s;
      candidates = candidates.slice(s);
    }
    // Loaded a slice at a time: what the page still needs, one more (it tells whether there is a
    // next page) and, with a status filter, what an offset still skips; the next slice only if
    // the filter dropped some. A page reads about the summaries it holds, not its batches' (a
    // batch is up to a chunk of 100 entries: the referral queue's 100-row page read ~200).
    let rest = candidates;
    while (rest.length > 0) {
      const need = query.limit + 1 - items.length + (options.keep ? Math.max(0, skip - skipped) : 0);
      const toLoad = rest.slice(0, need);
      rest = rest.slice(toLoad.length);
      const summaries = await options.load(toLoad);
      for (const [i, summary] of summaries.entries()) {
        if (summary === null || (options.keep && !options.keep(summary))) continue;
        if (options.keep && skipped < skip) {
          skipped++;
          continue;
        }
        if (items.length === query.limit) {
          more = true;
          break scan;
        }
        items.push(summary);
        lastN = toLoad[i]!.n;
      }
    }
    scanned += batch.length;
    const oldest = batch[batch.length - 1]!.n;
    if (scanned >= maxScan && oldest > 0) {
      more = true;
      lastN = oldest;
      break;
    }
  }
  const page: LogPage<S> = { items, limit: query.limit, offset: skip };
  if (!filtered && before === undefined) page.total = (await log.top(key)) + 1;
  if (more && lastN !== undefined) page.next = cursorOf(lastN);
  return page;
}
