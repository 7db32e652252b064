import { schemaId } from '../http/common-schemas.ts';

/** Kinds of record whose audit trail can be read. */
export const auditEntityKinds = ['product', 'productVersion', 'quote', 'policy'] as const;

export const auditTrailSchema = {
  $id: schemaId('AuditTrail'),
  type: 'object',
  description: 'Who did what to one record, newest first.',
  required: ['entity', 'id', 'items', 'limit', 'offset'],
  additionalProperties: false,
  properties: {
    entity: { type: 'string', enum: auditEntityKinds, description: 'Kind of record.' },
    id: { type: 'string', description: 'The record\'s id.' },
    total: { type: 'integer', description: 'Entries in the whole trail that the caller may read; absent on a page asked for by cursor (after).' },
    limit: { type: 'integer', description: 'Page size.' },
    offset: { type: 'integer', description: 'Entries skipped.' },
    next: { type: 'string', description: 'Cursor of the next page (pass as `after`); absent on the last page.' },
    items: {
      type: 'array',
      description: 'Entries, newest first.',
      items: {
        type: 'object', required: ['at', 'action', 'summary', 'actor'], additionalProperties: false,
        properties: {
          at: { type: 'string', description: 'When (ISO 8601, UTC).' },
          action: { type: 'string', description: 'What, as a code: product.create, version.create, version.update, version.publish, version.withdraw, version.retire, quote.create, quote.approve, quote.decline, policy.issue, ...' },
          summary: { type: 'string', description: 'What, in a sentence (English).' },
          actor: {
            type: 'object', required: ['userName', 'role', 'organisationName'], additionalProperties: false, description: 'Who.',
            properties: {
              userName: { type: 'string', description: 'The label of the API key or user.' },
              role: { type: 'string', description: 'Their role at the time.' },
              organisationName: { type: 'string', description: 'Their organisation\'s name, in the language asked for (lang).' },
            },
          },
          changes: {
            type: 'array', description: 'For edits: the paths changed with old and new values (at most 100).',
            items: { type: 'object', required: ['path'], additionalProperties: false, properties: { path: { type: 'string', description: 'Path inside the record.' }, from: { description: 'Old value.' }, to: { description: 'New value.' } } },
          },
        },
      },
    },
  },
} as const;

export const auditSchemas = [auditTrailSchema];
