// Subsidy applications: for a bound policy, one per subsidy layer it is eligible for (a non-zero
// expected amount). The enterprise, or its broker, records each application's steps — submitted,
// then granted (with the amount actually granted) or refused (with the reason) — and every
// outcome is written into the subsidy ledger, so later quotes' annual caps count what was really
// paid. Steps are append-only inserts under deterministic _ids (subsidy-application-model.ts):
// exactly once under retries and concurrency, without transactions.
import { createHash } from 'node:crypto';
import { recordAudit } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { AppError, conflict, invalidInput, notFound } from '../http/app-error.ts';
import { getPolicy, type PolicyView } from '../policies/policy-service.ts';
import { chinaDate, formatFen, type SubsidyLayer, type SubsidyProgramme } from '../rating/index.ts';
import { premiumRefusal, stepRefusal } from './subsidy-actions.ts';
import { recordSubsidyOutcome } from './subsidy-ledger.ts';
import { appendYearStep, yearStepEntry } from './subsidy-year-log.ts';
import { subsidyProgrammesFor } from './subsidy-programmes.ts';
import { stepId, SubsidyApplicationStepModel, SubsidyIdempotencyModel, type ApplicationStep } from './subsidy-application-model.ts';
import type { ApplicationStatusRequest, SubsidyApplicationList, SubsidyApplicationView } from './subsidy-schemas.ts';

export type { ApplicationStatusRequest, SubsidyApplicationList, SubsidyApplicationView } from './subsidy-schemas.ts';

/** The layers of a policy that carry an application: eligible, with a non-zero amount. */
export function applicationLayers(policy: PolicyView): SubsidyLayer[] {
  return (policy.result.subsidies.layers as SubsidyLayer[]).filter((l) => l.amountFen > 0);
}

/** Programmes of a line by code, as the catalogue holds them now (department and papers). */
export async function programmesByCode(line: string): Promise<Map<string, SubsidyProgramme>> {
  return new Map((await subsidyProgrammesFor(line)).map((p) => [p.code, p]));
}

/** What an application's view reads of a recorded step (when it was written is not shown). */
export type StepFacts = Pick<ApplicationStep, 'status' | 'amountFen' | 'reason' | 'reference' | 'on'>;

/** The recorded steps of one application: its submission and its outcome, each when recorded. */
export interface Steps {
  submitted: StepFacts | null;
  outcome: StepFacts | null;
}

async function readSteps(policyId: string, programme: string): Promise<Steps> {
  const [submitted, outcome] = await Promise.all([
    SubsidyApplicationStepModel.findById(stepId(policyId, programme, 'submitted')).lean<ApplicationStep>(),
    SubsidyApplicationStepModel.findById(stepId(policyId, programme, 'outcome')).lean<ApplicationStep>(),
  ]);
  return { submitted, outcome };
}

const NO_DEPARTMENT = { zh: '（见补贴政策文件）', en: '(see the programme notice)' };

/** The layer facts an application shows. */
export type ApplicationLayer = Pick<SubsidyLayer, 'programme' | 'name' | 'level' | 'amountFen'>;

/** An application as the API shows it, from its layer, its programme (department) and its steps. */
export function applicationView(policyId: string, layer: ApplicationLayer, programme: SubsidyProgramme | undefined, steps: Steps): SubsidyApplicationView {
  const { submitted, outcome } = steps;
  const status = outcome?.status ?? (submitted ? 'submitted' : 'prepared');
  const countedFen = outcome?.status === 'granted' ? outcome.amountFen! : outcome?.status === 'refused' ? 0 : layer.amountFen;
  return {
    programme: layer.programme,
    name: layer.name,
    level: layer.level,
    department: programme?.application?.department ?? NO_DEPARTMENT,
    expectedFen: layer.amountFen,
    countedFen,
    status,
    ...(submitted ? { submittedOn: submitted.on, ...(submitted.reference ? { reference: submitted.reference } : {}) } : {}),
    ...(outcome?.status === 'granted' ? { grantedFen: outcome.amountFen! } : {}),
    ...(outcome?.status === 'refused' ? { refusalReason: outcome.reason ?? '' } : {}),
    ...(outcome ? { decidedOn: outcome.on } : {}),
    pdfPath: `/v1/policies/${policyId}/subsidy-applications/${layer.programme}/pdf`,
  };
}

/** The applications of one policy with their status (the policy's visibility: 404 for others). */
export async function listApplications(caller: Caller, policyId: string): Promise<SubsidyApplicationList> {
  const policy = await getPolicy(caller, policyId);
  return applicationsOf(policy);
}

/** The applications of a policy already read (the year summary reads many). */
export async function applicationsOf(policy: PolicyView, programmes?: Map<string, SubsidyProgramme>): Promise<SubsidyApplicationList> {
  const layers = applicationLayers(policy);
  const byCode = programmes ?? await programmesByCode(policy.line);
  const items = await Promise.all(layers.map(async (layer) => applicationView(policy.id, layer, byCode.get(layer.programme), await readSteps(policy.id, layer.programme))));
  return {
    policyId: policy.id, policyNumber: policy.policyNumber, year: policy.startDate.slice(0, 4), items,
    expectedFen: items.reduce((sum, i) => sum + i.expectedFen, 0),
    zipPath: `/v1/policies/${policy.id}/subsidy-applications.zip`,
  };
}

