import type { Readable } from 'node:stream';
import { parse, type Info } from 'csv-parse';
import { findOrganisationByCode } from '../auth/auth-service.ts';
import type { Caller } from '../auth/caller.ts';
import { findEffectiveVersion, findOwnVersion, findPinnedVersion } from '../catalogue/rating-lookups.ts';
import { chinaDate } from '../rating/calendar.ts';
import { AppError, forbidden, invalidInput } from '../http/app-error.ts';
import { defaultUploadLimits, type CsvLimits } from '../http/upload-limits.ts';
import { BatchQuoteCache } from '../quotes/quote-batch.ts';
import type { QuotesService } from '../quotes/quotes.ts';
import { previewPrice, type PricingRequest, type QuoteRequest } from '../quotes/rating-request.ts';
import type { RatingResult } from '../rating/index.ts';
import { BULK_CSV_OPTIONS, checkCsvLimits } from './csv-limits.ts';
import { columnOfErrorPath, mapRow, normaliseDate, readRowHead, RESERVED_COLUMNS, type CellError, type FormFieldSpec, type RowCells } from './csv-row-mapping.ts';

export interface BulkQuoteOptions {
  /** Product for rows without a productCode cell. */
  productCode?: string;
  /** Version for rows without a productVersion cell (insurer staff may name drafts). */
  productVersion?: string;
  /** Store a quote per row (brokers) instead of previewing. */
  save?: boolean;
  /** Stable id of the batch: row n is created with Idempotency-Key `bulk:<batchId>:<n>`. */
  batchId?: string;
  /** Rows priced at the same time (default 8). */
  concurrency?: number;
  /** Rows stored together when saving (default 1,000): one insert of quotes, audit entries and rating-book page each. */
  saveBatchSize?: number;
  /** Rows, columns and cell length the file may have (BULK_* settings); checked before any row is priced. */
  limits?: CsvLimits;
  now?: Date;
}

export type BulkRowStatus = 'priced' | 'saved' | 'replayed' | 'error';

/** The outcome of one row: its prices, or its errors by column. */
export interface BulkRowResult {
  /** Line of the file the row starts on (the header is line 1): Excel's row number. */
  row: number;
  reference?: string;
  status: BulkRowStatus;
  productCode?: string;
  productVersion?: string;
  enterpriseId?: string;
  decision?: 'quoted' | 'referred' | 'declined';
  decisionReasons?: string[];
  grossPremiumFen?: number;
  netPremiumFen?: number;
  vatFen?: number;
  subsidyFen?: number;
  netCostFen?: number;
  quoteId?: string;
  quoteNumber?: string;
  errors: CellError[];
}

/** Totals of a batch, complete once its rows have been read. */
export interface BulkSummary {
  batchId?: string;
  rows: number;
  priced: number;
  saved: number;
  replayed: number;
  failed: number;
  decisions: { quoted: number; referred: number; declined: number };
  grossPremiumFen: number;
  subsidyFen: number;
}

export interface BulkRun {
  /** Column names of the header row. */
  columns: string[];
  /** Results in file order; reading them drives the parsing (bounded memory). */
  rows: AsyncIterable<BulkRowResult>;
  summary: BulkSummary;
}

const RESULT_COLUMNS = ['row', 'reference', 'status', 'productCode', 'productVersion', 'enterpriseId', 'decision', 'decisionReasons', 'grossPremiumFen', 'netPremiumFen', 'vatFen', 'subsidyFen', 'netCostFen', 'quoteNumber', 'quoteId', 'errors'] as const;

/** Columns of the result CSV, in order. */
export const bulkResultColumns: readonly string[] = RESULT_COLUMNS;

/** One result row as CSV cells; errors read "row 17, column contractAmount: must be …". */
export function bulkResultCells(r: BulkRowResult): (string | number)[] {
  return RESULT_COLUMNS.map((c) => {
    if (c === 'errors') return r.errors.map((e) => formatCellError(r.row, e)).join(' | ');
    if (c === 'decisionReasons') return (r.decisionReasons ?? []).join(' ');
    const v = r[c];
    return v === undefined ? '' : v;
  });
}

