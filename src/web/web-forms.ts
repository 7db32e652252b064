// Turns a product's input form into page fields, and a posted page form back into a pricing request.
import { invalidInput } from '../http/app-error.ts';
import { translateValidation } from '../i18n/format.ts';
import { joinClauses, joinList, pick, type LocalText as Text } from '../i18n/pick.ts';
import type { RatingResult } from '../rating/index.ts';
import { parseEnterpriseFacts, type EnterpriseFacts } from './subsidy-form.ts';
import type { Lang } from './web-messages.ts';
import { nameOf, translate } from './web-messages.ts';

export { formatYuan } from '../i18n/format.ts';

/** A form field as a product definition declares it (bounds are decimal strings in the entered unit). */
export interface ProductField {
  key: string;
  type: 'money' | 'integer' | 'decimal' | 'percent' | 'enum' | 'boolean' | 'text' | 'date' | 'list';
  label: Text;
  help?: Text;
  unit?: string;
  min?: string | number;
  max?: string | number;
  required?: boolean;
  default?: unknown;
  options?: { value: string; label: Text }[];
  /** Filed discrete choices of a numeric field (the rows of a filed table). */
  choices?: { values: string[]; above?: string };
  minItems?: number;
  maxItems?: number;
  itemFields?: ProductField[];
}

export interface FieldView {
  name: string;
  id: string;
  kind: 'input' | 'select' | 'list';
  inputType?: 'number' | 'text' | 'date';
  label: string;
  help?: string;
  unit?: string;
  min?: string;
  max?: string;
  step?: string;
  required: boolean;
  /** The asterisk: required, or one of an either-or pair the rating plan needs. */
  requiredMark?: boolean;
  /** Says which other field may be given instead (an either-or pair of the rating plan). */
  eitherOr?: string;
  /** The pair's group name, for the preview script's "can it be rated yet" check. */
  eitherOrGroup?: string;
  value: string;
  options?: { value: string; label: string; selected: boolean }[];
  /** Suggested filed values of a number input whose filing also admits an open range above them. */
  suggestions?: { value: string; label: string }[];
  error?: string;
  describedBy?: string;
  placeholder?: string;
  items?: { index: number; title: string; fields: FieldView[] }[];
  template?: FieldView[];
  minItems?: number;
  maxItems?: number;
  addLabel?: string;
  removeLabel?: string;
}

/** Field name (as posted) → entered text; field name → error message. */
export type FormValues = Record<string, string>;
export type FormErrors = Record<string, string>;

const NUMERIC = new Set(['money', 'integer', 'decimal', 'percent']);
const fieldId = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
/** A field's unit in the reader's language ('' for counts). */
export const unitLabel = (field: ProductField, lang: Lang): string => {
  const unit = field.type === 'money' ? field.unit ?? '元' : field.type === 'percent' ? '%' : field.unit === 'count' ? '' : field.unit ?? '';
  return unit ? nameOf('unit', unit, lang) : '';
};

function toFieldView(field: ProductField, name: string, values: FormValues, errors: FormErrors, lang: Lang): FieldView {
  const id = fieldId(name);
  const entered = values[name];
  const value = entered ?? (field.default !== undefined && field.type !== 'list' ? String(field.default) : '');
  const error = errors[name];
  const help = pick(field.help, lang) || undefined;
  const base = {
    name, id, label: pick(field.label, lang), required: field.required === true, value,
    ...(help ? { help } : {}),
    ...(error ? { error } : {}),
    describedBy: [help ? `${id}-help` : '', `${id}-error`].filter(Boolean).join(' '),
  };
  if (field.type === 'enum' || field.type === 'boolean') {
    const options = field.type === 'boolean'
      ? [{ value: 'true', label: translate('yes', lang) }, { value: 'false', label: translate('no', lang) }]
      : (field.options ?? []).map((o) => ({ value: o.value, label: pick(o.label, lang) }));
    return { ...base, kind: 'select', options: options.map((o) => ({ ...o, selected: o.value === value })) };
  }
  if (NUMERIC.has(field.type) && field.choices) return choiceView(field, base, value, lang);
  if (NUMERIC.has(field.type)) {
    const unit = unitLabel(field, lang);
    return {
      ...base, kind: 'input', inputType: 'number',
      ...(unit ? { unit } : {}),
      ...(field.min !== undefined ? { min: String(field.min) } : {}),
      ...(field.max !== undefined ? { max: String(field.max) } : {}),
      step: field.type === 'integer' ? '1' : 'any',
    };
  }
  return { ...base, kind: 'input', inputType: field.type === 'date' ? 'date' : 'text' };
}

