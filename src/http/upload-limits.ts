// Bounds on uploaded files, read from the configuration (src/config.ts, docs/deploy.md) and
// applied while a file streams in, before anything parses it. A refusal names the limit (its
// rule, e.g. maxRows) and the setting's value, so the API's 400/413 and the pages' message (in
// the reader's language) say exactly what was too big.
import { Readable } from 'node:stream';
import type { Request } from 'express';
import { byteSize, loadConfig, type Config } from '../config.ts';
import { AppError } from './app-error.ts';

/** Spreadsheets of rating tables (CSV or XLSX): the API and the pages' import forms. */
export interface SheetLimits {
  maxBytes: number;
  maxZipEntries: number;
  maxEntryInflatedBytes: number;
  maxInflatedBytes: number;
  maxSheets: number;
  maxRows: number;
  maxColumns: number;
  maxCellLength: number;
}

/** A CSV read row by row (bulk quoting). */
export interface CsvLimits {
  maxBytes: number;
  maxRows: number;
  maxColumns: number;
  maxCellLength: number;
}

/** A multipart form posted to the pages; its file is bounded by the sheet limits' maxBytes. */
export interface FormLimits {
  maxFileBytes: number;
  maxFiles: number;
  maxFields: number;
  maxParts: number;
  maxFieldBytes: number;
}

export interface UploadLimits {
  sheet: SheetLimits;
  bulk: CsvLimits;
  form: FormLimits;
}

/** The upload limits a configuration sets. */
export function uploadLimitsOf(config: Config): UploadLimits {
  return {
    sheet: {
      maxBytes: byteSize(config.SHEET_MAX_BYTES), maxZipEntries: config.SHEET_MAX_ZIP_ENTRIES,
      maxEntryInflatedBytes: byteSize(config.SHEET_MAX_ENTRY_INFLATED_BYTES), maxInflatedBytes: byteSize(config.SHEET_MAX_INFLATED_BYTES),
      maxSheets: config.SHEET_MAX_SHEETS, maxRows: config.SHEET_MAX_ROWS, maxColumns: config.SHEET_MAX_COLUMNS, maxCellLength: config.SHEET_MAX_CELL_LENGTH,
    },
    bulk: { maxBytes: byteSize(config.BULK_MAX_BYTES), maxRows: config.BULK_MAX_ROWS, maxColumns: config.BULK_MAX_COLUMNS, maxCellLength: config.BULK_MAX_CELL_LENGTH },
    form: {
      maxFileBytes: byteSize(config.SHEET_MAX_BYTES), maxFiles: config.FORM_MAX_FILES, maxFields: config.FORM_MAX_FIELDS,
      maxParts: config.FORM_MAX_PARTS, maxFieldBytes: byteSize(config.FORM_MAX_FIELD_BYTES),
    },
  };
}

/** The defaults of the configuration schema (for callers that are given no configuration: tests, tools). */
export const defaultUploadLimits: UploadLimits = uploadLimitsOf(loadConfig({}));

/** Which limit was passed; the pages turn it into a sentence in the reader's language. */
export type LimitRule =
  | 'maxBytes' | 'maxZipEntries' | 'maxEntryInflatedBytes' | 'maxInflatedBytes' | 'maxSheets' | 'maxRows' | 'maxColumns' | 'maxCellLength'
  | 'maxFiles' | 'maxFields' | 'maxParts' | 'maxFieldBytes';

const SIZE_RULES = new Set<LimitRule>(['maxBytes', 'maxEntryInflatedBytes', 'maxInflatedBytes', 'maxFieldBytes']);

