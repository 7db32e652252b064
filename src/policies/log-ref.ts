import type { KeyedLog, LogEntry } from '../db/keyed-log.ts';

/**
 * The entry appended for `ref`, read newest first (a chunk's worth at a time): just after an
 * append it is at or near the top, so this reads the top chunk, not the whole log.
 */
export async function entryOfRef<V>(log: KeyedLog<V>, key: string, ref: string): Promise<LogEntry<V> | undefined> {
  for await (const batch of log.newestFirst(key)) {
    const found = batch.find((e) => e.ref === ref);
    if (found) return found;
  }
  return undefined;
}