/** The policy and the layer of one of its applications, or not found. */
export async function loadApplication(caller: Caller, policyId: string, programme: string): Promise<{ policy: PolicyView; layer: SubsidyLayer }> {
  const policy = await getPolicy(caller, policyId);
  const layer = applicationLayers(policy).find((l) => l.programme === programme);
  if (!layer) throw notFound('The subsidy application');
  return { policy, layer };
}

const yuan = (fen: number) => `${formatFen(fen)} yuan`;

function checkRequest(request: ApplicationStatusRequest, policy: PolicyView): void {
  if (request.status === 'granted') {
    if (request.grantedFen === undefined) throw invalidInput('Say how much was granted.', [{ path: 'body.grantedFen', message: 'is required when status is granted (required)' }]);
    if (request.grantedFen > policy.grossPremiumFen) {
      throw invalidInput('A subsidy cannot exceed the premium paid.', [{ path: 'body.grantedFen', message: `must be <= ${policy.grossPremiumFen}, the gross premium (maximum)` }]);
    }
  }
  if (request.status === 'refused' && request.reason === undefined) throw invalidInput('Say why it was refused.', [{ path: 'body.reason', message: 'is required when status is refused (required)' }]);
  for (const field of ['grantedFen', 'reason', 'reference'] as const) {
    const allowed = { grantedFen: 'granted', reason: 'refused', reference: 'submitted' }[field];
    if (request[field] !== undefined && request.status !== allowed) throw invalidInput(`${field} belongs to status ${allowed} only.`, [{ path: `body.${field}`, message: `is only allowed when status is ${allowed} (dependencies)` }]);
  }
}

/** Whether a stored step says what the request says (then recording it again changes nothing). */
function sameStep(step: StepFacts, request: ApplicationStatusRequest): boolean {
  if (step.status !== request.status) return false;
  if (request.status === 'granted') return step.amountFen === request.grantedFen;
  if (request.status === 'refused') return step.reason === request.reason;
  return request.reference === undefined || step.reference === request.reference;
}

function describeStep(step: StepFacts): string {
  if (step.status === 'granted') return `granted ${yuan(step.amountFen!)} on ${step.on}`;
  if (step.status === 'refused') return `refused on ${step.on} (${step.reason ?? ''})`;
  return `submitted on ${step.on}`;
}

export interface RecordedStatus {
  application: SubsidyApplicationView;
  /** False when the request repeated what was already recorded (nothing changed). */
  changed: boolean;
}

/**
 * Records a step of an application: submitted, then granted or refused. A step already recorded
 * with the same content changes nothing; an impossible transition (an outcome before submission,
 * a second different outcome) is a conflict. With an Idempotency-Key, a retried request answers
 * as the first did and the key cannot be reused for another request.
 */
export async function recordApplicationStatus(caller: Caller, policyId: string, programme: string, request: ApplicationStatusRequest, idempotencyKey?: string, now: Date = new Date()): Promise<RecordedStatus> {
  const { policy, layer } = await loadApplication(caller, policyId, programme);
  checkRequest(request, policy);
  const scope = idempotencyKey === undefined ? undefined : `${caller.organisationId}:${idempotencyKey}`;
  const requestHash = createHash('sha256').update(JSON.stringify({ policyId, programme, request })).digest('hex');
  if (scope) {
    const used = await SubsidyIdempotencyModel.findById(scope).lean();
    if (used && used.requestHash !== requestHash) throw reusedKey();
    if (used) return { application: await currentView(policy, layer), changed: false };
  }
  const changed = await writeStep(caller, policy, layer, request, now);
  if (scope) {
    try {
      await SubsidyIdempotencyModel.create({ _id: scope, requestHash, at: now });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      const used = await SubsidyIdempotencyModel.findById(scope).lean();
      if (used && used.requestHash !== requestHash) throw reusedKey();
    }
  }
  return { application: await currentView(policy, layer), changed };
}

const reusedKey = () => conflict('This Idempotency-Key was already used with a different request.', [{ path: 'header.idempotency-key', message: 'must be new for a different request (idempotency)' }]);

async function currentView(policy: PolicyView, layer: SubsidyLayer): Promise<SubsidyApplicationView> {
  const programmes = await programmesByCode(policy.line);
  return applicationView(policy.id, layer, programmes.get(layer.programme), await readSteps(policy.id, layer.programme));
}

