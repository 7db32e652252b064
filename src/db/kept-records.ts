// Records that never change once written, kept per composed service after their first read:
// there is nothing for instances to agree on (docs/deploy.md, "Each cache and background job").
// The map lives in the service's scope (src/db/service-scope.ts), not in this module.
import mongoose from 'mongoose';
import { slot } from './service-scope.ts';

export interface KeptRecords<V> {
  get(id: string): V | undefined;
  set(id: string, value: V): void;
}

/**
 * A map of immutable records by id, per database name (a process that switches databases, as the
 * tests do, never mixes them), emptied when it reaches `max` entries.
 */
export function keptRecords<V>(max: number, name = 'kept records'): KeptRecords<V> {
  const keptIn = slot(name, () => new Map<string, V>());
  const keyOf = (id: string) => `${mongoose.connection.name}\u0000${id}`;
  return {
    get: (id) => keptIn().get(keyOf(id)),
    set(id, value) {
      const kept = keptIn();
      if (kept.size >= max) kept.clear();
      kept.set(keyOf(id), value);
    },
  };
}
