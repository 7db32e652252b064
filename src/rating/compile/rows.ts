// --- coefficient rows --- A row is a fixed coefficient or a filed range with a default pick;
// steps of every kind and the period table are made of them.
import type { ScaledDecimal } from '../money.ts';
import { formatScaled } from '../money.ts';
import type { CoefficientRow } from '../bands.ts';
import type { LocalText, QuotingRole } from '../rating-result.ts';
import type { CompileContext } from './context.ts';
import { decimalOf } from './units.ts';

/** A row as definitions write it: a coefficient or a range (the schema lets both be absent). */
export interface RowDefinition {
  key?: string;
  label?: LocalText;
  coefficient?: string;
  range?: { min: string; max: string; minExclusive?: boolean; maxExclusive?: boolean; default?: string };
}

type RangeDefinition = NonNullable<RowDefinition['range']>;

/** The roles that may pick inside a step's ranges (underwriters unless the step says). */
export function roleSet(roles: readonly string[] | undefined): ReadonlySet<QuotingRole> {
  return new Set((roles ?? ['underwriter']) as QuotingRole[]);
}

/** A fixed coefficient as a row. */
export function fixedRow(key: string, label: LocalText | undefined, coefficient: string): CoefficientRow {
  const d = decimalOf(coefficient);
  return { key, label, fixed: true, num: d.num, exp: d.exp, value: d.num / 10 ** d.exp, text: formatScaled(d.num, d.exp), min: NaN, max: NaN, minExclusive: false, maxExclusive: false, filedRange: undefined, matched: { row: key, label } };
}

/** The default pick of a range: its own default, else min, max or the midpoint as defaultPick says. */
function defaultPickOf(r: RangeDefinition, min: ScaledDecimal, max: ScaledDecimal, defaultPick: string): ScaledDecimal {
  if (r.default !== undefined) return decimalOf(r.default);
  if (defaultPick === 'min' && !r.minExclusive) return min;
  if (defaultPick === 'max' && !r.maxExclusive) return max;
  // Midpoint as an exact decimal: (a + b) / 2 with one more decimal place.
  const exp = Math.max(min.exp, max.exp) + 1;
  const sum = min.num * 10 ** (exp - min.exp) + max.num * 10 ** (exp - max.exp);
  return { num: sum * 5, exp: exp + 1 };
}

function rangeRow(key: string, label: LocalText | undefined, r: RangeDefinition, path: string, defaultPick: string, ctx: CompileContext): CoefficientRow {
  const min = decimalOf(r.min);
  const max = decimalOf(r.max);
  const minValue = min.num / 10 ** min.exp;
  const maxValue = max.num / 10 ** max.exp;
  if (minValue > maxValue || (minValue === maxValue && (r.minExclusive || r.maxExclusive))) ctx.report(`${path}/range`, `empty range ${r.min}–${r.max}`);
  const pick = defaultPickOf(r, min, max, defaultPick);
  const pickValue = pick.num / 10 ** pick.exp;
  const insideRange = pickValue > minValue && pickValue < maxValue || (pickValue === minValue && !r.minExclusive) || (pickValue === maxValue && !r.maxExclusive);
  if (!insideRange) ctx.report(`${path}/range/default`, `default pick ${formatScaled(pick.num, pick.exp)} is outside ${r.min}–${r.max}`);
  const text = formatScaled(pick.num, pick.exp);
  const norm = decimalOf(text);
  return {
    key, label, fixed: false, num: norm.num, exp: norm.exp, value: pickValue, text,
    min: minValue, max: maxValue, minExclusive: r.minExclusive ?? false, maxExclusive: r.maxExclusive ?? false,
    filedRange: { min: formatScaled(min.num, min.exp), max: formatScaled(max.num, max.exp), minExclusive: r.minExclusive ?? false, maxExclusive: r.maxExclusive ?? false },
    matched: { row: key, label },
  };
}

/** Compiles row `index` of a step (keys default to row1, row2, …). */
export function compileRow(row: RowDefinition, path: string, index: number, defaultPick: string, ctx: CompileContext): CoefficientRow {
  const key = row.key ?? `row${index + 1}`;
  if ((row.coefficient === undefined) === (row.range === undefined)) ctx.report(path, 'a row needs exactly one of coefficient or range');
  if (row.coefficient !== undefined || row.range === undefined) return fixedRow(key, row.label, row.coefficient ?? '1');
  return rangeRow(key, row.label, row.range, path, defaultPick, ctx);
}
