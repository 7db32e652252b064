// The parts of a product definition an actuary edits, seen as tables: rows of text cells under
// named columns. One table model serves the grids of the web pages, the spreadsheets (CSV and
// XLSX, src/catalogue/table-spreadsheets.ts) and the tabular diff, so a cell means the same thing
// everywhere: a JSON pointer inside the definition (the table's rows, the row, the column's path).
import type { ErrorDetail, ProductDefinition } from '../rating/index.ts';

type LocalText = { zh: string; en: string };

/** How a cell's text becomes a value in the definition (and back). */
export type CellKind = 'text' | 'choice' | 'decimal' | 'integer' | 'boolean' | 'list' | 'json' | 'conditions';

export interface TableColumn {
  /** Stable column id, also the spreadsheet header (e.g. `range.min`). */
  id: string;
  /** JSON pointer inside a row ('' for a row that is a plain value). */
  pointer: string;
  kind: CellKind;
  options?: readonly string[];
  /** Shown but not editable (the rows of the table belong to another part of the definition). */
  readOnly?: boolean;
}

export type TableKind = 'sections' | 'bands' | 'categories' | 'scale' | 'limits' | 'deductibles' | 'rules' | 'subsidies' | 'co-insurance' | 'vectors';

export interface RateTable {
  /** Stable id: the page path segment and the sheet name (`step.transactionAmount`, `sections`, …). */
  id: string;
  kind: TableKind;
  /** The product's own title for step and limit tables; other tables are titled by the pages' messages (`table_<kind>`). */
  title?: LocalText;
  /** JSON pointer of the rows array in the definition. */
  rowsPointer: string;
  columns: TableColumn[];
  /** Rows belong to another array (coverages): none can be added, removed or reordered. */
  fixedRows?: boolean;
  /** Where errors about a whole row are shown (a band that overlaps the previous one: its lower bound). */
  rowErrorColumn?: string;
  /** The column that identifies a row across versions (diff) and imports. */
  keyColumn?: string;
  /** Pointer removed when the table is emptied (a pool without members is no pool). */
  removeWhenEmpty?: string;
}

/** A problem with one cell (row and column of the table), or with the table as a whole (no row). */
export interface CellError {
  row?: number;
  column?: string;
  message: string;
}

const DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;
const YES = new Set(['true', '是', 'yes']);
const NO = new Set(['false', '否', 'no']);
const INTEGER = /^-?[0-9]+$/;
const OPS = ['<=', '>=', '!=', '<', '>', '='];
const CONDITION = /^([A-Za-z][A-Za-z0-9_-]*)\s*(<=|>=|!=|<|>|=)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*(\S+)$/;

const col = (id: string, kind: CellKind = 'text', extra: Partial<TableColumn> = {}): TableColumn => ({ id, pointer: `/${id.replaceAll('.', '/')}`, kind, ...extra });
const labels = [col('label.zh'), col('label.en')];
const rangeColumns = [col('range.min', 'decimal'), col('range.max', 'decimal'), col('range.minExclusive', 'boolean'), col('range.maxExclusive', 'boolean'), col('range.default', 'decimal'), col('coefficient', 'decimal')];
const boundColumns = (prefix: string) => [col(`${prefix}lower`, 'decimal'), col(`${prefix}lowerInclusive`, 'boolean'), col(`${prefix}upper`, 'decimal'), col(`${prefix}upperInclusive`, 'boolean')];

function bandsTable(id: string, rowsPointer: string, title: LocalText, withAlt: boolean): RateTable {
  return {
    id, kind: 'bands', title, rowsPointer, keyColumn: 'key', rowErrorColumn: 'lower',
    columns: [col('key'), ...labels, ...boundColumns(''), ...rangeColumns, ...(withAlt ? boundColumns('alt.') : [])],
  };
}

