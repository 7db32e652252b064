// Keyed logs: for each key (a caller's list, an enterprise's year, a member's month), an
// append-only sequence of small immutable entries numbered 0, 1, 2, … with no gaps. Every read is
// by `_id` (exact, or a range of entries by `$in`: src/db/by-ids.ts) — the reads the launcher's
// FerretDB answers from an index (docs/database.md) — so a list's first page, a deep page and its
// count cost the same at 1,000 and at 100,000 records:
//
//   entry  `_id = <key>#<n>`   { r: `<key>|<ref>`, v: JSON text of the entry's value }
//   chunk  `_id = <key>#c<c>`  { r: _id, z: entries c·S … c·S+S−1 as packed JSON }, written once they all exist
//
// The key and n (or c) are read from `_id` (its last '#': a key may hold one); entries and chunks
// written by earlier versions also carry them as `k`, `n` (`c`), which nothing reads any more (#25:
// each stored field costs its name twice in FerretDB's JSON and type schema). A log may store its
// values in a compact form (a ValueCodec: short field names); its decode reads both forms.
//
// Appending claims the next n by inserting (a unique `_id`: two writers, in one process or in
// several instances, never share an n; the loser moves on to n + 1). An n is tried only after
// n − 1 is known to exist, so there are no gaps and "entry n exists" is monotone in n: the top of
// a log is found by galloping from a hint, in a few reads. `r` is unique: appending the same ref
// to a key twice (a retried request, a replayed reaction) adds nothing. Entries never change, so
// a full run of S entries is sealed into a chunk (by whichever reader first finds it full, or by
// the writer of its last entry; an E11000 means another one did), and a chunk is kept per service
// after its first read, in one LRU for all the service's logs bounded by the length of the chunks'
// JSON text, CHUNK_CACHE_BYTES (the writer's own seals are not kept: a bulk load seals thousands
// that no one may read). The writer seals from the entries it wrote itself, kept per open chunk
// (WRITTEN_ENTRIES_BYTES), and reads back by _id only those it did not write or no longer holds.
//
// Within a process, appends to a log are queued, whatever their key, and written together, one
// turn at a time: the keys with entries waiting, key after key, in one ordered insert. So bulk
// work and concurrent requests do not race each other for the same n, and a quote's entries in its
// six lists cost one insert shared with the quotes created meanwhile, not six (#25, bench:api).
import mongoose, { Schema, type Collection } from 'mongoose';
import { findByIds } from './by-ids.ts';
import { isDuplicateKeyError } from './duplicate-key.ts';
import { jsonTextOf, packJsonText } from './json-text.ts';
import { keptRecords, type KeptRecords } from './kept-records.ts';
import { slot } from './service-scope.ts';

/** Entries per chunk: a deep page or a year of 2,000 entries is 20 chunk reads. */
export const CHUNK_SIZE = 100;

/**
 * Sealed chunks a service keeps in memory, all its keyed logs together, bounded by their JSON
 * text's length (the least recently read go first): 16 MB of text, about 24 MB of V8 heap once
 * parsed — a quote list's chunk is ~30 kB of text, a subsidy year's ~70 kB, so the first and deep
 * pages of many lists and a broker's year of 2,000 policies stay in memory, a whole book never
 * does. (#25, Node's peak RSS: the bound was 20,000 entries per log, 17 logs — up to ~150 MB of
 * text, over 200 MB of heap, at 100,000 quotes; before session 8, 400,000 entries per log.)
 */
export const CHUNK_CACHE_BYTES = 16 * 2 ** 20;

/**
 * Entries a service wrote to the chunks not yet full (all its keyed logs together), bounded by
 * their stored text's length: the writer of a chunk's last entry seals it from these instead of
 * reading its other 99 entries back by _id (#25, bench:api: those reads were a third of a quote
 * creation's database commands). A chunk whose entries were evicted, or were written by another
 * instance, is completed by reads as before. 4 MB holds the open chunks of ~25,000 entries.
 */
export const WRITTEN_ENTRIES_BYTES = 4 * 2 ** 20;

/** The entries a service wrote to one open chunk (by n, as stored), and their stored text's length. */
interface WrittenChunk { entries: Map<number, StoredEntry>; bytes: number }

const writtenChunks = keptRecords<WrittenChunk>(WRITTEN_ENTRIES_BYTES, { name: 'keyed-log written entries', weigh: (chunk) => chunk.bytes });

