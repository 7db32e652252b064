// Request schemas of the document routes (the answers are PDFs, not JSON).
import { langSchema } from '../http/common-schemas.ts';

const objectId = (what: string) => ({ type: 'string', pattern: '^[0-9a-f]{24}$', description: `${what} id.` }) as const;

export const documentIdParams = (what: string) =>
  ({ type: 'object', required: ['id'], additionalProperties: false, properties: { id: objectId(what) } }) as const;

export const documentQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    lang: { ...langSchema, description: 'Language of the document: zh-CN (default) or en.' },
  },
} as const;

export const pdfHeaders = {
  'If-None-Match': 'The ETag of a copy you hold: the answer is 304 without a body when it is still current.',
};

/** A policy's endorsement by its position (1, 2, …). */
export const endorsementParams = {
  type: 'object', required: ['id', 'n'], additionalProperties: false,
  properties: { id: objectId('Policy'), n: { type: 'string', pattern: '^[1-9][0-9]{0,3}$', description: 'The endorsement\'s position among the policy\'s (1 for E01).' } },
} as const;
