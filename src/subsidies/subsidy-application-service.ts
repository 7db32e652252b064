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
import { AppError, conflict, forbidden, invalidInput, notFound } from '../http/app-error.ts';
import { getPolicy, type PolicyView } from '../policies/policy-service.ts';
import { chinaDate, formatFen, type SubsidyLayer, type SubsidyProgramme } from '../rating/index.ts';
import { premiumRefusal, stepRefusal } from './subsidy-actions.ts';
import { recordSubsidyOutcome } from './subsidy-ledger.ts';
import { appendYearStep, yearStepEntry } from './subsidy-year-log.ts';
import { applicationEntryOf, applicationIdOf, currentRegionOf, listApplicationStatus, listSubmittedApplication, type ApplicationListEntry } from './subsidy-application-lists.ts';
import { policyReaderForApplication, seesApplication } from '../auth/scope.ts';
import { stepCompleted } from './application-outcomes.ts';
import { subsidyProgrammesFor } from './subsidy-programmes.ts';
import { applicationLayersNow } from './current-layers.ts';
import { stepId, SubsidyApplicationStepModel, SubsidyIdempotencyModel, type ApplicationStep } from './subsidy-application-model.ts';
import type { ApplicationStatusRequest, SubsidyApplicationList, SubsidyApplicationView } from './subsidy-schemas.ts';

export type { ApplicationStatusRequest, SubsidyApplicationList, SubsidyApplicationView } from './subsidy-schemas.ts';

/**
 * The layers of a policy that carry an application: eligible, with a non-zero amount, as they
 * stand after the policy's latest endorsement or cancellation (current-layers.ts, #26).
 */
export async function applicationLayers(policy: PolicyView): Promise<SubsidyLayer[]> {
  return (await applicationLayersNow(policy)).layers;
}

/** Programmes of a line by code, as the catalogue holds them now (department and papers). */
export async function programmesByCode(line: string): Promise<Map<string, SubsidyProgramme>> {
  return new Map((await subsidyProgrammesFor(line)).map((p) => [p.code, p]));
}

/** What an application's view reads of a recorded step (when it was written is not shown). */
export type StepFacts = Pick<ApplicationStep, 'status' | 'amountFen' | 'reason' | 'reference' | 'on' | 'recordedBy' | 'regionCode' | 'enterpriseId'>;

/** The recorded steps of one application: its submission and its outcome, each when recorded. */
export interface Steps {
  submitted: StepFacts | null;
  outcome: StepFacts | null;
}

