// The subsidy year as a keyed log (src/db/keyed-log.ts, #25): for each enterprise, broker firm and
// the platform, per year (the year cover starts), the immutable facts the year is folded from —
// a policy issued with its subsidy layers, and each step of an application (submitted, granted,
// refused). Appended where those happen: on a policy issued (a reaction src/service.ts registers)
// and where a step is recorded (subsidy-application-service.ts). Reading a year is reading one log
// (chunks of 100: a broker's 2,000 policies are about 20 reads), never the policies.
import { BUSINESS_SHORT_NAMES, yearKeysOf } from '../auth/scope.ts';
import type { Parties } from '../auth/visibility.ts';
import { defineKeyedLog, shortFieldNames } from '../db/keyed-log.ts';
import type { PolicyChange } from '../policies/policy-changes.ts';
import type { PolicyRecord } from '../policies/policy-schemas.ts';
import type { SubsidyLayer } from '../rating/index.ts';
import type { ApplicationStep } from './subsidy-application-model.ts';
import type { StepFacts } from './subsidy-application-service.ts';

/** A layer of a policy that carries an application (eligible, non-zero): what the year shows of it. */
export interface YearLayer {
  programme: string;
  name: SubsidyLayer['name'];
  level: SubsidyLayer['level'];
  variant?: string;
  amountFen: number;
}

/** A policy starting in the year, with its application layers, as issued. */
export interface YearPolicyEntry extends Parties {
  kind: 'policy';
  policyId: string;
  policyNumber: string;
  enterpriseName: string;
  line: string;
  startDate: string;
  layers: YearLayer[];
}

/** One recorded step of one application (its outcome shares the step `outcome`). */
export interface YearStepEntry {
  kind: 'step';
  policyId: string;
  programme: string;
  step: 'submitted' | 'outcome';
  status: ApplicationStep['status'];
  on: string;
  amountFen?: number;
  reason?: string;
  reference?: string;
}

/**
 * A change of a policy starting in the year (an endorsement, a cancellation): the policy with its
 * layers after the change. The year folds a policy's layers to its latest change's.
 */
export interface YearChangeEntry extends Omit<YearPolicyEntry, 'kind'> {
  kind: 'change';
  /** The change's number within the policy (src/policies/policy-changes.ts). */
  ref: string;
  changeKind: PolicyChange['kind'];
  effectiveDate: string;
}

export type YearEntry = YearPolicyEntry | YearStepEntry | YearChangeEntry;

export const subsidyYearLog = defineKeyedLog<YearEntry>('SubsidyYearEntry', 'subsidyYearLogs', { codec: shortFieldNames(BUSINESS_SHORT_NAMES) });

/** The layers of a rating result that carry an application (eligible, with a non-zero amount). */
export function yearLayersOf(layers: readonly SubsidyLayer[]): YearLayer[] {
  return layers.filter((l) => l.amountFen > 0).map((l) => ({ programme: l.programme, name: l.name, level: l.level, ...(l.variant ? { variant: l.variant } : {}), amountFen: l.amountFen }));
}

/** What the year keeps of an issued policy, or null when it carries no application. */
export function yearPolicyEntry(policy: PolicyRecord): YearPolicyEntry | null {
  const layers = yearLayersOf(policy.result.subsidies.layers as SubsidyLayer[]);
  if (layers.length === 0) return null;
  return {
    kind: 'policy', policyId: policy.id, policyNumber: policy.policyNumber, enterpriseName: policy.enterpriseName,
    brokerOrganisationId: policy.brokerOrganisationId, insurerOrganisationId: policy.insurerOrganisationId, enterpriseOrganisationId: policy.enterpriseOrganisationId,
    ...(policy.poolMemberIds?.length ? { poolMemberIds: [...policy.poolMemberIds] } : {}),
    line: policy.line, startDate: policy.startDate, layers,
  };
}

/** Appends a policy's entry to the years of its enterprise, broker and the platform (idempotent). */
export async function appendYearPolicy(entry: YearPolicyEntry): Promise<void> {
  const year = entry.startDate.slice(0, 4);
  await Promise.all(yearKeysOf(entry, year).map((key) => subsidyYearLog.append(key, `policy:${entry.policyId}`, entry)));
}

/** Appends a recorded step to the years its policy is in (idempotent: one entry per policy, programme and step). */
export async function appendYearStep(parties: Parties & { startDate: string }, entry: YearStepEntry): Promise<void> {
  const year = parties.startDate.slice(0, 4);
  await Promise.all(yearKeysOf(parties, year).map((key) => subsidyYearLog.append(key, `${entry.policyId}:${entry.programme}:${entry.step}`, entry)));
}

/** The step entry of a stored step. */
export function yearStepEntry(policyId: string, programme: string, step: StepFacts): YearStepEntry {
  return {
    kind: 'step', policyId, programme, step: step.status === 'submitted' ? 'submitted' : 'outcome', status: step.status, on: step.on,
    ...(step.amountFen !== undefined && step.amountFen !== null ? { amountFen: step.amountFen } : {}),
    ...(step.reason !== undefined && step.reason !== null ? { reason: step.reason } : {}),
    ...(step.reference !== undefined && step.reference !== null ? { reference: step.reference } : {}),
  };
}

/** What the year keeps of a policy's change: the policy with its layers after it. */
export function yearChangeEntry(change: PolicyChange): YearChangeEntry {
  return {
    kind: 'change', policyId: change.policyId, policyNumber: change.policyNumber, enterpriseName: change.enterpriseName,
    brokerOrganisationId: change.brokerOrganisationId, insurerOrganisationId: change.insurerOrganisationId, enterpriseOrganisationId: change.enterpriseOrganisationId,
    ...(change.poolMemberIds?.length ? { poolMemberIds: [...change.poolMemberIds] } : {}),
    line: change.line, startDate: change.startDate, layers: yearLayersOf(change.layersAfter),
    ref: change.ref, changeKind: change.kind, effectiveDate: change.effectiveDate,
  };
}

/** The ref a change is kept under in the years. */
export const yearChangeRef = (entry: Pick<YearChangeEntry, 'policyId' | 'ref'>) => `change:${entry.policyId}:${entry.ref}`;

/** Appends a policy's change to the years of its enterprise, broker and the platform (idempotent). */
export async function appendYearChange(entry: YearChangeEntry): Promise<void> {
  const year = entry.startDate.slice(0, 4);
  await Promise.all(yearKeysOf(entry, year).map((key) => subsidyYearLog.append(key, yearChangeRef(entry), entry)));
}
