// Records that never change once written, kept per process after their first read: there is
// nothing for instances to agree on (docs/deploy.md, "Each cache and background job").
import mongoose from 'mongoose';

export interface KeptRecords<V> {
  get(id: string): V | undefined;
  set(id: string, value: V): void;
}

/**
 * A map of immutable records by id, per database name (a process that switches databases, as the
 * tests do, never mixes them), emptied when it reaches `max` entries.
 */
export function keptRecords<V>(max: number): KeptRecords<V> {
  const kept = new Map<string, V>();
  const keyOf = (id: string) => `${mongoose.connection.name}\u0000${id}`;
  return {
    get: (id) => kept.get(keyOf(id)),
    set(id, value) {
      if (kept.size >= max) kept.clear();
      kept.set(keyOf(id), value);
    },
  };
}
