// How documents print amounts, numbers and localised text. Pure.
import { Decimal } from 'decimal.js';

// Amounts print as digits (the unit is in the heading); one implementation with the pages' (src/i18n).
export { formatDecimal, yuanDigits } from '../i18n/format.ts';

/** Amount entered in a money unit (元 or 万元) as fen, exactly. */
export function moneyInputToFen(value: unknown, unit: string | undefined): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  let d: Decimal;
  try {
    d = new Decimal(value);
  } catch {
    return undefined;
  }
  const yuan = unit === '万元' ? d.times(10_000) : d;
  return yuan.times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

/** A label with `{name}` placeholders filled in; unknown placeholders stay as written. */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}

/** The text in the document's language ('' when there is none): the one picker of src/i18n. */
export { pick } from '../i18n/pick.ts';

/** First letter upper-cased, for label keys such as `status${cap1(status)}`. */
export const cap1 = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
