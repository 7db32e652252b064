// The rating book of each product version, kept at write time: what re-rating needs from every
// stored quote and policy (id, number, inputs, picks, context, stored premium and decision),
// packed as text, so an impact analysis reads a few page documents by _id instead of decoding
// every stored quote (FerretDB 1.x decodes every document of a collection for any filter other
// than an exact _id, ~100 stored quotes a second here; see docs/database.md and docs/portfolio.md).
//
// - Every quote stored, approved or declined and every policy issued adds a small record to the
//   tail (`ratingBookTail`), _id `quote:<id>:<revision>` / `policy:<id>`: a replayed hook hits
//   E11000 and is already recorded. A record is one string field (cheap for FerretDB to decode).
// - Batches (bulk save) and compaction write page documents (`ratingBookPages`), _id
//   `<book>:<seq>` with seq 0, 1, 2, … claimed by inserting (E11000: the next one). Pages are
//   never changed or deleted, so readers find them by probing seq from 0 until one is missing.
// - Compaction packs a book's tail records into a page, then deletes those records by _id.
// - Readers take pages and tail together and keep one entry per quote/policy, the highest
//   revision: a crash between writing a page and deleting its tail records, two instances
//   compacting at once, or a batch recorded twice never counts a quote twice.
// Contexts are kept without their subsidy programmes, which the engine applies after the premium
// and the decision and which never change them: the book serves premium and decision analysis.
import { createInsertBatcher } from '../db/insert-batcher.ts';
import { observeInsertBatch } from '../http/metrics.ts';
import { gunzipSync, gzipSync } from 'node:zlib';
import mongoose, { Schema } from 'mongoose';
import type { Logger } from 'pino';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { slot } from '../db/service-scope.ts';
import { policyRatingRecords, type PolicyRecord } from '../policies/policy-service.ts';
import { policyRatingRecordOf, quoteRatingRecords, type QuotesStored, type StoredQuoteEvent } from '../quotes/quote-service.ts';
import { entryOf, packEntries, unpackLines, type BookEntry, type BookKind, type PackedLine } from './book-format.ts';

export { packEntries, type BookEntry, type BookKind } from './book-format.ts';

/** Entries per page written by compaction and by a rebuild. */
export const PAGE_SIZE = 2000;
/** A book's tail is packed into a page once it holds this many records. */
export const COMPACT_MIN_RECORDS = 500;

const tailSchema = new Schema(
  {
    _id: { type: String, required: true },
    book: { type: String, required: true },
    data: { type: String, required: true },
  },
  { collection: 'ratingBookTail', versionKey: false },
);
tailSchema.index({ book: 1 });