export function formatCellError(row: number, e: CellError): string {
  return `row ${row}${e.column ? `, column ${e.column}` : ''}: ${e.message}`;
}

interface SourceRecord {
  row: number;
  cells?: string[];
  fatal?: string;
}

/**
 * Records of a CSV stream with the line each starts on; a parse error ends them with `fatal`, and
 * so does a row past maxRows (the pre-check refuses such a file; this keeps a file that grew
 * between the two reads from being cut off without a word).
 */
async function* readRecords(source: Readable, maxRows: number): AsyncGenerator<SourceRecord> {
  const parser = source.pipe(parse({ ...BULK_CSV_OPTIONS, info: true }));
  source.on('error', (err) => parser.destroy(err));
  let lastLine = 0;
  let records = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      // info.lines is the line the record ends on; a quoted cell may span lines.
      const inside = record.reduce((n, cell) => n + (cell.match(/\r\n|\n|\r/g)?.length ?? 0), 0);
      const row = Math.max(1, info.lines - inside);
      if (++records > maxRows + 1) {
        yield { row, fatal: `this row and every row after it were not processed: the file has more than ${maxRows} rows (maxRows)` };
        source.destroy();
        break;
      }
      lastLine = info.lines;
      yield { row, cells: record };
    }
  } catch (err) {
    const e = err as Error & { lines?: number };
    yield { row: e.lines ?? lastLine + 1, fatal: `the file cannot be read from here on: ${e.message}` };
  }
}

interface FormCacheEntry {
  fields: readonly FormFieldSpec[];
  productCode: string;
  version: string;
}

interface MappedRow {
  result: BulkRowResult;
  /** Set when the row is ready to price (no errors so far). */
  request?: PricingRequest;
  lists: Parameters<typeof columnOfErrorPath>[1];
  enterpriseColumn: string;
}

/** What bulk quoting depends on, bound once by createPortfolio: the quotes capability's batch store (which announces what it stores). */
export interface BulkQuoteDeps {
  quotes: Pick<QuotesService, 'storeBatch'>;
}

/** What the steps of one bulk run share. */
interface BulkContext {
  deps: BulkQuoteDeps;
  caller: Caller;
  options: BulkQuoteOptions;
  save: boolean;
  concurrency: number;
  saveBatchSize: number;
  now: Date;
  /** Reads rows of this file into pricing requests. */
  mapRecord(record: SourceRecord): Promise<MappedRow>;
  /** Reads shared by the saved rows of the run. */
  saveCache: BatchQuoteCache;
  summary: BulkSummary;
}

/**
 * Prices a CSV of risks, one row each, as previews or (brokers, with `save`) stored quotes. The
 * header is checked and the first row read before this resolves, so an empty or headless file is
 * a 400 before any output. Rows are priced `concurrency` at a time and come out in file order; a
 * bad row becomes an error result and the batch goes on. Saved quotes are stored (and announced)
 * by the quotes capability's batch store.
 */
export async function startBulkQuote(deps: BulkQuoteDeps, caller: Caller, open: () => Readable, options: BulkQuoteOptions = {}): Promise<BulkRun> {
  const save = options.save === true;
  if (save && caller.role !== 'broker') throw forbidden('Only brokers save quotes; preview without save instead.');
  if (save && !options.batchId) throw invalidInput('Saving quotes needs a batch id, so that a re-run returns the same quotes.', [{ path: 'query.batchId', message: 'is required when save is true (required)' }]);
  const limits = options.limits ?? defaultUploadLimits.bulk;
  await checkCsvLimits(open, limits);
  const { columns, firstRow, records } = await openCsv(open(), options, limits);
  const now = options.now ?? new Date();
  const context: BulkContext = {
    deps, caller, options, save, now,
    concurrency: Math.max(1, Math.min(options.concurrency ?? 8, 64)),
    saveBatchSize: Math.max(1, Math.min(options.saveBatchSize ?? 1000, 2000)),
    mapRecord: createRowMapper(caller, columns, options, chinaDate(now)),
    saveCache: new BatchQuoteCache(),
    summary: { ...(options.batchId ? { batchId: options.batchId } : {}), rows: 0, priced: 0, saved: 0, replayed: 0, failed: 0, decisions: { quoted: 0, referred: 0, declined: 0 }, grossPremiumFen: 0, subsidyFen: 0 },
  };
  return { columns, rows: save ? runSaving(context, firstRow, records) : runPreviews(context, firstRow, records), summary: context.summary };
}

