// The quote form compiled into a fast validator that also normalises values: money to integer
// fen, numbers to doubles (decimal-exact up to six places), enums and booleans to strings.
import type { ErrorDetail } from './errors.ts';
import { parseDecimal, toScaledInteger } from './money.ts';
import type { LocalText } from './rating-result.ts';

/** Kind of value a quantity holds; band and rule units must agree with it. */
export type QuantityType = 'money' | 'percent' | 'ratio' | 'count' | 'months' | 'days' | 'years' | 'number';

export type FieldType = 'money' | 'integer' | 'decimal' | 'percent' | 'enum' | 'boolean' | 'text' | 'date' | 'list';

export interface CompiledField {
  key: string;
  type: FieldType;
  label: LocalText;
  /** Numeric fields: the quantity type bands and rules see. */
  quantityType: QuantityType | undefined;
  /** Fen per entered unit for money (100 for 元, 1,000,000 for 万元). */
  fenPerUnit: number;
  min: number;
  max: number;
  required: boolean;
  defaultValue: unknown;
  options: ReadonlySet<string> | undefined;
  /** Filed discrete choices of a numeric field, in canonical units (fen for money); undefined when any value goes. */
  choices: FieldChoices | undefined;
  minItems: number;
  maxItems: number;
  itemFields: CompiledField[];
  itemKeys: Set<string>;
  /** Index of the value in the normalised arrays (slot for top-level, position for item fields). */
  slot: number;
}

/** The filed values of a numeric field, and the open bound above which any value is filed too. */
export interface FieldChoices {
  values: readonly number[];
  /** NaN when no open row follows the values. */
  above: number;
  /** "0, 5, 10, 15, 20 or above 20 (%)", for messages. */
  text: string;
}

/** A list item after normalisation: numeric and string values by item-field position. */
export interface NormalizedItem {
  num: number[];
  str: (string | undefined)[];
  raw: Record<string, unknown>;
  /** Position of the item in the list as sent (kept when other items are excluded). */
  index: number;
}

