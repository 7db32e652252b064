// How one CSV row becomes a pricing request. Brokers fill these files in Excel, so cells are
// text: numbers may carry thousands separators or a trailing %, booleans may read 是/否, dates
// may be 2025/7/1. Everything a cell cannot mean is reported against its column; what the cell
// can mean but the product refuses (an enum value, a range) is left to the rating engine, whose
// error paths are mapped back to columns by columnOfErrorPath().
import type { PricingRequest } from '../quotes/rating-request.ts';

/** A form field as the product definition declares it (the part the mapping reads). */
export interface FormFieldSpec {
  key: string;
  type: 'money' | 'integer' | 'decimal' | 'percent' | 'enum' | 'boolean' | 'text' | 'date' | 'list';
  itemFields?: readonly FormFieldSpec[];
}

/** A problem with one cell (column) or with the whole row (no column). */
export interface CellError {
  column?: string;
  message: string;
}

/** Columns that are not form fields. Product fields with these names cannot be filled by CSV. */
export const RESERVED_COLUMNS = [
  'reference', 'productCode', 'productVersion', 'enterpriseId', 'enterpriseCode', 'startDate', 'endDate',
  'enterprise.supportYear', 'enterprise.qualifications', 'enterprise.awards', 'enterprise.coverScope',
] as const;
const reserved = new Set<string>(RESERVED_COLUMNS);
export const PICK_PREFIX = 'pick.';

/** The columns of a row that are not empty, by header name. */
export type RowCells = ReadonlyMap<string, string>;

/** What a row asks for before the product form is known. */
export interface RowHead {
  reference?: string;
  productCode?: string;
  productVersion?: string;
  enterpriseId?: string;
  enterpriseCode?: string;
  startDate?: string;
  endDate?: string;
}

/** Where each list item of the request came from, to name columns in errors. */
export interface ListOrigin {
  /** The list was a JSON cell in the column named by the field key. */
  json: boolean;
  /** Request item index → index written in the column names (`patents.<n>.type`). */
  columnIndex: number[];
}

export interface MappedRow {
  request: PricingRequest;
  errors: CellError[];
  lists: Map<string, ListOrigin>;
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;
const GROUPED = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const TRUE_WORDS = new Set(['true', 'yes', 'y', '1', '是', '有', 'x', '✓']);
const FALSE_WORDS = new Set(['false', 'no', 'n', '0', '否', '无']);

/** Reads the cells every row has whatever its product. */
export function readRowHead(cells: RowCells, defaults: { productCode?: string; productVersion?: string }): RowHead {
  const head: RowHead = {};
  for (const key of ['reference', 'productCode', 'productVersion', 'enterpriseId', 'enterpriseCode', 'startDate', 'endDate'] as const) {
    const value = cells.get(key);
    if (value !== undefined) head[key] = key === 'startDate' || key === 'endDate' ? normaliseDate(value) ?? value : value;
  }
  head.productCode ??= defaults.productCode;
  head.productVersion ??= defaults.productVersion;
  return head;
}

/** 2025/7/1, 2025-7-1, 2025.07.01 → 2025-07-01; anything else → undefined. */
export function normaliseDate(text: string): string | undefined {
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : undefined;
}

/** A cell as a number, or an error message. Thousands separators and a trailing % are allowed. */
function readNumber(text: string, percent: boolean): number | string {
  let t = text.replace(/[\s\u00a0]/g, '');
  if (percent && t.endsWith('%')) t = t.slice(0, -1);
  if (GROUPED.test(t)) t = t.replaceAll(',', '');
  if (!DECIMAL.test(t)) return `must be a number (got "${text}")`;
  const n = Number(t);
  return Number.isFinite(n) ? n : `must be a number (got "${text}")`;
}

/** Converts one cell to the value the field takes, or returns an error message. */
function readCell(field: FormFieldSpec, text: string): { value: unknown } | { error: string } {
  switch (field.type) {
    case 'money':
    case 'integer':
    case 'decimal':
    case 'percent': {
      const n = readNumber(text, field.type === 'percent');
      return typeof n === 'number' ? { value: n } : { error: n };
    }
    case 'boolean': {
      const word = text.trim().toLowerCase();
      if (TRUE_WORDS.has(word)) return { value: true };
      if (FALSE_WORDS.has(word)) return { value: false };
      return { error: `must be true or false (got "${text}")` };
    }
    case 'date': {
      const iso = normaliseDate(text.trim());
      return iso ? { value: iso } : { error: `must be a date YYYY-MM-DD (got "${text}")` };
    }
    case 'enum':
    case 'text':
      return { value: text.trim() };
    default:
      return { error: 'cannot be given in one cell' };
  }
}

const splitWords = (text: string) => text.split(/[;；,，、]/).map((s) => s.trim()).filter(Boolean);

/**
 * Maps a row's cells onto a product form. Every non-empty column must be a reserved column, a
 * `pick.<step>` column, a field key, or `<list>.<n>.<itemField>`; list fields may instead be a
 * JSON array in the column named by the key.
 */
export function mapRow(cells: RowCells, head: RowHead, fields: readonly FormFieldSpec[]): MappedRow {
  const errors: CellError[] = [];
  const inputs: Record<string, unknown> = {};
  const picks: Record<string, string | number> = {};
  const byKey = new Map(fields.map((f) => [f.key, f]));
  // list key → column index → item
  const indexed = new Map<string, Map<number, Record<string, unknown>>>();
  const lists = new Map<string, ListOrigin>();

  for (const [column, text] of cells) {
    if (reserved.has(column)) continue;
    if (column.startsWith(PICK_PREFIX)) {
      const step = column.slice(PICK_PREFIX.length);
      const n = readNumber(text, false);
      picks[step] = typeof n === 'number' ? n : text.trim();
      continue;
    }
    const field = byKey.get(column);
    if (field) {
      if (field.type === 'list') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        if (!Array.isArray(parsed)) errors.push({ column, message: `must be a JSON list of items, e.g. [{${(field.itemFields ?? []).map((f) => `"${f.key}": …`).join(', ')}}], or use ${column}.0.<field> columns` });
        else {
          inputs[column] = parsed;
          lists.set(column, { json: true, columnIndex: parsed.map((_, i) => i) });
        }
        continue;
      }
      const read = readCell(field, text);
      if ('error' in read) errors.push({ column, message: read.error });
      else inputs[column] = read.value;
      continue;
    }
    const m = /^([^.]+)\.(\d+)\.([^.]+)$/.exec(column);
    const listField = m ? byKey.get(m[1]!) : undefined;
    const itemField = listField?.type === 'list' ? listField.itemFields?.find((f) => f.key === m![3]) : undefined;
    if (m && itemField) {
      const read = readCell(itemField, text);
      if ('error' in read) {
        errors.push({ column, message: read.error });
        continue;
      }
      let items = indexed.get(m[1]!);
      if (!items) indexed.set(m[1]!, (items = new Map()));
      const index = Number(m[2]);
      let item = items.get(index);
      if (!item) items.set(index, (item = {}));
      item[m[3]!] = read.value;
      continue;
    }
    errors.push({ column, message: `is not a column of product ${head.productCode}: use a form field key, pick.<step>, <list>.<n>.<field> or one of ${RESERVED_COLUMNS.join(', ')}` });
  }

