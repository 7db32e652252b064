// Reads an uploaded spreadsheet (CSV or XLSX) into sheets of cell texts, within SheetLimits.
//
// An XLSX is a zip, and a few kB of zip can inflate to gigabytes. So before anything parses it,
// every entry is inflated once through a counter that stops past maxEntryInflatedBytes (and the
// whole past maxInflatedBytes), whatever the entry declares. The parser (exceljs's streaming
// reader, never `workbook.xlsx.load`) then gets a zip rebuilt from exactly those entries' raw
// data: a streaming unzipper reads local headers, not the central directory yauzl checked, so an
// entry hidden from the directory must not reach it. Rows, columns and cells are bounded as the
// sheets stream; the first row past maxRows ends the read.
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { AppError, invalidInput } from '../http/app-error.ts';
import { streamOf, UploadLimitError, type SheetLimits } from '../http/upload-limits.ts';

export type SheetFormat = 'csv' | 'xlsx';

/** A sheet read from a file: its name and rows of cell texts (the first row is the header). */
export interface Sheet {
  name: string;
  rows: string[][];
}

const notXlsx = (err: unknown) => invalidInput('The file is not an XLSX workbook.', [{ path: 'body', message: `must be an XLSX workbook (${(err as Error).message})` }]);

interface CheckedEntry {
  entry: Entry;
  /** Bytes it inflated to, counted. */
  size: number;
  /** Its data as stored in the upload (compressed). */
  raw: Buffer;
}

/** Inflates one entry through a counter; past either limit the inflating stops and the upload is refused. */
async function countInflated(zip: ZipFile, entry: Entry, limits: SheetLimits, before: number): Promise<number> {
  const stream = await zip.openReadStreamPromise(entry);
  let size = 0;
  for await (const chunk of stream) { // leaving the loop destroys the stream, and with it the inflater
    size += (chunk as Buffer).length;
    if (size > limits.maxEntryInflatedBytes) throw new UploadLimitError('maxEntryInflatedBytes', limits.maxEntryInflatedBytes, { entry: entry.fileName });
    if (before + size > limits.maxInflatedBytes) throw new UploadLimitError('maxInflatedBytes', limits.maxInflatedBytes, { what: 'inflated workbook' });
  }
  return size;
}

/** Every entry of the zip, inflated and counted once; the first limit passed refuses the upload. */
async function checkZip(bytes: Buffer, limits: SheetLimits): Promise<CheckedEntry[]> {
  let zip: ZipFile;
  try {
    // Sizes are counted, not trusted, so the declared ones are not checked against the data.
    zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true, validateEntrySizes: false });
  } catch (err) {
    throw notXlsx(err);
  }
  const entries: CheckedEntry[] = [];
  let total = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      if (entries.length >= limits.maxZipEntries) throw new UploadLimitError('maxZipEntries', limits.maxZipEntries, { what: 'workbook' });
      const size = await countInflated(zip, entry, limits, total);
      total += size;
      const { fileDataStart } = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
      entries.push({ entry, size, raw: bytes.subarray(fileDataStart, fileDataStart + entry.compressedSize) });
    }
  } catch (err) {
    throw err instanceof AppError ? err : notXlsx(err);
  } finally {
    zip.close();
  }
  return entries;
}

const EMPTY_STRINGS = Buffer.from('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>');
// exceljs's reader parses a sheet at once only when the workbook, its relations and the shared
// strings came before it; otherwise it copies the sheet to a temporary file first.
const FIRST = ['xl/_rels/workbook.xml.rels', 'xl/workbook.xml', 'xl/sharedStrings.xml', 'xl/styles.xml'];

interface ZipItem { name: string; method: number; time: number; date: number; crc: number; size: number; raw: Buffer }

/** A local file header (flags: names in UTF-8, sizes in the header, no data descriptor). */
function localHeader(e: ZipItem, name: Buffer): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(0x0800, 6);
  h.writeUInt16LE(e.method, 8);
  h.writeUInt16LE(e.time, 10);
  h.writeUInt16LE(e.date, 12);
  h.writeUInt32LE(e.crc, 14);
  h.writeUInt32LE(e.raw.length, 18);
  h.writeUInt32LE(e.size, 22);
  h.writeUInt16LE(name.length, 26);
  return Buffer.concat([h, name]);
}

/** The central directory's record of an entry whose local header is at `offset`. */
function centralHeader(e: ZipItem, name: Buffer, offset: number): Buffer {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(20, 6);
  h.writeUInt16LE(0x0800, 8);
  h.writeUInt16LE(e.method, 10);
  h.writeUInt16LE(e.time, 12);
  h.writeUInt16LE(e.date, 14);
  h.writeUInt32LE(e.crc, 16);
  h.writeUInt32LE(e.raw.length, 20);
  h.writeUInt32LE(e.size, 24);
  h.writeUInt16LE(name.length, 28);
  h.writeUInt32LE(offset, 42);
  return Buffer.concat([h, name]);
}