/** A chunk's entries as the cache keeps them, and what they weigh: their JSON text's length. */
interface KeptChunk { entries: readonly LogEntry<unknown>[]; bytes: number }

/** The sealed chunks of every keyed log of the service (by collection and chunk id). */
const sharedChunks = keptRecords<KeptChunk>(CHUNK_CACHE_BYTES, { name: 'keyed-log chunks', weigh: (chunk) => chunk.bytes });

export interface LogEntry<V> {
  readonly n: number;
  /** What the entry was appended for (a quote's id, a policy's event): unique within its key. */
  readonly ref: string;
  readonly value: V;
}

/** An entry as stored (earlier versions also stored `k`: its key, and `n`: its position, both in `_id`). */
interface StoredEntry { _id: string; r: string; v: string }
/**
 * A sealed chunk: its entries as packed JSON `z` (since session 8), or as JSON text `v` (before);
 * chunks written by earlier versions also carry `k` and `c` (both in `_id`).
 */
interface StoredChunk { _id: string; r: string; z?: unknown; v?: string }

/**
 * How a log stores its values (`v`): `encode` gives what is written (e.g. shorter field names),
 * `decode` reads what was written, in either form — the values written before the log had a codec
 * (or before its codec changed) must decode the same.
 */
export interface ValueCodec<V> {
  encode(value: V): unknown;
  decode(stored: unknown): V;
}

const asIs: ValueCodec<never> = { encode: (value) => value, decode: (stored) => stored as never };

/**
 * A codec that renames top-level fields: `short` maps a value's field name to the name it is
 * stored under. Decoding renames the short names back and keeps every other field as it is, so a
 * value written with the long names reads the same. No short name may be a field name of the
 * value (nor two the same): checked here.
 */
export function shortFieldNames<V extends object>(short: Readonly<Record<string, string>>): ValueCodec<V> {
  const toShort = new Map(Object.entries(short));
  const toLong = new Map(Object.entries(short).map(([name, s]) => [s, name]));
  if (toLong.size !== toShort.size || [...toLong.keys()].some((s) => toShort.has(s))) throw new Error(`shortFieldNames: short names must be distinct and not field names: ${JSON.stringify(short)}`);
  const rename = (value: object, names: ReadonlyMap<string, string>) => Object.fromEntries(Object.entries(value).map(([k, v]) => [names.get(k) ?? k, v]));
  return { encode: (value) => rename(value, toShort), decode: (stored) => rename(stored as object, toLong) as V };
}

/** What a stored document's `_id` names: an entry `<key>#<n>` or a chunk `<key>#c<c>` (the last '#' splits; a key may hold one). */
export function parseLogId(id: string): { key: string; n: number } | { key: string; c: number } {
  const at = id.lastIndexOf('#');
  const key = id.slice(0, at);
  return id[at + 1] === 'c' ? { key, c: Number(id.slice(at + 2)) } : { key, n: Number(id.slice(at + 1)) };
}

/** A stored document of a log as an offline scan sees it: an entry, or a sealed chunk of entries. */
export type ScannedLogDocument<V> = { key: string; entry: LogEntry<V> } | { key: string; chunk: number; entries: LogEntry<V>[] };

/**
 * The entries a stored chunk holds (values in their stored form), whichever form it was written in
 * (packed `z` since session 8, JSON text `v` before), and its JSON text's length (what the shared
 * chunk cache weighs).
 */
function chunkEntries(doc: { _id: string; z?: unknown; v?: string }): { entries: { n: number; r: string; v: unknown }[]; bytes: number } {
  const text = jsonTextOf(doc.z ?? doc.v);
  if (text === undefined) throw new Error(`keyed-log chunk ${doc._id} holds its entries neither packed (z) nor as text (v)`);
  return { entries: JSON.parse(text) as { n: number; r: string; v: unknown }[], bytes: text.length };
}

