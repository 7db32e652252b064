// --- steps --- The coefficient steps of the plan in order: bands, categories (a row per enum
// value, of a field or of list items), fixed coefficients and filed ranges.
import type { ProductDefinition } from '../product-schema.ts';
import type { CompiledField } from '../input-form.ts';
import type { CompiledCategoriesStep, CompiledStep } from './compiled-product.ts';
import type { CompileContext, Scope } from './context.ts';
import { compileBandsStep } from './bands-step.ts';
import { compileRow, roleSet } from './rows.ts';

type Step = ProductDefinition['plan']['steps'][number];
type CategoriesStep = Extract<Step, { kind: 'categories' }>;

/** The steps in order and by key (the period table joins stepsByKey later). */
export interface CompiledSteps {
  steps: CompiledStep[];
  stepsByKey: Map<string, CompiledStep>;
}

/** The enum or boolean field a categories step reads, and the slot of its list (-1 if none). */
function categoriesField(s: CategoriesStep, path: string, scope: Scope, ctx: CompileContext): { field: CompiledField | undefined; listSlot: number } {
  if (!s.items) return { field: scope.fieldByKey.get(s.field), listSlot: -1 };
  const list = scope.listFields.get(s.items.list);
  if (!list) ctx.report(`${path}/items/list`, `unknown list field ${s.items.list}`);
  return { field: list?.itemFields.find((f) => f.key === s.field), listSlot: list?.slot ?? -1 };
}

function compileCategoriesStep(s: CategoriesStep, path: string, scope: Scope, ctx: CompileContext): CompiledCategoriesStep {
  const { field, listSlot } = categoriesField(s, path, scope, ctx);
  if (!field || (field.type !== 'enum' && field.type !== 'boolean')) ctx.report(`${path}/field`, `${s.field} is not an enum or boolean field`);
  const allowed = field?.type === 'boolean' ? new Set(['true', 'false']) : field?.options ?? new Set<string>();
  const rowByValue = new Map<string, number>();
  const rows = s.rows.map((row, j) => {
    for (const [k, v] of row.values.entries()) {
      if (!allowed.has(v)) ctx.report(`${path}/rows/${j}/values/${k}`, `${v} is not a value of ${s.field}`);
      if (rowByValue.has(v)) ctx.report(`${path}/rows/${j}/values/${k}`, `${v} already belongs to row ${rowByValue.get(v)}`);
      rowByValue.set(v, j);
    }
    return compileRow(row, `${path}/rows/${j}`, j, s.defaultPick ?? 'midpoint', ctx);
  });
  for (const v of allowed) if (!rowByValue.has(v)) ctx.report(`${path}/rows`, `value ${v} of ${s.field} has no row`);
  return {
    kind: 'categories', key: s.key, label: s.label, slot: s.items ? listSlot : field?.slot ?? 0, itemPos: s.items ? field?.slot ?? 0 : -1,
    fromItems: s.items !== undefined, rowByValue, rows, changeableBy: roleSet(s.changeableBy),
    inputs: field ? [{ key: s.items ? s.items.list : field.key, slot: s.items ? listSlot : field.slot, show: 'raw' }] : [],
  };
}

function compileStep(s: Step, path: string, scope: Scope, ctx: CompileContext): CompiledStep {
  switch (s.kind) {
    case 'bands': return compileBandsStep(s, path, scope, ctx);
    case 'categories': return compileCategoriesStep(s, path, scope, ctx);
    case 'fixed': return { kind: 'fixed', key: s.key, label: s.label, row: compileRow({ coefficient: s.coefficient }, path, 0, 'midpoint', ctx), changeableBy: new Set(), inputs: [] };
    default: return { kind: 'range', key: s.key, label: s.label, row: compileRow({ key: s.key, range: s.range }, path, 0, s.defaultPick ?? 'midpoint', ctx), changeableBy: roleSet(s.changeableBy), inputs: [] };
  }
}

/** Compiles the plan's steps in order; step keys must be unique. */
export function compileSteps(definitions: ProductDefinition['plan']['steps'], scope: Scope, ctx: CompileContext): CompiledSteps {
  const steps: CompiledStep[] = [];
  const stepsByKey = new Map<string, CompiledStep>();
  definitions.forEach((s, i) => {
    const path = `/plan/steps/${i}`;
    const compiled = compileStep(s, path, scope, ctx);
    if (stepsByKey.has(s.key)) ctx.report(`${path}/key`, `duplicate step ${s.key}`);
    steps.push(compiled);
    stepsByKey.set(s.key, compiled);
  });
  return { steps, stepsByKey };
}
