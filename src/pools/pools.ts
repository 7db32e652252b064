// The pools capability's front door: invitations, consent and membership of co-insurance pools,
// built once by src/service.ts.
import { invitePoolMembers } from '../catalogue/catalogue-service.ts';
import { decidePoolInvitation, leavePool, listPoolInvitations, poolConsentOf } from './pool-consent.ts';
import { insurerDirectory } from '../auth/insurer-directory.ts';
import { invitationActions } from './invitation-actions.ts';

export function createPools() {
  return Object.freeze({
    invitePoolMembers, decidePoolInvitation, leavePool, listPoolInvitations, poolConsentOf, insurerDirectory,
    /** What a caller may do next with an invitation: the rule decidePoolInvitation and leavePool refuse by. */
    invitationActions,
  });
}
export type PoolsService = ReturnType<typeof createPools>;
