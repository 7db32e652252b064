// The revision-token cache: reads kept per service until something they depend on changes, here
// or on another instance. The catalogue uses it (src/catalogue/catalogue-cache.ts); auth
// announces to it when an insurer is registered (the catalogue shows insurers' names), without
// importing the catalogue.
//
// Why: on FerretDB 1.x the catalogue's reads scan and decode every stored definition (~150 ms
// under load). What they read never changes in place; what changes is which records exist and are
// published. Every instance that makes such a change writes a new random token to one document
// (collection `catalogueRevision`, _id the revision's name, read by _id: ~1.5 ms). Readers check the
// token in the background at most every VERIFY_EVERY_MS and drop their entries when it changed, so
// a change made on another instance is seen within about half a second. Requests never wait for
// the check, unless it has not succeeded for TRUST_FOR_MS (e.g. the database is down): then the
// cache is not trusted, the check runs first, and if it fails the reads go to the database (and
// fail with a 503 like every other route).
//
// The entries live in the composed service's scope (src/db/service-scope.ts): two services in one
// process keep their own, and within one they are kept per database name (tests switch databases).
import { randomUUID } from 'node:crypto';
import mongoose, { Schema } from 'mongoose';
import { upsertById } from './duplicate-key.ts';
import { slot } from './service-scope.ts';

/** The revision the catalogue's reads are cached behind (its changes, and new insurers, announce it). */
export const CATALOGUE_REVISION = 'catalogue';

const VERIFY_EVERY_MS = 500;
const TRUST_FOR_MS = 2000;
const MAX_ENTRIES = 1000;

const revisionSchema = new Schema(
  {
    _id: { type: String, required: true },
    token: { type: String, required: true },
    changedAt: { type: Date, required: true },
  },
  { collection: 'catalogueRevision', versionKey: false },
);
export const RevisionModel = mongoose.model('CatalogueRevision', revisionSchema);

interface DatabaseCache {
  /** The token the entries were read under; undefined until first verified. */
  token: string | undefined;
  verifiedAt: number;
  verifying: Promise<void> | undefined;
  /** Bumped whenever entries are dropped, so a read that started before does not store its result. */
  generation: number;
  entries: Map<string, Promise<unknown>>;
}

// Per service scope: revision name → database name → cache.
const caches = slot('revision caches', () => new Map<string, DatabaseCache>());

function cacheOf(revision: string): DatabaseCache {
  const key = `${revision}\u0000${mongoose.connection.name}`;
  const byKey = caches();
  let cache = byKey.get(key);
  if (!cache) byKey.set(key, (cache = { token: undefined, verifiedAt: 0, verifying: undefined, generation: 0, entries: new Map() }));
  return cache;
}

function drop(cache: DatabaseCache): void {
  cache.entries.clear();
  cache.generation++;
}

function verify(revision: string, cache: DatabaseCache): Promise<void> {
  cache.verifying ??= (async () => {
    try {
      const doc = await RevisionModel.findById(revision, { token: 1 }).lean<{ token: string }>();
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

/** `read()` once per key until the revision changes (here or on another instance). */
export async function cachedRead<T>(revision: string, key: string, read: () => Promise<T>): Promise<T> {
  const cache = cacheOf(revision);
  const age = Date.now() - cache.verifiedAt;
  if (age > TRUST_FOR_MS) {
    try {
      await verify(revision, cache);
    } catch {
      drop(cache); // cannot tell whether entries are current: read from the database
      return read();
    }
  } else if (age > VERIFY_EVERY_MS) {
    verify(revision, cache).catch(() => {}); // stale-while-revalidate; a failure shows up as age > TRUST_FOR_MS
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
 * Tells every instance the revision changed: drops this service's entries and writes a new
 * token. Call after the change is stored.
 */
export async function announceRevision(revision: string): Promise<void> {
  const cache = cacheOf(revision);
  drop(cache);
  const token = randomUUID();
  // Two instances creating the document at once: the loser writes its token over (upsertById).
  await upsertById(RevisionModel.collection, revision, { update: { $set: { token, changedAt: new Date() } } });
  // This service's entries are already current: its next check must not drop them again for the
  // token it wrote itself (that second drop also made a read between it and the check uncached).
  cache.token = token;
}