export interface KeyedLog<V> {
  /** Appends `value` for `ref` to `key` once (again: nothing); resolves once it is stored. */
  append(key: string, ref: string, value: V): Promise<void>;
  /**
   * Appends many entries, to many keys, as `append` each in order would (all appends share one
   * queue and are written together, a turn at a time); resolves once all are stored.
   */
  appendAll(entries: readonly KeyedAppend<V>[]): Promise<void>;
  /** The highest n of `key` (−1 when empty): its count less one. */
  top(key: string): Promise<number>;
  /** The entries from..to inclusive (oldest first) that exist. */
  range(key: string, from: number, to: number): Promise<LogEntry<V>[]>;
  /** Every entry of `key`, oldest first. */
  all(key: string): Promise<LogEntry<V>[]>;
  /**
   * Newest first, in batches (a chunk's worth), starting below `before` (exclusive; default: past
   * the top): what a page reads until it has what it needs.
   */
  newestFirst(key: string, before?: number): AsyncGenerator<LogEntry<V>[]>;
  /**
   * Every stored document of the log, decoded, in no particular order: a scan of the collection,
   * for offline work only (book:verify, migrations), never a request's read.
   */
  scan(): AsyncGenerator<ScannedLogDocument<V>>;
  /** The model behind it (for index building and the owning capability's migrations). */
  readonly model: mongoose.Model<unknown>;
}

const entryId = (key: string, n: number) => `${key}#${n}`;
const chunkId = (key: string, c: number) => `${key}#c${c}`;
/** A chunk's id in the service's caches (all logs together): its collection and its `_id`. */
const keptChunkId = (collection: string, key: string, c: number) => `${collection}\u0000${chunkId(key, c)}`;

/** Entries per turn of a log's append queue. */
const TURN = 1000;

interface Pending<V> { ref: string; value: V; resolve(): void; reject(err: unknown): void }

/** One entry of an appendAll. */
export interface KeyedAppend<V> { key: string; ref: string; value: V }

/** A pending append and the promise that settles with it. */
function pending<V>(ref: string, value: V): { item: Pending<V>; done: Promise<void> } {
  let item!: Pending<V>;
  const done = new Promise<void>((resolve, reject) => (item = { ref, value, resolve, reject }));
  return { item, done };
}

/** A queued append: its key and its pending entry. */
interface Queued<V> { key: string; item: Pending<V> }

/** Queued appends grouped by key, each key's in the order queued. */
function byKey<V>(queued: readonly Queued<V>[]): [string, Pending<V>[]][] {
  const grouped = new Map<string, Pending<V>[]>();
  for (const { key, item } of queued) {
    const list = grouped.get(key);
    if (list) list.push(item);
    else grouped.set(key, [item]);
  }
  return [...grouped];
}

/**
 * Inserts `docs` in order, stopping at the first duplicate key; how many were written. One ordered
 * insert: MongoDB stops at its first error, and so does the launcher's FerretDB (patched:
 * tools/ferretdb-launcher/build.mjs; unpatched, 1.24 went on with its next batch of 100 and left a
 * gap behind the error).
 */
async function insertUntilDuplicate(collection: Collection, docs: StoredEntry[]): Promise<number> {
  try {
    await collection.insertMany(docs as never[], { ordered: true });
  } catch (err) {
    const errors = (err as { writeErrors?: unknown }).writeErrors;
    const first = (Array.isArray(errors) ? errors[0] : errors) as { index?: number; code?: number } | undefined;
    if (!(first?.code === 11000 || (first === undefined && isDuplicateKeyError(err)))) throw err;
    return first?.index ?? 0;
  }
  return docs.length;
}

/** What writeTurn needs of its log: the tops, the collection, the per-key writer and sealing. */
interface LogWriter<V> {
  raw(): Collection;
  known(key: string): number | undefined;
  top(key: string): Promise<number>;
  noteTop(key: string, n: number): void;
  stored(key: string, n: number, p: Pending<V>): StoredEntry;
  sealCompleted(key: string, first: number, written: StoredEntry[]): void;
  writeInOrder(key: string, batch: Pending<V>[]): Promise<void>;
}

/**
 * The keys' entries in one ordered insert, key after key. Where it stops at a duplicate key, the
 * keys before are written whole and the rest go on key by key (writeInOrder): an insert that
 * stops leaves nothing written after the error, so no gap.
 */
async function writeTurn<V>(log: LogWriter<V>, keys: readonly [string, Pending<V>[]][]): Promise<void> {
  const starts = await Promise.all(keys.map(([key]) => log.known(key) ?? log.top(key)));
  const docs = keys.flatMap(([key, items], i) => items.map((p, j) => log.stored(key, starts[i]! + 1 + j, p)));
  let written = await insertUntilDuplicate(log.raw(), docs);
  let offset = 0;
  const rest: Promise<void>[] = [];
  keys.forEach(([key, items], i) => {
    const mine = Math.min(items.length, written);
    written -= mine;
    if (mine > 0) {
      items.slice(0, mine).forEach((p) => p.resolve());
      log.noteTop(key, starts[i]! + mine);
      log.sealCompleted(key, starts[i]! + 1, docs.slice(offset, offset + mine));
    }
    offset += items.length;
    const left = items.slice(mine);
    if (left.length > 0) rest.push(log.writeInOrder(key, left).catch((err: unknown) => left.forEach((p) => p.reject(err))));
  });
  await Promise.all(rest);
}