/** Every table of a definition, in the order the pages show them. */
export function listRateTables(definition: ProductDefinition): RateTable[] {
  const tables: RateTable[] = [{
    id: 'sections', kind: 'sections', rowsPointer: '/plan/sections', keyColumn: 'key',
    columns: [col('key'), ...labels, col('coverage'), col('baseQuantity'), col('baseItemField'), col('ratePercent', 'decimal'), col('shareOf.section'), col('shareOf.percent', 'decimal'), col('perItem')],
  }];
  definition.plan.steps.forEach((step, i) => {
    const rowsPointer = `/plan/steps/${i}/rows`;
    if (step.kind === 'bands') tables.push(bandsTable(`step.${step.key}`, rowsPointer, step.label, step.altQuantity !== undefined));
    else if (step.kind === 'categories') {
      tables.push({ id: `step.${step.key}`, kind: 'categories', title: step.label, rowsPointer, keyColumn: 'key', rowErrorColumn: 'values', columns: [col('key'), ...labels, col('values', 'list'), ...rangeColumns] });
    }
  });
  const period = definition.plan.period;
  if (period.kind === 'periodCoefficient' && period.table) tables.push(bandsTable('period.table', '/plan/period/table/rows', period.table.label, false));
  else tables.push({ id: 'period.scale', kind: 'scale', rowsPointer: '/plan/period/scale', keyColumn: 'months', columns: [col('months', 'integer'), col('percent', 'decimal')] });
  definition.coverages.forEach((coverage, i) => {
    tables.push({
      id: `limits.${coverage.code}`, kind: 'limits', title: coverage.name, rowsPointer: `/coverages/${i}/limits`, rowErrorColumn: 'kind',
      columns: [col('kind', 'choice', { options: ['aggregate', 'perEvent', 'perItem', 'subLimit'] }), ...labels, col('field'), col('amountFen', 'integer'), col('percentOf.limit', 'choice', { options: ['aggregate', 'perEvent', 'perItem'] }), col('percentOf.percent', 'decimal')],
    });
  });
  tables.push(
    {
      id: 'deductibles', kind: 'deductibles', rowsPointer: '/coverages', fixedRows: true, keyColumn: 'code',
      columns: [col('code', 'text', { readOnly: true }), col('deductible.amountField'), col('deductible.amountFen', 'integer'), col('deductible.rateField'), col('deductible.ratePercent', 'decimal')],
    },
    {
      id: 'underwriting', kind: 'rules', rowsPointer: '/underwriting', keyColumn: 'key',
      columns: [col('key'), col('action', 'choice', { options: ['refer', 'decline'] }), col('reason.zh'), col('reason.en'), col('authority'), col('all', 'conditions'), col('any', 'conditions')],
    },
    { id: 'subsidies', kind: 'subsidies', rowsPointer: '/subsidyProgrammes', keyColumn: 'programme', columns: [{ id: 'programme', pointer: '', kind: 'text' }] },
    {
      id: 'co-insurance', kind: 'co-insurance', rowsPointer: '/coInsurance/members', keyColumn: 'insurer', removeWhenEmpty: '/coInsurance',
      columns: [col('insurer'), col('role', 'choice', { options: ['lead', 'follower'] }), col('sharePercent', 'decimal')],
    },
    {
      id: 'test-vectors', kind: 'vectors', rowsPointer: '/testVectors', keyColumn: 'name',
      columns: [col('name'), col('inputs', 'json'), col('picks', 'json'), col('period.months', 'integer'), col('period.days', 'integer'),
        col('expected.decision', 'choice', { options: ['quoted', 'referred', 'declined', 'refused'] }), col('expected.grossPremiumFen', 'integer'), col('expected.sectionPremiumsFen', 'json'), col('expected.rules', 'json'), col('expected.refusedPaths', 'json')],
    },
  );
  return tables;
}

/** One table by id, or undefined. */
export function findRateTable(definition: ProductDefinition, id: string): RateTable | undefined {
  return listRateTables(definition).find((t) => t.id === id);
}

// --- JSON pointers --------------------------------------------------------------------------

const segments = (pointer: string) => (pointer === '' ? [] : pointer.slice(1).split('/'));

export function getAt(value: unknown, pointer: string): unknown {
  let here = value;
  for (const s of segments(pointer)) {
    if (here === null || typeof here !== 'object') return undefined;
    here = (here as Record<string, unknown>)[s];
  }
  return here;
}

