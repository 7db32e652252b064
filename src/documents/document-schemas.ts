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