const pageSchema = new Schema(
  {
    _id: { type: String, required: true },
    book: { type: String, required: true },
    seq: { type: Number, required: true },
    count: { type: Number, required: true },
    // The page text, gzipped: a sixth of the bytes for FerretDB to read and decode.
    data: { type: Buffer, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'ratingBookPages', versionKey: false },
);

export const RatingBookTailModel = mongoose.model('RatingBookTail', tailSchema);
export const RatingBookPageModel = mongoose.model('RatingBookPage', pageSchema);
const tailInserts = createInsertBatcher(RatingBookTailModel, { onBatch: observeInsertBatch });

export const bookKey = (productCode: string, productVersion: string) => `${productCode}@${productVersion}`;
const recordId = (e: Pick<BookEntry, 'kind' | 'id' | 'revision'>) => (e.kind === 'quote' ? `quote:${e.id}:${e.revision}` : `policy:${e.id}`);

/** The book entry of a stored quote's announcement (or of a policy's record, `kind` policy). */
export function entryOfQuoteEvent(q: StoredQuoteEvent, kind: BookKind = 'quote'): BookEntry {
  // A quote an underwriter declined keeps the engine's "referred" result; the book records it declined.
  const storedDecision = q.status === 'declined' ? 'declined' : q.decision;
  return { kind, id: q.id, revision: q.revision, number: q.quoteNumber, inputs: q.inputs, picks: q.picks, context: q.context, storedPremiumFen: q.grossPremiumFen, storedDecision };
}

// ---------------------------------------------------------------------------------------------
// Writing.

/** A tail record as stored: three strings, which mongoose's casting leaves as they are (tested), so it is not cast. */
function tailRecord(book: string, entry: BookEntry): { _id: string; book: string; data: string } {
  return { _id: recordId(entry), book, data: packEntries([entry]) };
}

/** Adds entries to the tail of their book; a record already there (same id) is left as it is. */
export async function recordInTail(book: string, entries: readonly BookEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const docs = entries.map((e) => tailRecord(book, e));
  // Concurrent requests' records share insert commands (src/db/insert-batcher.ts; a lost
  // connection still rejects every caller and answers 503). E11000: recorded before.
  await Promise.all(docs.map(async (doc) => {
    try {
      await tailInserts.insertStored(doc);
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
    }
  }));
}

// Where the next page of a book probably goes, per database and book (per composed service: its
// scope keeps them). Only a hint: a page is written at seq n only after checking that n-1 exists,
// and E11000 moves on to n+1.
const nextSeqHints = slot('rating book seq hints', () => new Map<string, number>());
const pageId = (book: string, seq: number) => `${book}:${seq}`;
const hintKey = (book: string) => `${mongoose.connection.name}\u0000${book}`;

async function pageExists(book: string, seq: number): Promise<boolean> {
  return (await RatingBookPageModel.collection.findOne({ _id: pageId(book, seq) } as never, { projection: { _id: 1 } })) !== null;
}

async function firstFreeSeq(book: string): Promise<number> {
  const hint = nextSeqHints().get(hintKey(book));
  if (hint !== undefined && (hint === 0 || (await pageExists(book, hint - 1)))) return hint;
  let seq = 0;
  while (await pageExists(book, seq)) seq++;
  return seq;
}

/** Appends a page of entries to a book; returns its seq. */
export async function appendPage(book: string, entries: readonly BookEntry[], now: Date = new Date()): Promise<number> {
  const data = gzipSync(packEntries(entries));
  let seq = await firstFreeSeq(book);
  for (;;) {
    try {
      await RatingBookPageModel.collection.insertOne({ _id: pageId(book, seq), book, seq, count: entries.length, data, at: now } as never);
      nextSeqHints().set(hintKey(book), seq + 1);
      return seq;
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      seq++;
    }
  }
}

/** Appends entries as pages of at most PAGE_SIZE. */
export async function appendPages(book: string, entries: readonly BookEntry[], now: Date = new Date()): Promise<void> {
  for (let i = 0; i < entries.length; i += PAGE_SIZE) await appendPage(book, entries.slice(i, i + PAGE_SIZE), now);
}

interface TailRecord {
  _id: string;
  book: string;
  data: string;
}

/**
 * Packs tail records into pages, per book, for books with at least `minRecords` of them (one
 * book, or all), then deletes the packed records. Safe to run on several instances at once.
 * Returns how many records were packed.
 */
export async function compactBooks(options: { book?: string; minRecords?: number; records?: readonly TailRecord[]; onCompacted?: (records: number) => void } = {}): Promise<number> {
  const minRecords = options.minRecords ?? COMPACT_MIN_RECORDS;
  const records = options.records ?? (await RatingBookTailModel.collection.find((options.book ? { book: options.book } : {}) as never).toArray() as unknown as TailRecord[]);
  const byBook = new Map<string, TailRecord[]>();
  for (const r of records) {
    if (options.book && r.book !== options.book) continue;
    let list = byBook.get(r.book);
    if (!list) byBook.set(r.book, (list = []));
    list.push(r);
  }
  let packed = 0;
  for (const [book, list] of byBook) {
    if (list.length < minRecords) continue;
    const entries = list.flatMap((r) => [...unpackLines(r.data)].map(entryOf));
    await appendPages(book, entries);
    await RatingBookTailModel.collection.deleteMany({ _id: { $in: list.map((r) => r._id) } } as never);
    packed += list.length;
    options.onCompacted?.(list.length);
  }
  return packed;
}

/** Background compaction in this process; stop() ends it. */
export interface BackgroundCompaction {
  stop(): void;
}

/**
 * Compacts every book's tail once a minute (unref'd: it never keeps a process alive). A failed
 * round (database away) is logged and the next round tries again. Started and stopped by
 * src/service.ts.
 */
export function startBackgroundCompaction(options: { logger: Logger; intervalMs?: number; onCompacted?: (records: number) => void }): BackgroundCompaction {
  const timer = setInterval(() => {
    if (mongoose.connection.readyState !== 1) return;
    compactBooks({ onCompacted: options.onCompacted }).catch((err: unknown) => options.logger.warn({ err }, 'rating book compaction failed; the next round tries again'));
  }, options.intervalMs ?? 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

// ---------------------------------------------------------------------------------------------
// Reactions (registered in src/service.ts): every quote stored, approved or declined and every
// policy issued is recorded.

/** Records stored quotes: one as a tail record, a bulk save's batch as one page per book. */
export async function recordStoredQuotes(stored: QuotesStored, now: Date = new Date()): Promise<void> {
  const byBook = new Map<string, BookEntry[]>();
  for (const quote of stored.quotes) {
    const book = bookKey(quote.productCode, quote.productVersion);
    let list = byBook.get(book);
    if (!list) byBook.set(book, (list = []));
    list.push(entryOfQuoteEvent(quote));
  }
  for (const [book, entries] of byBook) {
    if (stored.bulk) await appendPage(book, entries, now);
    else await recordInTail(book, entries);
  }
}

/** Records an issued policy in its book's tail, from the record its bind announced (no read). */
export async function recordIssuedPolicy(policy: PolicyRecord): Promise<void> {
  await recordInTail(bookKey(policy.productCode, policy.productVersion), [entryOfQuoteEvent(policyRatingRecordOf(policy), 'policy')]);
}

/**
 * Reads every stored quote and policy of a version from their collections and adds them to the
 * book (for quotes stored before the book existed). Slow on FerretDB: it decodes every stored
 * quote. Entries already in the book are not counted twice.
 */
export async function rebuildBook(productCode: string, productVersion: string, onDocument: () => void = () => {}): Promise<number> {
  const book = bookKey(productCode, productVersion);
  let count = 0;
  for (const kind of ['quote', 'policy'] as const) {
    const records = kind === 'quote' ? quoteRatingRecords(productCode, productVersion) : policyRatingRecords(productCode, productVersion);
    let entries: BookEntry[] = [];
    for await (const record of records) {
      entries.push(entryOfQuoteEvent(record, kind));
      onDocument();
      if (entries.length === PAGE_SIZE) {
        await appendPage(book, entries);
        count += entries.length;
        entries = [];
      }
    }
    if (entries.length > 0) await appendPage(book, entries);
    count += entries.length;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------
// Reading.

/** True when a book has at least `pages` pages (one _id lookup). */
export async function bookHasPages(productCode: string, productVersion: string, pages: number): Promise<boolean> {
  return pages <= 0 || pageExists(bookKey(productCode, productVersion), pages - 1);
}

const PAGE_READS_IN_FLIGHT = 4;

/** A page's text from its stored data (gzipped bytes as Buffer or BSON Binary). */
function pageText(data: unknown): string {
  if (typeof data === 'string') return data;
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from((data as { buffer: Uint8Array }).buffer);
  return gunzipSync(bytes).toString('utf8');
}

export interface BookRead {
  book: string;
  /** One entry per quote/policy (the highest revision), quotes first. */
  entries: { quote: PackedLine[]; policy: PackedLine[] };
  pages: number;
  tailRecords: number;
  /** Tail records packed into a page by this read. */
  compacted: number;
}

/**
 * Reads a book: the tail (compacted first when it is large), then the pages seq 0, 1, … by _id,
 * keeping one entry per quote or policy. Entries are parsed only when iterated (`bookEntries`).
 */
export async function readBook(productCode: string, productVersion: string, onPage: (entries: number) => void = () => {}): Promise<BookRead> {
  const book = bookKey(productCode, productVersion);
  const tail = await RatingBookTailModel.collection.find({ book } as never).toArray() as unknown as TailRecord[];
  const compacted = await compactBooks({ book, records: tail });
  // One entry per quote and per policy: the highest revision.
  const best = { quote: new Map<string, PackedLine>(), policy: new Map<string, PackedLine>() };
  const offer = (line: PackedLine) => {
    const byId = best[line.kind];
    const seen = byId.get(line.id);
    if (!seen || seen.revision < line.revision) byId.set(line.id, line);
  };
  // Pages by _id, a few requests in flight, until the first seq that is missing.
  const fetchPage = (seq: number) => RatingBookPageModel.collection.findOne({ _id: pageId(book, seq) } as never) as Promise<{ data: unknown; count: number } | null>;
  const inFlight: Promise<{ data: unknown; count: number } | null>[] = [];
  let pages = 0;
  let requested = 0;
  for (;;) {
    while (inFlight.length < PAGE_READS_IN_FLIGHT) inFlight.push(fetchPage(requested++));
    const page = await inFlight.shift()!;
    if (!page) break;
    pages++;
    for (const line of unpackLines(pageText(page.data))) offer(line);
    onPage(page.count);
  }
  await Promise.allSettled(inFlight);
  nextSeqHints().set(hintKey(book), pages);
  for (const record of tail) for (const line of unpackLines(record.data)) offer(line);
  const entries: BookRead['entries'] = { quote: [...best.quote.values()], policy: [...best.policy.values()] };
  return { book, entries, pages, tailRecords: tail.length, compacted };
}
