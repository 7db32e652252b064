// --- derived quantities --- Ratios, products, sums and item aggregates of fields and earlier
// quantities: each gets a slot (ratios two more for exact comparison) and a closure that fills it.
import type { ProductDefinition } from '../product-schema.ts';
import type { QuantityType, QuoteState } from '../input-form.ts';
import type { CompileContext, QuantityInfo, Scope } from './context.ts';

type QuantityDefinition = NonNullable<ProductDefinition['plan']['quantities']>[number];
type Compute = (state: QuoteState) => void;

/** What one derived quantity compiles to; compute is undefined when the definition is broken. */
interface Derived {
  type: QuantityType;
  ratio: QuantityInfo['ratio'];
  compute: Compute | undefined;
}

const BROKEN: Derived = { type: 'number', ratio: undefined, compute: undefined };

function compileRatio(q: QuantityDefinition, path: string, operands: QuantityInfo[], slot: number, scope: Scope, ctx: CompileContext): Derived {
  if ((q.of ?? []).length !== 2) { ctx.report(`${path}/of`, 'ratio needs exactly two operands'); return BROKEN; }
  const [a, b] = operands.map((o) => o.slot) as [number, number];
  const fallback = q.fallback === undefined ? -1 : (scope.quantities.get(q.fallback)?.slot ?? -1);
  if (q.fallback !== undefined && fallback < 0) ctx.report(`${path}/fallback`, `unknown quantity ${q.fallback}`);
  for (const o of operands) if (o.type === 'percent' || o.type === 'ratio') ctx.report(`${path}/of`, 'ratio operands must be amounts or counts');
  const numSlot = ctx.nextSlot();
  const denSlot = ctx.nextSlot();
  const compute: Compute = (s) => {
    const n = s.num[a] as number;
    let d = s.num[b] as number;
    if (d !== d && fallback >= 0) d = s.num[fallback] as number;
    s.num[numSlot] = n;
    s.num[denSlot] = d;
    s.num[slot] = d > 0 ? n / d : NaN;
  };
  return { type: 'ratio', ratio: { numSlot, denSlot }, compute };
}

function compileProductOf(path: string, operands: QuantityInfo[], slot: number, ctx: CompileContext): Derived {
  const money = operands.filter((o) => o.type === 'money').length;
  if (money > 1) ctx.report(`${path}/of`, 'a product may contain at most one amount');
  const slots = operands.map((o) => o.slot);
  const compute: Compute = (s) => {
    let v = 1;
    for (const x of slots) v *= s.num[x] as number;
    s.num[slot] = v;
  };
  return { type: money === 1 ? 'money' : operands.every((o) => o.type === 'count') ? 'count' : 'number', ratio: undefined, compute };
}

/** sum, max or min of quantities of one type; missing operands are skipped. */
function compileAggregate(op: 'sum' | 'max' | 'min', path: string, operands: QuantityInfo[], slot: number, ctx: CompileContext): Derived {
  const types = new Set(operands.map((o) => o.type));
  if (types.size > 1) ctx.report(`${path}/of`, `operands of ${op} must have one type, got ${[...types].join(', ')}`);
  const slots = operands.map((o) => o.slot);
  const compute: Compute = (s) => {
    let v = NaN;
    for (const x of slots) {
      const y = s.num[x] as number;
      if (y !== y) continue;
      v = v !== v ? y : op === 'sum' ? v + y : op === 'max' ? Math.max(v, y) : Math.min(v, y);
    }
    s.num[slot] = v;
  };
  return { type: operands[0]?.type ?? 'number', ratio: undefined, compute };
}

