// The Idempotency-Key header, as createQuote and bindQuote read it: one schema for validation and OpenAPI.
import { invalidInput } from './app-error.ts';
import type { HeaderSpec } from './route.ts';

/** The header's schema: 1 to 100 characters. */
export const idempotencyKeyHeader = {
  description: 'Any unique string (1 to 100 characters). A retried request with the same key answers 200 with what the first one made, instead of making it again.',
  schema: { type: 'string', minLength: 1, maxLength: 100 },
} as const satisfies HeaderSpec;

/** The request's Idempotency-Key, checked against the header's schema; undefined when absent. */
export function readIdempotencyKey(header: (name: string) => string | undefined): string | undefined {
  const key = header('idempotency-key');
  if (key !== undefined && (key.length < idempotencyKeyHeader.schema.minLength || key.length > idempotencyKeyHeader.schema.maxLength)) {
    throw invalidInput('The Idempotency-Key header must be 1 to 100 characters.', [{ path: 'header.idempotency-key', message: 'must be 1 to 100 characters (maxLength)' }]);
  }
  return key;
}
