// Raw filters on a keyed log's stored documents (src/db/keyed-log.ts) for tests that look at or
// tamper with them. An entry stores neither its key (`k`) nor its position (`n`) (older ones did):
// both are in its `_id`, `<key>#<n>`; a sealed chunk's is `<key>#c<c>`.

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The entries (not the sealed chunks) of `key` — a key, or a pattern of keys (regex source) — or of every key. */
export function entriesOf(key?: string | { pattern: string }): Record<string, unknown> {
  const keys = key === undefined ? '.*' : typeof key === 'string' ? escaped(key) : key.pattern;
  return { _id: { $regex: `^${keys}#\\d+$` } };
}

/** The key a stored document's `_id` names (its last '#' splits: a key may hold one). */
export const keyOf = (doc: { _id: string }): string => doc._id.slice(0, doc._id.lastIndexOf('#'));