export async function readSteps(policyId: string, programme: string): Promise<Steps> {
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
  // Nothing counts towards the caps for a refused or withdrawn application; a grant counts as granted.
  const countedFen = outcome?.status === 'granted' ? outcome.amountFen! : outcome ? 0 : layer.amountFen;
  return {
    id: applicationIdOf(policyId, layer.programme),
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
    ...(outcome?.status === 'granted' && outcome.reference ? { decisionReference: outcome.reference } : {}),
    ...(outcome && outcome.status !== 'withdrawn' && outcome.recordedBy ? { decidedBy: outcome.recordedBy } : {}),
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
  const layers = await applicationLayers(policy);
  const byCode = programmes ?? await programmesByCode(policy.line);
  const items = await Promise.all(layers.map(async (layer) => applicationView(policy.id, layer, byCode.get(layer.programme), await readSteps(policy.id, layer.programme))));
  return {
    policyId: policy.id, policyNumber: policy.policyNumber, year: policy.startDate.slice(0, 4), items,
    expectedFen: items.reduce((sum, i) => sum + i.expectedFen, 0),
    zipPath: `/v1/policies/${policy.id}/subsidy-applications.zip`,
  };
}

/**
 * The policy and the layer of one of its applications, or not found. A department (#27) reads it
 * only as a submitted application of its programmes from its regions (scope.ts): any other, and a
 * policy that does not exist, are the same "not found".
 */
export async function loadApplication(caller: Caller, policyId: string, programme: string): Promise<{ policy: PolicyView; layer: SubsidyLayer }> {
  if (caller.role === 'authority-officer') return loadFiledApplication(caller, policyId, programme);
  const policy = await getPolicy(caller, policyId);
  const layer = (await applicationLayers(policy)).find((l) => l.programme === programme);
  if (!layer) throw notFound('The subsidy application');
  return { policy, layer };
}

/**
 * A submitted application as `caller` (a department, or a platform admin) may review it, with its
 * steps, its list entry and whom its policy is read as (scope.ts policyReaderForApplication); else
 * not found. The scope is checked on the submission (its programme and region) before the policy is read.
 */
export async function loadFiledApplication(caller: Caller, policyId: string, programme: string): Promise<{ policy: PolicyView; layer: SubsidyLayer; steps: Steps; entry: ApplicationListEntry; reader: Caller }> {
  const missing = () => notFound('The subsidy application');
  const steps = await readSteps(policyId, programme);
  const submitted = steps.submitted;
  if (!submitted) throw missing();
  const regionCode = submitted.regionCode ?? await currentRegionOf({ enterpriseId: submitted.enterpriseId ?? '' });
  const reader = policyReaderForApplication(caller, { programme, regionCode });
  if (!reader) throw missing();
  const policy = await getPolicy(reader, policyId).catch((err: unknown) => {
    throw err instanceof AppError && err.kind === 'not_found' ? missing() : err;
  });
  const layer = (await applicationLayers(policy)).find((l) => l.programme === programme);
  if (!layer) throw missing();
  const entry = await applicationEntryOf(policy, layer, submitted);
  if (!seesApplication(caller, entry)) throw missing();
  return { policy, layer, steps, entry, reader };
}

const yuan = (fen: number) => `${formatFen(fen)} yuan`;

/** A step as the service records it: the enterprise's (submitted, withdrawn) or the department's decision (granted, refused). */
export interface StepRequest {
  status: ApplicationStep['status'];
  grantedFen?: number;
  reason?: string;
  reference?: string;
  on?: string;
}

/** Who records a step, and whether a second outcome is a conflict even when it says the same (a department's decision). */
export interface StepRecorder { recordedBy: 'enterprise' | 'authority'; exclusive: boolean }

const OUTCOME_BY_DEPARTMENT = 'Only the subsidy department records whether an application was granted or refused (POST /v1/subsidy-applications/{id}/decision); the enterprise and its broker submit it and may withdraw it before a decision.';

function checkRequest(request: ApplicationStatusRequest): void {
  for (const field of ['grantedFen', 'reason', 'reference'] as const) {
    if (request[field] !== undefined && request.status !== 'submitted' && field === 'reference') throw invalidInput('reference belongs to status submitted only.', [{ path: 'body.reference', message: 'is only allowed when status is submitted (dependencies)' }]);
    if (request[field] !== undefined && field !== 'reference') throw invalidInput(`${field} belongs to a department's decision.`, [{ path: `body.${field}`, message: 'is only allowed in a decision (dependencies)' }]);
  }
}

/** Whether a stored step says what the request says (then recording it again changes nothing). */
function sameStep(step: StepFacts, request: StepRequest): boolean {
  if (step.status !== request.status) return false;
  if (request.status === 'granted') return step.amountFen === request.grantedFen;
  if (request.status === 'refused') return step.reason === request.reason;
  return request.status === 'withdrawn' || request.reference === undefined || step.reference === request.reference;
}

function describeStep(step: StepFacts): string {
  if (step.status === 'granted') return `granted ${yuan(step.amountFen!)} on ${step.on}`;
  if (step.status === 'refused') return `refused on ${step.on} (${step.reason ?? ''})`;
  if (step.status === 'withdrawn') return `withdrawn on ${step.on}`;
  return `submitted on ${step.on}`;
}

export interface RecordedStatus {
  application: SubsidyApplicationView;
  /** False when the request repeated what was already recorded (nothing changed). */
  changed: boolean;
}

/**
 * Records what the enterprise (or its broker) does with an application: submits it, or withdraws
 * it before a decision. A granted or refused status is the department's (403 here, #27). A step
 * already recorded with the same content changes nothing; an impossible transition is a conflict.
 * With an Idempotency-Key, a retried request answers as the first did and the key cannot be
 * reused for another request.
 */
export async function recordApplicationStatus(caller: Caller, policyId: string, programme: string, request: ApplicationStatusRequest, idempotencyKey?: string, now: Date = new Date()): Promise<RecordedStatus> {
  const { policy, layer } = await loadApplication(caller, policyId, programme);
  if (request.status === 'granted' || request.status === 'refused') throw forbidden(OUTCOME_BY_DEPARTMENT);
  checkRequest(request);
  const scope = idempotencyKey === undefined ? undefined : `${caller.organisationId}:${idempotencyKey}`;
  const requestHash = createHash('sha256').update(JSON.stringify({ policyId, programme, request })).digest('hex');
  if (scope) {
    const used = await SubsidyIdempotencyModel.findById(scope).lean();
    if (used && used.requestHash !== requestHash) throw reusedKey();
    if (used) return { application: await currentView(policy, layer), changed: false };
  }
  const changed = await writeStep(caller, policy, layer, request, now, { recordedBy: 'enterprise', exclusive: false });
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

/**
 * Inserts the step (true) or recognises it as already recorded (false); conflicts otherwise. Every
 * outcome — granted, refused (the department's) or withdrawn (the enterprise's) — shares one `_id`,
 * so only one can ever exist; for a department's decision (`exclusive`) a second one is a 409 even
 * when it says the same, so of concurrent decisions exactly one is answered as made.
 */
export async function writeStep(caller: Caller, policy: PolicyView, layer: SubsidyLayer, request: StepRequest, now: Date, recorder: StepRecorder): Promise<boolean> {
  const steps = await readSteps(policy.id, layer.programme);
  const name = `${layer.programme} on policy ${policy.policyNumber}`;
  const isOutcome = request.status !== 'submitted';
  const existing = isOutcome ? steps.outcome : steps.submitted;
  // The rules the policy page shows its forms by (subsidy-actions.ts); a repeat of a recorded step is not a new step.
  const status = steps.outcome?.status ?? (steps.submitted ? 'submitted' : 'prepared');
  if (!isOutcome && stepRefusal(status, request.status) === 'decided') throw conflict(`The application to ${name} was already ${describeStep(steps.outcome!)}; it cannot be submitted again.`);
  if (existing) return repeatOrConflict(existing, request, policy, layer, name, recorder, steps.submitted);
  if (stepRefusal(status, request.status) === 'not-submitted') throw conflict(`The application to ${name} has not been recorded as submitted; record the submission before its outcome.`, [{ path: 'body.status', message: 'must follow a submission (transition)' }]);
  if (!isOutcome) checkPremiumReceived(policy, name);
  const on = request.on ?? chinaDate(now);
  if (isOutcome && on < steps.submitted!.on) throw invalidInput('The outcome cannot be dated before the submission.', [{ path: 'body.on', message: `must be on or after ${steps.submitted!.on}, the day it was submitted (order)` }]);
  const doc = {
    _id: stepId(policy.id, layer.programme, isOutcome ? 'outcome' : 'submitted'),
    policyId: policy.id, programme: layer.programme, enterpriseId: policy.enterpriseId, status: request.status,
    amountFen: request.status === 'granted' ? request.grantedFen : request.status === 'submitted' ? layer.amountFen : undefined,
    ...(request.reason !== undefined ? { reason: request.reason } : {}),
    ...(request.reference !== undefined ? { reference: request.reference } : {}),
    ...(isOutcome ? { recordedBy: recorder.recordedBy } : { regionCode: await currentRegionOf(policy) }),
    on, at: now, by: { keyId: caller.keyId, userName: caller.userName, organisationId: caller.organisationId },
  };
  try {
    await SubsidyApplicationStepModel.create(doc);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    // A concurrent request (or a retry of this one) recorded it first.
    const winner = await SubsidyApplicationStepModel.findById(doc._id).lean<ApplicationStep>();
    if (!winner) throw err;
    return repeatOrConflict(winner, request, policy, layer, name, recorder, steps.submitted);
  }
  await completeStep(policy, layer, doc as ApplicationStep, isOutcome ? steps.submitted! : (doc as ApplicationStep));
  await recordAudit(caller, {
    action: `subsidy.${request.status}`, entityType: 'policy', entityId: policy.id, organisationId: policy.enterpriseId,
    summary: `Subsidy application to ${name}: ${describeStep(doc as ApplicationStep)} (expected ${yuan(layer.amountFen)})${recorder.recordedBy === 'authority' ? `, decided by ${caller.organisationCode}` : ''}.`,
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

/** The same step again changes nothing (but completes what a crash may have cut off); a different one, or any second decision, is a conflict. */
async function repeatOrConflict(existing: StepFacts, request: StepRequest, policy: PolicyView, layer: SubsidyLayer, name: string, recorder: StepRecorder, submitted: StepFacts | null): Promise<false> {
  // Completes what a crash may have cut off after the step was stored: its entry in the year
  // (src/subsidies/subsidy-year-log.ts), the departments' lists and, for an outcome, the ledger. All idempotent.
  await completeStep(policy, layer, existing, existing.status === 'submitted' ? existing : submitted ?? existing);
  const decided = existing.status !== 'submitted';
  if (!sameStep(existing, request) || (recorder.exclusive && decided)) {
    const what = decided ? 'decided' : 'submitted';
    throw new AppError('conflict', `The application to ${name} was already ${describeStep(existing)}; it cannot now be ${request.status}${decided ? ': a recorded outcome is final' : ''}.`, [{ path: recorder.exclusive ? 'body.outcome' : 'body.status', message: `was already ${what} (transition)` }]);
  }
  return false;
}

/** What follows a stored step, each idempotent: the subsidy years, the departments' lists and, for an outcome, the ledger. */
async function completeStep(policy: PolicyView, layer: SubsidyLayer, step: StepFacts, submitted: StepFacts): Promise<void> {
  await recordStepInYear(policy, layer.programme, step);
  const entry = await applicationEntryOf(policy, layer, submitted);
  await listSubmittedApplication(entry);
  if (step.status !== 'submitted') {
    await listApplicationStatus(entry, step.status);
    await recordOutcomeInLedger(policy, layer, step.status === 'granted' ? step.amountFen! : 0);
  }
  await stepCompleted(entry, step); // the departments' summary facts; an outcome announced (application-outcomes.ts)
}

/** Appends a recorded step to the subsidy years its policy is in (idempotent). */
function recordStepInYear(policy: PolicyView, programme: string, step: StepFacts): Promise<void> {
  const parties = { brokerOrganisationId: policy.brokerOrganisationId, insurerOrganisationId: policy.insurerOrganisationId, enterpriseOrganisationId: policy.enterpriseId, startDate: policy.startDate };
  return appendYearStep(parties, yearStepEntry(policy.id, programme, step));
}

function recordOutcomeInLedger(policy: PolicyView, layer: SubsidyLayer, grantedFen: number): Promise<void> {
  return recordSubsidyOutcome({ policyId: policy.id, enterpriseId: policy.enterpriseId, startDate: policy.startDate, programme: layer.programme, expectedFen: layer.amountFen, grantedFen });
}
