// Who sees which quote or policy (and the documents made from them): its broker firm, its
// insurer's staff, its enterprise; platform admins see all. The one place this rule is written;
// quotes, policies, documents and portfolio ask here.
import { notFound } from '../http/app-error.ts';
import type { Caller } from './caller.ts';

/** The organisations a quote or policy belongs to. */
export interface Parties {
  brokerOrganisationId: string;
  insurerOrganisationId: string;
  enterpriseOrganisationId: string;
}

/** The query fields that restrict a list of quotes or policies to what the caller may see. */
export function visibilityFilter(caller: Caller): Record<string, string> {
  switch (caller.role) {
    case 'broker': return { brokerOrganisationId: caller.organisationId };
    case 'insurer-admin':
    case 'underwriter': return { insurerOrganisationId: caller.organisationId };
    case 'enterprise': return { enterpriseOrganisationId: caller.organisationId };
    default: return {};
  }
}

/** Whether a stored quote or policy is visible to the caller (the same rule as visibilityFilter). */
export function isVisibleTo(caller: Caller, doc: Parties): boolean {
  return Object.entries(visibilityFilter(caller)).every(([field, value]) => doc[field as keyof Parties] === value);
}

/**
 * The record when the caller may see it; otherwise "not found" (never "forbidden": another
 * organisation's records are not admitted to exist). `what` names it in the error ("The quote").
 */
export function visibleOrNotFound<T extends Parties>(caller: Caller, doc: T | null | undefined, what: string): T {
  if (!doc || !isVisibleTo(caller, doc)) throw notFound(what);
  return doc;
}
