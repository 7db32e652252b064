// Mongoose getter/setter pair that stores a Mixed value as one JSON string, or as packed JSON.
//
// Why: FerretDB 1.x converts every field of every document it writes or reads, so a stored
// quote's ~8 kB of worksheet and context as nested objects cost several milliseconds per insert
// and per read; the same bytes as one string field cost a fraction (docs/database.md). These
// values are always read whole and never filtered on, so nothing is lost on MongoDB either.
// Packed JSON (toPackedJson) is the same text deflated, as binary: a quote's result (worksheet,
// subsidy layers, labels) takes a third of its text's bytes on disk.
// Reading: hydrated documents (`doc.result`) parse through the getter; `.lean()` returns the
// string or binary (use `fromJsonText`). Values stored as objects by earlier versions read as they are.
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';

/** The bytes of packed JSON as stored (a Buffer) or read (a BSON Binary), else undefined. */
function packedBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  const binary = value as { _bsontype?: string; value?: () => Uint8Array } | null;
  return binary && typeof binary === 'object' && binary._bsontype === 'Binary' && binary.value ? binary.value() : undefined;
}

/** JSON text for objects; strings, packed JSON, null and undefined pass through (already stored form). */
export function toJsonText(value: unknown): unknown {
  return value === undefined || value === null || typeof value === 'string' || packedBytes(value) ? value : JSON.stringify(value);
}

/** Packed JSON: the JSON text deflated (fastest level: it is on the quote's hot path), stored as binary. */
export function toPackedJson(value: unknown): Buffer {
  return packJsonText(JSON.stringify(value));
}

/** Packed JSON of JSON text already written (toPackedJson without the stringify). */
export function packJsonText(text: string): Buffer {
  return deflateRawSync(text, { level: constants.Z_BEST_SPEED });
}

/** The JSON text of a stored JSON-text or packed-JSON field (undefined for anything else). */
export function jsonTextOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  const packed = packedBytes(value);
  return packed ? inflateRawSync(packed).toString('utf8') : undefined;
}

/** The value of a stored JSON-text or packed-JSON field (objects stored by earlier versions pass through). */
export function fromJsonText<T = unknown>(value: unknown): T {
  if (typeof value === 'string') return JSON.parse(value) as T;
  const packed = packedBytes(value);
  return (packed ? JSON.parse(inflateRawSync(packed).toString('utf8')) : value) as T;
}

/** Spread into a `Schema.Types.Mixed` path definition. */
export const jsonText = { set: toJsonText, get: fromJsonText } as const;
