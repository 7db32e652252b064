// --- sections --- The priced sections: a rate on a money quantity (per policy or per list
// item), or a share of an earlier section.
import type { ProductDefinition } from '../product-schema.ts';
import type { CompiledSection } from './compiled-product.ts';
import type { CompileContext, Scope } from './context.ts';
import { percentOf } from './units.ts';
import { sectionLabel } from '../label-figures.ts';

type SectionDefinition = ProductDefinition['plan']['sections'][number];

/** Where a rated section's base comes from: a quantity slot, or a money field of each list item. */
function compileBase(s: SectionDefinition, path: string, scope: Scope, ctx: CompileContext): Pick<CompiledSection, 'baseSlot' | 'listSlot' | 'baseItemPos'> {
  let baseSlot = -1;
  let listSlot = -1;
  let baseItemPos = -1;
  if (s.perItem !== undefined) {
    const list = scope.listFields.get(s.perItem);
    if (!list) ctx.report(`${path}/perItem`, `unknown list field ${s.perItem}`);
    listSlot = list?.slot ?? -1;
    if (s.baseItemField !== undefined) {
      const f = list?.itemFields.find((x) => x.key === s.baseItemField);
      if (!f || f.type !== 'money') ctx.report(`${path}/baseItemField`, `${s.baseItemField} is not a money item field`);
      baseItemPos = f?.slot ?? -1;
    }
  }
  if (s.baseItemField === undefined) {
    const info = s.baseQuantity === undefined ? undefined : scope.quantities.get(s.baseQuantity);
    if (!info || info.type !== 'money') ctx.report(`${path}/baseQuantity`, `${s.baseQuantity ?? '(missing)'} is not a money quantity`);
    baseSlot = info?.slot ?? -1;
  } else if (s.perItem === undefined) ctx.report(`${path}/perItem`, 'baseItemField needs perItem');
  return { baseSlot, listSlot, baseItemPos };
}

function compileSection(s: SectionDefinition, path: string, earlier: readonly CompiledSection[], scope: Scope, ctx: CompileContext): CompiledSection {
  const baseKey = s.baseItemField ?? s.baseQuantity ?? '';
  if (s.shareOf) {
    const shareOf = earlier.findIndex((x) => x.key === s.shareOf?.section);
    if (shareOf < 0) ctx.report(`${path}/shareOf/section`, `${s.shareOf.section} is not an earlier section`);
    if (s.ratePercent !== undefined || s.baseQuantity !== undefined) ctx.report(path, 'a shareOf section has no base or rate of its own');
    return { key: s.key, label: sectionLabel(s), baseSlot: -1, baseKey, listSlot: -1, baseItemPos: -1, factor: percentOf(s.shareOf.percent), factorText: s.shareOf.percent, shareOf };
  }
  if (s.ratePercent === undefined) ctx.report(`${path}/ratePercent`, 'is required unless the section is a shareOf');
  const { baseSlot, listSlot, baseItemPos } = compileBase(s, path, scope, ctx);
  return { key: s.key, label: sectionLabel(s), baseSlot, baseKey, listSlot, baseItemPos, factor: percentOf(s.ratePercent ?? '0'), factorText: s.ratePercent ?? '0', shareOf: -1 };
}

/** Compiles the sections in order; coverages they name must exist, keys must be unique. */
export function compileSections(definition: ProductDefinition, scope: Scope, ctx: CompileContext): CompiledSection[] {
  const sections: CompiledSection[] = [];
  definition.plan.sections.forEach((s, i) => {
    const path = `/plan/sections/${i}`;
    if (sections.some((x) => x.key === s.key)) ctx.report(`${path}/key`, `duplicate section ${s.key}`);
    if (s.coverage !== undefined && !definition.coverages.some((c) => c.code === s.coverage)) ctx.report(`${path}/coverage`, `unknown coverage ${s.coverage}`);
    sections.push(compileSection(s, path, sections, scope, ctx));
  });
  return sections;
}
