// Who sees which quote or policy (and the documents made from them): its broker firm, its
// insurer's staff, its enterprise, and for co-insured business the staff of every pool member
// (followers read only: they never decide, bind or change it); platform admins see all. The one
// place this rule is written; quotes, policies, documents, pools and portfolio ask here.
import { forbidden, notFound } from '../http/app-error.ts';
import type { Caller } from './caller.ts';

/** The organisations a quote or policy belongs to. */
export interface Parties {
  brokerOrganisationId: string;
  insurerOrganisationId: string;
  enterpriseOrganisationId: string;
  /** Organisation ids of the pool's members, lead included (co-insured business only). */
  poolMemberIds?: readonly string[] | null;
}

const isInsurerStaff = (caller: Caller) => caller.role === 'insurer-admin' || caller.role === 'underwriter';

/** Whether the caller's organisation is a member of the record's pool (lead or follower). */
function isPoolMember(caller: Caller, doc: Parties): boolean {
  return isInsurerStaff(caller) && (doc.poolMemberIds ?? []).includes(caller.organisationId);
}

/** Whether the caller reads the record only as a follower of its pool (not its own insurer's business). */
function isPoolFollower(caller: Caller, doc: Parties): boolean {
  return isPoolMember(caller, doc) && doc.insurerOrganisationId !== caller.organisationId;
}

/** Whether a stored quote or policy is visible to the caller: what every list entry is checked against (scope.ts). */
export function isVisibleTo(caller: Caller, doc: Parties): boolean {
  switch (caller.role) {
    case 'broker': return doc.brokerOrganisationId === caller.organisationId;
    case 'insurer-admin':
    case 'underwriter': return doc.insurerOrganisationId === caller.organisationId || isPoolMember(caller, doc);
    case 'enterprise': return doc.enterpriseOrganisationId === caller.organisationId;
    // A subsidy department sees no quote or policy as such: only the applications in its scope
    // (scope.ts scopedApplications), and a policy's papers through one of them (src/subsidies).
    case 'authority-officer': return false;
    default: return true;
  }
}

/**
 * The record when the caller may see it; otherwise "not found" (never "forbidden": another
 * organisation's records are not admitted to exist). `what` names it in the error ("The quote").
 */
export function visibleOrNotFound<T extends Parties>(caller: Caller, doc: T | null | undefined, what: string): T {
  if (!doc || !isVisibleTo(caller, doc)) throw notFound(what);
  return doc;
}

/** Whether the caller's insurer leads this business (a platform admin may act on all): who decides it. */
export function isOwnInsurer(caller: Caller, doc: Pick<Parties, 'insurerOrganisationId'>): boolean {
  return caller.role === 'platform-admin' || doc.insurerOrganisationId === caller.organisationId;
}

/**
 * For changes only the record's own insurer may make (approve, decline): "not found" when the
 * caller cannot see it, "forbidden" when it reads it as a pool follower.
 */
export function ownedByCallerInsurer<T extends Parties>(caller: Caller, doc: T, what: string): T {
  if (isOwnInsurer(caller, doc)) return doc;
  if (isPoolFollower(caller, doc)) throw forbidden(`${what} is co-insured business your insurer follows; only the lead insurer decides it.`);
  throw notFound(what);
}
