// Rating tables as spreadsheets: CSV (one table) and XLSX (one sheet per table). Every cell is
// written as text, so "2.00" stays "2.00" and an export read back changes nothing (a CSV text cell
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
import { updateDraft, type VersionView } from './catalogue-service.ts';
import { listRateTables, locateCell, readTableCells, type RateTable } from './rate-tables.ts';
import { draftView, editedDefinition, tableOf } from './rate-table-service.ts';
import { columnLetter, readCsv, readXlsx, type Sheet, type SheetFormat } from './spreadsheet-reader.ts';

export type { Sheet, SheetFormat };

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** Excel's limit on sheet names. */
export const sheetNameOf = (table: RateTable) => table.id.slice(0, 31);

/** One table as CSV (UTF-8 with a BOM, so Excel reads the Chinese); the header row holds the column ids. */
export function tableToCsv(definition: ProductDefinition, table: RateTable): string {
  return csvText([table.columns.map((c) => c.id), ...readTableCells(definition, table)]);
}

/** The tables (default: every table of the version) as an XLSX workbook, one sheet per table. */
export async function tablesToXlsx(definition: ProductDefinition, tables: readonly RateTable[] = listRateTables(definition)): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = `${definition.code} ${definition.version}`;
  for (const table of tables) {
    const sheet = workbook.addWorksheet(sheetNameOf(table), { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.addRow(table.columns.map((c) => c.id)).font = { bold: true };
    for (const cells of readTableCells(definition, table)) sheet.addRow(cells);
    sheet.columns.forEach((column, i) => { column.width = Math.min(60, Math.max(10, table.columns[i]!.id.length + 2)); column.numFmt = '@'; });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
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

/** A sheet's rows in the table's column order; a header that names no column, or a missing column, is an error. */
function cellsOf(sheet: Sheet, table: RateTable): { cells: string[][]; positions: number[] } {
  const header = (sheet.rows[0] ?? []).map((h) => h.trim());
  const errors: ErrorDetail[] = [];
  header.forEach((h, i) => { if (h !== '' && !table.columns.some((c) => c.id === h)) errors.push(at(sheet.name, i, 1, h, `is not a column of ${table.id}`)); });
  const positions = table.columns.map((c) => header.indexOf(c.id));
  positions.forEach((p, i) => { if (p < 0) errors.push({ path: `${sheet.name}!1`, message: `sheet ${sheet.name}, row 1: the column ${table.columns[i]!.id} is missing` }); });
  if (errors.length) throw invalidInput(`The sheet ${sheet.name} does not fit the table ${table.id}.`, errors);
  return { cells: sheet.rows.slice(1).map((row) => positions.map((p) => row[p] ?? '')), positions };
}

/** The draft with one sheet written into its table; errors are moved from definition pointers to cells. */
export function applySheet(definition: ProductDefinition, table: RateTable, sheet: Sheet): ProductDefinition {
  const { cells, positions } = cellsOf(sheet, table);
  try {
    return editedDefinition(definition, table, cells);
  } catch (err) {
    if (!(err instanceof AppError) || err.kind !== 'invalid_input') throw err;
    const tables = listRateTables(definition);
    throw invalidInput(`The sheet ${sheet.name} was not imported; the draft is unchanged.`, err.details.map((d) => {
      const cell = locateCell(tables, d.path);
      if (!cell || cell.table.id !== table.id || cell.row < 0) return { path: d.path, message: `sheet ${sheet.name}: ${d.path} ${d.message}` };
      const c = Math.max(0, table.columns.findIndex((x) => x.id === cell.column));
      return at(sheet.name, positions[c]!, cell.row + 2, table.columns[c]!.id, d.message);
    }));
  }
}

/**
 * Imports one table of a draft from a CSV or XLSX file (the sheet named after the table, else the
 * only sheet). Nothing is stored unless the edited draft compiles.
 */
export async function importTableSheet(caller: Caller, code: string, version: string, tableId: string, format: SheetFormat, bytes: Buffer, limits: SheetLimits = defaultUploadLimits.sheet): Promise<VersionView> {
  const view = await draftView(caller, code, version);
  const table = tableOf(view.definition, code, version, tableId);
  const sheets = await readSheets(bytes, format, sheetNameOf(table), limits);
  const sheet = sheets.find((s) => s.name === sheetNameOf(table)) ?? (sheets.length === 1 ? sheets[0] : undefined);
  if (!sheet) throw invalidInput(`The workbook has no sheet named ${sheetNameOf(table)}.`, [{ path: 'body', message: `needs a sheet named ${sheetNameOf(table)}` }]);
  return updateDraft(caller, code, version, applySheet(view.definition, table, sheet));
}

/** Imports every sheet of an XLSX workbook whose name is a table of the draft; one save for all. */
export async function importWorkbook(caller: Caller, code: string, version: string, bytes: Buffer, limits: SheetLimits = defaultUploadLimits.sheet): Promise<VersionView> {
  const view = await draftView(caller, code, version);
  const tables = listRateTables(view.definition);
  let definition = view.definition;
  const errors: ErrorDetail[] = [];
  for (const sheet of await readSheets(bytes, 'xlsx', '', limits)) {
    const table = tables.find((t) => sheetNameOf(t) === sheet.name);
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
  return updateDraft(caller, code, version, definition);
}
