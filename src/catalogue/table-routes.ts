// Rating tables over HTTP: read them as JSON, export them as CSV or XLSX, import them back by
// sending the file itself as the body (Content-Type text/csv or the XLSX type).
import type { Request } from 'express';
import { defaultUploadLimits, readBoundedBody, type SheetLimits } from '../http/upload-limits.ts';
import { insurerAdmins, insurerStaff } from '../auth/access-rules.ts';
import { AppError } from '../http/app-error.ts';
import { contentDisposition } from '../http/content-disposition.ts';
import type { Services } from '../service.ts';
import { defineRoute, RawReply } from '../http/route.ts';
import { productVersionSchema, rateTableListSchema, rateTableSchema as tableSchema, versionParams } from './catalogue-schemas.ts';
import { readTableCells, type RateTable } from './rate-tables.ts';
import { tablesToXlsx, tableToCsv, XLSX_TYPE, type SheetFormat } from './table-spreadsheets.ts';

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'];
const tags = ['Products (insurers)'];

const tableParams = {
  type: 'object', required: ['code', 'version', 'table'], additionalProperties: false,
  properties: { ...versionParams.properties, table: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'Table id, e.g. step.transactionAmount, sections, period.scale.' } },
} as const;

const formatQuery = (formats: readonly string[]) => ({
  type: 'object', additionalProperties: false,
  properties: { format: { type: 'string', enum: formats, default: 'json', description: 'json, or a spreadsheet file.' } },
} as const);

const tableJson = (table: RateTable, rows: string[][]) => ({
  id: table.id, kind: table.kind, ...(table.title ? { title: table.title } : {}),
  columns: table.columns.map((c) => ({ id: c.id, kind: c.kind, ...(c.readOnly ? { readOnly: true } : {}) })), rows,
});

const attachment = (name: string) => ({ 'Content-Disposition': contentDisposition(name, name) });

function sheetFormatOf(req: Request, allowCsv: boolean): SheetFormat {
  if (req.is(XLSX_TYPE)) return 'xlsx';
  if (allowCsv && req.is(CSV_TYPES)) return 'csv';
  throw new AppError('unsupported_media_type', `Send the file as the body with Content-Type ${allowCsv ? 'text/csv or ' : ''}${XLSX_TYPE}.`, [{ path: 'body', message: 'must be a spreadsheet file (content-type)' }]);
}

/** The table routes; uploads are read within `limits` (SHEET_* settings). */
export const tableRoutes = ({ catalogue }: Pick<Services, 'catalogue'>, limits: SheetLimits = defaultUploadLimits.sheet) => [
  defineRoute({
    method: 'get', path: '/v1/products/{code}/versions/{version}/tables', operationId: 'listRateTables',
    summary: 'Every rating table of a version, as JSON or as an XLSX workbook (one sheet per table)', tags, access: insurerStaff,
    params: versionParams, query: formatQuery(['json', 'xlsx']),
    success: { status: 200, description: 'The tables.', schema: rateTableListSchema },
    handler: async ({ caller, params, query }) => {
      const { view, tables } = await catalogue.listVersionTables(caller, params.code, params.version);
      if (query.format === 'xlsx') return new RawReply(await tablesToXlsx(view.definition), XLSX_TYPE, attachment(`${params.code}-${params.version}.xlsx`));
      return { items: tables.map((t) => tableJson(t.table, t.cells)) };
    },
  }),
  defineRoute({
    method: 'put', path: '/v1/products/{code}/versions/{version}/tables', operationId: 'importRateWorkbook',
    summary: 'Import an XLSX workbook into a draft: every sheet named after a table replaces that table; nothing is saved unless all compile', tags, access: insurerAdmins,
    params: versionParams,
    success: { status: 200, description: 'The draft.', schema: productVersionSchema },
    errors: [413, 415], // the file's bytes over SHEET_MAX_BYTES; not a spreadsheet type (the body is read raw, not declared as rawBody)
    handler: async ({ caller, params, req }) => {
      await catalogue.draftView(caller, params.code, params.version); // scope first: another insurer's product is 404 whatever is sent
      sheetFormatOf(req, false);
      return catalogue.importWorkbook(caller, params.code, params.version, await readBoundedBody(req, limits.maxBytes), limits);
    },
  }),
  defineRoute({
    method: 'get', path: '/v1/products/{code}/versions/{version}/tables/{table}', operationId: 'getRateTable',
    summary: 'One rating table as JSON, CSV or XLSX', tags, access: insurerStaff,
    params: tableParams, query: formatQuery(['json', 'csv', 'xlsx']),
    success: { status: 200, description: 'The table.', schema: tableSchema },
    handler: async ({ caller, params, query }) => {
      const { view } = await catalogue.listVersionTables(caller, params.code, params.version);
      const table = catalogue.tableOf(view.definition, params.code, params.version, params.table);
      const name = `${params.code}-${params.version}-${table.id}`;
      if (query.format === 'csv') return new RawReply(tableToCsv(view.definition, table), 'text/csv; charset=utf-8', attachment(`${name}.csv`));
      if (query.format === 'xlsx') return new RawReply(await tablesToXlsx(view.definition, [table]), XLSX_TYPE, attachment(`${name}.xlsx`));
      return tableJson(table, readTableCells(view.definition, table));
    },
  }),
  defineRoute({
    method: 'put', path: '/v1/products/{code}/versions/{version}/tables/{table}', operationId: 'importRateTable',
    summary: 'Import one table of a draft from a CSV or XLSX body; problems are named by sheet, row and column, and the draft is unchanged', tags, access: insurerAdmins,
    params: tableParams,
    success: { status: 200, description: 'The draft.', schema: productVersionSchema },
    errors: [413, 415], // the file's bytes over SHEET_MAX_BYTES; not a spreadsheet type (the body is read raw, not declared as rawBody)
    handler: async ({ caller, params, req }) => {
      await catalogue.draftView(caller, params.code, params.version);
      const format = sheetFormatOf(req, true);
      return catalogue.importTableSheet(caller, params.code, params.version, params.table, format, await readBoundedBody(req, limits.maxBytes), limits);
    },
  }),
];
