import type { FromSchema } from 'json-schema-to-ts';
import { MAX_OFFSET } from '../db/log-pages.ts';
import { SCHEMA_ID_PREFIX } from './schema-registry.ts';

/** The `$id` of a named schema: OpenAPI turns it into `#/components/schemas/<name>`. */
export const schemaId = <const N extends string>(name: N) => `${SCHEMA_ID_PREFIX}${name}` as const;

/** A text in Simplified Chinese and English, as every label and name is stored. */
export const localTextSchema = {
  type: 'object', required: ['zh', 'en'], additionalProperties: false, description: 'zh-CN and English text.',
  properties: { zh: { type: 'string', description: 'Chinese.' }, en: { type: 'string', description: 'English.' } },
} as const;

/** An amount of money in integer fen, described. */
export const fenSchema = <const D extends string>(description: D) => ({ type: 'integer', description: `${description} (integer fen).` }) as const;

/** A calendar date YYYY-MM-DD (month 01–12, day 01–31), as a schema pattern; DATE_RE as a RegExp. */
export const DATE_PATTERN = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$';
export const DATE_RE = new RegExp(DATE_PATTERN);

/** A zh-CN and English text, described as `description` says. */
export const localText = (description: string) => ({ ...localTextSchema, description }) as const;

/** The languages of pages, catalogue titles and documents: Simplified Chinese (the default) and English. */
export const langSchema = { type: 'string', enum: ['zh-CN', 'en'], default: 'zh-CN', description: 'Language: zh-CN (default) or en.' } as const;
export type Lang = FromSchema<typeof langSchema>;
export const LANGS: readonly Lang[] = langSchema.enum;

/** `limit`/`offset` query parameters of every paged list. */
export const pageQueryProperties = {
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 50, description: 'Page size.' },
  offset: { type: 'integer', minimum: 0, maximum: 1000000, default: 0, description: 'Skip this many.' },
} as const;

/** The named schema of a page of `items`, answered to a query with `limit`/`offset`. */
export const pageSchema = <const N extends string, const S>(name: N, items: S, what: { description: string; items: string }) => ({
  $id: schemaId(name),
  type: 'object', required: ['items', 'total', 'limit', 'offset'], additionalProperties: false, description: what.description,
  properties: {
    items: { type: 'array', items, description: what.items },
    total: { type: 'integer', description: 'How many match the filter.' },
    limit: { type: 'integer', description: 'Page size.' },
    offset: { type: 'integer', description: 'How many were skipped.' },
  },
}) as const;

/** `{ id }` path parameters holding a MongoDB ObjectId. */
export const objectIdParams = (what: string) => ({
  type: 'object', required: ['id'], additionalProperties: false,
  properties: { id: { type: 'string', pattern: '^[0-9a-f]{24}$', description: `${what} id.` } },
}) as const;

/** The `limit`/`offset` query schema of a paged list, with any filters beside them. */
export const pageQuery = <const F extends Record<string, unknown>>(filters: F) => ({
  type: 'object', additionalProperties: false, properties: { ...filters, ...pageQueryProperties },
}) as const;

/** One page of a list held in memory (products, versions, the catalogue: tens of items), in the page shape. */
export function pageOf<T>(all: readonly T[], query: { limit?: number; offset?: number }): { items: T[]; total: number; limit: number; offset: number } {
  const limit = query.limit ?? 50;
  const offset = query.offset ?? 0;
  return { items: all.slice(offset, offset + limit), total: all.length, limit, offset };
}

/**
 * The query of a list kept as a keyed log (src/db/log-pages.ts): `limit`, `offset` up to 1,000,
 * and `after`, the `next` cursor of the page before, for deeper pages.
 */
export const cursorPageQuery = <const F extends Record<string, unknown>>(filters: F) => ({
  type: 'object', additionalProperties: false,
  properties: {
    ...filters,
    limit: pageQueryProperties.limit,
    offset: { type: 'integer', minimum: 0, maximum: MAX_OFFSET, default: 0, description: 'Skip this many (at most 1,000: deeper pages by `after`).' },
    after: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,24}$', description: 'The `next` of the page before: the page after it (with offset 0).' },
  },
}) as const;

/** The named schema of a page of a keyed-log list: `total` only when unfiltered, `next` when there may be more. */
export const cursorPageSchema = <const N extends string, const S>(name: N, items: S, what: { description: string; items: string }) => ({
  $id: schemaId(name),
  type: 'object', required: ['items', 'limit', 'offset'], additionalProperties: false, description: what.description,
  properties: {
    items: { type: 'array', items, description: what.items },
    total: { type: 'integer', description: 'How many the list holds (unfiltered lists only: kept, not counted).' },
    limit: { type: 'integer', description: 'Page size.' },
    offset: { type: 'integer', description: 'How many were skipped.' },
    next: { type: 'string', description: 'Cursor of the next page (pass as `after`); absent on the last page.' },
  },
}) as const;