/**
 * A field with filed choices: a select of the filed values; where the filing also has an open row
 * above them (">20%"), a number input that suggests the filed values, the choices in its help.
 */
function choiceView(field: ProductField, base: Omit<FieldView, 'kind'> & { help?: string }, value: string, lang: Lang): FieldView {
  const choices = field.choices!;
  const unit = unitLabel(field, lang);
  const shown = (v: string) => (field.type === 'percent' ? `${v}%` : unit ? `${v} ${unit}` : v);
  const options = choices.values.map((v) => ({ value: v, label: shown(v) }));
  if (choices.above === undefined) return { ...base, kind: 'select', options: options.map((o) => ({ ...o, selected: o.value === value })) };
  const list = joinList(options.map((o) => o.label), lang);
  const help = [base.help, translate('filedChoicesHelp', lang, { choices: translate('filedAbove', lang, { choices: list, above: shown(choices.above) }) })].filter(Boolean).join(pick({ zh: '；', en: ' ' }, lang));
  return {
    ...base, help, describedBy: [`${base.id}-help`, `${base.id}-error`].join(' '), kind: 'input', inputType: 'number', suggestions: options,
    ...(unit ? { unit } : {}), step: 'any',
  };
}

/** Two fields of which the rating plan needs at least one (a step's quantity and its alternative). */
export type EitherOrPair = readonly [string, string];

function markEitherOr(view: FieldView, field: ProductField, fields: readonly ProductField[], pairs: readonly EitherOrPair[], lang: Lang): FieldView {
  const pair = pairs.find((p) => p.includes(field.key));
  if (!pair || field.required) return { ...view, requiredMark: view.required };
  const label = (key: string) => pick(fields.find((f) => f.key === key)?.label, lang) || key;
  return { ...view, requiredMark: true, eitherOr: translate('eitherOr', lang, { a: label(pair[0]), b: label(pair[1]) }), eitherOrGroup: pair.join('|') };
}

/**
 * Page fields for a product form, filled with what was entered and the errors at their paths.
 * `eitherOr` pairs (from the rating plan) get the required mark and a note naming the other field.
 */
export function buildFieldViews(fields: readonly ProductField[], values: FormValues, errors: FormErrors, lang: Lang, eitherOr: readonly EitherOrPair[] = []): FieldView[] {
  return fields.map((field) => {
    const name = `inputs.${field.key}`;
    if (field.type !== 'list') return markEitherOr(toFieldView(field, name, values, errors, lang), field, fields, eitherOr, lang);
    const count = Math.max(listLength(values, name), field.minItems ?? (field.required ? 1 : 0), values[`${name}.__count`] ? Number(values[`${name}.__count`]) : 0);
    const items = Array.from({ length: count }, (_, index) => ({
      index,
      title: translate('item', lang, { n: index + 1 }),
      fields: (field.itemFields ?? []).map((f) => ({ ...toFieldView(f, `${name}[${index}].${f.key}`, values, errors, lang), requiredMark: f.required === true })),
    }));
    const id = fieldId(name);
    const error = errors[name];
    return {
      name, id, kind: 'list', label: pick(field.label, lang), required: field.required === true, requiredMark: field.required === true, value: '',
      ...(error ? { error } : {}),
      describedBy: `${id}-error`,
      items,
      template: (field.itemFields ?? []).map((f) => ({ ...toFieldView(f, `${name}[__i__].${f.key}`, {}, {}, lang), requiredMark: f.required === true })),
      minItems: field.minItems ?? 0,
      maxItems: field.maxItems ?? 1000,
      addLabel: translate('addItem', lang),
      removeLabel: translate('removeItem', lang),
    } satisfies FieldView;
  });
}