/** Sets (or, for undefined, removes) the value at a pointer, creating parents and dropping parents it empties. */
function setAt(root: Record<string, unknown>, pointer: string, value: unknown): void {
  const path = segments(pointer);
  const parents: Record<string, unknown>[] = [];
  let here = root;
  for (const s of path.slice(0, -1)) {
    parents.push(here);
    if (here[s] === null || typeof here[s] !== 'object') {
      if (value === undefined) return;
      here[s] = {};
    }
    here = here[s] as Record<string, unknown>;
  }
  const last = path[path.length - 1]!;
  if (value !== undefined) {
    here[last] = value;
    return;
  }
  delete here[last];
  for (let i = parents.length - 1; i >= 0 && Object.keys(here).length === 0; i--) {
    delete parents[i]![path[i]!];
    here = parents[i]!;
  }
}

// --- cells ----------------------------------------------------------------------------------

/** A value of the definition as the text of its cell. */
export function formatCell(column: TableColumn, value: unknown): string {
  if (value === undefined || value === null) return '';
  switch (column.kind) {
    case 'list': return (value as string[]).join(' | ');
    case 'json': return JSON.stringify(value);
    case 'conditions': return (value as { quantity: string; op: string; value: string; unit: string }[]).map((c) => `${c.quantity} ${c.op} ${c.value} ${c.unit}`).join('; ');
    default: return String(value);
  }
}

/** A cell's text as a value of the definition (undefined: absent), or the reason it is not one. */
export function parseCell(column: TableColumn, text: string): { value: unknown } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { value: undefined };
  switch (column.kind) {
    case 'text': return { value: text };
    case 'choice': return column.options && !column.options.includes(trimmed) ? { error: `must be one of ${column.options.join(', ')}` } : { value: trimmed };
    case 'decimal': return DECIMAL.test(trimmed) ? { value: trimmed } : { error: `"${trimmed}" is not a number` };
    case 'integer': return INTEGER.test(trimmed) ? { value: Number(trimmed) } : { error: `"${trimmed}" is not a whole number` };
    case 'boolean': {
      // The spreadsheets for people write 是/否 (Yes/No); the API's true/false is read as well.
      const b = trimmed.toLowerCase();
      if (YES.has(b)) return { value: true };
      return NO.has(b) ? { value: false } : { error: 'must be true or false' };
    }
    case 'list': return { value: trimmed.split('|').map((s) => s.trim()).filter(Boolean) };
    case 'json':
      try {
        return { value: JSON.parse(trimmed) as unknown };
      } catch (err) {
        return { error: `is not valid JSON: ${(err as Error).message}` };
      }
    case 'conditions': {
      const out: { quantity: string; op: string; value: string; unit: string }[] = [];
      for (const part of trimmed.split(';').map((s) => s.trim()).filter(Boolean)) {
        const m = CONDITION.exec(part);
        if (!m || !OPS.includes(m[2]!)) return { error: `"${part}" is not a condition like "userOrder > 3 count"` };
        out.push({ quantity: m[1]!, op: m[2]!, value: m[3]!, unit: m[4]! });
      }
      return { value: out };
    }
  }
}

/** The table's rows as cell texts, in the definition's order. */
export function readTableCells(definition: ProductDefinition, table: RateTable): string[][] {
  const rows = getAt(definition, table.rowsPointer);
  if (!Array.isArray(rows)) return [];
  return rows.map((row) => table.columns.map((c) => formatCell(c, getAt(row, c.pointer))));
}

const identity = (table: RateTable, cells: readonly string[]) => {
  const at = table.columns.findIndex((c) => c.id === table.keyColumn);
  return at >= 0 ? (cells[at] ?? '').trim() : '';
};

/**
 * Writes a table's cells into a copy of the definition. Cells that are not values are errors
 * (row, column) and leave the definition as it was; the edited copy still has to compile.
 */
