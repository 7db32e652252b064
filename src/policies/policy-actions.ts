// What a caller may do next with a policy, written once (as src/quotes/quote-actions.ts does for
// quotes): record a payment or a claim, endorse, cancel or renew it. The services refuse by these
// rules (payments, claims, endorsements, cancellation, renewal) and the policy page shows its forms
// by `policyActions`, so a page never offers what the API refuses.
import { claimRecorders, premiumRecorders, renewers } from '../auth/access-rules.ts';
import type { Caller } from '../auth/caller.ts';
import { isOwnInsurer } from '../auth/visibility.ts';
import { conflict } from '../http/app-error.ts';

/** The facts of a policy the rules read (a stored policy or its view). */
export interface PolicyActionFacts {
  id: string;
  policyNumber: string;
  status?: string | undefined;
  brokerOrganisationId: string;
  insurerOrganisationId: string;
}

/**
 * Who may change the policy, endorse or cancel it (documented in docs/policy-life.md): the lead
 * insurer's staff (its admins and underwriters) and the policy's broker. The enterprise asks its
 * broker; a pool follower does not change the lead's contract; platform admins do not change contracts.
 */
export function mayEndorse(caller: Caller, policy: Pick<PolicyActionFacts, 'brokerOrganisationId' | 'insurerOrganisationId'>): boolean {
  if (caller.role === 'broker') return caller.organisationId === policy.brokerOrganisationId;
  return (caller.role === 'insurer-admin' || caller.role === 'underwriter') && isOwnInsurer(caller, policy);
}

/** Whether the caller may renew the policy: its broker firm, or its lead insurer's staff (a follower may not). */
export function mayRenew(caller: Caller, policy: Pick<PolicyActionFacts, 'brokerOrganisationId' | 'insurerOrganisationId'>): boolean {
  if (!renewers.includes(caller.role)) return false;
  return caller.role === 'broker' ? policy.brokerOrganisationId === caller.organisationId : isOwnInsurer(caller, policy);
}

const isCancelled = (policy: Pick<PolicyActionFacts, 'status'>) => policy.status === 'cancelled';

/** What the caller may do next with the policy (the page's forms; the services check each again). */
export function policyActions(caller: Caller, policy: PolicyActionFacts) {
  const leadStaff = (roles: readonly string[]) => roles.includes(caller.role) && isOwnInsurer(caller, policy);
  const open = !isCancelled(policy);
  return {
    /** A cancelled policy takes no more premium: its settlement is the refund. */
    pay: open && leadStaff(premiumRecorders),
    /** Claims for losses before a cancellation are still paid (policy-claims.ts checks the date). */
    claim: leadStaff(claimRecorders),
    endorse: open && mayEndorse(caller, policy),
    cancel: open && mayEndorse(caller, policy),
    renew: open && mayRenew(caller, policy),
  };
}

/** 409 when the policy is cancelled: `what` cannot happen to it any more (`path` names the field the answer points at). */
export function refuseIfCancelled(policy: Pick<PolicyActionFacts, 'id' | 'policyNumber' | 'status'>, what: string, path = 'policy.status'): void {
  if (isCancelled(policy)) throw conflict(`Policy ${policy.policyNumber} is cancelled: ${what}.`, [{ path, message: 'must not be cancelled (cancelled)', value: policy.id }]);
}
