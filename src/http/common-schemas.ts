import { SCHEMA_ID_PREFIX } from './schema-registry.ts';

/** The `$id` of a named schema: OpenAPI turns it into `#/components/schemas/<name>`. */
export const schemaId = (name: string) => `${SCHEMA_ID_PREFIX}${name}`;

/** A text in Simplified Chinese and English, as every label and name is stored. */
export const localTextSchema = {
  type: 'object', required: ['zh', 'en'], additionalProperties: false, description: 'zh-CN and English text.',
  properties: { zh: { type: 'string', description: 'Chinese.' }, en: { type: 'string', description: 'English.' } },
} as const;

/** `limit`/`offset` query parameters of every paged list. */
export const pageQueryProperties = {
  limit: { type: 'integer', minimum: 1, maximum: 200, default: 50, description: 'Page size.' },
  offset: { type: 'integer', minimum: 0, maximum: 1000000, default: 0, description: 'Skip this many.' },
} as const;

/** `{ id }` path parameters holding a MongoDB ObjectId. */
export const objectIdParams = (what: string) => ({
  type: 'object', required: ['id'], additionalProperties: false,
  properties: { id: { type: 'string', pattern: '^[0-9a-f]{24}$', description: `${what} id.` } },
}) as const;
