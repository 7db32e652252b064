// Rating tables as spreadsheets: CSV (one table) and XLSX (one sheet per table). In XLSX a number
// column's cells are numbers (a spreadsheet sums and sorts them) whose number format keeps the
// decimals written ("2.00" is 2 shown as 0.00, and read back through that format as "2.00"); other
// cells are text. An export read back changes nothing (a CSV text cell
// that looks like a formula is written with a leading quote and read back without it). Problems of an
// import are named by sheet, row and column (A1 notation), whatever they are: a cell that is not
// a value, or an error compiling the edited draft reports on that cell. Uploads are read within
// SheetLimits (src/http/upload-limits.ts) by spreadsheet-reader.ts before any cell is looked at.
import ExcelJS from 'exceljs';
import type { Caller } from '../auth/caller.ts';
import { AppError, invalidInput, type ErrorDetail } from '../http/app-error.ts';
import { csvText, restoreCsvCell } from '../http/csv-export.ts';
import { defaultUploadLimits, UploadLimitError, type SheetLimits } from '../http/upload-limits.ts';
import type { ProductDefinition } from '../rating/index.ts';
import type { PoolMembership } from './pool-membership.ts';
import { updateDraft } from './product-versions.ts';
import type { VersionView } from './version-reads.ts';
import { listRateTables, locateCell, readTableCells, type RateTable } from './rate-tables.ts';
import { draftView, editedDefinition, tableOf } from './rate-table-service.ts';
import { columnLetter, readCsv, readXlsx, type Sheet, type SheetFormat } from './spreadsheet-reader.ts';

export type { Sheet, SheetFormat };

export { XLSX_TYPE } from '../http/file-reply.ts';
/** Excel's limit on sheet names. */
export const sheetNameOf = (table: RateTable) => table.id.slice(0, 31);

/**
 * How a spreadsheet for people (the pages' downloads) names things in the reader's language: the
 * table (sheet name), each column (header) and yes/no. The keys stay in the file — a hidden row
 * under the headers and a hidden sheet naming each sheet's table — so an import is exact.
 */
export interface SheetWording {
  tableTitle(table: RateTable): string;
  columnLabel(columnId: string): string;
  yes: string;
  no: string;
}

/** The hidden sheet of a workbook for people: each sheet's name beside its table id. */
export const KEYS_SHEET = '_keys';

const cellsFor = (definition: ProductDefinition, table: RateTable, wording?: SheetWording) => readTableCells(definition, table).map((row) => row.map((text, i) => {
  if (!wording || table.columns[i]?.kind !== 'boolean') return text;
  return text === 'true' ? wording.yes : text === 'false' ? wording.no : text;
}));

/** One table as CSV (UTF-8 with a BOM, so Excel reads the Chinese); the header row holds the column ids, or for people their labels. */
export function tableToCsv(definition: ProductDefinition, table: RateTable, wording?: SheetWording): string {
  return csvText([table.columns.map((c) => (wording ? wording.columnLabel(c.id) : c.id)), ...cellsFor(definition, table, wording)]);
}

/** A sheet name Excel accepts (31 characters, none of []:*?/\), unique in the workbook. */
function sheetName(wanted: string, taken: Set<string>, fallback: string): string {
  const name = wanted.replace(/[[\]:*?/\\]/g, ' ').trim().slice(0, 31);
  const chosen = name && !taken.has(name) && name !== KEYS_SHEET ? name : fallback.slice(0, 31);
  taken.add(chosen);
  return chosen;
}

