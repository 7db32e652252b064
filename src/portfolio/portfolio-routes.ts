import { once } from 'node:events';
import type { Response } from 'express';
import { insurerStaff } from '../auth/access-rules.ts';
import { AppError } from '../http/app-error.ts';
import { csvStream } from '../http/csv-export.ts';
import { defaultUploadLimits, readBoundedBody, streamOf, type CsvLimits } from '../http/upload-limits.ts';
import type { Services } from '../service.ts';
import { defineRoute } from '../http/route.ts';
import { bulkResultCells, bulkResultColumns, type BulkRun } from './bulk-quote-service.ts';
import { bulkQuery, bulkQuoteResultSchema, impactParams, impactQuery, impactReportSchema } from './portfolio-schemas.ts';

const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel', 'application/octet-stream'];

async function writeChunk(stream: NodeJS.WritableStream, chunk: unknown): Promise<void> {
  if (!stream.write(chunk as string)) await once(stream, 'drain');
}

/** Streams results as CSV (the shared writer: a BOM, echoed cells neutralised) and the summary as a trailer. */
async function streamCsv(run: BulkRun, res: Response): Promise<void> {
  res.status(200).set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="bulk-quotes.csv"', Trailer: 'X-Bulk-Summary' });
  const out = csvStream({ header: true, columns: [...bulkResultColumns] });
  out.pipe(res, { end: false });
  for await (const row of run.rows) {
    if (res.destroyed) break;
    await writeChunk(out, bulkResultCells(row));
  }
  out.end();
  await once(out, 'end');
  res.addTrailers({ 'X-Bulk-Summary': JSON.stringify(run.summary) });
  res.end();
}

/** Streams `{ "columns": [...], "rows": [...], "summary": {...} }` one row at a time. */
async function streamJson(run: BulkRun, res: Response): Promise<void> {
  res.status(200).type('application/json');
  await writeChunk(res, `{"columns":${JSON.stringify(run.columns)},"rows":[`);
  let first = true;
  for await (const row of run.rows) {
    if (res.destroyed) break;
    await writeChunk(res, `${first ? '' : ','}\n${JSON.stringify(row)}`);
    first = false;
  }
  res.end(`\n],"summary":${JSON.stringify(run.summary)}}\n`);
}

/** The portfolio routes; a bulk save's quotes are announced by the portfolio capability; a bulk CSV is read within `limits` (BULK_* settings). */
export const portfolioRoutes = ({ portfolio }: Pick<Services, 'portfolio'>, limits: CsvLimits = defaultUploadLimits.bulk) => [
  defineRoute({
    method: 'post', path: '/v1/pricing/bulk', operationId: 'bulkQuote',
    summary: 'Price a CSV of risks (Content-Type: text/csv, one row per risk): previews, or saved quotes with save=true (brokers); see docs/portfolio.md for the columns', tags: ['Pricing and quotes'],
    access: 'signed-in',
    query: bulkQuery,
    rawBody: { contentType: 'text/csv', description: 'A CSV file (UTF-8, a BOM is fine), one row per risk: productCode, enterpriseId and the form\'s field keys as columns (docs/portfolio.md). text/plain and application/csv are accepted too.' },
    success: {
      status: 200, description: 'One result per row, in file order: prices and decision, or errors by row and column. CSV by default (totals in the X-Bulk-Summary trailer); JSON with format=json.', contentType: 'text/csv',
      alternatives: [{ contentType: 'application/json', schema: bulkQuoteResultSchema }],
    },
    handler: async ({ caller, query, req, res }) => {
      if (!req.is(CSV_TYPES)) {
        throw new AppError('unsupported_media_type', 'This route takes a CSV file: send Content-Type: text/csv.', [{ path: 'body', message: 'must be a CSV file (content-type)' }]);
      }
      // The whole file is read (up to maxBytes) before a row is priced: its rows are counted up
      // front, and the request is complete, so the server's requestTimeout (which used to cut a
      // long run off mid-body, after ~64,000 rows, with a 200 and no summary) no longer applies.
      const bytes = await readBoundedBody(req, limits.maxBytes);
      const run = await portfolio.startBulkQuote(caller, () => streamOf(bytes), {
        limits,
        ...(query.product ? { productCode: query.product } : {}),
        ...(query.version ? { productVersion: query.version } : {}),
        save: query.save === true,
        ...(query.batchId ? { batchId: query.batchId } : {}),
        concurrency: query.concurrency ?? 8,
      });
      try {
        if (query.format === 'json') await streamJson(run, res);
        else await streamCsv(run, res);
      } catch (err) {
        // Headers are out: the client can only see a cut-off body.
        res.destroy(err as Error);
      }
    },
  }),
  defineRoute({
    method: 'post', path: '/v1/products/{code}/versions/{version}/impact', operationId: 'analyseRateChange',
    summary: 'Re-rate the stored quotes and policies of the version this one replaces: premium changes, decision changes, inputs it refuses, largest movers', tags: ['Products (insurers)'],
    access: insurerStaff,
    params: impactParams,
    query: impactQuery,
    success: { status: 200, description: 'The impact report.', schema: impactReportSchema },
    handler: ({ caller, params, query }) => portfolio.analyseRateChange(caller, params.code, params.version, {
      ...(query.baseline ? { baseline: query.baseline } : {}),
      top: query.top ?? 10,
      includePolicies: query.policies !== false,
      refresh: query.refresh === true,
    }),
  }),
];
