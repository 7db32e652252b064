// Mongoose getter/setter pair that stores a Mixed value as one JSON string.
//
// Why: FerretDB 1.x converts every field of every document it writes or reads, so a stored
// quote's ~8 kB of worksheet and context as nested objects cost several milliseconds per insert
// and per read; the same bytes as one string field cost a fraction (docs/database.md). These
// values are always read whole and never filtered on, so nothing is lost on MongoDB either.
// Reading: hydrated documents (`doc.result`) parse through the getter; `.lean()` returns the
// string (use `fromJsonText`). Values stored as objects by earlier versions read as they are.

/** JSON text for objects; strings, null and undefined pass through (already stored form). */
export function toJsonText(value: unknown): unknown {
  return value === undefined || value === null || typeof value === 'string' ? value : JSON.stringify(value);
}

/** The value of a stored JSON-text field (objects stored by earlier versions pass through). */
export function fromJsonText<T = unknown>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

/** Spread into a `Schema.Types.Mixed` path definition. */
export const jsonText = { set: toJsonText, get: fromJsonText } as const;
