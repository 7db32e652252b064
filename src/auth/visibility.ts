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

/**
 * The query that restricts a list of quotes or policies to what the caller may see. Insurer staff
 * see their own business and the pools they are members of: `poolMemberIds` is a flat array, so
 * `{ poolMemberIds: id }` matches an element (FerretDB scans either way; see docs/database.md).
 * Lists never use it directly: they combine it with their filter through scopedQuery (scope.ts).
 */
export function visibilityFilter(caller: Caller): Record<string, unknown> {
  switch (caller.role) {
    case 'broker': return { brokerOrganisationId: caller.organisationId };
    case 'insurer-admin':
    case 'underwriter': return { $or: [{ insurerOrganisationId: caller.organisationId }, { poolMemberIds: { $in: [caller.organisationId] } }] };
    case 'enterprise': return { enterpriseOrganisationId: caller.organisationId };
    default: return {};
  }
}

/** The query for the co-insured business the caller's insurer carries a share of (as lead or follower). */
export function poolBusinessFilter(caller: Caller): Record<string, unknown> {
  return { poolMemberIds: { $in: [caller.organisationId] } };
}

/** Whether the caller's organisation is a member of the record's pool (lead or follower). */
function isPoolMember(caller: Caller, doc: Parties): boolean {
  return isInsurerStaff(caller) && (doc.poolMemberIds ?? []).includes(caller.organisationId);
}

/** Whether the caller reads the record only as a follower of its pool (not its own insurer's business). */
function isPoolFollower(caller: Caller, doc: Parties): boolean {
  return isPoolMember(caller, doc) && doc.insurerOrganisationId !== caller.organisationId;
}

/** Whether a stored quote or policy is visible to the caller (the same rule as visibilityFilter). */
export function isVisibleTo(caller: Caller, doc: Parties): boolean {
  switch (caller.role) {
    case 'broker': return doc.brokerOrganisationId === caller.organisationId;
    case 'insurer-admin':
    case 'underwriter': return doc.insurerOrganisationId === caller.organisationId || isPoolMember(caller, doc);
    case 'enterprise': return doc.enterpriseOrganisationId === caller.organisationId;
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

/**
 * For changes only the record's own insurer may make (approve, decline): "not found" when the
 * caller cannot see it, "forbidden" when it reads it as a pool follower.
 */
/** Whether the caller's insurer leads this business (a platform admin may act on all): who decides it. */
export function isOwnInsurer(caller: Caller, doc: Pick<Parties, 'insurerOrganisationId'>): boolean {
  return caller.role === 'platform-admin' || doc.insurerOrganisationId === caller.organisationId;
}

/** The query for the business the caller's insurer leads (everything for a platform admin): isOwnInsurer as a filter. */
export function ownInsurerFilter(caller: Caller): Record<string, unknown> {
  return caller.role === 'platform-admin' ? {} : { insurerOrganisationId: caller.organisationId };
}

export function ownedByCallerInsurer<T extends Parties>(caller: Caller, doc: T, what: string): T {
  if (isOwnInsurer(caller, doc)) return doc;
  if (isPoolFollower(caller, doc)) throw forbidden(`${what} is co-insured business your insurer follows; only the lead insurer decides it.`);
  throw notFound(what);
}
