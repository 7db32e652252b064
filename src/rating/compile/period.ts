// --- period --- How the period of cover scales the premium: a short-period scale by month
// (with an optional per-day rate), or a coefficient table on periodMonths.
import type { ProductDefinition } from '../product-schema.ts';
import type { ScaledDecimal } from '../money.ts';
import type { CompiledPeriod, CompiledStep } from './compiled-product.ts';
import type { CompileContext, Scope } from './context.ts';
import type { BandsStep } from './bands-step.ts';
import { compileBandsStep } from './bands-step.ts';
import { percentOf } from './units.ts';

type PeriodDefinition = ProductDefinition['plan']['period'];

function compileShortPeriodScale(p: PeriodDefinition, label: CompiledPeriod['label'], ctx: CompileContext): CompiledPeriod {
  const percentByMonth: ScaledDecimal[] = [];
  if (!p.scale || p.scale.length !== 12) ctx.report('/plan/period/scale', 'the scale needs one entry for each of 1 to 12 months');
  for (const [i, e] of (p.scale ?? []).entries()) {
    if (percentByMonth[e.months]) ctx.report(`/plan/period/scale/${i}`, `month ${e.months} listed twice`);
    percentByMonth[e.months] = percentOf(e.percent);
  }
  return { kind: 'shortPeriodScale', label, percentByMonth, perDay: p.perDay ? { percent: percentOf(p.perDay.percentPerDay), max: percentOf(p.perDay.maxPercent) } : undefined };
}

/** Compiles the period; a period table joins stepsByKey so picks can name it. */
export function compilePeriod(p: PeriodDefinition, scope: Scope, stepsByKey: Map<string, CompiledStep>, ctx: CompileContext): CompiledPeriod {
  const periodLabel = p.label ?? { zh: '短期费率', en: 'Short-period factor' };
  if (p.kind === 'shortPeriodScale') return compileShortPeriodScale(p, periodLabel, ctx);
  if (!p.table) ctx.report('/plan/period/table', 'a periodCoefficient needs a table');
  const tableDefinition: BandsStep = p.table ? p.table as BandsStep : { kind: 'bands', key: 'period', label: periodLabel, quantity: 'periodMonths', unit: 'months', rows: [{ coefficient: '1' }] };
  const table = compileBandsStep(tableDefinition, '/plan/period/table', scope, ctx);
  if (p.table && p.table.quantity !== 'periodMonths') ctx.report('/plan/period/table/quantity', 'the period table reads periodMonths');
  if (stepsByKey.has(table.key)) ctx.report('/plan/period/table/key', `duplicate step ${table.key}`);
  stepsByKey.set(table.key, table);
  return { kind: 'periodCoefficient', label: table.label, table };
}
