// Compile once, evaluate many: a product definition is validated against its schema, then
// checked for meaning (references, units, band order, ranges) and turned into an immutable
// model of slots, indexed tables and closures that evaluateQuote runs without re-reading JSON.
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ErrorDetail } from './errors.ts';
import { ProductCompileError } from './errors.ts';
import type { ProductDefinition } from './product-schema.ts';
import { productDefinitionSchema } from './product-schema.ts';
import { subsidyProgrammeSchema } from './subsidy-schema.ts';
import type { CompiledField, FieldType, QuantityType, QuoteState } from './input-form.ts';
import { compileFormValidator, quantityTypeOf } from './input-form.ts';
import type { ScaledDecimal } from './money.ts';
import { formatScaled, parseDecimal, toScaledInteger } from './money.ts';
import type { BandRow, Bound, CoefficientRow } from './bands.ts';
import { openBound } from './bands.ts';
import type { LocalText, QuotingRole } from './rating-result.ts';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** The one ajv instance of the rating core; it holds both schemas. */
export const ratingAjv = new Ajv({ allErrors: true, discriminator: true, strict: false });
addFormats(ratingAjv);
ratingAjv.addSchema(productDefinitionSchema);
ratingAjv.addSchema(subsidyProgrammeSchema);
const validateDefinition = ratingAjv.getSchema(productDefinitionSchema.$id)!;

type Step = ProductDefinition['plan']['steps'][number];
type BandsStep = Extract<Step, { kind: 'bands' }>;
type Condition = NonNullable<NonNullable<ProductDefinition['underwriting']>[number]['all']>[number];

/** What the worksheet shows of an input a step read. */
export interface InputRef {
  key: string;
  slot: number;
  /** raw: the field as entered; num: a derived number; fen: a derived amount shown in 元; str: text. */
  show: 'raw' | 'num' | 'fen' | 'str';
}

interface QuantityInfo {
  slot: number;
  type: QuantityType;
  /** Slots holding numerator and denominator of a ratio, for exact comparison. */
  ratio: { numSlot: number; denSlot: number } | undefined;
  label: LocalText;
  isField: boolean;
}

export interface CompiledBandsStep {
  kind: 'bands';
  key: string;
  label: LocalText;
  slot: number;
  ratio: { numSlot: number; denSlot: number } | undefined;
  altSlot: number;
  altRatio: { numSlot: number; denSlot: number } | undefined;
  rows: BandRow[];
  noMatch: { action: 'refer' | 'decline'; row: CoefficientRow; reason: LocalText; authority: string | undefined } | undefined;
  changeableBy: ReadonlySet<QuotingRole>;
  inputs: InputRef[];
}

export interface CompiledCategoriesStep {
  kind: 'categories';
  key: string;
  label: LocalText;
  slot: number;
  itemPos: number;
  fromItems: boolean;
  rowByValue: ReadonlyMap<string, number>;
  rows: CoefficientRow[];
  changeableBy: ReadonlySet<QuotingRole>;
  inputs: InputRef[];
}

export interface CompiledSimpleStep {
  kind: 'fixed' | 'range';
  key: string;
  label: LocalText;
  row: CoefficientRow;
  changeableBy: ReadonlySet<QuotingRole>;
  inputs: InputRef[];
}

export type CompiledStep = CompiledBandsStep | CompiledCategoriesStep | CompiledSimpleStep;

export interface CompiledSection {
  key: string;
  label: LocalText;
  baseSlot: number;
  baseKey: string;
  listSlot: number;
  baseItemPos: number;
  /** Rate as a fraction (percent / 100) or the share of the referenced section. */
  factor: ScaledDecimal;
  factorText: string;
  shareOf: number;
}

export type CompiledPeriod =
  | { kind: 'shortPeriodScale'; label: LocalText; percentByMonth: ScaledDecimal[]; perDay: { percent: ScaledDecimal; max: ScaledDecimal } | undefined }
  | { kind: 'periodCoefficient'; label: LocalText; table: CompiledBandsStep };

export interface CompiledRule {
  key: string;
  action: 'refer' | 'decline';
  reason: LocalText;
  authority: string | undefined;
  test: (state: QuoteState) => boolean;
}

