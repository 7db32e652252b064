// The pools capability's front door: invitations, consent and membership of co-insurance pools,
// built once by src/service.ts. `membership` is its side of the catalogue's PoolMembership port,
// handed to the catalogue too (createCatalogue, product sync).
import type { Caller } from '../auth/caller.ts';
import { invitePoolMembers } from '../catalogue/version-publishing.ts';
import { decidePoolInvitation, leavePool, listPoolInvitations, poolConsentOf } from './pool-consent.ts';
import { insurerDirectory } from '../auth/insurer-directory.ts';
import { createPoolMembership } from './pool-membership.ts';

export function createPools() {
  const membership = createPoolMembership();
  return Object.freeze({
    membership,
    invitePoolMembers: (caller: Caller, code: string, version: string) => invitePoolMembers(membership, caller, code, version),
    decidePoolInvitation, leavePool, listPoolInvitations, poolConsentOf, insurerDirectory,
  });
}
export type PoolsService = ReturnType<typeof createPools>;