/** Inserts the step (true) or recognises it as already recorded (false); conflicts otherwise. */
async function writeStep(caller: Caller, policy: PolicyView, layer: SubsidyLayer, request: ApplicationStatusRequest, now: Date): Promise<boolean> {
  const steps = await readSteps(policy.id, layer.programme);
  const name = `${layer.programme} on policy ${policy.policyNumber}`;
  const isOutcome = request.status !== 'submitted';
  const existing = isOutcome ? steps.outcome : steps.submitted;
  // The rules the policy page shows its forms by (subsidy-actions.ts); a repeat of a recorded step is not a new step.
  const status = steps.outcome?.status ?? (steps.submitted ? 'submitted' : 'prepared');
  if (!isOutcome && stepRefusal(status, request.status) === 'decided') throw conflict(`The application to ${name} was already ${describeStep(steps.outcome!)}; it cannot be submitted again.`);
  if (existing) return repeatOrConflict(existing, request, policy, layer, name);
  if (stepRefusal(status, request.status) === 'not-submitted') throw conflict(`The application to ${name} has not been recorded as submitted; record the submission before its outcome.`);
  if (!isOutcome) checkPremiumReceived(policy, name);
  const on = request.on ?? chinaDate(now);
  if (isOutcome && on < steps.submitted!.on) throw invalidInput('The outcome cannot be dated before the submission.', [{ path: 'body.on', message: `must be on or after ${steps.submitted!.on}, the day it was submitted (order)` }]);
  const doc = {
    _id: stepId(policy.id, layer.programme, isOutcome ? 'outcome' : 'submitted'),
    policyId: policy.id, programme: layer.programme, enterpriseId: policy.enterpriseId, status: request.status,
    amountFen: request.status === 'granted' ? request.grantedFen : request.status === 'submitted' ? layer.amountFen : undefined,
    ...(request.reason !== undefined ? { reason: request.reason } : {}),
    ...(request.reference !== undefined ? { reference: request.reference } : {}),
    on, at: now, by: { keyId: caller.keyId, userName: caller.userName, organisationId: caller.organisationId },
  };
  try {
    await SubsidyApplicationStepModel.create(doc);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    // A concurrent request (or a retry of this one) recorded it first.
    const winner = await SubsidyApplicationStepModel.findById(doc._id).lean<ApplicationStep>();
    if (!winner) throw err;
    return repeatOrConflict(winner, request, policy, layer, name);
  }
  await recordStepInYear(policy, layer.programme, doc as ApplicationStep);
  if (isOutcome) await recordOutcomeInLedger(policy, layer, request.status === 'granted' ? request.grantedFen! : 0);
  await recordAudit(caller, {
    action: `subsidy.${request.status}`, entityType: 'policy', entityId: policy.id, organisationId: policy.enterpriseId,
    summary: `Subsidy application to ${name}: ${describeStep(doc as ApplicationStep)} (expected ${yuan(layer.amountFen)}).`,
    changes: [{ path: `subsidyApplications.${layer.programme}.status`, from: steps.submitted ? 'submitted' : 'prepared', to: request.status }],
  }, now);
  return true;
}

/** The gate on a submission: the premium received (policies' payments, in the policy's view) must equal the gross premium. */
function checkPremiumReceived(policy: PolicyView, name: string): void {
  const refusal = premiumRefusal(policy);
  if (!refusal) return;
  throw conflict(`The application to ${name} cannot be submitted before the premium is fully received: received ${yuan(refusal.receivedFen)} of the gross premium ${yuan(refusal.grossFen)}.`, [
    { path: 'policy.premiumReceivedFen', message: `must equal the gross premium ${refusal.grossFen} before an application is submitted (premium_not_received)`, value: String(refusal.receivedFen) },
  ]);
}

/** The same step again changes nothing (but completes a ledger write a crash may have cut off); a different one is a conflict. */
async function repeatOrConflict(existing: StepFacts, request: ApplicationStatusRequest, policy: PolicyView, layer: SubsidyLayer, name: string): Promise<false> {
  if (!sameStep(existing, request)) {
    const what = existing.status === 'submitted' ? 'submitted' : 'decided';
    throw new AppError('conflict', `The application to ${name} was already ${describeStep(existing)}; it cannot now be ${request.status}${existing.status !== 'submitted' ? ': a recorded outcome is final' : ''}.`, [{ path: 'body.status', message: `was already ${what} (transition)` }]);
  }
  // Completes what a crash may have cut off after the step was stored: its entry in the year
  // (src/subsidies/subsidy-year-log.ts) and, for an outcome, the ledger. Both are idempotent.
  await recordStepInYear(policy, layer.programme, existing);
  if (existing.status !== 'submitted') await recordOutcomeInLedger(policy, layer, existing.status === 'granted' ? existing.amountFen! : 0);
  return false;
}

/** Appends a recorded step to the subsidy years its policy is in (idempotent). */
function recordStepInYear(policy: PolicyView, programme: string, step: StepFacts): Promise<void> {
  const parties = { brokerOrganisationId: policy.brokerOrganisationId, insurerOrganisationId: policy.insurerOrganisationId, enterpriseOrganisationId: policy.enterpriseId, startDate: policy.startDate };
  return appendYearStep(parties, yearStepEntry(policy.id, programme, step));
}

function recordOutcomeInLedger(policy: PolicyView, layer: SubsidyLayer, grantedFen: number): Promise<void> {
  return recordSubsidyOutcome({ policyId: policy.id, enterpriseId: policy.enterpriseId, startDate: policy.startDate, programme: layer.programme, expectedFen: layer.amountFen, grantedFen });
}