/** Values of one quote after normalisation, by slot. */
export interface QuoteState {
  num: number[];
  str: (string | undefined)[];
  raw: unknown[];
  lists: (NormalizedItem[] | undefined)[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Quantity type of a numeric field from its type and unit. */
export function quantityTypeOf(type: FieldType, unit: string | undefined): QuantityType | undefined {
  if (type === 'money') return 'money';
  if (type === 'percent') return 'percent';
  if (type === 'integer' || type === 'decimal') {
    if (unit === 'count' || unit === 'months' || unit === 'days' || unit === 'years') return unit;
    return 'number';
  }
  return undefined;
}

/**
 * value × scale as an integer when value is a decimal with at most log10(scale) places, else
 * undefined. The product of a decimal double and a power of ten lands within a few ulps of the
 * integer; anything further away has more decimals than allowed.
 */
function scaleNumber(value: number, scale: number): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  const scaled = value * scale;
  const rounded = Math.round(scaled);
  if (!Number.isSafeInteger(rounded)) return undefined;
  return Math.abs(scaled - rounded) <= Math.abs(rounded) * 2 ** -50 ? rounded : undefined;
}

/** Returns an error message when `value` is not a valid value of `field`, else writes it normalised. */
function normalizeValue(field: CompiledField, value: unknown, num: number[], str: (string | undefined)[], at: number): string | undefined {
  switch (field.type) {
    case 'money': {
      if (typeof value !== 'number' && typeof value !== 'string') return `must be an amount in ${field.fenPerUnit === 100 ? '元' : '万元'}`;
      const fen = typeof value === 'number' ? scaleNumber(value, field.fenPerUnit) : toScaledInteger(value, field.fenPerUnit === 100 ? 2 : 6);
      if (fen === undefined) return `must be an amount in ${field.fenPerUnit === 100 ? '元 with at most 2 decimals' : '万元 with at most 6 decimals'}`;
      if (fen < field.min || fen > field.max) return `must be between ${field.min / field.fenPerUnit} and ${field.max / field.fenPerUnit}`;
      num[at] = fen;
      return checkChoices(field, fen);
    }
    case 'integer':
    case 'decimal':
    case 'percent': {
      if (typeof value !== 'number' && typeof value !== 'string') return 'must be a number';
      let n: number;
      if (typeof value === 'number') {
        // A number is accepted when it is a decimal of at most six places (checked without parsing text).
        if (scaleNumber(value, 1e6) === undefined) return 'must be a decimal number with at most 6 decimals';
        if (field.type === 'integer' && !Number.isInteger(value)) return 'must be a whole number';
        n = value;
      } else {
        const d = parseDecimal(value);
        if (!d || d.exp > 6) return 'must be a decimal number with at most 6 decimals';
        if (field.type === 'integer' && d.exp > 0) return 'must be a whole number';
        n = d.num / 10 ** d.exp;
      }
      if (n < field.min || n > field.max) return `must be between ${field.min} and ${field.max}`;
      num[at] = n;
      return checkChoices(field, n);
    }
    case 'enum':
      if (typeof value !== 'string' || !field.options?.has(value)) return `must be one of ${[...(field.options ?? [])].join(', ')}`;
      str[at] = value;
      return undefined;
    case 'boolean':
      if (typeof value !== 'boolean') return 'must be true or false';
      str[at] = value ? 'true' : 'false';
      return undefined;
    case 'text':
      if (typeof value !== 'string') return 'must be text';
      str[at] = value;
      return undefined;
    case 'date':
      if (typeof value !== 'string' || !DATE.test(value) || Number.isNaN(Date.parse(value))) return 'must be a date YYYY-MM-DD';
      str[at] = value;
      return undefined;
    default:
      return 'unsupported field';
  }
}

/** The message of a value that is not one of the field's filed choices, or undefined. */
function checkChoices(field: CompiledField, canonical: number): string | undefined {
  const c = field.choices;
  if (!c || c.values.includes(canonical) || canonical > c.above) return undefined;
  return `must be one of the filed choices ${c.text}`;
}

/** Builds the validator of a form: it fills a fresh QuoteState or reports every bad field. */
export function compileFormValidator(fields: readonly CompiledField[], slotCount: number, fieldKeys: ReadonlySet<string>) {
  return function validateInputs(inputs: unknown, errors: ErrorDetail[]): QuoteState {
    const state: QuoteState = {
      num: new Array<number>(slotCount).fill(NaN),
      str: new Array<string | undefined>(slotCount),
      raw: new Array<unknown>(slotCount),
      lists: new Array<NormalizedItem[] | undefined>(slotCount),
    };
    if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
      errors.push({ path: '/inputs', message: 'must be an object' });
      return state;
    }
    const record = inputs as Record<string, unknown>;
    for (const k in record) if (!fieldKeys.has(k)) errors.push({ path: `/inputs/${k}`, message: 'is not a field of this product' });
    for (const field of fields) {
      let value = record[field.key];
      if (value === undefined || value === null) value = field.defaultValue;
      if (value === undefined) {
        if (field.required) errors.push({ path: `/inputs/${field.key}`, message: 'is required' });
        continue;
      }
      state.raw[field.slot] = value;
      if (field.type !== 'list') {
        const message = normalizeValue(field, value, state.num, state.str, field.slot);
        if (message) errors.push({ path: `/inputs/${field.key}`, message });
        continue;
      }
      if (!Array.isArray(value)) {
        errors.push({ path: `/inputs/${field.key}`, message: 'must be a list' });
        continue;
      }
      if (value.length < field.minItems || value.length > field.maxItems) {
        errors.push({ path: `/inputs/${field.key}`, message: `must have ${field.minItems} to ${field.maxItems} items` });
      }
      const items: NormalizedItem[] = [];
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        const itemPath = `/inputs/${field.key}/${i}`;
        if (typeof item !== 'object' || item === null || Array.isArray(item)) {
          errors.push({ path: itemPath, message: 'must be an object' });
          continue;
        }
        const itemRecord = item as Record<string, unknown>;
        const normalized: NormalizedItem = { num: new Array<number>(field.itemFields.length).fill(NaN), str: new Array<string | undefined>(field.itemFields.length), raw: itemRecord, index: i };
        for (const k in itemRecord) if (!field.itemKeys.has(k)) errors.push({ path: `${itemPath}/${k}`, message: 'is not a field of this item' });
        for (const itemField of field.itemFields) {
          let itemValue = itemRecord[itemField.key];
          if (itemValue === undefined || itemValue === null) itemValue = itemField.defaultValue;
          if (itemValue === undefined) {
            if (itemField.required) errors.push({ path: `${itemPath}/${itemField.key}`, message: 'is required' });
            continue;
          }
          const message = normalizeValue(itemField, itemValue, normalized.num, normalized.str, itemField.slot);
          if (message) errors.push({ path: `${itemPath}/${itemField.key}`, message });
        }
        items.push(normalized);
      }
      state.lists[field.slot] = items;
    }
    return state;
  };
}
