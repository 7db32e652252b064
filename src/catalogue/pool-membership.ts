// The catalogue's port to pools (floor 5, above the catalogue's 4). Drafting a version with a
// co-insurance pool proposes the members' shares; submitting and publishing check that the
// members are insurers whose shares add up; publishing also requires their consent; the platform's
// product sync may accept the shipped pools on the members' behalf. src/pools implements it
// (src/pools/pool-membership.ts); src/service.ts hands it to createCatalogue and to product sync.
import type { systemActor } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import type { ProductDefinition } from '../rating/index.ts';

export interface PoolMembership {
  /** 400 unless the pool's shares add up to 100%, 409 when it names a code no insurer has; `root` prefixes the paths. */
  checkMembers(definition: ProductDefinition, root?: string): Promise<void>;
  /** Invites the other members of a complete pool to their shares; `reopen` invites again after a decline or leave. */
  proposeShares(actor: Caller | typeof systemActor, definition: ProductDefinition, inviterOrganisationId: string, options?: { reopen?: boolean }): Promise<void>;
  /** 409 naming each member that has not accepted its share of this product. */
  requireConsent(definition: ProductDefinition, root?: string): Promise<void>;
  /** Accepts the other members' pending shares as the system (the shipped catalogue with the demo seed, test fixtures). */
  acceptOnMembersBehalf(actor: typeof systemActor, definition: ProductDefinition, inviterOrganisationId: string): Promise<void>;
}
