import type { Caller } from '../auth/caller.ts';
import { findOwnVersion, listPublishedVersions, type RatableVersion } from '../catalogue/rating-lookups.ts';
import { chinaDate } from '../rating/calendar.ts';
import { conflict, invalidInput } from '../http/app-error.ts';
import { ProductCompileError } from '../rating/index.ts';
import type { BookImpact } from './impact-stats.ts';
import { RatingThreads, reRateLines, workerThreadsFor } from './impact-rating.ts';
import { bookHasPages, readBook, rebuildBook } from './rating-book.ts';

export interface ImpactOptions {
  /** Version whose stored quotes are re-rated; default the product's published version in force today (else the latest published). */
  baseline?: string;
  /** How many largest movers to list (default 10). */
  top?: number;
  /** Re-rate policies too (default true). */
  includePolicies?: boolean;
  /** Read every stored quote and policy of the baseline into its book first (slow; for quotes stored before the book existed). */
  refresh?: boolean;
  /** Called every few hundred documents and at the end. */
  onProgress?(done: number, total: number): void;
  now?: Date;
}

export interface ImpactReport {
  productCode: string;
  version: string;
  versionStatus: string;
  baseline: string;
  /** How the quote date was set for the re-rating (see docs/portfolio.md). */
  asOfRule: string;
  /** The baseline's rating book as it was read (kept at write time; see docs/portfolio.md). */
  book: { readAt: string; pages: number; tailRecords: number; compacted: number; refreshed: boolean; readMs: number };
  quotes: BookImpact;
  policies: BookImpact | null;
  elapsedMs: number;
}

/**
 * What a new version of a product does to the book of the version it replaces: every stored
 * quote (and policy) of the baseline is re-rated on the new version with its stored inputs,
 * picks and context, and the premium changes, decision changes, inputs the new version refuses
 * and largest movers are reported. Only the product's own insurer (or a platform admin) may ask.
 */
export async function analyseRateChange(caller: Caller, code: string, version: string, options: ImpactOptions = {}): Promise<ImpactReport> {
  const started = performance.now();
  const target = await ownCompiledVersion(caller, code, version);
  const baselineVersion = options.baseline ?? (await defaultBaseline(code, options.now ?? new Date()));
  if (baselineVersion === version) {
    throw invalidInput('The baseline is the version being analysed; name another version.', [{ path: 'query.baseline', message: `must differ from ${version} (baseline)` }]);
  }
  await findOwnVersion(caller, code, baselineVersion).catch((err: unknown) => {
    if (err instanceof ProductCompileError) return undefined; // a baseline's stored premiums are used, not its rules
    throw err;
  });
  const top = Math.max(0, Math.min(options.top ?? 10, 100));
  const now = options.now ?? new Date();
  const readStarted = performance.now();
  if (options.refresh) {
    let read = 0;
    await rebuildBook(code, baselineVersion, () => {
      if (++read % 500 === 0) options.onProgress?.(read, 0);
    });
  }
  // A large book (10 pages or more) is re-rated on several cores: the worker threads start now,
  // loading the rating engine while the book is read.
  const workers = workerThreadsFor();
  const threads = workers > 0 && (await bookHasPages(code, baselineVersion, 10)) ? new RatingThreads(workers) : undefined;
  try {
    const book = await readBook(code, baselineVersion);
    const readMs = Math.round(performance.now() - readStarted);
    const withPolicies = options.includePolicies !== false;
    const total = book.entries.quote.length + (withPolicies ? book.entries.policy.length : 0);
    let done = 0;
    const progress = (rated: number) => {
      done += rated;
      options.onProgress?.(done, total);
    };
    const quotes = (await reRateLines(book.entries.quote, target, top, progress, threads ? { threads } : {})).result();
    const policies = withPolicies ? (await reRateLines(book.entries.policy, target, top, progress, threads ? { threads } : {})).result() : null;
    options.onProgress?.(done, total);
    const from = target.definition.effectiveFrom;
    const to = target.definition.effectiveTo;
    return {
      productCode: code,
      version,
      versionStatus: target.status,
      baseline: baselineVersion,
      asOfRule: `stored quote date, moved into ${version}'s effective period ${from} to ${to ?? 'open'} when outside it`,
      book: { readAt: now.toISOString(), pages: book.pages, tailRecords: book.tailRecords, compacted: book.compacted, refreshed: options.refresh === true, readMs },
      quotes,
      policies,
      elapsedMs: Math.round(performance.now() - started),
    };
  } finally {
    threads?.close();
  }
}

async function ownCompiledVersion(caller: Caller, code: string, version: string): Promise<RatableVersion & { status: string }> {
  try {
    return await findOwnVersion(caller, code, version);
  } catch (err) {
    if (err instanceof ProductCompileError) {
      throw invalidInput(`Version ${version} of ${code} does not compile, so nothing can be re-rated on it.`, err.details.map((d) => ({ path: `definition${d.path.startsWith('/') ? d.path.replaceAll('/', '.') : `.${d.path}`}`, message: d.message })));
    }
    throw err;
  }
}

/** The published version in force today, else the latest published one. */
async function defaultBaseline(code: string, now: Date): Promise<string> {
  const today = chinaDate(now);
  const published = await listPublishedVersions(code);
  const inForce = published.find((v) => v.effectiveFrom <= today && (!v.effectiveTo || v.effectiveTo >= today));
  const chosen = inForce ?? published[0];
  if (!chosen) throw conflict(`${code} has no published version to compare with; name a baseline version.`, [{ path: 'query.baseline', message: 'is required when the product has no published version (baseline)' }]);
  return chosen.version;
}