/** Reads the header (checked) and the first row; a file without either is a 400. */
async function openCsv(source: Readable, options: BulkQuoteOptions, limits: CsvLimits): Promise<{ columns: string[]; firstRow: SourceRecord; records: AsyncGenerator<SourceRecord> }> {
  const records = readRecords(source, limits.maxRows);
  const first = await records.next();
  if (first.done || !first.value.cells) {
    const fatal = first.done ? undefined : first.value.fatal;
    throw invalidInput(fatal ? `The CSV file cannot be read: ${fatal}` : 'The CSV file is empty: it needs a header row naming the columns and one row per risk.', [{ path: 'body', message: 'must be a CSV file with a header row (csv)' }]);
  }
  const columns = first.value.cells.map((c) => c.trim());
  checkHeader(columns, options);
  const second = await records.next();
  if (second.done) throw invalidInput('The CSV file has a header but no rows: add one row per risk under it.', [{ path: 'body', message: 'must have at least one row under the header (csv)' }]);
  return { columns, firstRow: second.value, records };
}

/** A reader of rows into pricing requests (or errors by column), remembering forms and enterprise codes per run. */
function createRowMapper(caller: Caller, columns: string[], options: BulkQuoteOptions, today: string): (record: SourceRecord) => Promise<MappedRow> {
  const save = options.save === true;
  const forms = new Map<string, Promise<FormCacheEntry>>();
  const enterprises = new Map<string, Promise<string | undefined>>();

  const formFor = (productCode: string, productVersion: string | undefined, startDate: string): Promise<FormCacheEntry> => {
    const key = `${productCode}\u0000${productVersion ?? `@${startDate}`}`;
    let entry = forms.get(key);
    if (!entry) {
      entry = (async () => {
        const insurerStaff = caller.role === 'insurer-admin' || caller.role === 'underwriter';
        const v = productVersion
          ? insurerStaff ? await findOwnVersion(caller, productCode, productVersion) : await findPinnedVersion(productCode, productVersion)
          : await findEffectiveVersion(productCode, startDate);
        return { fields: v.definition.form.fields as readonly FormFieldSpec[], productCode: v.productCode, version: v.version };
      })();
      entry.catch(() => forms.delete(key)); // an error may be a passing one (DB); don't keep it
      forms.set(key, entry);
    }
    return entry;
  };
  const enterpriseByCode = (code: string): Promise<string | undefined> => {
    let id = enterprises.get(code);
    if (!id) {
      id = findOrganisationByCode(code).then((o) => (o && o.kind === 'enterprise' ? o.id : undefined));
      enterprises.set(code, id);
    }
    return id;
  };

  return async function mapRecord(record: SourceRecord): Promise<MappedRow> {
    const noLists = new Map() as unknown as MappedRow['lists'];
    const row = record.row;
    if (record.fatal) return { result: { row, status: 'error', errors: [{ message: record.fatal }] }, lists: noLists, enterpriseColumn: 'enterpriseId' };
    const cells = record.cells!;
    if (cells.length !== columns.length) {
      return { result: { row, status: 'error', errors: [{ message: `has ${cells.length} cells but the header has ${columns.length} columns` }] }, lists: noLists, enterpriseColumn: 'enterpriseId' };
    }
    const filled = new Map<string, string>();
    const errors: CellError[] = [];
    cells.forEach((cell, i) => {
      const value = cell.trim();
      if (value === '') return;
      if (value.includes('\uFFFD')) errors.push({ column: columns[i]!, message: 'is not UTF-8 text (in Excel, save as "CSV UTF-8")' });
      filled.set(columns[i]!, value);
    });
    const head = readRowHead(filled as RowCells, options);
    const result: BulkRowResult = { row, ...(head.reference ? { reference: head.reference } : {}), status: 'error', errors };
    if (!head.productCode) {
      errors.push({ column: 'productCode', message: 'is required (or pass a product for the whole file)' });
      return { result, lists: noLists, enterpriseColumn: 'enterpriseId' };
    }
    const enterpriseColumn = head.enterpriseId ? 'enterpriseId' : 'enterpriseCode';
    if (!head.enterpriseId && head.enterpriseCode) {
      const id = await enterpriseByCode(head.enterpriseCode);
      if (id) head.enterpriseId = id;
      else errors.push({ column: 'enterpriseCode', message: `no enterprise has the code ${head.enterpriseCode}` });
    }
    if (save && !head.enterpriseId && !head.enterpriseCode) errors.push({ column: 'enterpriseId', message: 'is required to save a quote (or give enterpriseCode)' });
    const startDate = head.startDate && normaliseDate(head.startDate) ? head.startDate : today;
    let form: FormCacheEntry;
    try {
      form = await formFor(head.productCode, head.productVersion, startDate);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const column = head.productVersion && err.kind === 'not_found' ? 'productVersion' : err.kind === 'conflict' ? 'startDate' : 'productCode';
      errors.push({ column, message: err.message });
      return { result, lists: noLists, enterpriseColumn };
    }
    result.productCode = form.productCode;
    result.productVersion = form.version;
    const mapped = mapRow(filled as RowCells, head, form.fields);
    errors.push(...mapped.errors);
    if (head.enterpriseId) result.enterpriseId = head.enterpriseId;
    return { result, ...(errors.length === 0 ? { request: mapped.request } : {}), lists: mapped.lists, enterpriseColumn };
  };
}

