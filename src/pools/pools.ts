// The pools capability's front door: invitations, consent and membership of co-insurance pools,
// built once by src/service.ts. `membership` is its side of the catalogue's PoolMembership port,
// handed to the catalogue too (createCatalogue, product sync).
import type { Caller } from '../auth/caller.ts';
import { invitePoolMembers } from '../catalogue/version-publishing.ts';
import { decidePoolInvitation, leavePool, listPoolInvitations, poolConsentOf } from './pool-consent.ts';
import { insurerDirectory } from '../auth/insurer-directory.ts';
import { createPoolMembership } from './pool-membership.ts';
import { invitationActions } from './invitation-actions.ts';

export function createPools() {
  const membership = createPoolMembership();
  return Object.freeze({
    membership,
    invitePoolMembers: (caller: Caller, code: string, version: string) => invitePoolMembers(membership, caller, code, version),
    decidePoolInvitation, leavePool, listPoolInvitations, poolConsentOf, insurerDirectory,
    /** What a caller may do next with an invitation: the rule decidePoolInvitation and leavePool refuse by. */
    invitationActions,
  });
}
export type PoolsService = ReturnType<typeof createPools>;
