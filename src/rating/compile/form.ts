// --- form --- The input fields: their types, units, bounds and options, each given a slot;
// then the two period slots. Together they open the scope derived quantities build on.
import type { ProductDefinition } from '../product-schema.ts';
import type { CompiledField, FieldType } from '../input-form.ts';
import { quantityTypeOf } from '../input-form.ts';
import { toScaledInteger } from '../money.ts';
import type { CompileContext, QuantityInfo, Scope } from './context.ts';

type FieldDefinition = ProductDefinition['form']['fields'][number];

/** The compiled form: fields in order, the scope they open, and the period slots. */
export interface CompiledForm {
  fields: CompiledField[];
  scope: Scope;
  periodMonthsSlot: number;
  periodDaysSlot: number;
}

/** A field's min or max in its canonical unit (fen for money). */
function fieldBound(f: FieldDefinition, type: FieldType, v: string | undefined, fallback: number, path: string, ctx: CompileContext): number {
  if (v === undefined) return fallback;
  if (type === 'money') {
    const fen = toScaledInteger(v, f.unit === '万元' ? 6 : 2);
    if (fen === undefined) ctx.report(path, 'is not a whole number of fen');
    return fen ?? fallback;
  }
  return Number(v);
}

/** A numeric field's filed choices in canonical units, checked to be ascending and within the field's bounds. */
function compileChoices(f: FieldDefinition, type: FieldType, path: string, ctx: CompileContext): CompiledField['choices'] {
  if (!f.choices) return undefined;
  if (type !== 'money' && type !== 'integer' && type !== 'decimal' && type !== 'percent') {
    ctx.report(`${path}/choices`, 'only a numeric field has filed choices');
    return undefined;
  }
  const canonical = (v: string, at: string) => fieldBound(f, type, v, NaN, at, ctx);
  const values = f.choices.values.map((v, i) => canonical(v, `${path}/choices/values/${i}`));
  values.forEach((v, i) => { if (i > 0 && !(v > (values[i - 1] as number))) ctx.report(`${path}/choices/values/${i}`, 'choices must be ascending and distinct'); });
  const above = f.choices.above === undefined ? NaN : canonical(f.choices.above, `${path}/choices/above`);
  if (above === above && above < (values[values.length - 1] as number)) ctx.report(`${path}/choices/above`, 'must not be below the last choice');
  const unit = f.unit === '%' || type === 'percent' ? '%' : f.unit ?? '';
  const shown = f.choices.values.map((v) => (unit === '%' ? `${v}%` : v));
  const text = `${shown.join(', ')}${f.choices.above === undefined ? '' : ` or above ${f.choices.above}${unit === '%' ? '%' : ''}`}${unit && unit !== '%' ? ` ${unit}` : ''}`;
  return { values, above, text };
}

function compileField(f: FieldDefinition, path: string, slot: number, ctx: CompileContext): CompiledField {
  const type = f.type as FieldType;
  const quantityType = quantityTypeOf(type, f.unit);
  let fenPerUnit = 1;
  if (type === 'money') {
    if (f.unit !== '元' && f.unit !== '万元') ctx.report(`${path}/unit`, 'a money field needs unit 元 or 万元');
    fenPerUnit = f.unit === '万元' ? 1_000_000 : 100;
  }
  if (type === 'percent' && f.unit !== undefined && f.unit !== '%') ctx.report(`${path}/unit`, 'a percent field has unit %');
  const options = f.options ? new Set(f.options.map((o) => o.value)) : undefined;
  if (type === 'enum' && (!options || options.size === 0)) ctx.report(`${path}/options`, 'an enum field needs options');
  if (options && f.options && options.size !== f.options.length) ctx.report(`${path}/options`, 'option values must be unique');
  if (type === 'list' && !('itemFields' in f && f.itemFields)) ctx.report(`${path}/itemFields`, 'a list field needs itemFields');
  const compiled: CompiledField = {
    key: f.key,
    type,
    label: f.label,
    quantityType,
    fenPerUnit,
    min: fieldBound(f, type, f.min, type === 'money' || type === 'percent' || type === 'integer' ? 0 : -Infinity, `${path}/min`, ctx),
    max: fieldBound(f, type, f.max, type === 'percent' ? 100 : Infinity, `${path}/max`, ctx),
    required: f.required ?? false,
    defaultValue: f.default,
    options,
    choices: compileChoices(f, type, path, ctx),
    minItems: 'minItems' in f && f.minItems !== undefined ? f.minItems : 0,
    maxItems: 'maxItems' in f && f.maxItems !== undefined ? f.maxItems : 1000,
    itemFields: [],
    itemKeys: new Set(),
    slot,
  };
  if (type === 'list' && 'itemFields' in f && f.itemFields) {
    const seen = new Set<string>();
    f.itemFields.forEach((itemField, i) => {
      if (seen.has(itemField.key)) ctx.report(`${path}/itemFields/${i}/key`, `duplicate item field ${itemField.key}`);
      seen.add(itemField.key);
      compiled.itemFields.push(compileField(itemField, `${path}/itemFields/${i}`, i, ctx));
      compiled.itemKeys.add(itemField.key);
    });
  }
  return compiled;
}

/** Compiles the form's fields, each with the next slot, then allocates the period slots. */
export function compileForm(form: ProductDefinition['form'], ctx: CompileContext): CompiledForm {
  const fields: CompiledField[] = [];
  const quantities = new Map<string, QuantityInfo>();
  const listFields = new Map<string, CompiledField>();
  form.fields.forEach((f, i) => {
    const path = `/form/fields/${i}`;
    if (quantities.has(f.key) || listFields.has(f.key)) ctx.report(`${path}/key`, `duplicate field ${f.key}`);
    const compiled = compileField(f, path, ctx.nextSlot(), ctx);
    fields.push(compiled);
    if (compiled.type === 'list') listFields.set(f.key, compiled);
    else quantities.set(f.key, { slot: compiled.slot, type: compiled.quantityType ?? 'number', ratio: undefined, label: f.label, isField: true, fields: [f.key] });
  });
  const fieldByKey = new Map(fields.map((f) => [f.key, f]));
  const periodMonthsSlot = ctx.nextSlot();
  const periodDaysSlot = ctx.nextSlot();
  quantities.set('periodMonths', { slot: periodMonthsSlot, type: 'months', ratio: undefined, label: { zh: '保险期间（月）', en: 'Period of cover (months)' }, isField: false, fields: ['period'] });
  quantities.set('periodDays', { slot: periodDaysSlot, type: 'days', ratio: undefined, label: { zh: '保险期间（天）', en: 'Period of cover (days)' }, isField: false, fields: ['period'] });
  return { fields, scope: { quantities, listFields, fieldByKey }, periodMonthsSlot, periodDaysSlot };
}
