// A bulk-quoting CSV checked against its limits (BULK_MAX_ROWS, _COLUMNS, _CELL_LENGTH) before a
// row is priced, so that a batch is priced whole or refused whole. Most files have no quoted
// cells; those are counted by a byte scan (tens of MB in well under a second). A file with a
// quote, or with line ends the scan cannot be sure of, is counted by csv-parse itself, with the
// options the run reads it with, so both agree on what a row is.
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { UploadLimitError, type CsvLimits } from '../http/upload-limits.ts';

/** The options the run reads a bulk CSV with (bulk-quote-service.ts), without `info`. */
export const BULK_CSV_OPTIONS = { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, skip_records_with_empty_values: true } as const;

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

/** Thrown inside the scan when the file needs csv-parse to be counted exactly. */
class NeedsParser extends Error {}

/** Counts records, cells and characters of a file without quotes; NeedsParser when it meets one. */
function createScanner(limits: CsvLimits) {
  let records = 0;
  let cells = 0;
  let chars = 0;
  let content = false;
  let pendingCr = false;
  let crlf = false;
  let lf = false;
  let first = true;
  const endCell = () => {
    cells++;
    if (chars > limits.maxCellLength) throw new UploadLimitError('maxCellLength', limits.maxCellLength, { row: records + 1, column: cells });
    chars = 0;
  };
  const endLine = () => {
    endCell();
    if (content) {
      records++;
      if (records - 1 > limits.maxRows) throw new UploadLimitError('maxRows', limits.maxRows, { what: 'CSV file' });
      if (cells > limits.maxColumns) throw new UploadLimitError('maxColumns', limits.maxColumns, { row: records });
    }
    if (crlf && lf) throw new NeedsParser(); // mixed line ends: csv-parse keeps to the first kind
    cells = 0;
    content = false;
  };
  const scan = (chunk: Buffer) => {
    let i = 0;
    if (first && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    first = false;
    for (; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === QUOTE) throw new NeedsParser();
      if (pendingCr) {
        pendingCr = false;
        if (b !== LF) throw new NeedsParser(); // a lone CR ends lines only for csv-parse's detection
        crlf = true;
        endLine();
        continue;
      }
      if (b === CR) pendingCr = true;
      else if (b === LF) {
        lf = true;
        endLine();
      } else if (b === COMMA) endCell();
      else {
        content = true;
        if ((b & 0xc0) !== 0x80) chars++; // characters, not bytes: a UTF-8 continuation byte is part of the one before
      }
    }
  };
  const end = () => {
    if (pendingCr || content || cells > 0) endLine();
  };
  return { scan, end };
}

async function scanPlain(source: Readable, limits: CsvLimits): Promise<boolean> {
  const scanner = createScanner(limits);
  try {
    for await (const chunk of source) scanner.scan(chunk as Buffer);
    scanner.end();
    return true;
  } catch (err) {
    if (err instanceof NeedsParser) return false;
    throw err;
  } finally {
    source.destroy();
  }
}

async function countWithParser(source: Readable, limits: CsvLimits): Promise<void> {
  const parser = source.pipe(parse(BULK_CSV_OPTIONS));
  source.on('error', (err) => parser.destroy(err));
  let records = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (++records - 1 > limits.maxRows) throw new UploadLimitError('maxRows', limits.maxRows, { what: 'CSV file' });
      if (record.length > limits.maxColumns) throw new UploadLimitError('maxColumns', limits.maxColumns, { row: records });
      const long = record.findIndex((c) => c.length > limits.maxCellLength);
      if (long >= 0) throw new UploadLimitError('maxCellLength', limits.maxCellLength, { row: records, column: long + 1 });
    }
  } catch (err) {
    // A file that does not parse (csv-parse's CSV_* errors) is left to the run, which says where it stops.
    if (err instanceof UploadLimitError || !(err as { code?: string }).code?.startsWith('CSV_')) throw err;
  } finally {
    source.destroy();
  }
}

/**
 * Reads the file (opened once or twice), keeping nothing, and refuses it with a 400 naming the
 * limit when it has more rows under the header than maxRows, a row wider than maxColumns or a
 * cell longer than maxCellLength. Rows are records as the run reads them (`row 1` is the header).
 */
export async function checkCsvLimits(open: () => Readable, limits: CsvLimits): Promise<void> {
  if (await scanPlain(open(), limits)) return;
  await countWithParser(open(), limits);
}
