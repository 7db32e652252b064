// The tariff-fidelity report: every table of every product walked value by value — each band
// edge (just below, at, just above), each gap between bands, each row of each category table and
// each month of the period scale — and what the pure rating engine does with it: prices it (on
// which row and coefficient range), refers it, declines it (for which reason) or refuses it (400).
// The outcome is never read from the definition: each value is rated by evaluateQuote on inputs
// taken from a passing test vector with that one value changed, so the report shows what the
// engine does whatever the format says. Pure and deterministic (no clock, stable order).
import { Decimal } from 'decimal.js';
import { yuanDigits } from '../i18n/format.ts';
import { compileProduct, evaluateQuote, RatingInputError } from '../rating/index.ts';
import type { CompiledProduct, QuoteContext, RatingResult, WorksheetLine } from '../rating/index.ts';
import { InputBuilder, unitScale, type DefinitionShape, type Inputs } from './tariff-inputs.ts';

type Text = { zh: string; en: string };
type Row = { key?: string; label?: Text; lower?: string; upper?: string; lowerInclusive?: boolean; upperInclusive?: boolean; values?: string[]; coefficient?: string; alt?: Row };
type Step = { kind: string; key: string; label: Text; quantity?: string; unit?: string; altQuantity?: string; altUnit?: string; field?: string; items?: { list: string }; rows?: Row[]; coefficient?: string; range?: { min: string; max: string } };
type Vector = { name: string; inputs: Inputs; expected: { decision: string } };
type Definition = DefinitionShape & {
  code: string; name: Text; line: string; insurer: string; filing?: string; illustrative?: boolean; effectiveFrom: string;
  form: { fields: { key: string; type: string; unit?: string; required?: boolean; options?: { value: string }[] }[] };
  plan: DefinitionShape['plan'] & { sections: { key: string; baseQuantity?: string; ratePercent?: string; shareOf?: { section: string; percent: string } }[]; steps: Step[]; period: { kind: string; scale?: { months: number }[]; perDay?: { percentPerDay: string; maxPercent: string }; table?: Step }; minimumPremiumFen?: number };
  testVectors: Vector[];
};

/** What the engine did with one probed value. */
export interface Probe {
  value: string;
  why: string;
  outcome: 'priced' | 'referred' | 'declined' | 'refused' | 'not probed';
  coefficient: string;
  row: string;
  detail: string;
}

export interface TableReport {
  key: string;
  label: Text;
  kind: string;
  reads: string;
  probes: Probe[];
}

export interface ProductReport {
  file: string;
  definition: Definition;
  baseVector: string;
  tables: TableReport[];
}

interface Walk {
  product: CompiledProduct;
  definition: Definition;
  builder: InputBuilder;
  base: Inputs;
}

const fmt = (d: Decimal) => d.toFixed();

function rate(walk: Walk, inputs: Inputs | undefined, context: Partial<QuoteContext> = {}): RatingResult | RatingInputError | undefined {
  if (inputs === undefined) return undefined;
  try {
    return evaluateQuote(walk.product, inputs, undefined, { asOf: walk.definition.effectiveFrom, ...context });
  } catch (error) {
    if (error instanceof RatingInputError) return error;
    throw error;
  }
}

function rangeText(line: WorksheetLine | undefined): string {
  if (!line) return '';
  const r = line.filedRange;
  if (!r) return line.value;
  return `${r.minExclusive ? '>' : ''}${r.min}–${r.maxExclusive ? '<' : ''}${r.max} (default ${line.value})`;
}

/** The outcome of one rating, read from the engine's result for the step that was probed. */
function describe(outcome: ReturnType<typeof rate>, step: string, value: string, why: string): Probe {
  if (outcome === undefined) return { value, why, outcome: 'not probed', coefficient: '', row: '', detail: 'no input reaches this value' };
  if (outcome instanceof RatingInputError) {
    return { value, why, outcome: 'refused', coefficient: '', row: '', detail: `400: ${outcome.details.map((d) => `${d.path} ${d.message}`).join('; ')}` };
  }
  const line = outcome.worksheet.find((l) => l.step === step);
  const row = line?.matched ? `${line.matched.row}${line.matched.label ? ` ${line.matched.label.en}` : ''}` : '';
  // A reason of another table or rule is marked: the value itself may be priced by this table.
  const reasons = outcome.decision.reasons.map((r) => `${r.rule.includes(step) ? '' : '(another rule) '}${r.rule}: ${r.reason.en}`).join('; ');
  const kind = outcome.decision.outcome === 'quoted' ? 'priced' : outcome.decision.outcome;
  return { value, why, outcome: kind, coefficient: rangeText(line), row, detail: reasons || `gross ${yuanDigits(outcome.grossPremiumFen)} 元` };
}

