// The departments' lists of subsidy applications (#27) as a keyed log (src/db/keyed-log.ts): a
// submitted application is appended to the lists scope.ts names for its programme and its
// enterprise's region (applicationListKeysOf), a decided or withdrawn one also to the lists of the
// status it entered. Entries are the facts fixed at submission (parties, enterprise and its region,
// policy number, amounts): a department's page reads them, and per row only the outcome step by id.
import { findEnterpriseById } from '../auth/auth-service.ts';
import { applicationListKeysOf, applicationStatusListKeysOf, type ApplicationScopeEntry } from '../auth/scope.ts';
import { defineKeyedLog } from '../db/keyed-log.ts';
import type { PolicyView } from '../policies/policy-service.ts';
import type { SubsidyLayer } from '../rating/index.ts';
import type { ApplicationStep } from './subsidy-application-model.ts';

/** An application as a department's list holds it: what was true when it was submitted. */
export interface ApplicationListEntry extends ApplicationScopeEntry {
  id: string;
  policyId: string;
  policyNumber: string;
  enterpriseOrganisationId: string;
  brokerOrganisationId: string;
  insurerOrganisationId: string;
  enterpriseName: string;
  line: string;
  startDate: string;
  name: SubsidyLayer['name'];
  level: SubsidyLayer['level'];
  expectedFen: number;
  appliedFen: number;
  submittedOn: string;
}

export const applicationLists = defineKeyedLog<ApplicationListEntry>('SubsidyApplicationListEntry', 'subsidyApplicationLists');

/** The id of one policy's application to one programme, as /v1/subsidy-applications/{id} names it. */
export const applicationIdOf = (policyId: string, programme: string) => `${policyId}-${programme}`;

/** The policy and programme an application id names, or null when it is not one. */
export function parseApplicationId(id: string): { policyId: string; programme: string } | null {
  const match = /^([0-9a-f]{24})-([A-Z][A-Z0-9-]{0,63})$/.exec(id);
  return match ? { policyId: match[1]!, programme: match[2]! } : null;
}

/** The enterprise's region code now ('' when it has none): what a submission records. */
export async function currentRegionOf(policy: Pick<PolicyView, 'enterpriseId'>): Promise<string> {
  return (await findEnterpriseById(policy.enterpriseId))?.regionCode ?? '';
}

/**
 * The list entry of a submitted application, under the region its submission recorded: the lists
 * hold it there, so a later change of the enterprise's region neither hides it from the department
 * that has it nor lists it for another. A step from before the region was recorded falls back to
 * the enterprise's current region (the migration records it: application-migration.ts).
 */
export async function applicationEntryOf(policy: PolicyView, layer: Pick<SubsidyLayer, 'programme' | 'name' | 'level' | 'amountFen'>, submitted: Pick<ApplicationStep, 'on' | 'amountFen' | 'regionCode'>): Promise<ApplicationListEntry> {
  const regionCode = submitted.regionCode ?? await currentRegionOf(policy);
  return {
    id: applicationIdOf(policy.id, layer.programme), policyId: policy.id, policyNumber: policy.policyNumber, programme: layer.programme,
    regionCode, enterpriseOrganisationId: policy.enterpriseId, brokerOrganisationId: policy.brokerOrganisationId,
    insurerOrganisationId: policy.insurerOrganisationId, enterpriseName: policy.enterpriseName, line: policy.line, startDate: policy.startDate,
    name: layer.name, level: layer.level, expectedFen: layer.amountFen, appliedFen: submitted.amountFen ?? layer.amountFen, submittedOn: submitted.on,
  };
}

/** Appends a submitted application to its lists (idempotent by its id: a repeat or a migration adds nothing). */
export async function listSubmittedApplication(entry: ApplicationListEntry): Promise<void> {
  await Promise.all(applicationListKeysOf(entry).map((key) => applicationLists.append(key, entry.id, entry)));
}

/** Appends an application that entered `status` (granted, refused, withdrawn) to that status's lists (idempotent). */
export async function listApplicationStatus(entry: ApplicationListEntry, status: ApplicationStep['status']): Promise<void> {
  if (status === 'submitted') return;
  await Promise.all(applicationStatusListKeysOf(entry, status).map((key) => applicationLists.append(key, entry.id, entry)));
}