/** The tables (default: every table of the version) as an XLSX workbook, one sheet per table; for people, named and headed in their language. */
export async function tablesToXlsx(definition: ProductDefinition, tables: readonly RateTable[] = listRateTables(definition), wording?: SheetWording): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = `${definition.code} ${definition.version}`;
  const taken = new Set<string>();
  const names: [string, string][] = [];
  for (const table of tables) {
    const name = wording ? sheetName(wording.tableTitle(table), taken, sheetNameOf(table)) : sheetNameOf(table);
    names.push([name, table.id]);
    const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: wording ? 2 : 1 }] });
    if (wording) sheet.addRow(table.columns.map((c) => wording.columnLabel(c.id))).font = { bold: true };
    const keys = sheet.addRow(table.columns.map((c) => c.id));
    if (wording) keys.hidden = true;
    else keys.font = { bold: true };
    const rows = cellsFor(definition, table, wording).map((cells) => sheet.addRow(cells));
    sheet.columns.forEach((column, i) => {
      column.width = Math.min(60, Math.max(10, (wording ? wording.columnLabel(table.columns[i]!.id).length * 2 : table.columns[i]!.id.length) + 2));
      // Text columns stay text as people add rows (a key "01" is not the number 1); number columns take numbers.
      if (!NUMBER_KINDS.has(table.columns[i]!.kind)) column.numFmt = '@';
    });
    for (const row of rows) writeNumbers(row, table);
  }
  if (wording) {
    const keys = workbook.addWorksheet(KEYS_SHEET, { state: 'hidden' });
    for (const row of names) keys.addRow(row);
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const NUMBER_KINDS = new Set(['decimal', 'integer']);

/**
 * A number column's cell text as a number and the format that shows it as written (its decimals),
 * or undefined when the number would not read back as the same text (more than 15 digits).
 */
export function numberCell(kind: string, text: string): { value: number; numFmt: string } | undefined {
  const m = /^-?\d+(?:\.(\d+))?$/.exec(text);
  if (!m || !NUMBER_KINDS.has(kind) || text.replace(/[-.]/g, '').replace(/^0+/, '').length > 15) return undefined;
  const decimals = m[1]?.length ?? 0;
  const value = Number(text);
  if (value.toFixed(decimals) !== text) return undefined;
  return { value, numFmt: decimals ? `0.${'0'.repeat(decimals)}` : '0' };
}

function writeNumbers(row: ExcelJS.Row, table: RateTable): void {
  table.columns.forEach((column, i) => {
    const cell = row.getCell(i + 1);
    const number = numberCell(column.kind, typeof cell.value === 'string' ? cell.value : '');
    if (!number) return;
    cell.value = number.value;
    cell.numFmt = number.numFmt;
  });
}

/** Reads every sheet of a file within the limits (bytes first); a file that is not CSV or XLSX is refused. */
export async function readSheets(bytes: Buffer, format: SheetFormat, csvSheetName: string, limits: SheetLimits = defaultUploadLimits.sheet): Promise<Sheet[]> {
  if (bytes.length > limits.maxBytes) throw new UploadLimitError('maxBytes', limits.maxBytes);
  if (format !== 'csv') return readXlsx(bytes, limits);
  const sheet = await readCsv(bytes, csvSheetName, limits);
  // Our CSV exports put a quote before formula-like text (csv-export.ts); read them back as they were.
  return [{ ...sheet, rows: sheet.rows.map((row) => row.map(restoreCsvCell)) }];
}

const at = (sheet: string, column: number, row: number, header: string, message: string): ErrorDetail => ({
  path: `${sheet}!${columnLetter(column)}${row}`,
  message: `sheet ${sheet}, row ${row}, column ${columnLetter(column)} (${header}): ${message}`,
});

/** Column ids by every name a header may give them: the id, and (files for people) the label in either language. */
export type HeaderNames = (columnId: string) => string[];

/**
 * Where a sheet's header is: a file for people has its labels in row 1 and the ids in a hidden row 2;
 * a CSV for people has only the labels, read back through `names`.
 */
function headerOf(sheet: Sheet, table: RateTable, names?: HeaderNames): { header: string[]; skip: number } {
  const ids = new Set(table.columns.map((c) => c.id));
  const second = (sheet.rows[1] ?? []).map((h) => h.trim());
  if (second.some((h) => h !== '') && second.every((h) => h === '' || ids.has(h)) && !(sheet.rows[0] ?? []).every((h) => h.trim() === '' || ids.has(h.trim()))) return { header: second, skip: 2 };
  const first = (sheet.rows[0] ?? []).map((h) => h.trim());
  if (!names) return { header: first, skip: 1 };
  const byName = new Map(table.columns.flatMap((c) => [c.id, ...names(c.id)].map((n) => [n, c.id] as const)));
  return { header: first.map((h) => byName.get(h) ?? h), skip: 1 };
}

/** A sheet's rows in the table's column order; a header that names no column, or a missing column, is an error. */
function cellsOf(sheet: Sheet, table: RateTable, names?: HeaderNames): { cells: string[][]; positions: number[]; skip: number } {
  const { header, skip } = headerOf(sheet, table, names);
  const errors: ErrorDetail[] = [];
  header.forEach((h, i) => { if (h !== '' && !table.columns.some((c) => c.id === h)) errors.push(at(sheet.name, i, 1, h, `is not a column of ${table.id}`)); });
  const positions = table.columns.map((c) => header.indexOf(c.id));
  positions.forEach((p, i) => { if (p < 0) errors.push({ path: `${sheet.name}!1`, message: `sheet ${sheet.name}, row 1: the column ${table.columns[i]!.id} is missing` }); });
  if (errors.length) throw invalidInput(`The sheet ${sheet.name} does not fit the table ${table.id}.`, errors);
  return { cells: sheet.rows.slice(skip).map((row) => positions.map((p) => row[p] ?? '')), positions, skip };
}

/** The draft with one sheet written into its table; errors are moved from definition pointers to cells. */
export function applySheet(definition: ProductDefinition, table: RateTable, sheet: Sheet, names?: HeaderNames): ProductDefinition {
  const { cells, positions, skip } = cellsOf(sheet, table, names);
  try {
    return editedDefinition(definition, table, cells);
  } catch (err) {
    if (!(err instanceof AppError) || err.kind !== 'invalid_input') throw err;
    const tables = listRateTables(definition);
    throw invalidInput(`The sheet ${sheet.name} was not imported; the draft is unchanged.`, err.details.map((d) => {
      const cell = locateCell(tables, d.path);
      if (!cell || cell.table.id !== table.id || cell.row < 0) return { path: d.path, message: `sheet ${sheet.name}: ${d.path} ${d.message}` };
      const c = Math.max(0, table.columns.findIndex((x) => x.id === cell.column));
      return at(sheet.name, positions[c]!, cell.row + skip + 1, table.columns[c]!.id, d.message);
    }));
  }
}

/**
 * Imports one table of a draft from a CSV or XLSX file (the sheet named after the table, else the
 * only sheet). Nothing is stored unless the edited draft compiles.
 */
export async function importTableSheet(pools: PoolMembership, caller: Caller, code: string, version: string, tableId: string, format: SheetFormat, bytes: Buffer, limits: SheetLimits = defaultUploadLimits.sheet, names?: HeaderNames): Promise<VersionView> {
  const view = await draftView(caller, code, version);
  const table = tableOf(view.definition, code, version, tableId);
  const all = await readSheets(bytes, format, sheetNameOf(table), limits);
  const tableOfSheet = sheetTables(all);
  const sheets = all.filter((s) => s.name !== KEYS_SHEET);
  const sheet = sheets.find((s) => (tableOfSheet.get(s.name) ?? s.name) === table.id || s.name === sheetNameOf(table)) ?? (sheets.length === 1 ? sheets[0] : undefined);
  if (!sheet) throw invalidInput(`The workbook has no sheet named ${sheetNameOf(table)}.`, [{ path: 'body', message: `needs a sheet named ${sheetNameOf(table)}` }]);
  return updateDraft(pools, caller, code, version, applySheet(view.definition, table, sheet, names));
}

/** Each sheet's table id, from the hidden keys sheet of a workbook for people (empty for other files). */
function sheetTables(sheets: readonly Sheet[]): Map<string, string> {
  const keys = sheets.find((s) => s.name === KEYS_SHEET);
  return new Map((keys?.rows ?? []).filter((r) => r[0] && r[1]).map((r) => [r[0]!, r[1]!]));
}

/** Imports every sheet of an XLSX workbook whose name is a table of the draft; one save for all. */
export async function importWorkbook(pools: PoolMembership, caller: Caller, code: string, version: string, bytes: Buffer, limits: SheetLimits = defaultUploadLimits.sheet): Promise<VersionView> {
  const view = await draftView(caller, code, version);
  const tables = listRateTables(view.definition);
  let definition = view.definition;
  const errors: ErrorDetail[] = [];
  const all = await readSheets(bytes, 'xlsx', '', limits);
  const tableOfSheet = sheetTables(all);
  for (const sheet of all.filter((s) => s.name !== KEYS_SHEET)) {
    const id = tableOfSheet.get(sheet.name);
    const table = tables.find((t) => (id !== undefined ? t.id === id : sheetNameOf(t) === sheet.name));
    if (!table) {
      errors.push({ path: `${sheet.name}!A1`, message: `sheet ${sheet.name}: is not a table of ${code} ${version}` });
      continue;
    }
    try {
      definition = applySheet(definition, table, sheet);
    } catch (err) {
      if (!(err instanceof AppError) || err.kind !== 'invalid_input') throw err;
      errors.push(...err.details);
    }
  }
  if (errors.length) throw invalidInput('The workbook was not imported; the draft is unchanged.', errors);
  return updateDraft(pools, caller, code, version, definition);
}
