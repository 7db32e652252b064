// Editing a draft one rating table at a time (grids on the pages, spreadsheets through the API):
// the table's cells are written into a copy of the draft, the copy is compiled, and only a copy
// that adds no error (and none in the edited table) replaces the stored draft.
import type { Caller } from '../auth/caller.ts';
import { conflict, invalidInput, notFound, type ErrorDetail } from '../http/app-error.ts';
import { compileProduct, ProductCompileError, staleLabelFigures, type ProductDefinition } from '../rating/index.ts';
import type { PoolMembership } from './pool-membership.ts';
import { updateDraft } from './product-versions.ts';
import { getVersion, type VersionView } from './version-reads.ts';
import { applyTableCells, findBandGaps, findRateTable, locateCell, readTableCells, listRateTables, type RateTable } from './rate-tables.ts';

/** A table of a version with its cells. */
export interface TableView {
  table: RateTable;
  cells: string[][];
}

/** Every rating table of a version, with its cells. */
export async function listVersionTables(caller: Caller, code: string, version: string): Promise<{ view: VersionView; tables: TableView[] }> {
  const view = await getVersion(caller, code, version);
  return { view, tables: listRateTables(view.definition).map((table) => ({ table, cells: readTableCells(view.definition, table) })) };
}

/** One table of a version, or not found. */
export function tableOf(definition: ProductDefinition, code: string, version: string, tableId: string): RateTable {
  const table = findRateTable(definition, tableId);
  if (!table) throw notFound(`The table ${tableId} of version ${version} of ${code}`);
  return table;
}

/** Compile errors, band gaps and labels stating another figure than their row's, each with a JSON pointer. */
function definitionProblems(definition: ProductDefinition): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  try {
    compileProduct(definition);
  } catch (err) {
    if (!(err instanceof ProductCompileError)) throw err;
    problems.push(...err.details);
  }
  // Gaps and label figures are read on a definition that compiles; the schema errors come first.
  return problems.length ? problems : [...findBandGaps(definition), ...staleLabelFigures(definition)];
}

/**
 * The draft with the table's cells written in, or an invalid_input error whose details point
 * (JSON pointer) at every bad cell: a cell that is not a value, an error compiling reports in
 * this table, or one the edit adds elsewhere. Nothing is stored.
 */
export function editedDefinition(definition: ProductDefinition, table: RateTable, cells: readonly (readonly string[])[]): ProductDefinition {
  const applied = applyTableCells(definition, table, cells);
  if (applied.errors.length) {
    throw invalidInput(`The table ${table.id} has cells that are not values.`, applied.errors.map((e) => ({
      path: e.row === undefined ? table.rowsPointer : `${table.rowsPointer}/${e.row}${table.columns.find((c) => c.id === e.column)?.pointer ?? ''}`,
      message: e.message,
    })));
  }
  const before = new Set(definitionProblems(definition).map((d) => `${d.path} ${d.message}`));
  const tables = listRateTables(applied.definition);
  const blocking = definitionProblems(applied.definition).filter((d) => locateCell(tables, d.path)?.table.id === table.id || !before.has(`${d.path} ${d.message}`));
  if (blocking.length) throw invalidInput(`The edit of ${table.id} does not compile; the draft is unchanged.`, blocking);
  return applied.definition;
}

/** Saves one table of a draft from its cells (grid or spreadsheet); refuses, unchanged, an edit that does not compile. */
export async function saveRateTable(pools: PoolMembership, caller: Caller, code: string, version: string, tableId: string, cells: readonly (readonly string[])[]): Promise<VersionView> {
  const view = await draftView(caller, code, version);
  const table = tableOf(view.definition, code, version, tableId);
  return updateDraft(pools, caller, code, version, editedDefinition(view.definition, table, cells));
}

/** A version that may still change, or 409. */
export async function draftView(caller: Caller, code: string, version: string): Promise<VersionView> {
  const view = await getVersion(caller, code, version);
  if (view.status !== 'draft') throw conflict(`Version ${version} of ${code} is ${view.status} and can no longer change; create a new version.`);
  return view;
}
