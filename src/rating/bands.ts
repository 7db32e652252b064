// Band and category rows compiled for lookup. Bounds are converted once to the quantity's
// canonical unit (money in fen), so matching is plain number comparison; ratio quantities are
// compared exactly by cross-multiplication when the float comparison is too close to call.
import type { FiledRange, LocalText } from './rating-result.ts';
import { parseDecimal } from './money.ts';

/** A coefficient row: a fixed value or a filed range with its default pick. */
export interface CoefficientRow {
  key: string;
  label: LocalText | undefined;
  fixed: boolean;
  /** Fixed coefficient, or the default pick of a range, as num / 10^exp. */
  num: number;
  exp: number;
  value: number;
  text: string;
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
  filedRange: FiledRange | undefined;
  /** The worksheet's "matched" entry, built once. */
  matched: { row: string; label: LocalText | undefined };
}

/** One side of a band: NaN for an open end. */
export interface Bound {
  value: number;
  num: number;
  exp: number;
  inclusive: boolean;
}

export interface BandRow extends CoefficientRow {
  lower: Bound;
  upper: Bound;
  altLower: Bound | undefined;
  altUpper: Bound | undefined;
}

/** A coefficient value taken from a pick. */
export interface PickedValue {
  num: number;
  exp: number;
  value: number;
  text: string;
}

const OPEN: Bound = { value: NaN, num: 0, exp: 0, inclusive: false };

/** An open bound (no limit on that side). */
export function openBound(): Bound {
  return OPEN;
}

const GUARD = 2 ** -40;

function compareRatioExact(n: number, d: number, bound: Bound): number {
  const scale = 10 ** bound.exp;
  const left = n * scale;
  const right = bound.num * d;
  if (Number.isSafeInteger(left) && Number.isSafeInteger(right) && Number.isInteger(n) && Number.isInteger(d)) return Math.sign(left - right);
  // Operands are decimal-exact to six places; scale them to integers for BigInt.
  const bn = BigInt(Math.round(n * 1e6)) * BigInt(scale);
  const bd = BigInt(Math.round(d * 1e6)) * BigInt(bound.num);
  return bn === bd ? 0 : bn > bd ? 1 : -1;
}

/** Sign of (x − bound), exact for ratio quantities given as n / d. */
function compareToBound(x: number, n: number, d: number, bound: Bound, ratio: boolean): number {
  const diff = x - bound.value;
  if (!ratio) return diff === 0 ? 0 : diff > 0 ? 1 : -1;
  if (Math.abs(diff) > Math.abs(bound.value) * GUARD + 1e-300) return diff > 0 ? 1 : -1;
  return compareRatioExact(n, d, bound);
}

function inside(x: number, n: number, d: number, lower: Bound, upper: Bound, ratio: boolean): boolean {
  if (lower.value === lower.value) {
    const c = compareToBound(x, n, d, lower, ratio);
    if (c < 0 || (c === 0 && !lower.inclusive)) return false;
  }
  if (upper.value === upper.value) {
    const c = compareToBound(x, n, d, upper, ratio);
    if (c > 0 || (c === 0 && !upper.inclusive)) return false;
  }
  return true;
}

/** Index of the band containing x (n / d for ratios), or -1. */
export function findBand(rows: readonly BandRow[], x: number, n: number, d: number, ratio: boolean): number {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as BandRow;
    if (inside(x, n, d, row.lower, row.upper, ratio)) return i;
  }
  return -1;
}

/** Index of the alternative band containing x, or -1. */
export function findAltBand(rows: readonly BandRow[], x: number, n: number, d: number, ratio: boolean): number {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as BandRow;
    if (row.altLower && row.altUpper && inside(x, n, d, row.altLower, row.altUpper, ratio)) return i;
  }
  return -1;
}

/** Checks a pick against a row's filed range; returns the value or an error message. */
export function resolvePick(row: CoefficientRow, pick: string | number): PickedValue | string {
  const d = parseDecimal(pick);
  if (!d || d.exp > 6 || d.num < 0) return `must be a non-negative decimal with at most 6 decimals`;
  const value = d.num / 10 ** d.exp;
  if (row.fixed) {
    if (value !== row.value) return `row ${row.key} has the fixed coefficient ${row.text}; it cannot be picked`;
    return row;
  }
  const below = value < row.min || (value === row.min && row.minExclusive);
  const above = value > row.max || (value === row.max && row.maxExclusive);
  if (below || above) {
    const r = row.filedRange as FiledRange;
    return `${formatPick(pick)} is outside the filed range ${r.minExclusive ? '(' : '['}${r.min}, ${r.max}${r.maxExclusive ? ')' : ']'} of band ${row.key}${row.label ? ` (${row.label.en})` : ''}`;
  }
  return { num: d.num, exp: d.exp, value, text: typeof pick === 'string' ? pick : String(pick) };
}

function formatPick(pick: string | number): string {
  return typeof pick === 'string' ? `"${pick}"` : String(pick);
}

/** Where a value in no band falls: below the first band, above the last, or in a gap between two. */
export function outsideRegion(rows: readonly BandRow[], x: number, n: number, d: number, ratio: boolean, alt: boolean): 'below' | 'between' | 'above' {
  const banded = alt ? rows.filter((r) => r.altLower && r.altUpper) : rows;
  const first = banded[0];
  const last = banded[banded.length - 1];
  const lower = first && (alt ? first.altLower : first.lower);
  const upper = last && (alt ? last.altUpper : last.upper);
  if (lower && lower.value === lower.value) {
    const c = compareToBound(x, n, d, lower, ratio);
    if (c < 0 || (c === 0 && !lower.inclusive)) return 'below';
  }
  if (upper && upper.value === upper.value) {
    const c = compareToBound(x, n, d, upper, ratio);
    if (c > 0 || (c === 0 && !upper.inclusive)) return 'above';
  }
  return 'between';
}
