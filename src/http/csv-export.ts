// The one CSV writer of every export (pool statements, subsidy years, bulk-quoting results, rate
// tables). Spreadsheet programs run a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage
// return as a formula, so, as OWASP recommends for CSV injection, such a cell is written with a
// single quote in front — unless it is a plain number (`-12.50` stays a number). Cells that begin
// with quotes before such a character get one more quote, so restoreCsvCell undoes it exactly (a
// rate table exported and imported again is unchanged). The BOM is written once, at the start, so
// spreadsheet programs read the Chinese.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { stringify, type Options, type Stringifier } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';

/** Starts like a formula, after any quotes a previous neutralisation put in front. */
const FORMULA_START = /^'*[=+\-@\t\r]/;
const NEUTRALISED = /^'+[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** The cell as written: a text that a spreadsheet would run as a formula gets a leading `'`. */
export function neutraliseCsvCell(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** The text a neutralised cell stood for (for imports of our own exports); other cells unchanged. */
export function restoreCsvCell(text: string): string {
  return NEUTRALISED.test(text) ? text.slice(1) : text;
}

type CsvOptions = Pick<Options, 'header' | 'columns'>;

const writerOptions = (options: CsvOptions): Options => ({ ...options, bom: true, cast: { string: (value) => neutraliseCsvCell(value) } });

/** Records (arrays, or objects with `columns`) as CSV text: BOM first, every text cell neutralised. */
export function csvText(records: readonly (readonly unknown[] | Record<string, unknown>)[], options: CsvOptions = {}): string {
  return stringifySync(records as unknown[], writerOptions(options));
}

/** A CSV stream (write records, pipe it out): BOM first, every text cell neutralised. */
export function csvStream(options: CsvOptions = {}): Stringifier {
  return stringify(writerOptions(options));
}

/**
 * Writes `records` to `out` as CSV (csvStream), one at a time, waiting whenever the writer is full:
 * the file is never held whole, only what it is written from. Ends `out` and resolves once it has
 * taken everything.
 */
export async function writeCsv(out: Writable, records: Iterable<readonly unknown[] | Record<string, unknown>>, options: CsvOptions = {}): Promise<void> {
  const csv = csvStream(options);
  csv.pipe(out);
  for (const record of records) if (!csv.write(record)) await once(csv, 'drain');
  csv.end();
  await finished(out);
}