/** A zip of exactly the checked entries (their stored data, sizes as counted), workbook parts first. */
function rebuildZip(checked: CheckedEntry[]): Buffer {
  const items: ZipItem[] = checked.map((c) => ({ name: c.entry.fileName, method: c.entry.compressionMethod, time: c.entry.lastModFileTime, date: c.entry.lastModFileDate, crc: c.entry.crc32, size: c.size, raw: c.raw }));
  if (!items.some((e) => e.name === 'xl/sharedStrings.xml')) items.push({ name: 'xl/sharedStrings.xml', method: 0, time: 0, date: 33, crc: crc32(EMPTY_STRINGS), size: EMPTY_STRINGS.length, raw: EMPTY_STRINGS });
  const rank = (name: string) => (FIRST.includes(name) ? FIRST.indexOf(name) : FIRST.length);
  items.sort((a, b) => rank(a.name) - rank(b.name));
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const item of items) {
    const name = Buffer.from(item.name, 'utf8');
    const local = localHeader(item, name);
    central.push(centralHeader(item, name, offset));
    locals.push(local, item.raw);
    offset += local.length + item.raw.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(items.length, 8);
  end.writeUInt16LE(items.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * A cell's value as the text it shows. A number formatted with fixed decimals (0.00, as the
 * exports write them) reads with those decimals, unless that would round away what was typed.
 */
export function cellText(value: ExcelJS.CellValue, numFmt?: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    const decimals = /^0(?:\.(0+))?$/.exec(numFmt ?? '')?.[1]?.length ?? 0;
    const fixed = Number.isFinite(value) && numFmt && /^0(?:\.0+)?$/.test(numFmt) ? value.toFixed(decimals) : undefined;
    return fixed !== undefined && Number(fixed) === value ? fixed : String(value);
  }
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
  if ('text' in value) return String(value.text);
  return '';
}

/** Excel's name of a column: 0 → A, 26 → AA. */
export const columnLetter = (index: number): string => {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    out = String.fromCharCode(65 + ((n - 1) % 26)) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
};

/** One worksheet's rows as cell texts (as wide as its header row), refused at the first limit it passes. */
async function readWorksheet(worksheet: ExcelJS.stream.xlsx.WorksheetReader, limits: SheetLimits): Promise<Sheet> {
  const name = (worksheet as unknown as { name: string }).name;
  const rows: string[][] = [];
  let width = 0;
  for await (const row of worksheet) {
    if (row.number > limits.maxRows) throw new UploadLimitError('maxRows', limits.maxRows, { sheet: name });
    if (row.cellCount > limits.maxColumns) throw new UploadLimitError('maxColumns', limits.maxColumns, { sheet: name, row: row.number });
    row.eachCell((cell, column) => {
      if (cellText(cell.value).length > limits.maxCellLength) throw new UploadLimitError('maxCellLength', limits.maxCellLength, { sheet: name, cell: `${columnLetter(column - 1)}${row.number}` });
    });
    if (row.number === 1) width = row.cellCount;
    rows[row.number - 1] = Array.from({ length: width }, (_, i) => { const cell = row.getCell(i + 1); return cellText(cell.value, cell.numFmt); });
  }
  return { name, rows: Array.from(rows, (r) => r ?? []).filter((r, i) => i === 0 || r.some((c) => c.trim() !== '')) };
}

/** Every sheet of an XLSX upload, each within the limits; the zip is checked whole first. */
export async function readXlsx(bytes: Buffer, limits: SheetLimits): Promise<Sheet[]> {
  const source = Readable.from([rebuildZip(await checkZip(bytes, limits))]);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(source, { worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore' });
  const sheets: Sheet[] = [];
  try {
    for await (const worksheet of reader) {
      if (sheets.length >= limits.maxSheets) throw new UploadLimitError('maxSheets', limits.maxSheets, { what: 'workbook' });
      sheets.push(await readWorksheet(worksheet, limits));
    }
  } catch (err) {
    throw err instanceof AppError ? err : notXlsx(err);
  } finally {
    source.destroy();
  }
  return sheets;
}

/** A CSV upload as one sheet, read as a stream and refused at the first limit it passes. */
export async function readCsv(bytes: Buffer, sheetName: string, limits: SheetLimits): Promise<Sheet> {
  const parser = streamOf(bytes).pipe(parse({ bom: true, relax_column_count: true, skip_empty_lines: true }));
  const rows: string[][] = [];
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      const row = rows.length + 1;
      if (row > limits.maxRows) throw new UploadLimitError('maxRows', limits.maxRows, { sheet: sheetName });
      if (record.length > limits.maxColumns) throw new UploadLimitError('maxColumns', limits.maxColumns, { sheet: sheetName, row });
      const long = record.findIndex((c) => c.length > limits.maxCellLength);
      if (long >= 0) throw new UploadLimitError('maxCellLength', limits.maxCellLength, { sheet: sheetName, cell: `${columnLetter(long)}${row}` });
      rows.push(record);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw invalidInput('The file is not a CSV file.', [{ path: 'body', message: (err as Error).message }]);
  }
  return { name: sheetName, rows };
}
