import type { Collection } from 'mongoose';
/**
 * True for a unique-index violation (E11000). Exactly-once writes in this codebase are inserts
 * under a unique index, and this is how the loser of a race finds out.
 */
export function isDuplicateKeyError(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}

/** The write of upsertById: a whole document (replace) or an update's operators. */
export type UpsertWrite = { replace: Record<string, unknown> } | { update: Record<string, unknown> };

/**
 * Writes the document `_id` = `id` with an upsert. FerretDB's upsert is a read, then an insert:
 * two writers that both found nothing both insert, and the loser's E11000 means the document is
 * there now, so the loser writes again over it (its replace or update applied as if it came second).
 */
export async function upsertById(collection: Collection, id: string, write: UpsertWrite): Promise<void> {
  const once = (upsert: boolean) => ('replace' in write
    ? collection.replaceOne({ _id: id as never }, write.replace, { upsert })
    : collection.updateOne({ _id: id as never }, write.update, { upsert }));
  try {
    await once(true);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    await once(false);
  }
}