/** Entry n of `key` from its stored document (its position is in `_id`; a `k` or `n` written before is not read). */
const decodeEntry = <V>(codec: ValueCodec<V>, doc: StoredEntry, key: string, n: number): LogEntry<V> =>
  Object.freeze({ n, ref: doc.r.slice(key.length + 1), value: Object.freeze(codec.decode(JSON.parse(doc.v))) });

/** A chunk's entries as stored (`{ n, r, v }`), decoded. */
const decodeChunkEntries = <V>(codec: ValueCodec<V>, stored: readonly { n: number; r: string; v: unknown }[]): LogEntry<V>[] =>
  stored.map((e) => Object.freeze({ n: e.n, ref: e.r, value: Object.freeze(codec.decode(e.v)) }));

/** The reads of a log: entries by _id, chunks sealed on first read, ranges and newest-first batches. */
function chunkReads<V>(raw: () => Collection, top: (key: string) => Promise<number>, chunks: KeptRecords<KeptChunk>, collection: string, codec: ValueCodec<V>) {
  const decode = (doc: StoredEntry, key: string, n: number) => decodeEntry(codec, doc, key, n);
  /** Entries from..to as stored, in order (those that exist): one `$in` read of those not held (src/db/by-ids.ts). */
  async function readStored(key: string, from: number, to: number, held?: Map<number, StoredEntry>): Promise<[number, StoredEntry][]> {
    const ns = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const missing = ns.filter((n) => !held?.has(n));
    const docs = missing.length ? await findByIds<StoredEntry>(raw(), missing.map((n) => entryId(key, n))) : [];
    const read = new Map(missing.map((n, i) => [n, docs[i]]));
    return ns.flatMap((n): [number, StoredEntry][] => {
      const doc = held?.get(n) ?? read.get(n);
      return doc ? [[n, doc]] : [];
    });
  }
  const readEntries = async (key: string, from: number, to: number) => (await readStored(key, from, to)).map(([n, doc]) => decode(doc, key, n));

  /**
   * Chunk `c` when all its entries exist (sealing it on first read, from the entries `held` as
   * stored and the rest read), else undefined. `keep` false: a writer's seal, not kept (nor decoded).
   */
  async function sealedChunk(key: string, c: number, topN: number, held?: Map<number, StoredEntry>, keep = true): Promise<readonly LogEntry<V>[] | undefined> {
    const id = chunkId(key, c);
    const keptId = keptChunkId(collection, key, c);
    const kept = chunks.get(keptId);
    if (kept) return kept.entries as readonly LogEntry<V>[];
    if (topN < (c + 1) * CHUNK_SIZE - 1) return undefined;
    const doc = await raw().findOne({ _id: id as never }) as StoredChunk | null;
    let entries: readonly LogEntry<V>[];
    let bytes: number;
    if (doc) {
      const stored = chunkEntries(doc);
      entries = Object.freeze(decodeChunkEntries(codec, stored.entries));
      bytes = stored.bytes;
    } else {
      const stored = await readStored(key, c * CHUNK_SIZE, (c + 1) * CHUNK_SIZE - 1, held);
      entries = keep ? Object.freeze(stored.map(([n, e]) => decode(e, key, n))) : [];
      // The chunk's JSON text from the entries' own (each value's `v` is JSON text already): a
      // writer's seal parses and re-encodes nothing. Packed (deflated JSON, binary): 100 entries
      // of one list repeat their parties and keys, so a chunk takes about a fifth of its text's
      // bytes (#25, bytes on disk per quote).
      const text = `[${stored.map(([n, e]) => `{"n":${n},"r":${JSON.stringify(e.r.slice(key.length + 1))},"v":${e.v}}`).join(',')}]`;
      bytes = text.length;
      try {
        await raw().insertOne({ _id: id, r: id, z: packJsonText(text) } as never);
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
      }
    }
    if (keep) chunks.set(keptId, { entries, bytes });
    return entries;
  }

  async function range(key: string, from: number, to: number): Promise<LogEntry<V>[]> {
    const topN = await top(key);
    const last = Math.min(to, topN);
    if (from > last) return [];
    const parts = [];
    for (let c = Math.floor(from / CHUNK_SIZE); c <= Math.floor(last / CHUNK_SIZE); c++) {
      const lo = Math.max(from, c * CHUNK_SIZE);
      const hi = Math.min(last, (c + 1) * CHUNK_SIZE - 1);
      parts.push(sealedChunk(key, c, topN).then((chunk) => (chunk ? chunk.slice(lo - c * CHUNK_SIZE, hi - c * CHUNK_SIZE + 1) : readEntries(key, lo, hi))));
    }
    return (await Promise.all(parts)).flat();
  }

  async function* newestFirst(key: string, before?: number): AsyncGenerator<LogEntry<V>[]> {
    let upper = Math.min(before ?? Number.MAX_SAFE_INTEGER, (await top(key)) + 1) - 1;
    while (upper >= 0) {
      const lower = Math.max(0, Math.floor(upper / CHUNK_SIZE) * CHUNK_SIZE);
      const batch = await range(key, lower, upper);
      yield batch.reverse();
      upper = lower - 1;
    }
  }

  return { sealedChunk, range, newestFirst };
}

