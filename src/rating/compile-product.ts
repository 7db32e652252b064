// Compile once, evaluate many: a product definition is validated against its schema, then
// checked for meaning (references, units, band order, ranges) and turned into an immutable
// model of slots, indexed tables and closures that evaluateQuote runs without re-reading JSON.
// Each part lives in compile/; this file runs them in order, so problems come out in the order
// of the definition's sections.
import { ProductCompileError } from './errors.ts';
import { compileFormValidator } from './input-form.ts';
import type { CompiledProduct } from './compile/compiled-product.ts';
import { CompileContext } from './compile/context.ts';
import { checkDefinitionSchema } from './compile/rating-ajv.ts';
import { compileForm } from './compile/form.ts';
import { compileQuantities } from './compile/quantities.ts';
import { compileSteps } from './compile/steps.ts';
import { compilePeriod } from './compile/period.ts';
import { compileSections } from './compile/sections.ts';
import { compileRules } from './compile/rules.ts';
import { compileItemRules } from './compile/item-rules.ts';
import { compileCoInsurance, compileMaximumRate, compileSubsidyBasis } from './compile/caps-and-pool.ts';
import { checkCoverages, checkEffectiveDates, checkTestVectors } from './compile/cross-checks.ts';
import { decimalOf } from './compile/units.ts';
import { checkInstalmentRules } from './instalments.ts';

/**
 * Validates a product definition and compiles it for evaluateQuote. Throws ProductCompileError
 * with every problem found, each with its path inside the definition.
 */
export function compileProduct(definition: unknown): CompiledProduct {
  const def = checkDefinitionSchema(definition);
  const ctx = new CompileContext();
  const { fields, scope, periodMonthsSlot, periodDaysSlot } = compileForm(def.form, ctx);
  const quantities = compileQuantities(def.plan.quantities, scope, ctx);
  const { steps, stepsByKey } = compileSteps(def.plan.steps, scope, ctx);
  const period = compilePeriod(def.plan.period, scope, stepsByKey, ctx);
  const sections = compileSections(def, scope, ctx);
  const rules = compileRules(def.underwriting, scope, ctx);
  const itemRules = compileItemRules(def.itemRules, scope, ctx);
  const maximumRate = compileMaximumRate(def.plan.maximumRate, scope, ctx);
  const subsidyBasis = compileSubsidyBasis(def.plan.subsidyBasis, scope, ctx);
  const coInsurance = compileCoInsurance(def.coInsurance, ctx);
  checkCoverages(def.coverages, scope, ctx);
  checkEffectiveDates(def, ctx);
  checkTestVectors(def.testVectors, stepsByKey, sections, ctx);
  for (const problem of checkInstalmentRules(def.instalments)) ctx.report(problem.path, problem.message);
  // What an endorsement may change must be a field of the form (src/rating/endorsement.ts, docs/policy-life.md).
  (def.endorsableInputs ?? []).forEach((key, i) => {
    if (!fields.some((f) => f.key === key)) ctx.report(`/endorsableInputs/${i}`, `names ${key}, which is not a field of the form (endorsableInputs)`);
  });
  if (ctx.errors.length > 0) throw new ProductCompileError(def.code, ctx.errors);

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
    validateInputs: compileFormValidator(fields, ctx.slotCount, new Set(fields.map((f) => f.key))),
    periodMonthsSlot,
    periodDaysSlot,
    quantities,
    sections,
    steps,
    stepsByKey,
    period,
    rules,
    itemRules,
    itemFallbacks: ctx.itemFallbacks,
    minimumPremiumFen: def.plan.minimumPremiumFen ?? 0,
    maximumRate,
    roundingUnitFen: def.plan.rounding === 'yuan' ? 100 : 1,
    vatRate: decimalOf(def.vatRatePercent),
    vatRateText: def.vatRatePercent,
    coInsurance,
    subsidyBasis,
  });
}
