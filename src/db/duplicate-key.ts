/**
 * True for a unique-index violation (E11000). Exactly-once writes in this codebase are inserts
 * under a unique index, and this is how the loser of a race finds out.
 */
export function isDuplicateKeyError(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}