/** Probe values of a band table in its own unit: each edge ±ε and the middle of each gap. */
function bandValues(rows: readonly Row[], epsilon: Decimal, alt: boolean): { value: Decimal; why: string }[] {
  const found = new Map<string, { value: Decimal; why: string[] }>();
  const add = (value: Decimal, why: string) => {
    const k = fmt(value);
    const entry = found.get(k) ?? { value, why: [] };
    if (!entry.why.includes(why)) entry.why.push(why);
    found.set(k, entry);
  };
  const bands = rows.map((r) => (alt ? r.alt : r)).filter((r): r is Row => r !== undefined);
  for (const band of bands) {
    for (const edge of [band.lower, band.upper]) {
      if (edge === undefined) continue;
      const e = new Decimal(edge);
      add(e.minus(epsilon), `just below ${edge}`);
      add(e, `edge ${edge}`);
      add(e.plus(epsilon), `just above ${edge}`);
    }
  }
  for (let i = 0; i + 1 < bands.length; i++) {
    const up = bands[i]?.upper;
    const low = bands[i + 1]?.lower;
    if (up === undefined || low === undefined || !new Decimal(up).lt(low)) continue;
    const middle = new Decimal(up).plus(low).div(2);
    // A whole-number quantity has no value in a gap like (0,1); its edges are probed already.
    if (epsilon.isInteger() && !middle.isInteger()) continue;
    add(middle, `gap (${up},${low})`);
  }
  return [...found.values()].sort((a, b) => a.value.cmp(b.value)).map((e) => ({ value: e.value, why: e.why.join(', ') }));
}

/** Walks one band table (or its alternative quantity) by setting the quantity it reads. */
function walkBands(walk: Walk, step: Step, alt: boolean): TableReport {
  const quantity = (alt ? step.altQuantity : step.quantity) ?? '';
  const unit = (alt ? step.altUnit : step.unit) ?? '';
  const other = alt ? step.quantity : step.altQuantity;
  const field = walk.builder.field(quantity);
  const epsilon = field?.type === 'integer' || ['count', 'months', 'days', 'years'].includes(unit) ? new Decimal(1) : new Decimal('0.01');
  // Amount-or-rate tables: the other quantity is left out (or 0) so this one decides the row.
  let base = walk.base;
  if (other !== undefined) {
    const { [other]: _dropped, ...rest } = base;
    base = walk.builder.field(other)?.required ? { ...rest, [other]: 0 } : rest;
  }
  const probes = bandValues(step.rows ?? [], epsilon, alt).map(({ value, why }) => {
    const set = walk.builder.set(quantity, value.times(unitScale(unit)), base);
    const inputs = set && field ? walk.builder.holdRatios(quantity, base, set) : set;
    const reached = inputs && walk.builder.value(quantity, inputs)?.div(unitScale(unit));
    const near = reached && !reached.eq(value) ? `; nearest input gives ${reached.toSignificantDigits(10).toFixed()}` : '';
    return describe(rate(walk, inputs), step.key, `${fmt(value)} ${unit}`, why + near);
  });
  return { key: alt ? `${step.key} (alt)` : step.key, label: step.label, kind: 'bands', reads: `${quantity} (${unit})`, probes };
}

/** Walks a category table: every value of every row, options in no row, and one unlisted value. */
function walkCategories(walk: Walk, step: Step): TableReport {
  const fieldKey = step.field ?? '';
  const list = step.items?.list;
  const field = list ? walk.builder.field(list)?.itemFields?.find((f) => f.key === fieldKey) : walk.builder.field(fieldKey);
  const inRows = (step.rows ?? []).flatMap((r) => (r.values ?? []).map((v) => ({ value: v, why: `row ${r.key ?? ''}` })));
  const extra = (field?.options ?? []).filter((o) => !inRows.some((r) => r.value === o.value)).map((o) => ({ value: o.value, why: 'form option in no row' }));
  const unlisted = field?.type === 'enum' ? [{ value: 'not-a-filed-choice', why: 'a value that is not a choice' }] : [];
  const probes = [...inRows, ...extra, ...unlisted].map(({ value, why }) => {
    const typed = field?.type === 'boolean' ? value === 'true' : value;
    let inputs: Inputs = { ...walk.base, [fieldKey]: typed };
    if (list) inputs = { ...walk.base, [list]: ((walk.base[list] as Inputs[] | undefined) ?? []).map((i) => ({ ...i, [fieldKey]: typed })) };
    return describe(rate(walk, inputs), step.key, value, why);
  });
  return { key: step.key, label: step.label, kind: 'categories', reads: list ? `${list}[].${fieldKey}` : fieldKey, probes };
}

