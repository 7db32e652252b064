// The difference of two versions read as tables: per rating table, row by row, old and new cell
// texts side by side. Rows are matched by the table's key column (a band's key, a rule's key),
// else by position. What lies outside the tables (texts, form, identity) is listed by path.
import { fillRateText, sectionRate, type ProductDefinition } from '../rating/index.ts';
import { diffDefinitions, type DefinitionChange } from './definition-diff.ts';
import { getAt, listRateTables, readTableCells, type RateTable } from './rate-tables.ts';

export interface CellDiff {
  from: string;
  to: string;
  changed: boolean;
}

export interface RowDiff {
  key: string;
  change: 'added' | 'removed' | 'changed';
  cells: CellDiff[];
}

export interface TableDiff {
  table: RateTable;
  rows: RowDiff[];
  /** Cells whose text differs, over every row (an added or removed row counts its filled cells). */
  changedCells: number;
}

export interface VersionTablesDiff {
  tables: TableDiff[];
  /** Changes outside the rating tables. */
  otherChanges: DefinitionChange[];
}

function rowKeys(table: RateTable, cells: string[][]): string[] {
  const at = table.columns.findIndex((c) => c.id === table.keyColumn);
  const keys = cells.map((row, i) => (at >= 0 && row[at] ? row[at]! : `#${i + 1}`));
  return new Set(keys).size === keys.length ? keys : cells.map((_, i) => `#${i + 1}`);
}

function diffTable(table: RateTable, before: string[][], after: string[][]): TableDiff {
  const beforeKeys = rowKeys(table, before);
  const afterKeys = rowKeys(table, after);
  const old = new Map(beforeKeys.map((k, i) => [k, before[i]!]));
  const now = new Map(afterKeys.map((k, i) => [k, after[i]!]));
  const rows: RowDiff[] = [];
  let changedCells = 0;
  for (const key of [...beforeKeys, ...afterKeys.filter((k) => !old.has(k))]) {
    const a = old.get(key);
    const b = now.get(key);
    const cells = table.columns.map((_, c) => {
      const from = a?.[c] ?? '';
      const to = b?.[c] ?? '';
      return { from, to, changed: from !== to };
    });
    const changed = cells.filter((c) => c.changed).length;
    if (changed === 0) continue;
    changedCells += changed;
    rows.push({ key, change: !a ? 'added' : !b ? 'removed' : 'changed', cells });
  }
  return { table, rows, changedCells };
}

/** The definition without the values its tables show, so what remains is what the tables do not. */
function withoutTables(definition: ProductDefinition): unknown {
  const copy = structuredClone(definition) as unknown as Record<string, unknown>;
  for (const table of listRateTables(definition)) {
    const rows = getAt(copy, table.rowsPointer);
    if (!Array.isArray(rows)) continue;
    if (table.columns.some((c) => c.pointer === '') || !table.fixedRows) {
      rows.length = 0;
      continue;
    }
    for (const row of rows as Record<string, unknown>[]) {
      for (const column of table.columns) if (!column.readOnly) delete row[column.pointer.split('/')[1]!];
    }
  }
  return copy;
}

/** A table's cells as read, with a section's `{rate}` filled in its labels: the diff shows the label a quote prints. */
function shownCells(definition: ProductDefinition, table: RateTable): string[][] {
  const cells = readTableCells(definition, table);
  if (table.kind !== 'sections') return cells;
  const labelColumns = table.columns.flatMap((c, i) => (c.id.startsWith('label.') ? [i] : []));
  return cells.map((row, r) => {
    const rate = sectionRate(definition.plan.sections[r] ?? {});
    return row.map((text, c) => (labelColumns.includes(c) ? fillRateText(text, rate) : text));
  });
}

/** Every table that differs between two definitions, row by row, and the changes outside the tables. */
export function diffVersionTables(from: ProductDefinition, to: ProductDefinition): VersionTablesDiff {
  const before = new Map(listRateTables(from).map((t) => [t.id, t]));
  const after = listRateTables(to);
  const ids = [...after.map((t) => t.id), ...[...before.keys()].filter((id) => !after.some((t) => t.id === id))];
  const tables: TableDiff[] = [];
  for (const id of ids) {
    const a = before.get(id);
    const b = after.find((t) => t.id === id);
    const table = b ?? a!;
    const diff = diffTable(table, a ? shownCells(from, { ...table, rowsPointer: a.rowsPointer }) : [], b ? shownCells(to, b) : []);
    if (diff.rows.length) tables.push(diff);
  }
  return { tables, otherChanges: diffDefinitions(withoutTables(from), withoutTables(to)) };
}
