// Decimals and units as definitions write them: values with a unit, coefficients, percentages.
import type { QuantityType } from '../input-form.ts';
import type { ScaledDecimal } from '../money.ts';
import { parseDecimal, toScaledInteger } from '../money.ts';
import type { Bound } from '../bands.ts';

/** The quantity type each unit measures. */
export const UNIT_TYPES: Record<string, QuantityType> = {
  '元': 'money', '万元': 'money', '%': 'percent', ratio: 'ratio', count: 'count', months: 'months', days: 'days', years: 'years', number: 'number',
};

/** Converts a decimal in `unit` to the canonical value of its quantity type (money → fen). */
export function toCanonical(textValue: string, unit: string): Bound | string {
  if (unit === '元' || unit === '万元') {
    const fen = toScaledInteger(textValue, unit === '元' ? 2 : 6);
    if (fen === undefined) return `${textValue} ${unit} is not a whole number of fen`;
    return { value: fen, num: fen, exp: 0, inclusive: true };
  }
  const d = parseDecimal(textValue);
  if (!d) return `${textValue} is not a decimal`;
  return { value: d.num / 10 ** d.exp, num: d.num, exp: d.exp, inclusive: true };
}

/** A decimal the schema has already checked (0 if it somehow is not one). */
export function decimalOf(textValue: string): ScaledDecimal {
  return parseDecimal(textValue) ?? { num: 0, exp: 0 };
}

/** A percentage as a fraction: "0.5" → 0.005. */
export function percentOf(textValue: string): ScaledDecimal {
  const d = decimalOf(textValue);
  return { num: d.num, exp: d.exp + 2 };
}
