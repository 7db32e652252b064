// Pools' side of the catalogue's PoolMembership port (src/catalogue/pool-membership.ts): the
// members' check and their consent, as drafting and publishing a version ask for them.
import type { PoolMembership } from '../catalogue/pool-membership.ts';
import { acceptPoolOnMembersBehalf, proposePoolShares, requirePoolConsent } from './pool-consent.ts';
import { checkPoolMembers } from './pool-members.ts';

/** The port's implementation; stateless (every answer is read from the database or the insurer directory). */
export function createPoolMembership(): PoolMembership {
  return Object.freeze({
    checkMembers: checkPoolMembers,
    proposeShares: proposePoolShares,
    requireConsent: requirePoolConsent,
    acceptOnMembersBehalf: acceptPoolOnMembersBehalf,
  });
}