/** The row's prices from a rating. */
function fill(result: BulkRowResult, rating: RatingResult): void {
  result.productVersion = rating.productVersion;
  result.decision = rating.decision.outcome;
  result.decisionReasons = rating.decision.reasons.map((r) => r.rule);
  result.grossPremiumFen = rating.grossPremiumFen;
  result.netPremiumFen = rating.netPremiumFen;
  result.vatFen = rating.vatFen;
  result.subsidyFen = rating.subsidies.totalFen;
  result.netCostFen = rating.expectedNetCostFen;
}

/** A service error as the row's errors by column; anything unexpected is thrown. */
function rowError(m: MappedRow, err: unknown): void {
  if (!(err instanceof AppError) || err.kind === 'unavailable' || err.kind === 'internal') throw err;
  if (err.details.length === 0) m.result.errors.push({ message: err.message });
  for (const d of err.details) {
    const column = columnOfErrorPath(d.path, m.lists, m.enterpriseColumn);
    m.result.errors.push(column ? { column, message: d.message } : { message: `${d.path} ${d.message}` });
  }
}

/** Adds a row to the run's summary. */
function count(summary: BulkSummary, r: BulkRowResult): BulkRowResult {
  summary.rows++;
  if (r.status === 'error') summary.failed++;
  else {
    summary[r.status]++;
    summary.decisions[r.decision!]++;
    summary.grossPremiumFen += r.grossPremiumFen ?? 0;
    summary.subsidyFen += r.subsidyFen ?? 0;
  }
  return r;
}

// ---------------------------------------------------------------------------------------------
// Previews: rows priced `concurrency` at a time, results in file order.

async function previewRecord(context: BulkContext, record: SourceRecord): Promise<BulkRowResult> {
  const m = await context.mapRecord(record);
  if (!m.request) return m.result;
  try {
    fill(m.result, await previewPrice(context.caller, m.request, context.now));
    m.result.status = 'priced';
  } catch (err) {
    rowError(m, err);
  }
  return m.result;
}

// A pending row never rejects (an unexpected error travels as a value), so rows waiting in the
// window cannot become unhandled rejections while an earlier one is awaited.
type Settled = { ok: true; value: BulkRowResult } | { ok: false; error: unknown };

