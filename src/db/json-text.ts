// Mongoose getter/setter pair that stores a Mixed value as one JSON string, or as packed JSON.
//
// Why: FerretDB 1.x converts every field of every document it writes or reads, so a stored
// quote's ~8 kB of worksheet and context as nested objects cost several milliseconds per insert
// and per read; the same bytes as one string field cost a fraction (docs/database.md). These
// values are always read whole and never filtered on, so nothing is lost on MongoDB either.
// Packed JSON (toPackedJson) is the same text deflated, as binary: a quote's result (worksheet,
// subsidy layers, labels) takes a third of its text's bytes on disk.
// Packed with a dictionary (#25, session 10): a quote's result, inputs and context repeat, quote
// after quote, their product's keys, labels and programme names; deflated with a preset dictionary
// of that text (src/db/pack-dictionaries.json, one per product; scripts/pack-dictionaries.ts) they
// take a fifth of their bytes packed alone. Stored as binary of subtype 128 (user-defined): the
// dictionary's number (one byte), then the deflated text. A dictionary never changes once shipped.
// Reading: hydrated documents (`doc.result`) parse through the getter; `.lean()` returns the
// string or binary (use `fromJsonText`). Values stored as objects by earlier versions read as they are.
import { readFileSync } from 'node:fs';
import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import mongoose from 'mongoose';

/** The preset dictionaries: by number, their text and the products whose values use them. */
export interface PackDictionaryFile {
  note: string;
  dictionaries: Record<string, { products: string[]; text: string }>;
}
export const PACK_DICTIONARY_FILE = new URL('./pack-dictionaries.json', import.meta.url);
/** Binary subtype of JSON packed with a dictionary (user-defined); plain packed JSON is subtype 0. */
export const DICTIONARY_PACKED = 128;

const dictionaryFile = JSON.parse(readFileSync(PACK_DICTIONARY_FILE, 'utf8')) as PackDictionaryFile;
const DICTIONARIES: ReadonlyMap<number, Buffer> = new Map(Object.entries(dictionaryFile.dictionaries).map(([n, d]) => [Number(n), Buffer.from(d.text, 'utf8')]));
const DICTIONARY_OF: ReadonlyMap<string, number> = new Map(Object.entries(dictionaryFile.dictionaries).flatMap(([n, d]) => d.products.map((p) => [p, Number(n)] as const)));

/** The bytes of packed JSON as stored (a Buffer) or read (a BSON Binary), else undefined. */
function packedBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  const binary = value as { _bsontype?: string; value?: () => Uint8Array } | null;
  return binary && typeof binary === 'object' && binary._bsontype === 'Binary' && binary.value ? binary.value() : undefined;
}

/** The text of packed bytes: with the dictionary their first byte names (subtype 128), or alone. */
function inflatedText(value: unknown, bytes: Uint8Array): string {
  if ((value as { sub_type?: number }).sub_type !== DICTIONARY_PACKED) return inflateRawSync(bytes).toString('utf8');
  const dictionary = DICTIONARIES.get(bytes[0]!);
  if (!dictionary) throw new Error(`packed JSON names pack dictionary ${bytes[0]}, which this version does not have (src/db/pack-dictionaries.json)`);
  return inflateRawSync(bytes.subarray(1), { dictionary }).toString('utf8');
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
  return packed ? inflatedText(value, packed) : undefined;
}

/**
 * JSON text packed with the dictionary of `productCode` (binary of subtype 128), or alone (as
 * toPackedJson) for a product that has none yet. Level 6: with a dictionary it finds the longer
 * matches that make the saving (level 1 keeps ~30% more bytes), at ~0.1 ms a quote.
 */
export function toDictionaryPackedText(text: string, productCode: string): Buffer | mongoose.mongo.Binary {
  const number = DICTIONARY_OF.get(productCode);
  if (number === undefined) return packJsonText(text);
  const deflated = deflateRawSync(text, { level: constants.Z_DEFAULT_COMPRESSION, dictionary: DICTIONARIES.get(number)! });
  return new mongoose.mongo.Binary(Buffer.concat([Buffer.of(number), deflated]), DICTIONARY_PACKED);
}

/** A value as JSON packed with the dictionary of `productCode` (toDictionaryPackedText). */
export function toDictionaryPackedJson(value: unknown, productCode: string): Buffer | mongoose.mongo.Binary {
  return toDictionaryPackedText(JSON.stringify(value), productCode);
}

/** The numbers and products of the dictionaries this version has (for tests and docs). */
export function packDictionaries(): { number: number; products: readonly string[]; bytes: number }[] {
  return Object.entries(dictionaryFile.dictionaries).map(([n, d]) => ({ number: Number(n), products: d.products, bytes: DICTIONARIES.get(Number(n))!.length }));
}

/** The value of a stored JSON-text or packed-JSON field (objects stored by earlier versions pass through). */
export function fromJsonText<T = unknown>(value: unknown): T {
  if (typeof value === 'string') return JSON.parse(value) as T;
  const packed = packedBytes(value);
  return (packed ? JSON.parse(inflatedText(value, packed)) : value) as T;
}

/** Spread into a `Schema.Types.Mixed` path definition. */
export const jsonText = { set: toJsonText, get: fromJsonText } as const;
