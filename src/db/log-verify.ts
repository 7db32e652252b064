// Checking a keyed log (keyed-log.ts) against what it should hold, recomputed from the records it
// was appended from: `npm run book:verify` (#25). Offline work: it scans the log's collection and
// its caller scans the records; neither is a request's read. Compared per key and ref (an entry's
// position is the order appends happened in, which a recomputation cannot know), plus the log's
// own invariants: positions without gaps, each sealed chunk equal to the entries it seals.
import type { KeyedLog } from './keyed-log.ts';

/** What a log should hold: per key, per ref, the entry's value. */
export type ExpectedLog<V> = Map<string, Map<string, V>>;

/** Adds `value` for `ref` to `key` in an expected log. */
export function expectEntry<V>(expected: ExpectedLog<V>, key: string, ref: string, value: V): void {
  let refs = expected.get(key);
  if (!refs) expected.set(key, (refs = new Map()));
  refs.set(ref, value);
}

/** JSON with object keys sorted: two values that mean the same compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v));
}

interface Scanned { entries: Map<string, Map<string, unknown>>; positions: Map<string, number[]>; byPosition: Map<string, string>; chunks: { key: string; c: number; entries: { n: number; value: unknown }[] }[] }

async function scan(log: KeyedLog<unknown>): Promise<Scanned> {
  const scanned: Scanned = { entries: new Map(), positions: new Map(), byPosition: new Map(), chunks: [] };
  for await (const doc of log.scan()) {
    if ('chunk' in doc) {
      scanned.chunks.push({ key: doc.key, c: doc.chunk, entries: doc.entries });
      continue;
    }
    const { key, entry } = doc;
    if (!scanned.entries.has(key)) scanned.entries.set(key, new Map());
    scanned.entries.get(key)!.set(entry.ref, entry.value);
    const positions = scanned.positions.get(key);
    if (positions) positions.push(entry.n);
    else scanned.positions.set(key, [entry.n]);
    scanned.byPosition.set(`${key}#${entry.n}`, canonical(entry.value));
  }
  return scanned;
}

/** Gaps in a key's positions, and sealed chunks that differ from their entries. */
function invariantDifferences(scanned: Scanned): string[] {
  const out: string[] = [];
  for (const [key, positions] of scanned.positions) {
    const sorted = [...positions].sort((a, b) => a - b);
    if (sorted.some((n, i) => n !== i)) out.push(`${key}: positions are not 0..${sorted.length - 1} without gaps`);
  }
  for (const chunk of scanned.chunks) {
    for (const e of chunk.entries) {
      if (scanned.byPosition.get(`${chunk.key}#${e.n}`) !== canonical(e.value)) out.push(`${chunk.key}: sealed chunk ${chunk.c} differs from entry ${e.n}`);
    }
  }
  return out;
}

/**
 * The differences between `log` and what it should hold (empty when they agree): an entry
 * missing, one that should not be there, one whose value differs, and broken invariants.
 */
export async function logDifferences<V>(log: KeyedLog<V>, expected: ExpectedLog<V>): Promise<string[]> {
  const scanned = await scan(log as KeyedLog<unknown>);
  const out = invariantDifferences(scanned);
  for (const key of [...new Set([...expected.keys(), ...scanned.entries.keys()])].sort()) {
    const want = expected.get(key) ?? new Map<string, V>();
    const have = scanned.entries.get(key) ?? new Map<string, unknown>();
    for (const [ref, value] of want) {
      if (!have.has(ref)) out.push(`${key}: missing ${ref}`);
      else if (canonical(have.get(ref)) !== canonical(value)) out.push(`${key}: ${ref} differs — kept ${JSON.stringify(have.get(ref))}, recomputed ${JSON.stringify(value)}`);
    }
    for (const ref of have.keys()) if (!want.has(ref)) out.push(`${key}: ${ref} is not in the recomputation`);
  }
  return out;
}