function listLength(values: FormValues, name: string): number {
  let length = 0;
  const prefix = `${name}[`;
  for (const key of Object.keys(values)) {
    if (!key.startsWith(prefix)) continue;
    const index = Number(key.slice(prefix.length, key.indexOf(']', prefix.length)));
    if (Number.isInteger(index)) length = Math.max(length, index + 1);
  }
  return length;
}

export interface ParsedQuoteForm {
  enterpriseId?: string;
  startDate?: string;
  inputs: Record<string, unknown>;
  picks: Record<string, string>;
  /** Subsidy facts for this cover (qualifications, awards, support year, scope). */
  enterprise?: EnterpriseFacts;
  /** What was entered, by field name, with list items renumbered from 0 (to redisplay the form). */
  values: FormValues;
}

function convert(field: ProductField, raw: string): unknown {
  const text = raw.trim();
  if (text === '') return undefined;
  if (field.type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  // Numbers stay decimal strings: the engine parses them exactly (no binary floating point).
  return text;
}

const first = (value: unknown): string | undefined => (Array.isArray(value) ? first(value[0]) : typeof value === 'string' ? value : undefined);

/**
 * Reads a posted quote form (`inputs.key`, `inputs.list[i].key`, `picks.step`) into a pricing
 * request. List items are renumbered in order, so removing an item in the browser leaves no gap.
 */
export function parseQuoteForm(body: Record<string, unknown>, fields: readonly ProductField[]): ParsedQuoteForm {
  const values: FormValues = {};
  const inputs: Record<string, unknown> = {};
  for (const field of fields) {
    const name = `inputs.${field.key}`;
    if (field.type !== 'list') {
      const raw = first(body[name]);
      if (raw === undefined) continue;
      values[name] = raw;
      const value = convert(field, raw);
      if (value !== undefined) inputs[field.key] = value;
      continue;
    }
    const byIndex = new Map<number, Record<string, string>>();
    const pattern = new RegExp(`^${name.replace(/\./g, '\\.')}\\[(\\d{1,4})\\]\\.(\\w+)$`);
    for (const [key, rawValue] of Object.entries(body)) {
      const match = pattern.exec(key);
      const raw = first(rawValue);
      if (!match || raw === undefined) continue;
      const index = Number(match[1]);
      if (!byIndex.has(index)) byIndex.set(index, {});
      byIndex.get(index)![match[2]!] = raw;
    }
    const items: Record<string, unknown>[] = [];
    [...byIndex.keys()].sort((a, b) => a - b).forEach((oldIndex, index) => {
      const rawItem = byIndex.get(oldIndex)!;
      const item: Record<string, unknown> = {};
      for (const itemField of field.itemFields ?? []) {
        const raw = rawItem[itemField.key];
        if (raw === undefined) continue;
        values[`${name}[${index}].${itemField.key}`] = raw;
        const value = convert(itemField, raw);
        if (value !== undefined) item[itemField.key] = value;
      }
      items.push(item);
    });
    values[`${name}.__count`] = String(items.length);
    if (items.length > 0 || field.required) inputs[field.key] = items;
  }
  const picks: Record<string, string> = {};
  for (const [key, rawValue] of Object.entries(body)) {
    const raw = first(rawValue)?.trim();
    if (!key.startsWith('picks.') || !raw) continue;
    picks[key.slice('picks.'.length)] = raw;
    values[key] = raw;
  }
  const enterpriseId = first(body.enterpriseId)?.trim();
  const startDate = first(body.startDate)?.trim();
  if (enterpriseId) values.enterpriseId = enterpriseId;
  if (startDate) values.startDate = startDate;
  const enterprise = parseEnterpriseFacts(body, values);
  return { ...(enterpriseId ? { enterpriseId } : {}), ...(startDate ? { startDate } : {}), inputs, picks, ...(enterprise ? { enterprise } : {}), values };
}

/**
 * Yuan as typed ("12,345.67", commas and spaces ignored) to integer fen, or a 400 at the form's
 * `path` with `message` (already in the reader's language); `aboveZero` refuses 0.
 */
export function parseYuanToFen(value: unknown, path: string, message: string, aboveZero = false): number {
  const typed = typeof value === 'string' ? value.replace(/[,\s，]/g, '') : '';
  const match = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(typed);
  const fen = match ? Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0')) : -1;
  if (fen < 0 || (aboveZero && fen === 0)) {
    throw invalidInput(message, [{ path, message: `must be an amount in yuan${aboveZero ? ' above 0' : ''} with at most two decimals (format)` }]);
  }
  return fen;
}

/** How a form reads a refusal's details: its own name of a body field, its own message of a rule. */
export interface FieldErrorRules {
  /** The form's name of a refused body field (`grantedFen` is typed as `grantedYuan`); the field itself when absent. */
  nameOf?: (field: string) => string;
  /** The form's own message for a refused rule at its name; the rule translated when absent or undefined. */
  messageOf?: (name: string, message: string) => string | undefined;
}

/**
 * `body.inputs.equipment[0].name` → `inputs.equipment[0].name` (the page's field name), each
 * message in the reader's language (`stepName` names a rating step by its label); a form's own
 * names and messages by `rules`.
 */
export function errorsByField(details: readonly { path: string; message: string }[], lang: Lang, stepName?: (key: string) => string, rules: FieldErrorRules = {}): FormErrors {
  const errors: FormErrors = {};
  for (const detail of details) {
    const field = detail.path.replace(/^body\./, '');
    const name = rules.nameOf?.(field) ?? field;
    const message = rules.messageOf?.(name, detail.message) ?? translateValidation(detail.message, lang, stepName);
    const before = errors[name];
    errors[name] = !before ? message : before.includes(message) ? before : joinClauses([before, message], lang);
  }
  return errors;
}

/** A refused form's errors by field (errorsByField), or the refusal's message on the form when it names no field. */
export function refusalErrors(err: { message: string; details: readonly { path: string; message: string }[] }, lang: Lang, rules: FieldErrorRules = {}): FormErrors {
  const errors = errorsByField(err.details, lang, undefined, rules);
  return Object.keys(errors).length ? errors : { form: err.message };
}

/**
 * Pick inputs for the worksheet steps the role may change, bounded by their filed ranges (the
 * engine checks again). One per step key: per-item sections repeat a step with the same range.
 * `prefill` puts the current coefficient in the field (underwriters); otherwise it is a placeholder.
 */
export function buildPickFields(result: RatingResult, changeable: (step: string) => boolean, values: FormValues, errors: FormErrors, lang: Lang, prefill: boolean): FieldView[] {
  const seen = new Set<string>();
  const fields: FieldView[] = [];
  for (const line of result.worksheet) {
    if (!line.filedRange || seen.has(line.step) || !changeable(line.step)) continue;
    seen.add(line.step);
    const name = `picks.${line.step}`;
    const id = fieldId(name);
    const error = errors[name];
    fields.push({
      name, id, kind: 'input', inputType: 'number', label: `${pick(line.label, lang)} [${line.filedRange.min}–${line.filedRange.max}]`,
      min: line.filedRange.min, max: line.filedRange.max, step: 'any', required: false,
      // Brokers see the coefficient as a placeholder, so an untouched field is not sent as a pick.
      value: values[name] ?? (prefill ? line.value : ''), placeholder: line.value,
      ...(error ? { error } : {}), describedBy: `${id}-error`,
    });
  }
  return fields;
}