async function* runPreviews(context: BulkContext, firstRow: SourceRecord, records: AsyncGenerator<SourceRecord>): AsyncGenerator<BulkRowResult> {
  const settle = (record: SourceRecord): Promise<Settled> => previewRecord(context, record).then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
  const unwrap = (s: Settled): BulkRowResult => {
    if (!s.ok) throw s.error;
    return count(context.summary, s.value);
  };
  const window: Promise<Settled>[] = [settle(firstRow)];
  try {
    for await (const record of records) {
      window.push(settle(record));
      if (window.length >= context.concurrency) yield unwrap(await window.shift()!);
    }
    while (window.length > 0) yield unwrap(await window.shift()!);
  } finally {
    await Promise.all(window); // let rows in flight finish before the caller moves on
    await records.return(undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Saving: rows stored `saveBatchSize` at a time through the quotes capability's batch.

/** Saves rows together: each is stored as createQuote would, with the key `bulk:<batchId>:<row>`. */
async function saveRecords(context: BulkContext, batch: SourceRecord[]): Promise<BulkRowResult[]> {
  const { concurrency } = context;
  const mapped: MappedRow[] = [];
  for (let i = 0; i < batch.length; i += concurrency) mapped.push(...(await Promise.all(batch.slice(i, i + concurrency).map(context.mapRecord))));
  const ready = mapped.filter((m) => m.request);
  const items = ready.map((m) => ({ request: m.request as QuoteRequest, idempotencyKey: `bulk:${context.options.batchId}:${m.result.row}` }));
  const outcomes = await context.deps.quotes.storeBatch(context.caller, items, context.now, context.saveCache);
  ready.forEach((m, i) => {
    const outcome = outcomes[i]!;
    if (!outcome.ok) {
      rowError(m, outcome.error);
      return;
    }
    fill(m.result, outcome.quote.result);
    m.result.status = outcome.replayed ? 'replayed' : 'saved';
    m.result.quoteId = outcome.quote.id;
    m.result.quoteNumber = outcome.quote.quoteNumber;
  });
  return mapped.map((m) => m.result);
}

/**
 * Saves the rows batch by batch, results in file order. Two batches are in flight at most: the
 * next batch's rows are read, mapped and rated while the one before is being written (its
 * insertMany and rating-book page), so Node and the database work at the same time (on two cores,
 * the run takes about the longer of the two instead of their sum). Each batch is stored on its own
 * (its own insert and announcement), so a second batch in flight changes nothing that is stored.
 */
async function* runSaving(context: BulkContext, firstRow: SourceRecord, records: AsyncGenerator<SourceRecord>): AsyncGenerator<BulkRowResult> {
  type SettledBatch = { ok: true; value: BulkRowResult[] } | { ok: false; error: unknown };
  // A batch in flight never rejects (an error travels as a value): no unhandled rejection while the generator waits.
  const start = (batch: SourceRecord[]): Promise<SettledBatch> => saveRecords(context, batch).then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
  const results = function* (settled: SettledBatch): Generator<BulkRowResult> {
    if (!settled.ok) throw settled.error;
    for (const r of settled.value) yield count(context.summary, r);
  };
  const batch: SourceRecord[] = [firstRow];
  let inFlight: Promise<SettledBatch> | undefined;
  try {
    for await (const record of records) {
      batch.push(record);
      if (batch.length < context.saveBatchSize) continue;
      const next = start(batch.splice(0));
      if (inFlight) yield* results(await inFlight);
      inFlight = next;
    }
    const last = batch.length > 0 ? start(batch.splice(0)) : undefined;
    if (inFlight) yield* results(await inFlight);
    inFlight = last;
    if (last) yield* results(await last);
    inFlight = undefined;
  } finally {
    await inFlight; // let a batch in flight finish before the caller moves on
    await records.return(undefined);
  }
}

function checkHeader(columns: string[], options: BulkQuoteOptions): void {
  const seen = new Set<string>();
  const problems: { path: string; message: string }[] = [];
  columns.forEach((c, i) => {
    if (c === '') problems.push({ path: `header[${i + 1}]`, message: 'must name the column (empty header cell)' });
    else if (seen.has(c)) problems.push({ path: `header.${c}`, message: 'must appear once (duplicate column)' });
    seen.add(c);
  });
  if (!options.productCode && !seen.has('productCode')) {
    problems.push({ path: 'header.productCode', message: 'is required: add a productCode column or pass the product for the whole file (required)' });
  }
  if (problems.length > 0) {
    throw invalidInput(`The CSV header is not usable: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}. Reserved columns: ${RESERVED_COLUMNS.join(', ')}.`, problems);
  }
}
