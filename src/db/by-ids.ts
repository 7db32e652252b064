// Reads of many documents by `_id` in one command. The embedded FerretDB answers
// `{ _id: { $in: [...] } }` from the `_id` index (tools/ferretdb-launcher/build.mjs patches its
// SQLite backend to: unpatched, the filter decoded every document of the collection), as MongoDB
// does: a page of 100 summaries is one read, not 100 (#25).
import type { Collection } from 'mongoose';

/** Most ids in one read (the launcher's pushdown takes at most 1,000; beyond, it would scan). */
export const IDS_PER_READ = 500;

/**
 * The documents whose `_id` is each of `ids`, in the order of `ids` (null where there is none): one
 * `$in` read per IDS_PER_READ distinct ids, sent together.
 */
export async function findByIds<T>(collection: Collection, ids: readonly string[], projection?: Record<string, 0 | 1>): Promise<(T | null)[]> {
  const distinct = [...new Set(ids)];
  const found = new Map<string, T>();
  const reads = [];
  for (let from = 0; from < distinct.length; from += IDS_PER_READ) {
    const part = distinct.slice(from, from + IDS_PER_READ);
    reads.push(collection.find({ _id: { $in: part } } as never, projection ? { projection } : {}).toArray());
  }
  for (const docs of await Promise.all(reads)) for (const doc of docs) found.set(String(doc._id), doc as T);
  return ids.map((id) => found.get(id) ?? null);
}