/** 20971520 → "20 MB", 102400 → "100 kB", 999 → "999 bytes". */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} kB`;
  return `${n} bytes`;
}

/** A limit's value as people read it: a size, or a count. */
export const formatLimit = (rule: LimitRule, max: number): string => (SIZE_RULES.has(rule) ? formatBytes(max) : String(max));

const NOUNS: Partial<Record<LimitRule, string>> = {
  maxZipEntries: 'entries', maxSheets: 'sheets', maxRows: 'rows', maxColumns: 'columns', maxCellLength: 'characters', maxFiles: 'files', maxFields: 'fields', maxParts: 'parts',
};

/** Where in an upload a limit was passed; the pages say it in the reader's language. */
export interface LimitLocation {
  /** What as a whole: the file, the workbook (a zip), the form, the CSV file. */
  what?: 'file' | 'workbook' | 'inflated workbook' | 'form' | 'CSV file';
  /** A zip entry, e.g. xl/worksheets/sheet1.xml. */
  entry?: string;
  sheet?: string;
  row?: number;
  /** A cell in A1 notation (with sheet). */
  cell?: string;
  /** A cell of a CSV row by number (bulk quoting; the header is row 1). */
  column?: number;
  /** A form field. */
  field?: string;
}

const clip = (text: string) => (text.length > 80 ? `${text.slice(0, 80)}…` : text);

/** The location in English, as the API's messages say it. */
export function describeLocation(at: LimitLocation): string {
  if (at.entry !== undefined) return `inflated entry ${clip(at.entry)}`;
  if (at.sheet !== undefined && at.cell) return `sheet ${clip(at.sheet)}, cell ${at.cell}`;
  if (at.sheet !== undefined && at.row) return `sheet ${clip(at.sheet)}, row ${at.row}`;
  if (at.sheet !== undefined) return `sheet ${clip(at.sheet)}`;
  if (at.row && at.column) return `row ${at.row}, cell ${at.column}`;
  if (at.row) return `row ${at.row}`;
  if (at.field !== undefined) return `the field ${clip(at.field)}`;
  return `the ${at.what ?? 'file'}`;
}

const pathOf = (at: LimitLocation): string => {
  if (at.sheet !== undefined && (at.cell || at.row)) return `${at.sheet}!${at.cell ?? at.row}`;
  return at.field !== undefined ? `body.${at.field}` : 'body';
};

/**
 * An upload over one of its limits: 413 for the bytes of the upload itself, 400 for everything
 * inside it. The detail reads `<where> must be at most <max> (<rule>)`, e.g. `inflated entry
 * xl/worksheets/sheet1.xml must be at most 10 MB (maxEntryInflatedBytes)`.
 */
export class UploadLimitError extends AppError {
  constructor(readonly rule: LimitRule, readonly max: number, readonly location: LimitLocation = {}) {
    const bound = `${formatLimit(rule, max)}${NOUNS[rule] ? ` ${NOUNS[rule]}` : ''}`;
    const text = `${describeLocation(location)} must be at most ${bound} (${rule})`;
    super(rule === 'maxBytes' ? 'payload_too_large' : 'invalid_input', `The upload is over a limit: ${text}.`, [{ path: pathOf(location), message: text }]);
    this.name = 'UploadLimitError';
  }
}

/**
 * The request body as bytes, refused with 413 as soon as it passes `maxBytes` (a declared
 * Content-Length over it is refused before a byte is read). What is left of a refused body is
 * read and dropped by Node, so the client still gets the answer.
 */
export async function readBoundedBody(req: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw new UploadLimitError('maxBytes', maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise<Buffer>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      req.resume(); // drop the rest; the 413 goes out now
      chunks.length = 0;
      reject(new UploadLimitError('maxBytes', maxBytes));
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new AppError('invalid_input', 'The upload was cut off before its end.', [{ path: 'body', message: 'must arrive whole (aborted)' }]));
    });
  });
}

/** Bytes as a stream of 64 kB slices (no copy), so a parser reading them yields to other requests between slices. */
export function streamOf(bytes: Buffer): Readable {
  const slices = Array.from({ length: Math.ceil(bytes.length / 65536) }, (_, i) => bytes.subarray(i * 65536, (i + 1) * 65536));
  return Readable.from(slices);
}