export function applyTableCells(definition: ProductDefinition, table: RateTable, cells: readonly (readonly string[])[]): { definition: ProductDefinition; errors: CellError[] } {
  const errors: CellError[] = [];
  const copy = structuredClone(definition) as unknown as Record<string, unknown>;
  const original = (getAt(definition, table.rowsPointer) as unknown[] | undefined) ?? [];
  if (table.fixedRows && cells.length !== original.length) errors.push({ message: `must keep its ${original.length} row(s)` });
  const byKey = new Map(original.map((row) => [identity(table, table.columns.map((c) => formatCell(c, getAt(row, c.pointer)))), row]));
  const rows = cells.map((rowCells, r) => {
    const base = table.fixedRows ? original[r] : table.keyColumn ? byKey.get(identity(table, rowCells)) : undefined;
    let row: unknown = base === undefined ? {} : structuredClone(base);
    table.columns.forEach((column, c) => {
      if (column.readOnly) return;
      const parsed = parseCell(column, rowCells[c] ?? '');
      if ('error' in parsed) return errors.push({ row: r, column: column.id, message: parsed.error });
      if (column.pointer === '') row = parsed.value;
      else setAt(row as Record<string, unknown>, column.pointer, parsed.value);
    });
    return row;
  });
  if (errors.length) return { definition, errors };
  if (rows.length === 0 && table.removeWhenEmpty) setAt(copy, table.removeWhenEmpty, undefined);
  else if (rows.length > 0 || getAt(copy, table.rowsPointer) !== undefined) setAt(copy, table.rowsPointer, rows);
  return { definition: copy as unknown as ProductDefinition, errors };
}

/** Which table, row and column a definition pointer is about (the deepest table that has a cell for it). */
export function locateCell(tables: readonly RateTable[], pointer: string): { table: RateTable; row: number; column?: string } | undefined {
  const byDepth = [...tables].sort((a, b) => b.rowsPointer.length - a.rowsPointer.length);
  for (const table of byDepth) {
    if (pointer === table.rowsPointer) return { table, row: -1 };
    if (!pointer.startsWith(`${table.rowsPointer}/`)) continue;
    const [index, ...rest] = pointer.slice(table.rowsPointer.length + 1).split('/');
    const row = Number(index);
    if (!Number.isInteger(row)) continue;
    const inner = rest.length ? `/${rest.join('/')}` : '';
    const column = table.columns.find((c) => c.pointer === inner)
      ?? table.columns.find((c) => inner !== '' && c.pointer.startsWith(`${inner}/`))
      ?? table.columns.find((c) => c.pointer !== '' && inner.startsWith(`${c.pointer}/`));
    if (column) return { table, row, column: column.id };
    if (inner === '' || table.rowErrorColumn) return { table, row, column: table.rowErrorColumn ?? table.columns[0]!.id };
  }
  return undefined;
}

// --- gaps -----------------------------------------------------------------------------------

const WHOLE_UNITS = new Set(['count', 'months', 'days', 'years']);

/**
 * Bands that leave a gap between them are a typo unless the table says the gaps are filed
 * (outsideBands.between: refused or declined). In whole-number units, [0,0] then [1,2] has no gap.
 */
export function findBandGaps(definition: ProductDefinition): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  const tables: { pointer: string; step: { unit: string; outsideBands?: { between?: unknown }; rows: { lower?: string; lowerInclusive?: boolean; upper?: string; upperInclusive?: boolean }[] } }[] = [];
  definition.plan.steps.forEach((s, i) => { if (s.kind === 'bands') tables.push({ pointer: `/plan/steps/${i}`, step: s }); });
  if (definition.plan.period.table) tables.push({ pointer: '/plan/period/table', step: definition.plan.period.table });
  for (const { pointer, step } of tables) {
    if (step.outsideBands?.between) continue;
    step.rows.forEach((row, i) => {
      const prev = step.rows[i - 1];
      if (!prev || prev.upper === undefined || row.lower === undefined || !DECIMAL.test(prev.upper) || !DECIMAL.test(row.lower)) return;
      const upper = Number(prev.upper);
      const lower = Number(row.lower);
      const upperIn = prev.upperInclusive ?? true;
      const lowerIn = row.lowerInclusive ?? false;
      const gap = WHOLE_UNITS.has(step.unit)
        ? (lowerIn ? Math.ceil(lower) : Math.floor(lower) + 1) > (upperIn ? Math.floor(upper) : Math.ceil(upper) - 1) + 1
        : lower > upper || (lower === upper && !upperIn && !lowerIn);
      if (gap) errors.push({ path: `${pointer}/rows/${i}/lower`, message: `leaves a gap after row ${i} (${prev.upper} to ${row.lower}); the bands must meet` });
    });
  }
  return errors;
}
