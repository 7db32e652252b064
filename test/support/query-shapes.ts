// Query shapes and the indexes that serve them (test/db/query-indexes.test.ts). Every operation
// mongoose sends through a collection is recorded (mongoose's `debug` hook: the collection, the
// method and its arguments, before they reach the driver), reduced to its shape — collection,
// equality fields, range fields, sort — and matched against the indexes the models declare
// (schema.indexes() plus `_id`) with MongoDB's prefix rule: the equality fields (in any order),
// then the sort fields (in order, all directions as declared or all reversed), then the range
// fields must be a prefix of one index's keys. A filter with `_id` by equality (or `$in`) is a
// point read of the `_id` index whatever else it says. Fields MongoDB can only test after the
// fetch (`$ne`, `$nin`, `$exists`, `$regex`, `$nor`, `$elemMatch`, …) are residual: they need no
// index, but a shape with nothing else reads the whole collection. A unique index all of whose
// fields the filter fixes (`_id` is one) reads at most one document, whatever else the filter says.
import mongoose from 'mongoose';

export type FieldKind = 'eq' | 'range' | 'residual';
export type SortKey = readonly [field: string, direction: 1 | -1];

export interface QueryShape {
  collection: string;
  eq: string[];
  range: string[];
  residual: string[];
  sort: SortKey[];
}

export interface RecordedShape extends QueryShape {
  /** `method` (and how often) that sent this shape, e.g. `find ×12`. */
  methods: Map<string, number>;
}

/** Methods that send no filter (writes of new documents, index builds, metadata counts). */
const FILTERLESS = new Set(['insertOne', 'insertMany', 'createIndex', 'createIndexes', 'listIndexes', 'indexes', 'dropIndex', 'dropIndexes', 'estimatedDocumentCount', 'drop', 'rename', 'stats', 'indexInformation', 'indexExists', 'options', 'isCapped']);
/** Methods whose first argument is the filter. */
const FILTER_FIRST = new Set(['find', 'findOne', 'countDocuments', 'count', 'updateOne', 'updateMany', 'replaceOne', 'deleteOne', 'deleteMany', 'findOneAndUpdate', 'findOneAndDelete', 'findOneAndReplace']);

const RANGE_OPERATORS = new Set(['$gt', '$gte', '$lt', '$lte']);

/** What one field's condition lets an index do: match a point, bound a range, or nothing (tested after the fetch). */
function kindOfCondition(value: unknown): FieldKind {
  if (value instanceof RegExp) return 'residual';
  if (!isOperatorObject(value)) return 'eq';
  const operators = Object.keys(value);
  if (operators.includes('$eq') || operators.includes('$in') || operators.includes('$all')) return 'eq';
  if (operators.some((o) => RANGE_OPERATORS.has(o))) return 'range';
  return 'residual';
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  if (Object.getPrototypeOf(value) !== Object.prototype) return false; // ObjectId, Date, Buffer: values
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => k.startsWith('$'));
}

type Conjunction = Map<string, FieldKind>;
const STRENGTH: Record<FieldKind, number> = { eq: 3, range: 2, residual: 1 };

function merge(a: Conjunction, b: Conjunction): Conjunction {
  const out = new Map(a);
  for (const [field, kind] of b) {
    const had = out.get(field);
    if (!had || STRENGTH[kind] > STRENGTH[had]) out.set(field, kind);
  }
  return out;
}

/** Every product of one conjunction from each list: (a ∨ b) ∧ (c ∨ d) → ac, ad, bc, bd. */
function crossProduct(lists: Conjunction[][]): Conjunction[] {
  return lists.reduce<Conjunction[]>((acc, list) => acc.flatMap((left) => list.map((right) => merge(left, right))), [new Map()]);
}

/** The filter in disjunctive normal form: `$or` branches each a conjunction, `$and` merged into them. */
export function conjunctionsOf(filter: unknown): Conjunction[] {
  if (filter === null || typeof filter !== 'object') return [new Map()];
  const lists: Conjunction[][] = [];
  for (const [key, value] of Object.entries(filter as Record<string, unknown>)) {
    if (key === '$and') lists.push(crossProduct((value as unknown[]).map(conjunctionsOf)));
    else if (key === '$or') lists.push((value as unknown[]).flatMap(conjunctionsOf));
    else if (key === '$nor') lists.push([new Map((value as unknown[]).flatMap((f) => Object.keys(f as object)).map((k) => [k, 'residual' as const]))]);
    else if (key.startsWith('$')) lists.push([new Map([[key, 'residual' as const]])]); // $expr, $text, $where, $comment
    else lists.push([new Map([[key, kindOfCondition(value)]])]);
  }
  return crossProduct(lists);
}

/** A sort as mongoose or the driver passes it: `{ a: -1 }`, `[['a', -1]]`, `'-a b'` or a Map. */
export function sortKeysOf(sort: unknown): SortKey[] {
  if (!sort) return [];
  const direction = (d: unknown): 1 | -1 => (d === -1 || d === '-1' || d === 'desc' || d === 'descending' ? -1 : 1);
  if (typeof sort === 'string') return sort.split(/\s+/).filter(Boolean).map((s) => (s.startsWith('-') ? [s.slice(1), -1] : [s, 1]));
  if (sort instanceof Map) return [...sort].map(([f, d]) => [String(f), direction(d)]);
  if (Array.isArray(sort)) return Array.isArray(sort[0]) ? (sort as [string, unknown][]).map(([f, d]) => [f, direction(d)]) : [[String(sort[0]), direction(sort[1])]];
  return Object.entries(sort as Record<string, unknown>).map(([f, d]) => [f, direction(d)]);
}

