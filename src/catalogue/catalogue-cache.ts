// Per-process cache of the catalogue reads every preview and quote makes (the version in force,
// the subsidy programmes of a line), kept honest across instances by a revision token.
//
// Why: on FerretDB 1.x those reads scan and decode every stored definition (~150 ms under load).
// Published versions and programmes never change in place; what changes is which ones exist and
// are published. Every instance that publishes, retires or stores a programme writes a new random
// token to one document (`catalogueRevision`, _id "catalogue", read by _id: ~1.5 ms). Readers
// check the token in the background at most every VERIFY_EVERY_MS and drop their entries when it
// changed, so a change made on another instance is seen within about half a second. Requests never
// wait for the check, unless it has not succeeded for TRUST_FOR_MS (e.g. the database is down):
// then the cache is not trusted, the check runs first, and if it fails the reads go to the
// database (and fail with a 503 like every other route).
import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';

const VERIFY_EVERY_MS = 500;
const TRUST_FOR_MS = 2000;
const MAX_ENTRIES = 1000;
const REVISION_ID = 'catalogue';

const catalogueRevisionSchema = new Schema(
  {
    _id: { type: String, required: true },
    token: { type: String, required: true },
    changedAt: { type: Date, required: true },
  },
  { collection: 'catalogueRevision', versionKey: false },
);
export const CatalogueRevisionModel = mongoose.model('CatalogueRevision', catalogueRevisionSchema);

interface DatabaseCache {
  /** The token the entries were read under; undefined until first verified. */
  token: string | undefined;
  verifiedAt: number;
  verifying: Promise<void> | undefined;
  /** Bumped whenever entries are dropped, so a read that started before does not store its result. */
  generation: number;
  entries: Map<string, Promise<unknown>>;
}

// Keyed by database name, so processes switching databases (tests) never mix them up.
const caches = new Map<string, DatabaseCache>();

function cacheOfCurrentDatabase(): DatabaseCache {
  const name = mongoose.connection.name;
  let cache = caches.get(name);
  if (!cache) caches.set(name, (cache = { token: undefined, verifiedAt: 0, verifying: undefined, generation: 0, entries: new Map() }));
  return cache;
}

function drop(cache: DatabaseCache): void {
  cache.entries.clear();
  cache.generation++;
}

function verify(cache: DatabaseCache): Promise<void> {
  cache.verifying ??= (async () => {
    try {
      const doc = await CatalogueRevisionModel.findById(REVISION_ID, { token: 1 }).lean<{ token: string }>();
      const token = doc?.token ?? 'none';
      if (token !== cache.token) {
        drop(cache);
        cache.token = token;
      }
      cache.verifiedAt = Date.now();
    } finally {
      cache.verifying = undefined;
    }
  })();
  return cache.verifying;
}

/** `read()` once per key until the catalogue changes (here or on another instance). */
export async function cachedCatalogueRead<T>(key: string, read: () => Promise<T>): Promise<T> {
  const cache = cacheOfCurrentDatabase();
  const age = Date.now() - cache.verifiedAt;
  if (age > TRUST_FOR_MS) {
    try {
      await verify(cache);
    } catch {
      drop(cache); // cannot tell whether entries are current: read from the database
      return read();
    }
  } else if (age > VERIFY_EVERY_MS) {
    verify(cache).catch(() => {}); // stale-while-revalidate; a failure shows up as age > TRUST_FOR_MS
  }
  const hit = cache.entries.get(key);
  if (hit) return hit as Promise<T>;
  if (cache.entries.size >= MAX_ENTRIES) drop(cache);
  const generation = cache.generation;
  const value = read();
  if (generation === cache.generation) {
    cache.entries.set(key, value);
    value.catch(() => {
      if (cache.entries.get(key) === value) cache.entries.delete(key);
    });
  }
  return value;
}

/**
 * Tells every instance the catalogue changed: drops this process's entries and writes a new
 * token. Call after the change is stored.
 */
export async function announceCatalogueChange(): Promise<void> {
  const cache = cacheOfCurrentDatabase();
  drop(cache);
  const token = randomUUID();
  const update = { $set: { token, changedAt: new Date() } };
  try {
    await CatalogueRevisionModel.updateOne({ _id: REVISION_ID }, update, { upsert: true });
  } catch (err) {
    // Two instances creating the document at once: the loser's insert hits the unique _id.
    if (!isDuplicateKeyError(err)) throw err;
    await CatalogueRevisionModel.updateOne({ _id: REVISION_ID }, update);
  }
  // This instance's entries are already current: its next check must not drop them again for the
  // token it wrote itself (that second drop also made a read between it and the check uncached).
  cache.token = token;
}
