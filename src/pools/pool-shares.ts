// Names and shares of a co-insured quote or policy as its views show them: every member's share
// of premium, net, VAT and liability, and the caller's own share when its insurer is a member.
import type { Caller } from '../auth/caller.ts';
import type { RatedRecord } from '../quotes/quote-schemas.ts';
import { cachedCatalogueRead } from '../catalogue/catalogue-cache.ts';
import { findPinnedVersion } from '../catalogue/rating-lookups.ts';
import { insurerDirectory } from '../auth/insurer-directory.ts';
import { coverageLimitsFen, splitByShares, type CoInsuranceShare, type ProductDefinition } from '../rating/index.ts';
import type { PoolShareView } from './pool-schemas.ts';

export interface PoolViewFields {
  insurerName?: string;
  poolShares?: PoolShareView[];
  myShare?: PoolShareView;
}

/** A pinned version's definition; published versions never change, so it is cached like the catalogue. */
function pinnedDefinition(code: string, version: string): Promise<ProductDefinition> {
  return cachedCatalogueRead(`pinned-definition|${code}|${version}`, async () => (await findPinnedVersion(code, version)).definition);
}

/** Every member's share with names and liability (limits × share); pure given the definition and names. */
export function poolSharesOf(shares: readonly CoInsuranceShare[], definition: ProductDefinition | undefined, inputs: unknown, names: Map<string, { name: string; nameEn: string | undefined }>): PoolShareView[] {
  const limits = definition ? coverageLimitsFen(definition, (inputs ?? {}) as Record<string, unknown>) : [];
  const parts = limits.map((limit) => splitByShares(shares, limit.amountFen));
  return shares.map((share, i) => {
    const named = names.get(share.insurer);
    return {
      insurer: share.insurer,
      ...(named ? { insurerName: named.name, ...(named.nameEn ? { insurerNameEn: named.nameEn } : {}) } : {}),
      role: share.role, sharePercent: share.sharePercent,
      grossPremiumFen: share.grossPremiumFen, netPremiumFen: share.netPremiumFen, vatFen: share.vatFen,
      limits: limits.map((limit, l) => ({ coverage: limit.coverage, kind: limit.kind, amountFen: parts[l]![i]! })),
    };
  });
}

/** The insurer's name, every member's share and (for a member) the caller's own share. */
export async function poolViewFields(caller: Caller, record: RatedRecord): Promise<PoolViewFields> {
  const names = await insurerDirectory();
  const insurerName = names.get(record.result.insurer)?.name;
  const shares = record.result.coInsurance;
  if (!shares?.length) return insurerName ? { insurerName } : {};
  const definition = await pinnedDefinition(record.productCode, record.productVersion).catch(() => undefined);
  const poolShares = poolSharesOf(shares, definition, record.inputs, names);
  const mine = poolShares.find((s) => names.get(s.insurer)?.id === caller.organisationId);
  return { ...(insurerName ? { insurerName } : {}), poolShares, ...(mine ? { myShare: mine } : {}) };
}
