// The departments' qualification lists over HTTP (#27): upload a CSV or XLSX as a new version of
// a kind, list the department's own versions, read one with a page of its rows.
import { applicationDeciders } from '../auth/access-rules.ts';
import { AppError } from '../http/app-error.ts';
import { cursorPageQuery, cursorPageSchema, schemaId } from '../http/common-schemas.ts';
import { defineRoute, JsonReply, type RouteDefinition } from '../http/route.ts';
import { defaultUploadLimits, readBoundedBody, type SheetLimits } from '../http/upload-limits.ts';
import { XLSX_TYPE } from '../catalogue/table-spreadsheets.ts';
import { getQualificationList, listOwnQualificationLists, QUALIFICATION_LIST_KINDS, uploadQualificationList } from './qualification-lists.ts';

const tags = ['Subsidy departments'];
const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];
const date = (description: string) => ({ type: 'string', format: 'date', description }) as const;

const versionProperties = {
  id: { type: 'string', description: 'Version id.' },
  kind: { type: 'string', enum: QUALIFICATION_LIST_KINDS, description: 'high-tech (高新技术企业), first-set-catalogue (首台（套）目录), specialised (专精特新).' },
  authorityId: { type: 'string', description: 'The department that uploaded it.' },
  authorityCode: { type: 'string', description: 'Its code.' },
  regionPrefixes: { type: 'array', items: { type: 'string' }, description: 'Regions it covers (the department\'s prefixes when uploaded; `*` for a central department).' },
  date: date('The version\'s date: the day it was uploaded (China time).'),
  uploadedAt: { type: 'string', format: 'date-time', description: 'When it was uploaded.' },
  rowCount: { type: 'integer', minimum: 1, description: 'Rows in the list.' },
} as const;
const versionRequired = ['id', 'kind', 'authorityId', 'authorityCode', 'regionPrefixes', 'date', 'uploadedAt', 'rowCount'] as const;

export const qualificationListSchema = {
  $id: schemaId('QualificationList'), type: 'object', additionalProperties: false, required: versionRequired,
  description: 'A version of a department\'s qualification list.', properties: versionProperties,
} as const;

export const qualificationListPageSchema = cursorPageSchema('QualificationListPage', qualificationListSchema, { description: 'A page of the department\'s own versions, newest first.', items: 'Versions.' });

export const qualificationListRowsSchema = {
  $id: schemaId('QualificationListWithRows'), type: 'object', additionalProperties: false, required: [...versionRequired, 'rows', 'offset', 'limit'],
  description: 'A version with a page of its rows, in file order.',
  properties: {
    ...versionProperties,
    rows: {
      type: 'array', description: 'Rows from `offset`.',
      items: {
        type: 'object', additionalProperties: false, required: ['creditCode', 'validFrom', 'validTo'], description: 'One row.',
        properties: {
          creditCode: { type: 'string', description: 'Unified social credit code.' },
          certificateNumber: { type: 'string', description: 'High-tech certificate number.' },
          entryId: { type: 'string', description: 'Catalogue entry (product) of a 首台（套） list.' },
          level: { type: 'string', enum: ['international', 'domestic', 'provincial'], description: '首台（套） level.' },
          validFrom: date('First day valid.'), validTo: date('Last day valid.'),
        },
      },
    },
    offset: { type: 'integer', description: 'Rows skipped.' },
    limit: { type: 'integer', description: 'Most rows returned.' },
  },
} as const;

export const qualificationListSchemas = [qualificationListSchema, qualificationListPageSchema, qualificationListRowsSchema];

const EXAMPLE = { id: '6750a1b2c3d4e5f6a7b8c9d0', kind: 'first-set-catalogue', authorityId: '6750a1b2c3d4e5f6a7b8c9d1', authorityCode: 'ZJ-EIT', regionPrefixes: ['33'], date: '2026-12-07', uploadedAt: '2026-12-07T01:30:00.000Z', rowCount: 1 };

/** The routes; uploads are read within `limits` (SHEET_* settings), bytes before parsing. */
export function qualificationListRoutes(limits: SheetLimits = defaultUploadLimits.sheet): RouteDefinition[] {
  return [
    defineRoute({
      method: 'post', path: '/v1/qualification-lists', operationId: 'uploadQualificationList',
      summary: 'Upload a qualification list (CSV or XLSX body) as a new version of its kind for the department\'s regions; a bad row stores nothing', tags,
      access: applicationDeciders,
      query: { type: 'object', required: ['kind'], additionalProperties: false, properties: { kind: versionProperties.kind } },
      rawBody: { contentType: 'text/csv', description: 'The list as CSV (text/csv) or XLSX (the first sheet), header row first. Columns: creditCode, validFrom, validTo (YYYY-MM-DD, inclusive); high-tech adds certificateNumber; first-set-catalogue adds level (international, domestic, provincial) and optionally entryId. Chinese headers (统一社会信用代码, 证书编号, 级别, 有效期起, 有效期止) are read too.' },
      success: { status: 201, description: 'The version stored.', schema: qualificationListSchema },
      examples: { response: EXAMPLE },
      handler: async ({ caller, query, req }) => {
        const format = req.is(XLSX_TYPE) ? 'xlsx' : req.is(CSV_TYPES) ? 'csv' : undefined;
        if (!format) throw new AppError('unsupported_media_type', `Send the list as the body with Content-Type text/csv or ${XLSX_TYPE}.`, [{ path: 'body', message: 'must be a spreadsheet file (content-type)' }]);
        const bytes = await readBoundedBody(req, limits.maxBytes);
        return new JsonReply(await uploadQualificationList(caller, query.kind, format, bytes, limits), 201);
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/qualification-lists', operationId: 'listQualificationLists',
      summary: 'The department\'s own qualification-list versions, newest first', tags,
      access: applicationDeciders,
      success: { status: 200, description: 'Versions.', schema: qualificationListPageSchema },
      query: cursorPageQuery({}),
      examples: { response: { items: [EXAMPLE], total: 1, limit: 50, offset: 0 } },
      handler: ({ caller, query }) => listOwnQualificationLists(caller, { ...query, limit: query.limit ?? 50 }),
    }),
    defineRoute({
      method: 'get', path: '/v1/qualification-lists/{id}', operationId: 'getQualificationList',
      summary: 'One of the department\'s versions with a page of its rows (another department\'s is 404)', tags,
      access: applicationDeciders,
      params: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'string', pattern: '^[0-9a-f]{24}$', description: 'Version id.' } } },
      query: {
        type: 'object', additionalProperties: false,
        properties: {
          offset: { type: 'integer', minimum: 0, maximum: 1048576, description: 'Rows to skip.' },
          limit: { type: 'integer', minimum: 1, maximum: 500, description: 'Most rows (default 100).' },
        },
      },
      success: { status: 200, description: 'The version and its rows.', schema: qualificationListRowsSchema },
      examples: { response: { ...EXAMPLE, rows: [{ creditCode: '91330106MA2H7K3Q0L', entryId: 'ZJ-2026-001', level: 'domestic', validFrom: '2026-01-01', validTo: '2027-06-30' }], offset: 0, limit: 100 } },
      handler: ({ caller, params, query }) => getQualificationList(caller, params.id, query),
    }),
  ];
}