/** The period: every month of a scale (and one beyond it), or the period coefficient table by months. */
function walkPeriod(walk: Walk): TableReport {
  const p = walk.definition.plan.period;
  const label = { zh: '保险期间', en: 'Period of cover' };
  if (p.kind === 'periodCoefficient' && p.table) {
    const probes = bandValues(p.table.rows ?? [], new Decimal(1), false).map(({ value, why }) =>
      describe(value.isInteger() ? rate(walk, walk.base, { period: { months: value.toNumber() } }) : undefined, 'period', `${fmt(value)} months`, why));
    return { key: 'period', label: p.table.label ?? label, kind: 'period coefficient', reads: 'periodMonths (months)', probes };
  }
  const months = (p.scale ?? []).map((s) => s.months);
  const probes = [...months, Math.max(0, ...months) + 1].map((m) => describe(rate(walk, walk.base, { period: { months: m } }), 'period', `${m} months`, months.includes(m) ? 'scale row' : 'beyond the scale'));
  if (p.perDay) {
    const capDays = new Decimal(p.perDay.maxPercent).div(p.perDay.percentPerDay);
    for (const d of [1, capDays.minus(1).toNumber(), capDays.toNumber(), capDays.plus(1).toNumber()]) {
      if (Number.isInteger(d) && d >= 1) probes.push(describe(rate(walk, walk.base, { period: { days: d } }), 'period', `${d} days`, 'under one month, per day'));
    }
  }
  return { key: 'period', label, kind: 'short-period scale', reads: 'months of cover', probes };
}

/** A minimum premium on a product with no coefficients: the base just below, at and above where it binds. */
function walkMinimum(walk: Walk): TableReport | undefined {
  const { plan } = walk.definition;
  const section = plan.sections[0];
  if (!plan.minimumPremiumFen || plan.steps.length > 0 || plan.sections.length !== 1 || !section?.baseQuantity || !section.ratePercent) return undefined;
  const field = walk.builder.field(section.baseQuantity);
  const scale = unitScale(field?.unit);
  const threshold = new Decimal(plan.minimumPremiumFen).times(100).div(section.ratePercent).div(scale);
  const step = new Decimal('0.01');
  const at = threshold.toDecimalPlaces(2, Decimal.ROUND_DOWN);
  const probes = [at.minus(step), at, at.plus(step)].map((v) => {
    const result = rate(walk, walk.builder.set(section.baseQuantity ?? '', v.times(scale), walk.base));
    const probe = describe(result, 'minimum-premium', `${fmt(v)} ${field?.unit ?? ''}`, `minimum ${yuanDigits(plan.minimumPremiumFen ?? 0)} 元 binds below ${threshold.toDecimalPlaces(6).toFixed()}`);
    const applied = result instanceof RatingInputError || result === undefined ? '' : result.worksheet.some((l) => l.step === 'minimum-premium') ? 'minimum applied' : 'minimum not reached';
    return { ...probe, coefficient: applied, detail: result instanceof RatingInputError || result === undefined ? probe.detail : `gross ${yuanDigits(result.grossPremiumFen)} 元` };
  });
  return { key: 'minimum-premium', label: { zh: '最低保费', en: 'Minimum premium' }, kind: 'minimum premium', reads: `${section.baseQuantity} (${field?.unit ?? ''})`, probes };
}

function walkStep(walk: Walk, step: Step): TableReport[] {
  if (step.kind === 'bands') return step.altQuantity ? [walkBands(walk, step, false), walkBands(walk, step, true)] : [walkBands(walk, step, false)];
  if (step.kind === 'categories') return [walkCategories(walk, step)];
  const coefficient = step.coefficient ?? (step.range ? `${step.range.min}–${step.range.max}` : '');
  return [{ key: step.key, label: step.label, kind: step.kind, reads: '—', probes: [{ value: '—', why: 'applies to every quote', outcome: 'priced', coefficient, row: '', detail: '' }] }];
}

/** Walks every table of one product definition. Throws when the product does not compile or has no quoted vector. */
export function walkProduct(file: string, raw: unknown): ProductReport {
  const definition = raw as Definition;
  const product = compileProduct(raw);
  const vector = definition.testVectors.find((v) => v.expected.decision === 'quoted');
  if (!vector) throw new Error(`${file}: no quoted test vector to start from`);
  const walk: Walk = { product, definition, builder: new InputBuilder(definition), base: vector.inputs };
  const tables = definition.plan.steps.flatMap((s) => walkStep(walk, s));
  const minimum = walkMinimum(walk);
  if (minimum) tables.push(minimum);
  tables.push(walkPeriod(walk));
  return { file, definition, baseVector: vector.name, tables };
}
