// A product version's audited edits cell by cell, for its history panel: each change the audit
// holds (a path like `plan.steps[key=lossRatio].rows[key=b4].range.max`, from, to) read against
// the version's definition as its table, row and column, in the reader's language, so the panel
// says "预期/历史赔付率系数 · b4 · 系数上限：1.8 → 2.0" rather than "修改草稿: 1 change(s)".
import { listRateTables, locateCell } from '../catalogue/rate-tables.ts';
import type { ProductDefinition } from '../rating/index.ts';
import { tableTitle } from './page-helpers.ts';
import { pick, translate, type Lang } from './web-messages.ts';

export interface AuditChange {
  path: string;
  from?: unknown;
  to?: unknown;
}

const NAME = /^\.?([A-Za-z0-9_$-]+)/;
const IDENTITY_FIELDS = ['key', 'code', 'name', 'insurer'];

/**
 * The JSON pointer a change path names in `definition`, and the key of the row it passes through.
 * Paths are read against the definition itself, since a row's name may hold brackets and dots
 * (`testVectors[name=contract in (500,1000]].expected`): at an array, the element whose identity
 * the path continues with is taken.
 */
function pointerOf(definition: unknown, path: string): { pointer: string; rowKey?: string } | undefined {
  let node = definition;
  let pointer = '';
  let rowKey: string | undefined;
  let rest = path;
  while (rest !== '') {
    if (rest.startsWith('[')) {
      if (!Array.isArray(node)) return undefined;
      const items: unknown[] = node;
      const index = items.findIndex((item, i) => rest.startsWith(`[${i}]`) || IDENTITY_FIELDS.some((f) => typeof (item as Record<string, unknown> | null)?.[f] === 'string' && rest.startsWith(`[${f}=${(item as Record<string, string>)[f]}]`)));
      if (index < 0) return undefined;
      const item = items[index] as Record<string, unknown> | null;
      const field = IDENTITY_FIELDS.find((f) => typeof item?.[f] === 'string' && rest.startsWith(`[${f}=${item[f] as string}]`));
      const token = field ? `[${field}=${item![field] as string}]` : `[${index}]`;
      if (field) rowKey = item![field] as string;
      rest = rest.slice(token.length);
      node = item;
      pointer += `/${index}`;
      continue;
    }
    const m = NAME.exec(rest);
    if (!m || typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[m[1]!];
    pointer += `/${m[1]}`;
    rest = rest.slice(m[0].length);
  }
  return { pointer, rowKey };
}

/** A value as the grid shows it: yes/no in words, absent as a dash, structures as compact JSON. */
function shown(value: unknown, lang: Lang): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'boolean') return translate(value ? 'yes' : 'no', lang);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const OUTSIDE_TABLES: Record<string, string> = { effectiveFrom: 'tl_from', effectiveTo: 'tl_to', filingReference: 'filingReference', filedOn: 'filedOn' };

/** Where a change is (table · row · column), in the reader's language; undefined when it is in no table. */
function placeOf(definition: ProductDefinition, path: string, lang: Lang): string | undefined {
  if (OUTSIDE_TABLES[path]) return translate(OUTSIDE_TABLES[path], lang);
  const at = pointerOf(definition, path);
  if (!at) return undefined;
  const cell = locateCell(listRateTables(definition), at.pointer);
  if (!cell) return undefined;
  const row = cell.row < 0 ? '' : ` · ${pick({ zh: `第 ${cell.row + 1} ${translate('row', lang)}`, en: `${translate('row', lang)} ${cell.row + 1}` }, lang)}${at.rowKey ? pick({ zh: `（${at.rowKey}）`, en: ` (${at.rowKey})` }, lang) : ''}`;
  return `${tableTitle(cell.table, lang)}${row}${cell.column ? ` · ${translate(`col_${cell.column}`, lang)}` : ''}`;
}

/** Each change as one line "table · row · column: from → to"; a change no table holds is counted, not spelled in keys. */
export function describeChanges(definition: ProductDefinition, changes: readonly AuditChange[], lang: Lang): string[] {
  const lines: string[] = [];
  let elsewhere = 0;
  for (const change of changes) {
    const place = placeOf(definition, change.path, lang);
    if (place === undefined) elsewhere++;
    else lines.push(`${place}${pick({ zh: '：', en: ': ' }, lang)}${shown(change.from, lang)} → ${shown(change.to, lang)}`);
  }
  if (elsewhere) lines.push(translate('historyOtherChanges', lang, { n: elsewhere }));
  return lines;
}
