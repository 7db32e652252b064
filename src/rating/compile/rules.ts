// --- rules --- Underwriting rules: conditions on quantities compiled into closures that refer
// or decline a quote.
import type { ProductDefinition } from '../product-schema.ts';
import type { QuoteState } from '../input-form.ts';
import type { CompiledRule } from './compiled-product.ts';
import type { CompileContext, Scope } from './context.ts';
import { toCanonical, UNIT_TYPES } from './units.ts';

type Rule = NonNullable<ProductDefinition['underwriting']>[number];
type Condition = NonNullable<Rule['all']>[number];

function compileCondition(c: Condition, path: string, scope: Scope, ctx: CompileContext): ((s: QuoteState) => boolean) {
  const info = scope.quantities.get(c.quantity);
  if (!info) { ctx.report(`${path}/quantity`, `unknown quantity ${c.quantity}`); return () => false; }
  if (UNIT_TYPES[c.unit] !== info.type) ctx.report(`${path}/unit`, `unit ${c.unit} does not fit quantity ${c.quantity} of type ${info.type}`);
  const b = toCanonical(c.value, c.unit);
  if (typeof b === 'string') { ctx.report(`${path}/value`, b); return () => false; }
  const v = b.value;
  const slot = info.slot;
  switch (c.op) {
    case '<': return (s) => (s.num[slot] as number) < v;
    case '<=': return (s) => (s.num[slot] as number) <= v;
    case '>': return (s) => (s.num[slot] as number) > v;
    case '>=': return (s) => (s.num[slot] as number) >= v;
    case '=': return (s) => s.num[slot] === v;
    default: return (s) => { const x = s.num[slot] as number; return x === x && x !== v; };
  }
}

/** Compiles the underwriting rules: all conditions must hold and, if any are listed, one of them. */
export function compileRules(underwriting: ProductDefinition['underwriting'], scope: Scope, ctx: CompileContext): CompiledRule[] {
  return (underwriting ?? []).map((r, i) => {
    const path = `/underwriting/${i}`;
    const all = (r.all ?? []).map((c, j) => compileCondition(c, `${path}/all/${j}`, scope, ctx));
    const any = (r.any ?? []).map((c, j) => compileCondition(c, `${path}/any/${j}`, scope, ctx));
    if (all.length === 0 && any.length === 0) ctx.report(path, 'a rule needs at least one condition');
    if (r.action === 'refer' && r.authority === undefined) ctx.report(`${path}/authority`, 'a referral names the authority needed');
    return {
      key: r.key, action: r.action, reason: r.reason, authority: r.authority,
      test: (s) => all.every((t) => t(s)) && (any.length === 0 || any.some((t) => t(s))),
    };
  });
}
