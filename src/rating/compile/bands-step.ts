// --- bands --- A step whose row is found by where a quantity (or its alternative) falls:
// bounds in canonical units, checked to be ordered, non-empty and non-overlapping.
import type { ProductDefinition } from '../product-schema.ts';
import type { BandRow, Bound } from '../bands.ts';
import { openBound } from '../bands.ts';
import type { CompiledBandsStep, InputRef, OutsideOutcome } from './compiled-product.ts';
import type { CompileContext, Scope } from './context.ts';
import { inputRefFor } from './context.ts';
import { compileRow, roleSet } from './rows.ts';
import { toCanonical, UNIT_TYPES } from './units.ts';

type Step = ProductDefinition['plan']['steps'][number];
/** A bands step as definitions write it. */
export type BandsStep = Extract<Step, { kind: 'bands' }>;

function compileBound(v: string | undefined, inclusive: boolean | undefined, defaultInclusive: boolean, unit: string, path: string, ctx: CompileContext): Bound {
  if (v === undefined) return openBound();
  const b = toCanonical(v, unit);
  if (typeof b === 'string') { ctx.report(path, b); return openBound(); }
  return { ...b, inclusive: inclusive ?? defaultInclusive };
}

function checkBandOrder(rows: { lower: Bound; upper: Bound }[], path: string, suffix: string, ctx: CompileContext): void {
  rows.forEach((row, i) => {
    const { lower, upper } = row;
    if (lower.value === lower.value && upper.value === upper.value) {
      if (lower.value > upper.value || (lower.value === upper.value && !(lower.inclusive && upper.inclusive))) ctx.report(`${path}/rows/${i}${suffix}`, 'band is empty');
    }
    if (i > 0 && lower.value !== lower.value) ctx.report(`${path}/rows/${i}${suffix}`, 'only the first band may be open below');
    if (i < rows.length - 1 && upper.value !== upper.value) ctx.report(`${path}/rows/${i}${suffix}`, 'only the last band may be open above');
    const prev = rows[i - 1];
    if (prev && prev.upper.value === prev.upper.value && lower.value === lower.value) {
      if (lower.value < prev.upper.value || (lower.value === prev.upper.value && lower.inclusive && prev.upper.inclusive)) ctx.report(`${path}/rows/${i}${suffix}`, `band overlaps row ${i - 1}`);
    }
  });
}

function compileBandRows(s: BandsStep, path: string, hasAlt: boolean, ctx: CompileContext): BandRow[] {
  const defaultPick = s.defaultPick ?? 'midpoint';
  return s.rows.map((row, i) => {
    const rp = `${path}/rows/${i}`;
    const base = compileRow(row, rp, i, defaultPick, ctx);
    const altBounds = row.alt && s.altUnit !== undefined
      ? { altLower: compileBound(row.alt.lower, row.alt.lowerInclusive, false, s.altUnit, `${rp}/alt/lower`, ctx), altUpper: compileBound(row.alt.upper, row.alt.upperInclusive, true, s.altUnit, `${rp}/alt/upper`, ctx) }
      : { altLower: undefined, altUpper: undefined };
    if (row.alt && !hasAlt) ctx.report(`${rp}/alt`, 'alt band without altQuantity');
    return {
      ...base,
      lower: compileBound(row.lower, row.lowerInclusive, false, s.unit, `${rp}/lower`, ctx),
      upper: compileBound(row.upper, row.upperInclusive, true, s.unit, `${rp}/upper`, ctx),
      ...altBounds,
    };
  });
}

type OutsideDefinition = NonNullable<BandsStep['outsideBands']>;
type OutcomeDefinition = Pick<OutsideDefinition, 'action' | 'rule' | 'reason'>;

function compileOutcome(o: OutcomeDefinition, path: string, ctx: CompileContext): OutsideOutcome {
  if (o.action === 'refuse') {
    if (o.rule !== undefined || o.reason !== undefined) ctx.report(path, 'a refusal names no rule or reason: the field, the value and the filed bands say why');
    return { action: 'refuse' };
  }
  if (o.rule === undefined || o.reason === undefined) ctx.report(path, 'a decline needs a rule and a reason');
  return { action: 'decline', rule: o.rule ?? 'outside-bands', reason: o.reason ?? { zh: '不在备案档次内', en: 'Outside the filed bands' } };
}

