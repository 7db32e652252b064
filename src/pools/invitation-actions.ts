// What a caller may do next with a pool invitation, written once: accept or decline it, or leave
// the pool. The services refuse by these rules (decidePoolInvitation and leavePool in
// pool-consent.ts) and the invitations page shows its buttons by `invitationActions`, so a page
// never offers what the API refuses, or hides what it allows.
import { poolConsenters } from '../auth/access-rules.ts';
import type { Caller } from '../auth/caller.ts';
import type { ErrorDetail } from '../http/app-error.ts';

export type InvitationStatus = 'pending' | 'accepted' | 'declined' | 'left';

/** The facts of an invitation the rules read (a stored invitation or its view). */
export interface InvitationActionFacts {
  status: InvitationStatus;
  /** received: the caller's insurer is the invited member (the only one who may act on it). */
  direction?: 'received' | 'sent';
}

export type InvitationAction = 'accept' | 'decline' | 'leave';

/** Why the invitation cannot take `action` in its state (the API's 409), or undefined when it can. */
export function invitationRefusal(invitation: Pick<InvitationActionFacts, 'status'>, action: InvitationAction): { message: string; details: ErrorDetail[] } | undefined {
  const { status } = invitation;
  if (action === 'leave') {
    return status === 'accepted' ? undefined : {
      message: `Only an accepted share can be left; this invitation is ${status}.`,
      details: [{ path: 'id', message: `must be an accepted invitation, not ${status} (pool-invitation-state)` }],
    };
  }
  return status === 'pending' ? undefined : {
    message: `This invitation is already ${status}; only a pending invitation can be ${action === 'accept' ? 'accepted' : 'declined'}.`,
    details: [{ path: 'id', message: `must be a pending invitation, not ${status} (pool-invitation-state)` }],
  };
}

export interface InvitationActions {
  /** Accept or decline it: the invited insurer's admins, while it is pending. */
  readonly decide: boolean;
  /** Leave the pool: the invited insurer's admins, while the share is accepted. */
  readonly leave: boolean;
}

/** What `caller` may do next with an invitation it can see. */
export function invitationActions(caller: Caller, invitation: InvitationActionFacts): InvitationActions {
  const member = poolConsenters.includes(caller.role) && invitation.direction === 'received';
  return Object.freeze({
    decide: member && !invitationRefusal(invitation, 'accept'),
    leave: member && !invitationRefusal(invitation, 'leave'),
  });
}
