// --- coverages, dates, vectors --- Checks that compile nothing but tie parts of the definition
// together: coverage limits and deductibles name fields of the right type, the tariff's dates
// are in order, and test vectors name existing steps and sections.
import type { ProductDefinition } from '../product-schema.ts';
import type { CompiledSection, CompiledStep } from './compiled-product.ts';
import type { CompileContext, Scope } from './context.ts';

/** Coverage codes are unique; limits have one source; limit and deductible fields have the right type. */
export function checkCoverages(coverages: ProductDefinition['coverages'], scope: Scope, ctx: CompileContext): void {
  const { fieldByKey } = scope;
  coverages.forEach((c, i) => {
    if (coverages.findIndex((x) => x.code === c.code) !== i) ctx.report(`/coverages/${i}/code`, `duplicate coverage ${c.code}`);
    (c.limits ?? []).forEach((l, j) => {
      const sources = [l.field, l.amountFen, l.percentOf].filter((x) => x !== undefined).length;
      if (sources !== 1) ctx.report(`/coverages/${i}/limits/${j}`, 'a limit needs exactly one of field, amountFen, percentOf');
      if (l.field !== undefined && fieldByKey.get(l.field)?.type !== 'money') ctx.report(`/coverages/${i}/limits/${j}/field`, `${l.field} is not a money field`);
    });
    const d = c.deductible;
    if (d?.amountField !== undefined && fieldByKey.get(d.amountField)?.type !== 'money') ctx.report(`/coverages/${i}/deductible/amountField`, `${d.amountField} is not a money field`);
    if (d?.rateField !== undefined && fieldByKey.get(d.rateField)?.type !== 'percent') ctx.report(`/coverages/${i}/deductible/rateField`, `${d.rateField} is not a percent field`);
  });
}

/** The tariff does not end before it starts. */
export function checkEffectiveDates(definition: ProductDefinition, ctx: CompileContext): void {
  if (definition.effectiveTo !== undefined && definition.effectiveTo < definition.effectiveFrom) ctx.report('/effectiveTo', 'is before effectiveFrom');
}

/** Test vectors pick only existing steps and expect only existing sections. */
export function checkTestVectors(testVectors: ProductDefinition['testVectors'], stepsByKey: ReadonlyMap<string, CompiledStep>, sections: readonly CompiledSection[], ctx: CompileContext): void {
  testVectors.forEach((v, i) => {
    for (const k of Object.keys(v.picks ?? {})) if (!stepsByKey.has(k)) ctx.report(`/testVectors/${i}/picks/${k}`, `unknown step ${k}`);
    for (const k of Object.keys(v.expected.sectionPremiumsFen ?? {})) if (!sections.some((s) => s.key === k)) ctx.report(`/testVectors/${i}/expected/sectionPremiumsFen/${k}`, `unknown section ${k}`);
  });
}