  for (const [key, items] of indexed) {
    if (lists.has(key)) {
      errors.push({ column: key, message: `give the list either as JSON in ${key} or in ${key}.<n>.<field> columns, not both` });
      continue;
    }
    const order = [...items.keys()].sort((a, b) => a - b);
    inputs[key] = order.map((i) => items.get(i)!);
    lists.set(key, { json: false, columnIndex: order });
  }

  const request: PricingRequest = { productCode: head.productCode ?? '', inputs };
  if (head.productVersion) request.productVersion = head.productVersion;
  if (head.enterpriseId) request.enterpriseId = head.enterpriseId;
  if (head.startDate) request.startDate = head.startDate;
  if (head.endDate) request.endDate = head.endDate;
  if (Object.keys(picks).length > 0) request.picks = picks;

  const facts: NonNullable<PricingRequest['enterprise']> = {};
  const supportYear = cells.get('enterprise.supportYear');
  if (supportYear !== undefined) {
    const n = readNumber(supportYear, false);
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 10) facts.supportYear = n;
    else errors.push({ column: 'enterprise.supportYear', message: `must be a whole number from 1 to 10 (got "${supportYear}")` });
  }
  const qualifications = cells.get('enterprise.qualifications');
  if (qualifications !== undefined) facts.qualifications = splitWords(qualifications);
  const awards = cells.get('enterprise.awards');
  if (awards !== undefined) facts.awards = splitWords(awards);
  const coverScope = cells.get('enterprise.coverScope');
  if (coverScope !== undefined) {
    if (coverScope === 'domestic' || coverScope === 'overseas') facts.coverScope = coverScope;
    else errors.push({ column: 'enterprise.coverScope', message: `must be domestic or overseas (got "${coverScope}")` });
  }
  if (Object.keys(facts).length > 0) request.enterprise = facts;
  for (const d of ['startDate', 'endDate'] as const) {
    if (head[d] !== undefined && !normaliseDate(head[d])) errors.push({ column: d, message: `must be a date YYYY-MM-DD (got "${head[d]}")` });
  }
  return { request, errors, lists };
}

/**
 * The column an API error path points at: `body.inputs.patents[1].type` → `patents.1.type` (or
 * `patents` when the list was a JSON cell), `body.picks.x` → `pick.x`, `body.enterpriseId` → the
 * enterprise column the row used.
 */
export function columnOfErrorPath(path: string, lists: ReadonlyMap<string, ListOrigin>, enterpriseColumn: string): string | undefined {
  const input = /^body\.inputs\.([^.[]+)(?:\[(\d+)\](?:\.([^.[]+))?)?/.exec(path);
  if (input) {
    const [, key, index, itemKey] = input;
    const origin = lists.get(key!);
    if (index === undefined || !origin || origin.json) return key;
    const columnIndex = origin.columnIndex[Number(index)] ?? Number(index);
    return itemKey ? `${key}.${columnIndex}.${itemKey}` : `${key}.${columnIndex}`;
  }
  const pick = /^body\.picks\.(.+)$/.exec(path);
  if (pick) return `${PICK_PREFIX}${pick[1]}`;
  if (path === 'body.enterpriseId') return enterpriseColumn;
  const top = /^body\.(productCode|productVersion|startDate|endDate)$/.exec(path);
  if (top) return top[1];
  if (path.startsWith('body.enterprise.')) return `enterprise.${path.slice('body.enterprise.'.length)}`;
  if (path.startsWith('body.context.period')) return 'endDate';
  if (path.startsWith('body.context.asOf')) return 'startDate';
  return undefined;
}
