// --- item rules --- Eligibility decided per item of a list (each unit of a blanket quote): an
// item a rule fires on is excluded with the rule's reason, the others are priced.
import type { ProductDefinition } from '../product-schema.ts';
import type { NormalizedItem, QuoteState } from '../input-form.ts';
import type { CompiledItemRule } from './compiled-product.ts';
import type { CompileContext, Scope } from './context.ts';
import { toCanonical, UNIT_TYPES } from './units.ts';

type ItemRule = NonNullable<ProductDefinition['itemRules']>[number];
type ItemCondition = NonNullable<ItemRule['all']>[number];
type ItemTest = (item: NormalizedItem, state: QuoteState) => boolean;

const COMPARE: Record<ItemCondition['op'], (x: number, v: number) => boolean> = {
  '<': (x, v) => x < v,
  '<=': (x, v) => x <= v,
  '>': (x, v) => x > v,
  '>=': (x, v) => x >= v,
  '=': (x, v) => x === v,
  '!=': (x, v) => x === x && x !== v,
};

function compileItemCondition(c: ItemCondition, path: string, rule: ItemRule, scope: Scope, ctx: CompileContext): ItemTest {
  const list = scope.listFields.get(rule.list);
  const field = list?.itemFields.find((f) => f.key === c.itemField);
  if (!field || field.quantityType === undefined) { ctx.report(`${path}/itemField`, `${c.itemField} is not a numeric item field of ${rule.list}`); return () => false; }
  if (UNIT_TYPES[c.unit] !== field.quantityType) ctx.report(`${path}/unit`, `unit ${c.unit} does not fit item field ${c.itemField} of type ${field.quantityType}`);
  const fallback = c.fallback === undefined ? undefined : scope.quantities.get(c.fallback);
  // Item rules run before derived quantities are computed: a fallback is a form field.
  if (c.fallback !== undefined && (!fallback || !fallback.isField || fallback.type !== field.quantityType)) ctx.report(`${path}/fallback`, `${c.fallback} is not a form field of the item field's type`);
  const b = toCanonical(c.value, c.unit);
  if (typeof b === 'string') { ctx.report(`${path}/value`, b); return () => false; }
  const v = b.value;
  const pos = field.slot;
  const fallbackSlot = fallback?.slot ?? -1;
  const compare = COMPARE[c.op];
  return (item, state) => {
    let x = item.num[pos] as number;
    if (x !== x && fallbackSlot >= 0) x = state.num[fallbackSlot] as number;
    return x === x && compare(x, v);
  };
}

/** Compiles the item rules: each names a list field; its conditions read numeric item fields. */
export function compileItemRules(itemRules: ProductDefinition['itemRules'], scope: Scope, ctx: CompileContext): CompiledItemRule[] {
  return (itemRules ?? []).map((r, i) => {
    const path = `/itemRules/${i}`;
    const list = scope.listFields.get(r.list);
    if (!list) ctx.report(`${path}/list`, `unknown list field ${r.list}`);
    const all = (r.all ?? []).map((c, j) => compileItemCondition(c, `${path}/all/${j}`, r, scope, ctx));
    const any = (r.any ?? []).map((c, j) => compileItemCondition(c, `${path}/any/${j}`, r, scope, ctx));
    if (all.length === 0 && any.length === 0) ctx.report(path, 'an item rule needs at least one condition');
    return {
      key: r.key, list: r.list, listSlot: list?.slot ?? -1, reason: r.reason,
      test: (item, state) => all.every((t) => t(item, state)) && (any.length === 0 || any.some((t) => t(item, state))),
    };
  });
}