/** What a value outside every band gets; a table that leaves it unsaid does not compile. */
function compileOutside(s: BandsStep, path: string, ctx: CompileContext): CompiledBandsStep['outside'] {
  const o = s.outsideBands;
  if (!o) {
    ctx.report(`${path}/outsideBands`, `table ${s.key} (${s.label.en}) does not say what happens to a value outside its bands: add outsideBands with action refuse (invalid input) or decline (with a rule and a reason)`);
    return { below: { action: 'refuse' }, between: { action: 'refuse' }, above: { action: 'refuse' } };
  }
  const all = compileOutcome(o, `${path}/outsideBands`, ctx);
  const region = (r: OutcomeDefinition | undefined, name: string) => (r ? compileOutcome(r, `${path}/outsideBands/${name}`, ctx) : all);
  return { below: region(o.below, 'below'), between: region(o.between, 'between'), above: region(o.above, 'above') };
}

type BoundsDefinition = { lower?: string; lowerInclusive?: boolean; upper?: string; upperInclusive?: boolean };

/** A band as filings write it: "=1", "[2,3)", "≤30", ">20". */
function bandText(b: BoundsDefinition): string {
  const lowerIn = b.lowerInclusive ?? false;
  const upperIn = b.upperInclusive ?? true;
  if (b.lower === undefined && b.upper === undefined) return 'any';
  if (b.lower === undefined) return `${upperIn ? '≤' : '<'}${b.upper}`;
  if (b.upper === undefined) return `${lowerIn ? '≥' : '>'}${b.lower}`;
  if (b.lower === b.upper && lowerIn && upperIn) return `=${b.lower}`;
  return `${lowerIn ? '[' : '('}${b.lower},${b.upper}${upperIn ? ']' : ')'}`;
}

/** The filed bands in a row, with their unit: "=1, [2,3), ≥10" or "≤5, (5,10] (%)". */
function bandsText(bands: BoundsDefinition[], unit: string | undefined): string {
  const shown = unit === undefined || unit === 'ratio' || unit === 'number' ? '' : ` (${unit})`;
  return bands.map(bandText).join(', ') + shown;
}

/** Canonical units (fen for money) per unit of the table. */
function unitScale(unit: string | undefined): number {
  return unit === '万元' ? 1_000_000 : unit === '元' ? 100 : 1;
}

/** The field a refusal of quantity `key` points at: the field itself, or the last field a derived quantity reads. */
function refusalField(key: string | undefined, scope: Scope): string {
  if (key === undefined) return '';
  const fields = scope.quantities.get(key)?.fields ?? [key];
  return fields[fields.length - 1] ?? key;
}

/** Compiles a bands step (also the period table): quantities, units, rows and their order. */
export function compileBandsStep(s: BandsStep, path: string, scope: Scope, ctx: CompileContext): CompiledBandsStep {
  const info = scope.quantities.get(s.quantity);
  if (!info) ctx.report(`${path}/quantity`, `unknown quantity ${s.quantity}`);
  else if (UNIT_TYPES[s.unit] !== info.type) ctx.report(`${path}/unit`, `unit ${s.unit} does not fit quantity ${s.quantity} of type ${info.type}`);
  const alt = s.altQuantity === undefined ? undefined : scope.quantities.get(s.altQuantity);
  if (s.altQuantity !== undefined && !alt) ctx.report(`${path}/altQuantity`, `unknown quantity ${s.altQuantity}`);
  if (alt && (s.altUnit === undefined || UNIT_TYPES[s.altUnit] !== alt.type)) ctx.report(`${path}/altUnit`, `altUnit must fit quantity ${s.altQuantity} of type ${alt.type}`);
  const rows = compileBandRows(s, path, alt !== undefined, ctx);
  checkBandOrder(rows, path, '', ctx);
  if (alt) {
    const altRows = rows.filter((r) => r.altLower && r.altUpper).map((r) => ({ lower: r.altLower as Bound, upper: r.altUpper as Bound }));
    checkBandOrder(altRows, path, '/alt', ctx);
  }
  const keys = new Set<string>();
  rows.forEach((r, i) => { if (keys.has(r.key)) ctx.report(`${path}/rows/${i}/key`, `duplicate row ${r.key}`); keys.add(r.key); });
  const inputs = [inputRefFor(scope, s.quantity), s.altQuantity === undefined ? undefined : inputRefFor(scope, s.altQuantity)].filter((x): x is InputRef => x !== undefined);
  return {
    kind: 'bands', key: s.key, label: s.label, slot: info?.slot ?? 0, ratio: info?.ratio, altSlot: alt?.slot ?? -1, altRatio: alt?.ratio,
    rows, outside: compileOutside(s, path, ctx), changeableBy: roleSet(s.changeableBy), inputs,
    bandsText: bandsText(s.rows, s.unit), altBandsText: bandsText(s.rows.flatMap((r) => (r.alt ? [r.alt] : [])), s.altUnit),
    field: refusalField(s.quantity, scope), altField: refusalField(s.altQuantity, scope),
    scale: unitScale(s.unit), altScale: unitScale(s.altUnit),
  };
}