/** A product compiled for evaluation. Treat as opaque and immutable. */
export interface CompiledProduct {
  readonly definition: ProductDefinition;
  readonly code: string;
  readonly version: string;
  readonly insurer: string;
  readonly line: string;
  readonly effectiveFrom: string;
  readonly effectiveTo: string | undefined;
  readonly validityDays: number;
  readonly fields: readonly CompiledField[];
  readonly validateInputs: (inputs: unknown, errors: ErrorDetail[]) => QuoteState;
  readonly periodMonthsSlot: number;
  readonly periodDaysSlot: number;
  readonly quantities: readonly ((state: QuoteState) => void)[];
  readonly sections: readonly CompiledSection[];
  readonly steps: readonly CompiledStep[];
  readonly stepsByKey: ReadonlyMap<string, CompiledStep>;
  readonly period: CompiledPeriod;
  readonly rules: readonly CompiledRule[];
  readonly minimumPremiumFen: number;
  readonly maximumRate: { slot: number; rate: ScaledDecimal; text: string } | undefined;
  readonly roundingUnitFen: number;
  readonly vatRate: ScaledDecimal;
  readonly vatRateText: string;
  readonly coInsurance: readonly { insurer: string; role: 'lead' | 'follower'; sharePercent: string; share: ScaledDecimal }[] | undefined;
  readonly subsidyBasis: { sumInsuredSlot: number; contractSlot: number } | undefined;
}

const UNIT_TYPES: Record<string, QuantityType> = {
  '元': 'money', '万元': 'money', '%': 'percent', ratio: 'ratio', count: 'count', months: 'months', days: 'days', years: 'years', number: 'number',
};

/** Converts a decimal in `unit` to the canonical value of its quantity type (money → fen). */
function toCanonical(textValue: string, unit: string): Bound | string {
  if (unit === '元' || unit === '万元') {
    const fen = toScaledInteger(textValue, unit === '元' ? 2 : 6);
    if (fen === undefined) return `${textValue} ${unit} is not a whole number of fen`;
    return { value: fen, num: fen, exp: 0, inclusive: true };
  }
  const d = parseDecimal(textValue);
  if (!d) return `${textValue} is not a decimal`;
  return { value: d.num / 10 ** d.exp, num: d.num, exp: d.exp, inclusive: true };
}

function decimalOf(textValue: string): ScaledDecimal {
  return parseDecimal(textValue) ?? { num: 0, exp: 0 };
}

function percentOf(textValue: string): ScaledDecimal {
  const d = decimalOf(textValue);
  return { num: d.num, exp: d.exp + 2 };
}

function ajvPath(instancePath: string, params: Record<string, unknown>): string {
  const extra = typeof params.additionalProperty === 'string' ? `/${params.additionalProperty}` : typeof params.missingProperty === 'string' ? `/${params.missingProperty}` : '';
  return (instancePath || '') + extra || '/';
}

const STEP_KINDS = ['bands', 'categories', 'fixed', 'range'];
const STEP_PATH = /^\/plan\/steps\/(\d+)/;

/** ajv errors as paths and messages; for steps, only the errors of the branch their kind selects. */
function readableErrors(definition: unknown, errors: readonly { instancePath: string; schemaPath: string; params: unknown; message?: string }[]): ErrorDetail[] {
  const steps = (definition as { plan?: { steps?: unknown } }).plan?.steps;
  const out: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const m = STEP_PATH.exec(e.instancePath);
    if (m && Array.isArray(steps)) {
      const kind = (steps[Number(m[1])] as { kind?: unknown } | undefined)?.kind;
      const branch = typeof kind === 'string' ? STEP_KINDS.indexOf(kind) : -1;
      if (branch >= 0 && (e.schemaPath.endsWith('/oneOf') || !e.schemaPath.includes(`/oneOf/${branch}/`))) continue;
    }
    const detail = { path: ajvPath(e.instancePath, e.params as Record<string, unknown>), message: e.message ?? 'is invalid' };
    const k = `${detail.path} ${detail.message}`;
    if (!seen.has(k)) out.push(detail);
    seen.add(k);
  }
  return out;
}

/**
 * Validates a product definition and compiles it for evaluateQuote. Throws ProductCompileError
 * with every problem found, each with its path inside the definition.
 */
