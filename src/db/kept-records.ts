// Records that never change once written, kept per composed service after their first read:
// there is nothing for instances to agree on (docs/deploy.md, "Each cache and background job").
// The map lives in the service's scope (src/db/service-scope.ts), not in this module.
//
// Bounded, least recently used first out (#25, Node's peak RSS): a map emptied whole when full
// refilled to its bound between two clears, so a long bulk load kept its bound's worth of records
// most of the time; an LRU keeps at most `max` (by weight: a keyed log's chunk weighs its entries)
// and drops only the coldest.
import mongoose from 'mongoose';
import { slot } from './service-scope.ts';

export interface KeptRecords<V> {
  get(id: string): V | undefined;
  set(id: string, value: V): void;
  /** Forgets the record (nothing when it is not kept). */
  delete(id: string): void;
}

export interface KeptRecordsOptions<V> {
  /** Slot name (one map per name and service). */
  name?: string;
  /** What a record counts against `max` (default 1: `max` records). */
  weigh?: (value: V) => number;
}

interface Lru<V> { map: Map<string, { value: V; weight: number }>; weight: number }

/**
 * A map of immutable records by id, per database name (a process that switches databases, as the
 * tests do, never mixes them), holding at most `max` (records, or their weight): the least
 * recently read or written go first.
 */
export function keptRecords<V>(max: number, options: string | KeptRecordsOptions<V> = {}): KeptRecords<V> {
  const { name = 'kept records', weigh = () => 1 } = typeof options === 'string' ? { name: options } : options;
  const keptIn = slot<Lru<V>>(name, () => ({ map: new Map(), weight: 0 }));
  const keyOf = (id: string) => `${mongoose.connection.name}\u0000${id}`;
  return {
    get(id) {
      const lru = keptIn();
      const key = keyOf(id);
      const held = lru.map.get(key);
      if (!held) return undefined;
      // A Map iterates in insertion order: moved to the end, it is the most recently used.
      lru.map.delete(key);
      lru.map.set(key, held);
      return held.value;
    },
    set(id, value) {
      const lru = keptIn();
      const key = keyOf(id);
      const weight = Math.max(0, weigh(value));
      if (weight > max) return; // larger than the whole cache: not kept
      const before = lru.map.get(key);
      if (before) {
        lru.map.delete(key);
        lru.weight -= before.weight;
      }
      for (const [oldest, held] of lru.map) {
        if (lru.weight + weight <= max) break;
        lru.map.delete(oldest);
        lru.weight -= held.weight;
      }
      lru.map.set(key, { value, weight });
      lru.weight += weight;
    },
    delete(id) {
      const lru = keptIn();
      const key = keyOf(id);
      const held = lru.map.get(key);
      if (!held) return;
      lru.map.delete(key);
      lru.weight -= held.weight;
    },
  };
}