/** Every stored document of a log's collection, decoded (KeyedLog.scan: offline work only). */
async function* scanLog<V>(raw: Collection, codec: ValueCodec<V>): AsyncGenerator<ScannedLogDocument<V>> {
  for await (const doc of raw.find({}).batchSize(1000) as AsyncIterable<StoredEntry & StoredChunk>) {
    const at = parseLogId(doc._id);
    if ('c' in at) yield { key: at.key, chunk: at.c, entries: decodeChunkEntries(codec, chunkEntries(doc).entries) };
    else yield { key: at.key, entry: decodeEntry(codec, doc, at.key, at.n) };
  }
}

/**
 * Declares the keyed log stored in `collection` (at module level, like a model). Its caches — the
 * top known of each key, and the sealed chunks (in the LRU all logs share, CHUNK_CACHE_BYTES of
 * JSON text; or in one of its own of `chunkCacheBytes`) — live in the composed service's scope.
 */
export function defineKeyedLog<V>(modelName: string, collection: string, options: { chunkCacheBytes?: number; codec?: ValueCodec<V> } = {}): KeyedLog<V> {
  // Documents are written and read through the driver (model.collection), never cast by mongoose:
  // the schema declares the unique `r` and names the fields; it adds nothing to a stored document.
  // `k`, `n` and `c` are only in documents written by earlier versions.
  const schema = new Schema(
    { _id: { type: String, required: true }, k: String, n: Number, c: Number, r: { type: String, required: true, unique: true }, v: String, z: Buffer },
    { collection, versionKey: false },
  );
  const codec: ValueCodec<V> = options.codec ?? asIs;
  const model = mongoose.models[modelName] ?? mongoose.model(modelName, schema);
  const raw = () => model.collection;
  const knownTop = slot(`${collection} tops`, () => new Map<string, number>());
  const queue = slot(`${collection} append queue`, () => ({ waiting: [] as Queued<V>[], draining: false }));
  const chunks = options.chunkCacheBytes === undefined ? sharedChunks : keptRecords<KeptChunk>(options.chunkCacheBytes, { name: `${collection} chunks`, weigh: (chunk) => chunk.bytes });
  const topKey = (key: string) => `${mongoose.connection.name}\u0000${key}`;

  const exists = async (key: string, n: number) => (await raw().findOne({ _id: entryId(key, n) as never }, { projection: { _id: 1 } })) !== null;
  const stored = (key: string, n: number, p: Pending<V>): StoredEntry => ({ _id: entryId(key, n), r: `${key}|${p.ref}`, v: JSON.stringify(codec.encode(p.value)) });
  const { sealedChunk, range, newestFirst } = chunkReads<V>(raw, top, chunks, collection, codec);

  function noteTop(key: string, n: number) {
    const tops = knownTop();
    if ((tops.get(topKey(key)) ?? -1) < n) tops.set(topKey(key), n);
  }

  async function top(key: string): Promise<number> {
    // Gallop up from what is known to exist, then halve the gap: existence is monotone in n.
    let low = knownTop().get(topKey(key)) ?? -1;
    let step = 1;
    while (await exists(key, low + step)) {
      low += step;
      step *= 2;
    }
    let high = low + step; // does not exist
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (await exists(key, mid)) low = mid;
      else high = mid;
    }
    noteTop(key, low);
    return low;
  }

  /**
   * Writes what waits in the queue, a turn at a time (one at a time per log and service): each
   * key's entries at top+1, top+2, … in the order queued, every key's in one ordered insert
   * (writeTurn); appends that come meanwhile wait for the next turn.
   */
  async function drain(): Promise<void> {
    const q = queue();
    q.draining = true;
    try {
      while (q.waiting.length > 0) {
        const turn = q.waiting.splice(0, TURN);
        try {
          await writeTurn({ raw, known: (key) => knownTop().get(topKey(key)), top, noteTop, stored, sealCompleted, writeInOrder }, byKey(turn));
        } catch (err) {
          for (const { item } of turn) item.reject(err);
        }
      }
    } finally {
      q.draining = false;
    }
  }

  /** Queues the appends (drained in turns); resolves once all of them are stored. */
  function enqueue(entries: readonly KeyedAppend<V>[]): Promise<void> {
    const q = queue();
    const done = entries.map((e) => {
      const { item, done: stored } = pending(e.ref, e.value);
      q.waiting.push({ key: e.key, item });
      return stored;
    });
    if (!q.draining) void drain();
    return Promise.all(done).then(() => undefined);
  }

  async function writeInOrder(key: string, batch: Pending<V>[]): Promise<void> {
    let rest = batch;
    // The first try goes straight past the top this service last knew (it exists: no gap); only
    // when another writer took that n (E11000) is the top looked up again.
    let known = knownTop().get(topKey(key));
    while (rest.length > 0) {
      const start = (known ?? await top(key)) + 1;
      known = undefined;
      const docs = rest.map((p, i) => stored(key, start + i, p));
      const written = await insertUntilDuplicate(raw(), docs);
      rest.slice(0, written).forEach((p) => p.resolve());
      if (written > 0) {
        noteTop(key, start + written - 1);
        sealCompleted(key, start, docs.slice(0, written));
      }
      if (written === rest.length) return;
      // The first unwritten entry met an E11000: either its n was taken by another writer (try
      // again higher) or its ref is already in this key (appended before: nothing to do). Entry n
      // tells which: it exists when the n was taken (or holds this very ref: a retry that won).
      const n = start + written;
      const holder = await raw().findOne({ _id: entryId(key, n) as never }, { projection: { r: 1 } }) as { r: string } | null;
      const appendedBefore = holder === null || holder.r === docs[written]!.r;
      if (appendedBefore) rest[written]!.resolve();
      rest = rest.slice(written + (appendedBefore ? 1 : 0));
    }
  }

  /**
   * Keeps the entries just written (`written`, from n = `first`) with those this service wrote
   * before to their chunks, and seals each chunk whose last entry is among them, from the entries
   * it holds and the rest read by _id, in the background: a reader that comes first seals it itself.
   */
  function sealCompleted(key: string, first: number, written: StoredEntry[]): void {
    for (let i = 0; i < written.length;) {
      const c = Math.floor((first + i) / CHUNK_SIZE);
      const end = Math.min(written.length, (c + 1) * CHUNK_SIZE - first); // this chunk's part of the batch
      const keptId = keptChunkId(collection, key, c);
      const open = writtenChunks.get(keptId) ?? { entries: new Map<number, StoredEntry>(), bytes: 0 };
      for (; i < end; i++) {
        open.entries.set(first + i, written[i]!);
        open.bytes += written[i]!._id.length + written[i]!.r.length + written[i]!.v.length;
      }
      if (first + end - 1 === (c + 1) * CHUNK_SIZE - 1) {
        writtenChunks.delete(keptId);
        void sealedChunk(key, c, first + end - 1, open.entries, false).catch(() => {});
      } else writtenChunks.set(keptId, open);
    }
  }

  const appendAll = (entries: readonly KeyedAppend<V>[]) => enqueue(entries);
  const append = (key: string, ref: string, value: V) => enqueue([{ key, ref, value }]);

  return Object.freeze({ model: model as mongoose.Model<unknown>, append, appendAll, top, range, all: (key: string) => range(key, 0, Number.MAX_SAFE_INTEGER), newestFirst, scan: () => scanLog(raw(), codec) });
}