export function compileProduct(definition: unknown): CompiledProduct {
  const code = typeof definition === 'object' && definition !== null && typeof (definition as { code?: unknown }).code === 'string' ? (definition as { code: string }).code : '(unknown)';
  if (!validateDefinition(definition)) {
    const details = readableErrors(definition, validateDefinition.errors ?? []);
    throw new ProductCompileError(code, details);
  }
  const def = definition as ProductDefinition;
  const errors: ErrorDetail[] = [];
  const err = (path: string, message: string) => errors.push({ path, message });

  // --- form ---
  const fields: CompiledField[] = [];
  const quantities = new Map<string, QuantityInfo>();
  const listFields = new Map<string, CompiledField>();
  let slotCount = 0;
  const compileField = (f: ProductDefinition['form']['fields'][number], path: string, slot: number): CompiledField => {
    const type = f.type as FieldType;
    const quantityType = quantityTypeOf(type, f.unit);
    let fenPerUnit = 1;
    if (type === 'money') {
      if (f.unit !== '元' && f.unit !== '万元') err(`${path}/unit`, 'a money field needs unit 元 or 万元');
      fenPerUnit = f.unit === '万元' ? 1_000_000 : 100;
    }
    if (type === 'percent' && f.unit !== undefined && f.unit !== '%') err(`${path}/unit`, 'a percent field has unit %');
    const bound = (v: string | undefined, fallback: number, which: string): number => {
      if (v === undefined) return fallback;
      if (type === 'money') {
        const fen = toScaledInteger(v, f.unit === '万元' ? 6 : 2);
        if (fen === undefined) err(`${path}/${which}`, 'is not a whole number of fen');
        return fen ?? fallback;
      }
      return Number(v);
    };
    const options = f.options ? new Set(f.options.map((o) => o.value)) : undefined;
    if (type === 'enum' && (!options || options.size === 0)) err(`${path}/options`, 'an enum field needs options');
    if (options && f.options && options.size !== f.options.length) err(`${path}/options`, 'option values must be unique');
    if (type === 'list' && !('itemFields' in f && f.itemFields)) err(`${path}/itemFields`, 'a list field needs itemFields');
    const compiled: CompiledField = {
      key: f.key,
      type,
      label: f.label,
      quantityType,
      fenPerUnit,
      min: bound(f.min, type === 'money' || type === 'percent' || type === 'integer' ? 0 : -Infinity, 'min'),
      max: bound(f.max, type === 'percent' ? 100 : Infinity, 'max'),
      required: f.required ?? false,
      defaultValue: f.default,
      options,
      minItems: 'minItems' in f && f.minItems !== undefined ? f.minItems : 0,
      maxItems: 'maxItems' in f && f.maxItems !== undefined ? f.maxItems : 1000,
      itemFields: [],
      itemKeys: new Set(),
      slot,
    };
    if (type === 'list' && 'itemFields' in f && f.itemFields) {
      const seen = new Set<string>();
      f.itemFields.forEach((itemField, i) => {
        if (seen.has(itemField.key)) err(`${path}/itemFields/${i}/key`, `duplicate item field ${itemField.key}`);
        seen.add(itemField.key);
        compiled.itemFields.push(compileField(itemField, `${path}/itemFields/${i}`, i));
        compiled.itemKeys.add(itemField.key);
      });
    }
    return compiled;
  };
  def.form.fields.forEach((f, i) => {
    const path = `/form/fields/${i}`;
    if (quantities.has(f.key) || listFields.has(f.key)) err(`${path}/key`, `duplicate field ${f.key}`);
    const compiled = compileField(f, path, slotCount++);
    fields.push(compiled);
    if (compiled.type === 'list') listFields.set(f.key, compiled);
    else quantities.set(f.key, { slot: compiled.slot, type: compiled.quantityType ?? 'number', ratio: undefined, label: f.label, isField: true });
  });
  const fieldByKey = new Map(fields.map((f) => [f.key, f]));
  const periodMonthsSlot = slotCount++;
  const periodDaysSlot = slotCount++;
  quantities.set('periodMonths', { slot: periodMonthsSlot, type: 'months', ratio: undefined, label: { zh: '保险期间（月）', en: 'Period of cover (months)' }, isField: false });
  quantities.set('periodDays', { slot: periodDaysSlot, type: 'days', ratio: undefined, label: { zh: '保险期间（天）', en: 'Period of cover (days)' }, isField: false });

  // --- derived quantities ---
  const computeQuantities: ((state: QuoteState) => void)[] = [];
  (def.plan.quantities ?? []).forEach((q, i) => {
    const path = `/plan/quantities/${i}`;
    if (quantities.has(q.key) || listFields.has(q.key)) err(`${path}/key`, `duplicate quantity ${q.key}`);
    const slot = slotCount++;
    const operands: QuantityInfo[] = [];
    for (const [j, k] of (q.of ?? []).entries()) {
      const info = quantities.get(k);
      if (!info) err(`${path}/of/${j}`, `unknown quantity ${k}`);
      else operands.push(info);
    }
    let type: QuantityType = 'number';
    let ratio: QuantityInfo['ratio'];
    const slots = operands.map((o) => o.slot);
    switch (q.op) {
      case 'ratio': {
        if ((q.of ?? []).length !== 2) { err(`${path}/of`, 'ratio needs exactly two operands'); break; }
        const [a, b] = slots as [number, number];
        const fallback = q.fallback === undefined ? -1 : (quantities.get(q.fallback)?.slot ?? -1);
        if (q.fallback !== undefined && fallback < 0) err(`${path}/fallback`, `unknown quantity ${q.fallback}`);
        for (const o of operands) if (o.type === 'percent' || o.type === 'ratio') err(`${path}/of`, 'ratio operands must be amounts or counts');
        type = 'ratio';
        const numSlot = slotCount++;
        const denSlot = slotCount++;
        ratio = { numSlot, denSlot };
        computeQuantities.push((s) => {
          const n = s.num[a] as number;
          let d = s.num[b] as number;
          if (d !== d && fallback >= 0) d = s.num[fallback] as number;
          s.num[numSlot] = n;
          s.num[denSlot] = d;
          s.num[slot] = d > 0 ? n / d : NaN;
        });
        break;
      }
      case 'product': {
        const money = operands.filter((o) => o.type === 'money').length;
        if (money > 1) err(`${path}/of`, 'a product may contain at most one amount');
        type = money === 1 ? 'money' : operands.every((o) => o.type === 'count') ? 'count' : 'number';
        computeQuantities.push((s) => {
          let v = 1;
          for (const x of slots) v *= s.num[x] as number;
          s.num[slot] = v;
        });
        break;
      }
      case 'sum':
      case 'max':
      case 'min': {
        const types = new Set(operands.map((o) => o.type));
        if (types.size > 1) err(`${path}/of`, `operands of ${q.op} must have one type, got ${[...types].join(', ')}`);
        type = operands[0]?.type ?? 'number';
        const op = q.op;
        computeQuantities.push((s) => {
          let v = NaN;
          for (const x of slots) {
            const y = s.num[x] as number;
            if (y !== y) continue;
            v = v !== v ? y : op === 'sum' ? v + y : op === 'max' ? Math.max(v, y) : Math.min(v, y);
          }
          s.num[slot] = v;
        });
        break;
      }
      case 'itemSum':
      case 'itemMax':
      case 'itemCount': {
        const list = q.list === undefined ? undefined : listFields.get(q.list);
        if (!list) { err(`${path}/list`, `unknown list field ${q.list ?? ''}`); break; }
        const listSlot = list.slot;
        if (q.op === 'itemCount') {
          type = 'count';
          computeQuantities.push((s) => { s.num[slot] = s.lists[listSlot]?.length ?? 0; });
          break;
        }
        const itemField = list.itemFields.find((f) => f.key === q.itemField);
        if (!itemField || itemField.quantityType === undefined) { err(`${path}/itemField`, `unknown numeric item field ${q.itemField ?? ''}`); break; }
        type = itemField.quantityType;
        const pos = itemField.slot;
        const isSum = q.op === 'itemSum';
        computeQuantities.push((s) => {
          const items = s.lists[listSlot];
          let v = NaN;
          if (items) for (const item of items) {
            const y = item.num[pos] as number;
            if (y !== y) continue;
            v = v !== v ? y : isSum ? v + y : Math.max(v, y);
          }
          s.num[slot] = v;
        });
        break;
      }
    }
    quantities.set(q.key, { slot, type, ratio, label: q.label, isField: false });
  });

  const inputRefFor = (k: string): InputRef | undefined => {
    const info = quantities.get(k);
    if (!info) return undefined;
    if (info.isField) return { key: k, slot: info.slot, show: 'raw' };
    return { key: k, slot: info.slot, show: info.type === 'money' ? 'fen' : 'num' };
  };

  // --- coefficient rows ---
  const compileRow = (row: { key?: string; label?: LocalText; coefficient?: string; range?: { min: string; max: string; minExclusive?: boolean; maxExclusive?: boolean; default?: string } }, path: string, index: number, defaultPick: string): CoefficientRow => {
    const key = row.key ?? `row${index + 1}`;
    if ((row.coefficient === undefined) === (row.range === undefined)) err(path, 'a row needs exactly one of coefficient or range');
    if (row.coefficient !== undefined || row.range === undefined) {
      const d = decimalOf(row.coefficient ?? '1');
      return { key, label: row.label, fixed: true, num: d.num, exp: d.exp, value: d.num / 10 ** d.exp, text: formatScaled(d.num, d.exp), min: NaN, max: NaN, minExclusive: false, maxExclusive: false, filedRange: undefined, matched: { row: key, label: row.label } };
    }
    const r = row.range;
    const min = decimalOf(r.min);
    const max = decimalOf(r.max);
    const minValue = min.num / 10 ** min.exp;
    const maxValue = max.num / 10 ** max.exp;
    if (minValue > maxValue || (minValue === maxValue && (r.minExclusive || r.maxExclusive))) err(`${path}/range`, `empty range ${r.min}–${r.max}`);
    let pick: ScaledDecimal;
    if (r.default !== undefined) pick = decimalOf(r.default);
    else if (defaultPick === 'min' && !r.minExclusive) pick = min;
    else if (defaultPick === 'max' && !r.maxExclusive) pick = max;
    else {
      // Midpoint as an exact decimal: (a + b) / 2 with one more decimal place.
      const exp = Math.max(min.exp, max.exp) + 1;
      const sum = min.num * 10 ** (exp - min.exp) + max.num * 10 ** (exp - max.exp);
      pick = { num: sum * 5, exp: exp + 1 };
    }
    const pickValue = pick.num / 10 ** pick.exp;
    const insideRange = pickValue > minValue && pickValue < maxValue || (pickValue === minValue && !r.minExclusive) || (pickValue === maxValue && !r.maxExclusive);
    if (!insideRange) err(`${path}/range/default`, `default pick ${formatScaled(pick.num, pick.exp)} is outside ${r.min}–${r.max}`);
    const text = formatScaled(pick.num, pick.exp);
    const norm = decimalOf(text);
    return {
      key, label: row.label, fixed: false, num: norm.num, exp: norm.exp, value: pickValue, text,
      min: minValue, max: maxValue, minExclusive: r.minExclusive ?? false, maxExclusive: r.maxExclusive ?? false,
      filedRange: { min: formatScaled(min.num, min.exp), max: formatScaled(max.num, max.exp), minExclusive: r.minExclusive ?? false, maxExclusive: r.maxExclusive ?? false },
      matched: { row: key, label: row.label },
    };
  };

  const roleSet = (roles: readonly string[] | undefined): ReadonlySet<QuotingRole> => new Set((roles ?? ['underwriter']) as QuotingRole[]);

  const compileBound = (v: string | undefined, inclusive: boolean | undefined, defaultInclusive: boolean, unit: string, path: string): Bound => {
    if (v === undefined) return openBound();
    const b = toCanonical(v, unit);
    if (typeof b === 'string') { err(path, b); return openBound(); }
    return { ...b, inclusive: inclusive ?? defaultInclusive };
  };

  const checkBandOrder = (rows: { lower: Bound; upper: Bound }[], path: string, suffix: string) => {
    rows.forEach((row, i) => {
      const { lower, upper } = row;
      if (lower.value === lower.value && upper.value === upper.value) {
        if (lower.value > upper.value || (lower.value === upper.value && !(lower.inclusive && upper.inclusive))) err(`${path}/rows/${i}${suffix}`, 'band is empty');
      }
      if (i > 0 && lower.value !== lower.value) err(`${path}/rows/${i}${suffix}`, 'only the first band may be open below');
      if (i < rows.length - 1 && upper.value !== upper.value) err(`${path}/rows/${i}${suffix}`, 'only the last band may be open above');
      const prev = rows[i - 1];
      if (prev && prev.upper.value === prev.upper.value && lower.value === lower.value) {
        if (lower.value < prev.upper.value || (lower.value === prev.upper.value && lower.inclusive && prev.upper.inclusive)) err(`${path}/rows/${i}${suffix}`, `band overlaps row ${i - 1}`);
      }
    });
  };

  const compileBandsStep = (s: BandsStep, path: string): CompiledBandsStep => {
    const info = quantities.get(s.quantity);
    if (!info) err(`${path}/quantity`, `unknown quantity ${s.quantity}`);
    else if (UNIT_TYPES[s.unit] !== info.type) err(`${path}/unit`, `unit ${s.unit} does not fit quantity ${s.quantity} of type ${info.type}`);
    const alt = s.altQuantity === undefined ? undefined : quantities.get(s.altQuantity);
    if (s.altQuantity !== undefined && !alt) err(`${path}/altQuantity`, `unknown quantity ${s.altQuantity}`);
    if (alt && (s.altUnit === undefined || UNIT_TYPES[s.altUnit] !== alt.type)) err(`${path}/altUnit`, `altUnit must fit quantity ${s.altQuantity} of type ${alt.type}`);
    const defaultPick = s.defaultPick ?? 'midpoint';
    const rows: BandRow[] = s.rows.map((row, i) => {
      const rp = `${path}/rows/${i}`;
      const base = compileRow(row, rp, i, defaultPick);
      const altBounds = row.alt && s.altUnit !== undefined
        ? { altLower: compileBound(row.alt.lower, row.alt.lowerInclusive, false, s.altUnit, `${rp}/alt/lower`), altUpper: compileBound(row.alt.upper, row.alt.upperInclusive, true, s.altUnit, `${rp}/alt/upper`) }
        : { altLower: undefined, altUpper: undefined };
      if (row.alt && !alt) err(`${rp}/alt`, 'alt band without altQuantity');
      return {
        ...base,
        lower: compileBound(row.lower, row.lowerInclusive, false, s.unit, `${rp}/lower`),
        upper: compileBound(row.upper, row.upperInclusive, true, s.unit, `${rp}/upper`),
        ...altBounds,
      };
    });
    checkBandOrder(rows, path, '');
    if (alt) {
      const altRows = rows.filter((r) => r.altLower && r.altUpper).map((r) => ({ lower: r.altLower as Bound, upper: r.altUpper as Bound }));
      checkBandOrder(altRows, path, '/alt');
    }
    const keys = new Set<string>();
    rows.forEach((r, i) => { if (keys.has(r.key)) err(`${path}/rows/${i}/key`, `duplicate row ${r.key}`); keys.add(r.key); });
    let noMatch: CompiledBandsStep['noMatch'];
    if (s.noMatch) {
      const d = decimalOf(s.noMatch.coefficient);
      noMatch = {
        action: s.noMatch.action,
        reason: s.noMatch.reason,
        authority: s.noMatch.authority,
        row: { key: 'unbanded', label: s.noMatch.reason, fixed: true, num: d.num, exp: d.exp, value: d.num / 10 ** d.exp, text: formatScaled(d.num, d.exp), min: NaN, max: NaN, minExclusive: false, maxExclusive: false, filedRange: undefined, matched: { row: 'unbanded', label: s.noMatch.reason } },
      };
    }
    const inputs = [inputRefFor(s.quantity), s.altQuantity === undefined ? undefined : inputRefFor(s.altQuantity)].filter((x): x is InputRef => x !== undefined);
    return {
      kind: 'bands', key: s.key, label: s.label, slot: info?.slot ?? 0, ratio: info?.ratio, altSlot: alt?.slot ?? -1, altRatio: alt?.ratio,
      rows, noMatch, changeableBy: roleSet(s.changeableBy), inputs,
    };
  };

  // --- steps ---
  const steps: CompiledStep[] = [];
  const stepsByKey = new Map<string, CompiledStep>();
  def.plan.steps.forEach((s, i) => {
    const path = `/plan/steps/${i}`;
    let compiled: CompiledStep;
    if (s.kind === 'bands') compiled = compileBandsStep(s, path);
    else if (s.kind === 'categories') {
      let field: CompiledField | undefined;
      let listSlot = -1;
      if (s.items) {
        const list = listFields.get(s.items.list);
        if (!list) err(`${path}/items/list`, `unknown list field ${s.items.list}`);
        field = list?.itemFields.find((f) => f.key === s.field);
        listSlot = list?.slot ?? -1;
      } else field = fieldByKey.get(s.field);
      if (!field || (field.type !== 'enum' && field.type !== 'boolean')) err(`${path}/field`, `${s.field} is not an enum or boolean field`);
      const allowed = field?.type === 'boolean' ? new Set(['true', 'false']) : field?.options ?? new Set<string>();
      const rowByValue = new Map<string, number>();
      const rows = s.rows.map((row, j) => {
        for (const [k, v] of row.values.entries()) {
          if (!allowed.has(v)) err(`${path}/rows/${j}/values/${k}`, `${v} is not a value of ${s.field}`);
          if (rowByValue.has(v)) err(`${path}/rows/${j}/values/${k}`, `${v} already belongs to row ${rowByValue.get(v)}`);
          rowByValue.set(v, j);
        }
        return compileRow(row, `${path}/rows/${j}`, j, s.defaultPick ?? 'midpoint');
      });
      for (const v of allowed) if (!rowByValue.has(v)) err(`${path}/rows`, `value ${v} of ${s.field} has no row`);
      compiled = {
        kind: 'categories', key: s.key, label: s.label, slot: s.items ? listSlot : field?.slot ?? 0, itemPos: s.items ? field?.slot ?? 0 : -1,
        fromItems: s.items !== undefined, rowByValue, rows, changeableBy: roleSet(s.changeableBy),
        inputs: field ? [{ key: s.items ? s.items.list : field.key, slot: s.items ? listSlot : field.slot, show: 'raw' }] : [],
      };
    } else if (s.kind === 'fixed') {
      compiled = { kind: 'fixed', key: s.key, label: s.label, row: compileRow({ coefficient: s.coefficient }, path, 0, 'midpoint'), changeableBy: new Set(), inputs: [] };
    } else {
      compiled = { kind: 'range', key: s.key, label: s.label, row: compileRow({ key: s.key, range: s.range }, path, 0, s.defaultPick ?? 'midpoint'), changeableBy: roleSet(s.changeableBy), inputs: [] };
    }
    if (stepsByKey.has(s.key)) err(`${path}/key`, `duplicate step ${s.key}`);
    steps.push(compiled);
    stepsByKey.set(s.key, compiled);
  });

  // --- period ---
  const p = def.plan.period;
  const periodLabel = p.label ?? { zh: '短期费率', en: 'Short-period factor' };
  let period: CompiledPeriod;
  if (p.kind === 'shortPeriodScale') {
    const percentByMonth: ScaledDecimal[] = [];
    if (!p.scale || p.scale.length !== 12) err('/plan/period/scale', 'the scale needs one entry for each of 1 to 12 months');
    for (const [i, e] of (p.scale ?? []).entries()) {
      if (percentByMonth[e.months]) err(`/plan/period/scale/${i}`, `month ${e.months} listed twice`);
      percentByMonth[e.months] = percentOf(e.percent);
    }
    period = { kind: 'shortPeriodScale', label: periodLabel, percentByMonth, perDay: p.perDay ? { percent: percentOf(p.perDay.percentPerDay), max: percentOf(p.perDay.maxPercent) } : undefined };
  } else {
    if (!p.table) err('/plan/period/table', 'a periodCoefficient needs a table');
    const table = p.table ? compileBandsStep(p.table as BandsStep, '/plan/period/table') : compileBandsStep({ kind: 'bands', key: 'period', label: periodLabel, quantity: 'periodMonths', unit: 'months', rows: [{ coefficient: '1' }] }, '/plan/period/table');
    if (p.table && p.table.quantity !== 'periodMonths') err('/plan/period/table/quantity', 'the period table reads periodMonths');
    if (stepsByKey.has(table.key)) err('/plan/period/table/key', `duplicate step ${table.key}`);
    stepsByKey.set(table.key, table);
    period = { kind: 'periodCoefficient', label: table.label, table };
  }

  // --- sections ---
  const sections: CompiledSection[] = [];
  def.plan.sections.forEach((s, i) => {
    const path = `/plan/sections/${i}`;
    if (sections.some((x) => x.key === s.key)) err(`${path}/key`, `duplicate section ${s.key}`);
    if (s.coverage !== undefined && !def.coverages.some((c) => c.code === s.coverage)) err(`${path}/coverage`, `unknown coverage ${s.coverage}`);
    let baseSlot = -1;
    let listSlot = -1;
    let baseItemPos = -1;
    let shareOf = -1;
    let factor: ScaledDecimal = { num: 1, exp: 0 };
    let factorText = '';
    if (s.shareOf) {
      shareOf = sections.findIndex((x) => x.key === s.shareOf?.section);
      if (shareOf < 0) err(`${path}/shareOf/section`, `${s.shareOf.section} is not an earlier section`);
      if (s.ratePercent !== undefined || s.baseQuantity !== undefined) err(path, 'a shareOf section has no base or rate of its own');
      factor = percentOf(s.shareOf.percent);
      factorText = s.shareOf.percent;
    } else {
      if (s.ratePercent === undefined) err(`${path}/ratePercent`, 'is required unless the section is a shareOf');
      factor = percentOf(s.ratePercent ?? '0');
      factorText = s.ratePercent ?? '0';
      if (s.perItem !== undefined) {
        const list = listFields.get(s.perItem);
        if (!list) err(`${path}/perItem`, `unknown list field ${s.perItem}`);
        listSlot = list?.slot ?? -1;
        if (s.baseItemField !== undefined) {
          const f = list?.itemFields.find((x) => x.key === s.baseItemField);
          if (!f || f.type !== 'money') err(`${path}/baseItemField`, `${s.baseItemField} is not a money item field`);
          baseItemPos = f?.slot ?? -1;
        }
      }
      if (s.baseItemField === undefined) {
        const info = s.baseQuantity === undefined ? undefined : quantities.get(s.baseQuantity);
        if (!info || info.type !== 'money') err(`${path}/baseQuantity`, `${s.baseQuantity ?? '(missing)'} is not a money quantity`);
        baseSlot = info?.slot ?? -1;
      } else if (s.perItem === undefined) err(`${path}/perItem`, 'baseItemField needs perItem');
    }
    sections.push({ key: s.key, label: s.label, baseSlot, baseKey: s.baseItemField ?? s.baseQuantity ?? '', listSlot, baseItemPos, factor, factorText, shareOf });
  });

  // --- rules ---
  const compileCondition = (c: Condition, path: string): ((s: QuoteState) => boolean) => {
    const info = quantities.get(c.quantity);
    if (!info) { err(`${path}/quantity`, `unknown quantity ${c.quantity}`); return () => false; }
    if (UNIT_TYPES[c.unit] !== info.type) err(`${path}/unit`, `unit ${c.unit} does not fit quantity ${c.quantity} of type ${info.type}`);
    const b = toCanonical(c.value, c.unit);
    if (typeof b === 'string') { err(`${path}/value`, b); return () => false; }
    const v = b.value;
    const slot = info.slot;
    switch (c.op) {
      case '<': return (s) => (s.num[slot] as number) < v;
      case '<=': return (s) => (s.num[slot] as number) <= v;
      case '>': return (s) => (s.num[slot] as number) > v;
      case '>=': return (s) => (s.num[slot] as number) >= v;
      case '=': return (s) => s.num[slot] === v;
      default: return (s) => { const x = s.num[slot] as number; return x === x && x !== v; };
    }
  };
  const rules: CompiledRule[] = (def.underwriting ?? []).map((r, i) => {
    const path = `/underwriting/${i}`;
    const all = (r.all ?? []).map((c, j) => compileCondition(c, `${path}/all/${j}`));
    const any = (r.any ?? []).map((c, j) => compileCondition(c, `${path}/any/${j}`));
    if (all.length === 0 && any.length === 0) err(path, 'a rule needs at least one condition');
    if (r.action === 'refer' && r.authority === undefined) err(`${path}/authority`, 'a referral names the authority needed');
    return {
      key: r.key, action: r.action, reason: r.reason, authority: r.authority,
      test: (s) => all.every((t) => t(s)) && (any.length === 0 || any.some((t) => t(s))),
    };
  });

  // --- caps, VAT, pool, coverages ---
  let maximumRate: CompiledProduct['maximumRate'];
  if (def.plan.maximumRate) {
    const info = quantities.get(def.plan.maximumRate.quantity);
    if (!info || info.type !== 'money') err('/plan/maximumRate/quantity', 'must be a money quantity');
    maximumRate = { slot: info?.slot ?? 0, rate: percentOf(def.plan.maximumRate.ratePercent), text: def.plan.maximumRate.ratePercent };
  }
  let subsidyBasis: CompiledProduct['subsidyBasis'];
  if (def.plan.subsidyBasis) {
    const si = quantities.get(def.plan.subsidyBasis.sumInsured);
    if (!si || si.type !== 'money') err('/plan/subsidyBasis/sumInsured', 'must be a money quantity');
    const contractKey = def.plan.subsidyBasis.contract;
    const ct = contractKey === undefined ? undefined : quantities.get(contractKey);
    if (contractKey !== undefined && (!ct || ct.type !== 'money')) err('/plan/subsidyBasis/contract', 'must be a money quantity');
    subsidyBasis = { sumInsuredSlot: si?.slot ?? 0, contractSlot: ct?.slot ?? -1 };
  }
  let coInsurance: CompiledProduct['coInsurance'];
  if (def.coInsurance) {
    const members = def.coInsurance.members;
    let total = 0;
    for (const m of members) total += Number(m.sharePercent) * 1e6;
    if (Math.round(total) !== 100e6) err('/coInsurance/members', 'shares must add up to 100');
    if (members.filter((m) => m.role === 'lead').length !== 1) err('/coInsurance/members', 'a pool has exactly one lead');
    coInsurance = members.map((m) => ({ insurer: m.insurer, role: m.role, sharePercent: m.sharePercent, share: percentOf(m.sharePercent) }));
  }
  def.coverages.forEach((c, i) => {
    if (def.coverages.findIndex((x) => x.code === c.code) !== i) err(`/coverages/${i}/code`, `duplicate coverage ${c.code}`);
    (c.limits ?? []).forEach((l, j) => {
      const sources = [l.field, l.amountFen, l.percentOf].filter((x) => x !== undefined).length;
      if (sources !== 1) err(`/coverages/${i}/limits/${j}`, 'a limit needs exactly one of field, amountFen, percentOf');
      if (l.field !== undefined && fieldByKey.get(l.field)?.type !== 'money') err(`/coverages/${i}/limits/${j}/field`, `${l.field} is not a money field`);
    });
    const d = c.deductible;
    if (d?.amountField !== undefined && fieldByKey.get(d.amountField)?.type !== 'money') err(`/coverages/${i}/deductible/amountField`, `${d.amountField} is not a money field`);
    if (d?.rateField !== undefined && fieldByKey.get(d.rateField)?.type !== 'percent') err(`/coverages/${i}/deductible/rateField`, `${d.rateField} is not a percent field`);
  });
  if (def.effectiveTo !== undefined && def.effectiveTo < def.effectiveFrom) err('/effectiveTo', 'is before effectiveFrom');
  def.testVectors.forEach((v, i) => {
    for (const k of Object.keys(v.picks ?? {})) if (!stepsByKey.has(k)) err(`/testVectors/${i}/picks/${k}`, `unknown step ${k}`);
    for (const k of Object.keys(v.expected.sectionPremiumsFen ?? {})) if (!sections.some((s) => s.key === k)) err(`/testVectors/${i}/expected/sectionPremiumsFen/${k}`, `unknown section ${k}`);
  });

  if (errors.length > 0) throw new ProductCompileError(def.code, errors);

  const fieldKeys = new Set(fields.map((f) => f.key));
  return Object.freeze({
    definition: def,
    code: def.code,
    version: def.version,
    insurer: def.insurer,
    line: def.line,
    effectiveFrom: def.effectiveFrom,
    effectiveTo: def.effectiveTo,
    validityDays: def.validityDays ?? 30,
    fields,
    validateInputs: compileFormValidator(fields, slotCount, fieldKeys),
    periodMonthsSlot,
    periodDaysSlot,
    quantities: computeQuantities,
    sections,
    steps,
    stepsByKey,
    period,
    rules,
    minimumPremiumFen: def.plan.minimumPremiumFen ?? 0,
    maximumRate,
    roundingUnitFen: def.plan.rounding === 'yuan' ? 100 : 1,
    vatRate: decimalOf(def.vatRatePercent),
    vatRateText: def.vatRatePercent,
    coInsurance,
    subsidyBasis,
  });
}