function shapesOf(collection: string, filter: unknown, sort: SortKey[]): QueryShape[] {
  return conjunctionsOf(filter).map((conjunction) => {
    const byKind = (kind: FieldKind) => [...conjunction].filter(([, k]) => k === kind).map(([f]) => f).sort();
    return { collection, eq: byKind('eq'), range: byKind('range'), residual: byKind('residual'), sort };
  });
}

/** An aggregation's shape: its leading `$match` (and a `$sort` right after it); no leading `$match` reads everything. */
function pipelineShapes(collection: string, pipeline: unknown): QueryShape[] {
  const stages = (Array.isArray(pipeline) ? pipeline : []) as Record<string, unknown>[];
  const match = stages[0]?.$match;
  const sortStage = match ? stages[1]?.$sort : stages[0]?.$sort;
  return shapesOf(collection, match ?? {}, sortKeysOf(sortStage));
}

/**
 * The shapes one recorded call sends; `undefined` for a method this reader does not know (the
 * test fails on it, so a new kind of query is looked at rather than passed over).
 */
export function shapesOfCall(collection: string, method: string, args: unknown[]): QueryShape[] | undefined {
  if (FILTERLESS.has(method)) return [];
  const options = (i: number) => (args[i] ?? {}) as { sort?: unknown };
  if (FILTER_FIRST.has(method)) {
    const optionsAt = method === 'find' || method === 'findOne' || method === 'countDocuments' || method === 'count' || method === 'findOneAndDelete' ? 1 : 2;
    return shapesOf(collection, args[0] ?? {}, sortKeysOf(options(optionsAt).sort));
  }
  if (method === 'distinct') return shapesOf(collection, args[1] ?? {}, []);
  if (method === 'aggregate') return pipelineShapes(collection, args[0]);
  if (method === 'bulkWrite') {
    return ((args[0] ?? []) as Record<string, { filter?: unknown } | undefined>[]).flatMap((op) => {
      const [kind, body] = Object.entries(op)[0] ?? [];
      return kind === 'insertOne' || !body ? [] : shapesOf(collection, body.filter ?? {}, []);
    });
  }
  return undefined;
}

export const shapeKey = (s: QueryShape) => `${s.collection} | eq ${s.eq.join(',') || '-'} | range ${s.range.join(',') || '-'} | sort ${s.sort.map(([f, d]) => `${f}:${d}`).join(',') || '-'}`;

export interface DeclaredIndex { keys: SortKey[]; unique: boolean }

/** The indexes each collection's model declares: `_id` first, then schema.indexes() (field and schema level). */
export function declaredIndexes(): Map<string, DeclaredIndex[]> {
  const out = new Map<string, DeclaredIndex[]>();
  for (const model of Object.values(mongoose.models)) {
    const declared = model.schema.indexes().map(([fields, options]) => ({
      keys: Object.entries(fields).filter(([, d]) => d === 1 || d === -1).map(([f, d]) => [f, d as 1 | -1] as SortKey),
      unique: options?.unique === true,
    }));
    out.set(model.collection.collectionName, [{ keys: [['_id', 1]], unique: true }, ...declared]);
  }
  return out;
}

/**
 * Whether `index` serves `shape`: a unique index whose every field the filter fixes reads one
 * document (`_id` included); otherwise the prefix rule (equality, then sort, then range).
 */
export function indexServes({ keys: index, unique }: DeclaredIndex, shape: QueryShape): boolean {
  if (unique && index.every(([f]) => shape.eq.includes(f))) return true;
  if (shape.eq.includes('_id')) return false; // served by `_id` (unique) above, whatever else it says
  const sort = shape.sort.filter(([f]) => !shape.eq.includes(f));
  const range = shape.range.filter((f) => !sort.some(([s]) => s === f));
  if (shape.eq.length + sort.length + range.length === 0) return false; // a full scan
  const fields = index.map(([f]) => f);
  const eqPart = fields.slice(0, shape.eq.length);
  if (!sameSet(eqPart, shape.eq)) return false;
  const sortPart = index.slice(shape.eq.length, shape.eq.length + sort.length);
  if (sortPart.length !== sort.length || sortPart.some(([f], i) => f !== sort[i]![0])) return false;
  const flip = sort.length ? sortPart[0]![1] * sort[0]![1] : 1; // all as declared (1) or all reversed (-1)
  if (sortPart.some(([, d], i) => d * sort[i]![1] !== flip)) return false;
  return sameSet(fields.slice(shape.eq.length + sort.length, shape.eq.length + sort.length + range.length), range);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && b.every((f) => a.includes(f));
}

export const indexLabel = (index: DeclaredIndex) => `{ ${index.keys.map(([f, d]) => `${f}: ${d}`).join(', ')} }${index.unique && index.keys[0]![0] !== '_id' ? ' unique' : ''}`;

/** The recorder: `start()` before the service runs, `stop()` after; `shapes` keyed by shapeKey. */
export function createQueryRecorder() {
  const shapes = new Map<string, RecordedShape>();
  const unknownMethods = new Map<string, number>();
  const record = (collection: string, method: string, ...args: unknown[]) => {
    const found = shapesOfCall(collection, method, args);
    if (!found) {
      unknownMethods.set(`${collection}.${method}`, (unknownMethods.get(`${collection}.${method}`) ?? 0) + 1);
      return;
    }
    for (const shape of found) {
      const key = shapeKey(shape);
      const seen = shapes.get(key) ?? { ...shape, methods: new Map() };
      seen.methods.set(method, (seen.methods.get(method) ?? 0) + 1);
      shapes.set(key, seen);
    }
  };
  return {
    shapes,
    unknownMethods,
    start() {
      mongoose.set('debug', record);
    },
    stop() {
      mongoose.set('debug', false);
    },
  };
}
