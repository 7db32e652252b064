// Checking a keyed log (keyed-log.ts) against what it should hold, recomputed from the records it
// was appended from: `npm run book:verify` (#25). Offline work: it scans the log's collection and
// its caller scans the records; neither is a request's read. Compared per key and ref (an entry's
// position is the order appends happened in, which a recomputation cannot know), plus the log's
// own invariants: positions without gaps, each sealed chunk equal to the entries it seals.
import { chunkEntries, type KeyedLog } from './keyed-log.ts';

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

interface Scanned { entries: Map<string, Map<string, string>>; positions: Map<string, number[]>; byPosition: Map<string, string>; chunks: { key: string; c: number; entries: { n: number; v: unknown }[] }[] }

async function scan(log: KeyedLog<unknown>): Promise<Scanned> {
  const scanned: Scanned = { entries: new Map(), positions: new Map(), byPosition: new Map(), chunks: [] };
  const cursor = log.model.collection.find({}).batchSize(1000);
  for await (const doc of cursor as AsyncIterable<{ _id: string; k: string; n?: number; c?: number; r: string; v: string; z?: unknown }>) {
    if (doc.c !== undefined && doc.c !== null) {
      scanned.chunks.push({ key: doc.k, c: doc.c, entries: chunkEntries(doc) });
      continue;
    }
    const ref = doc.r.slice(doc.k.length + 1);
    if (!scanned.entries.has(doc.k)) scanned.entries.set(doc.k, new Map());
    scanned.entries.get(doc.k)!.set(ref, doc.v);
    const positions = scanned.positions.get(doc.k);
    if (positions) positions.push(doc.n!);
    else scanned.positions.set(doc.k, [doc.n!]);
    scanned.byPosition.set(`${doc.k}#${doc.n}`, canonical(JSON.parse(doc.v)));
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
      if (scanned.byPosition.get(`${chunk.key}#${e.n}`) !== canonical(e.v)) out.push(`${chunk.key}: sealed chunk ${chunk.c} differs from entry ${e.n}`);
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
    const have = scanned.entries.get(key) ?? new Map<string, string>();
    for (const [ref, value] of want) {
      const stored = have.get(ref);
      if (stored === undefined) out.push(`${key}: missing ${ref}`);
      else if (canonical(JSON.parse(stored)) !== canonical(value)) out.push(`${key}: ${ref} differs — kept ${stored}, recomputed ${JSON.stringify(value)}`);
    }
    for (const ref of have.keys()) if (!want.has(ref)) out.push(`${key}: ${ref} is not in the recomputation`);
  }
  return out;
}