/** itemSum, itemMax or itemCount over the items of a list field. */
function compileItemAggregate(q: QuantityDefinition, path: string, slot: number, scope: Scope, ctx: CompileContext): Derived {
  const list = q.list === undefined ? undefined : scope.listFields.get(q.list);
  if (!list) { ctx.report(`${path}/list`, `unknown list field ${q.list ?? ''}`); return BROKEN; }
  const listSlot = list.slot;
  if (q.op === 'itemCount') return { type: 'count', ratio: undefined, compute: (s) => { s.num[slot] = s.lists[listSlot]?.length ?? 0; } };
  const itemField = list.itemFields.find((f) => f.key === q.itemField);
  if (!itemField || itemField.quantityType === undefined) { ctx.report(`${path}/itemField`, `unknown numeric item field ${q.itemField ?? ''}`); return BROKEN; }
  const pos = itemField.slot;
  const isSum = q.op === 'itemSum';
  const fallback = q.fallback === undefined ? undefined : scope.quantities.get(q.fallback);
  if (q.fallback !== undefined && (!fallback || fallback.type !== itemField.quantityType)) ctx.report(`${path}/fallback`, `${q.fallback} is not a quantity of the item field's type`);
  const fallbackSlot = fallback?.slot ?? -1;
  if (fallback) ctx.itemFallbacks.push({ listSlot, list: list.key, itemPos: pos, itemField: itemField.key });
  const compute: Compute = (s) => {
    const items = s.lists[listSlot];
    let v = NaN;
    if (items) for (const item of items) {
      const y = item.num[pos] as number;
      if (y !== y) continue;
      v = v !== v ? y : isSum ? v + y : Math.max(v, y);
    }
    // No item carries the field (a quote that gives the amount once, for all items): the quote-level
    // value. A list item rules emptied has nothing left to count.
    if (v !== v && fallbackSlot >= 0 && (!items || items.length > 0)) v = s.num[fallbackSlot] as number;
    s.num[slot] = v;
  };
  return { type: itemField.quantityType, ratio: undefined, compute };
}

function compileDerived(q: QuantityDefinition, path: string, slot: number, scope: Scope, ctx: CompileContext): Derived {
  const operands: QuantityInfo[] = [];
  for (const [j, k] of (q.of ?? []).entries()) {
    const info = scope.quantities.get(k);
    if (!info) ctx.report(`${path}/of/${j}`, `unknown quantity ${k}`);
    else operands.push(info);
  }
  switch (q.op) {
    case 'ratio': return compileRatio(q, path, operands, slot, scope, ctx);
    case 'product': return compileProductOf(path, operands, slot, ctx);
    case 'sum':
    case 'max':
    case 'min': return compileAggregate(q.op, path, operands, slot, ctx);
    case 'itemSum':
    case 'itemMax':
    case 'itemCount': return compileItemAggregate(q, path, slot, scope, ctx);
  }
}

/** The form fields a derived quantity reads, operands first, then its list and fallback. */
function sourceFields(q: QuantityDefinition, scope: Scope): string[] {
  const fields: string[] = [];
  const add = (k: string | undefined) => { for (const f of k === undefined ? [] : scope.quantities.get(k)?.fields ?? [k]) if (!fields.includes(f)) fields.push(f); };
  if (q.list !== undefined && !fields.includes(q.list)) fields.push(q.list);
  for (const k of q.of ?? []) add(k);
  if (q.op !== 'ratio') add(q.fallback);
  return fields;
}

/**
 * Compiles the derived quantities in order, adding each to the scope so later ones can read it.
 * Returns the closures that fill their slots, in the order evaluateQuote runs them.
 */
export function compileQuantities(definitions: ProductDefinition['plan']['quantities'], scope: Scope, ctx: CompileContext): ((state: QuoteState) => void)[] {
  const computeQuantities: Compute[] = [];
  (definitions ?? []).forEach((q, i) => {
    const path = `/plan/quantities/${i}`;
    if (scope.quantities.has(q.key) || scope.listFields.has(q.key)) ctx.report(`${path}/key`, `duplicate quantity ${q.key}`);
    const slot = ctx.nextSlot();
    const { type, ratio, compute } = compileDerived(q, path, slot, scope, ctx);
    if (compute) computeQuantities.push(compute);
    scope.quantities.set(q.key, { slot, type, ratio, label: q.label, isField: false, fields: sourceFields(q, scope) });
  });
  return computeQuantities;
}
