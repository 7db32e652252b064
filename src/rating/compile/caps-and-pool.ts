// --- caps, VAT, pool --- The maximum rate cap, the quantities subsidies are measured on, and
// the co-insurance pool's shares.
import type { ProductDefinition } from '../product-schema.ts';
import type { CompiledProduct } from './compiled-product.ts';
import type { CompileContext, Scope } from './context.ts';
import { percentOf } from './units.ts';

type Plan = ProductDefinition['plan'];

/** The cap on premium as a rate of a money quantity, if the plan has one. */
export function compileMaximumRate(maximumRate: Plan['maximumRate'], scope: Scope, ctx: CompileContext): CompiledProduct['maximumRate'] {
  if (!maximumRate) return undefined;
  const info = scope.quantities.get(maximumRate.quantity);
  if (!info || info.type !== 'money') ctx.report('/plan/maximumRate/quantity', 'must be a money quantity');
  return { slot: info?.slot ?? 0, rate: percentOf(maximumRate.ratePercent), text: maximumRate.ratePercent };
}

/** The sum insured (and contract amount) subsidy programmes measure, if the plan names them. */
export function compileSubsidyBasis(subsidyBasis: Plan['subsidyBasis'], scope: Scope, ctx: CompileContext): CompiledProduct['subsidyBasis'] {
  if (!subsidyBasis) return undefined;
  const si = scope.quantities.get(subsidyBasis.sumInsured);
  if (!si || si.type !== 'money') ctx.report('/plan/subsidyBasis/sumInsured', 'must be a money quantity');
  const contractKey = subsidyBasis.contract;
  const ct = contractKey === undefined ? undefined : scope.quantities.get(contractKey);
  if (contractKey !== undefined && (!ct || ct.type !== 'money')) ctx.report('/plan/subsidyBasis/contract', 'must be a money quantity');
  return { sumInsuredSlot: si?.slot ?? 0, contractSlot: ct?.slot ?? -1 };
}

/** The pool's members: shares add up to 100 and exactly one leads. */
export function compileCoInsurance(coInsurance: ProductDefinition['coInsurance'], ctx: CompileContext): CompiledProduct['coInsurance'] {
  if (!coInsurance) return undefined;
  const members = coInsurance.members;
  let total = 0;
  for (const m of members) total += Number(m.sharePercent) * 1e6;
  if (Math.round(total) !== 100e6) ctx.report('/coInsurance/members', 'shares must add up to 100');
  if (members.filter((m) => m.role === 'lead').length !== 1) ctx.report('/coInsurance/members', 'a pool has exactly one lead');
  return members.map((m) => ({ insurer: m.insurer, role: m.role, sharePercent: m.sharePercent, share: percentOf(m.sharePercent) }));
}
