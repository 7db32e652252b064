// --- bands --- A step whose row is found by where a quantity (or its alternative) falls:
// bounds in canonical units, checked to be ordered, non-empty and non-overlapping.
import type { ProductDefinition } from '../product-schema.ts';
import type { BandRow, Bound } from '../bands.ts';
import { openBound } from '../bands.ts';
import type { CompiledBandsStep, InputRef } from './compiled-product.ts';
import type { CompileContext, Scope } from './context.ts';
import { inputRefFor } from './context.ts';
import { compileRow, fixedRow, roleSet } from './rows.ts';
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

function compileNoMatch(noMatch: BandsStep['noMatch']): CompiledBandsStep['noMatch'] {
  if (!noMatch) return undefined;
  return { action: noMatch.action, reason: noMatch.reason, authority: noMatch.authority, row: fixedRow('unbanded', noMatch.reason, noMatch.coefficient) };
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
    rows, noMatch: compileNoMatch(s.noMatch), changeableBy: roleSet(s.changeableBy), inputs,
  };
}
