// Cancellation (退保, Insurance Law art. 54): the premium kept by the product's rules
// (src/rating/cancellation.ts), the refund of what was received above it, every subsidy layer
// recomputed on the premium kept (on the version the policy was issued on, its terms in force and
// its stored context, as an endorsement re-rates), and any granted subsidy above the new amounts
// to repay. Exactly once per policy: the cancellation is kept at a derived `_id`
// (cancellation-model.ts), the policy's stored status becomes `cancelled` (what renewal and
// payments read), audited, and announced as a PolicyChange (policy-changes.ts) that the ledger,
// the subsidy year and the pool months follow.
import mongoose from 'mongoose';
import { recordAudit } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import { findPinnedVersion } from '../catalogue/rating-lookups.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { conflict, invalidInput } from '../http/app-error.ts';
import { withRatingErrors } from '../quotes/rating-errors.ts';
import { cancellationFigures, type CancellationRules } from '../rating/cancellation.ts';
import { parseDay } from '../rating/period.ts';
import { subsidiesOnPremium, type SubsidyLayer } from '../rating/index.ts';
import { cancellationId, PolicyCancellationModel } from './cancellation-model.ts';
import type { CancellationRequest, CancellationView } from './cancellation-schemas.ts';
import { assertLeadOrBroker, endorsementsOf, issueTerms, layersBeforeAfter, totalOf } from './endorsement-service.ts';
import { announcePolicyChange, policyChangeHeader, type PolicyChange, type PolicyChangeEvents } from './policy-changes.ts';
import { storeSummary } from './policy-lists.ts';
import { PolicyModel } from './policy-model.ts';
import { premiumDueFen, premiumReceivedFen } from './policy-payments.ts';
import type { PolicyRecord } from './policy-schemas.ts';

/** What a cancellation needs besides the policy: the hub, and what was granted on the policy's applications (the subsidies capability, through src/service.ts). */
export interface CancellationDeps {
  events: PolicyChangeEvents;
  grantedOnPolicy?: (policyId: string, programmes: readonly string[]) => Promise<number>;
}

interface StoredCancellation { view: CancellationView; change: Omit<PolicyChange, 'at'> }

export const cancellationNumber = (policyNumber: string) => `${policyNumber}-C`;

/** Who may cancel (docs/policy-life.md): as who may endorse — the lead insurer's staff and the policy's broker. */
const assertMayCancel = (caller: Caller, policy: PolicyRecord) => assertLeadOrBroker(caller, policy, 'cancels');

const alreadyCancelled = (policy: PolicyRecord) => conflict(`Policy ${policy.policyNumber} is already cancelled.`, [{ path: 'policy.status', message: 'must not be cancelled already (cancelled)', value: policy.id }]);

/** The cancellation kept for a policy, or undefined (one read by `_id`). */
export async function cancellationOf(policyId: string): Promise<StoredCancellation | undefined> {
  const doc = await PolicyCancellationModel.collection.findOne({ _id: cancellationId(policyId) as never }) as { v: string } | null;
  return doc ? JSON.parse(doc.v) as StoredCancellation : undefined;
}

/** Every layer before and after, with what was granted on it and what of that is above the new amount. */
async function layerRows(deps: CancellationDeps, policyId: string, before: readonly SubsidyLayer[], after: readonly SubsidyLayer[]): Promise<CancellationView['subsidyLayers']> {
  return Promise.all(layersBeforeAfter(before, after).map(async (row) => {
    const grantedFen = deps.grantedOnPolicy ? await deps.grantedOnPolicy(policyId, [row.programme]) : 0;
    return { ...row, grantedFen, toRepayFen: Math.max(0, grantedFen - row.afterFen) };
  }));
}

/** Prices a cancellation (no writes); 400 for a date it cannot take, 409 when already cancelled. */
async function computeCancellation(deps: CancellationDeps, policy: PolicyRecord, request: CancellationRequest): Promise<StoredCancellation> {
  if (policy.status === 'cancelled') throw alreadyCancelled(policy);
  const history = await endorsementsOf(policy.id);
  const latest = history.at(-1)?.terms ?? issueTerms(policy);
  if (Number.isNaN(parseDay(request.effectiveDate))) throw invalidInput('The effective date is not a date.', [{ path: 'body.effectiveDate', message: 'must match format "date"' }]);
  if (request.effectiveDate > policy.endDate) throw invalidInput('A cancellation must take effect by the end of the policy\'s period.', [{ path: 'body.effectiveDate', message: `must be on or before ${policy.endDate} (period)` }]);
  if (history.length > 0 && request.effectiveDate < latest.effectiveDate) throw invalidInput('A cancellation cannot take effect before the latest endorsement.', [{ path: 'body.effectiveDate', message: `must be on or after ${latest.effectiveDate}, the latest endorsement's date (order)` }]);
  const [version, due, received] = await Promise.all([findPinnedVersion(policy.productCode, policy.productVersion), premiumDueFen(policy), premiumReceivedFen(policy.id)]);
  const figures = cancellationFigures({
    premiumDueFen: due, receivedFen: received, period: { start: policy.startDate, end: policy.endDate }, effectiveDate: request.effectiveDate, initiatedBy: request.initiatedBy,
    rules: version.definition.cancellation as CancellationRules | undefined, vatRatePercent: policy.result.vatRatePercent, poolShares: policy.poolShares,
  })!;
  const after = withRatingErrors(() => subsidiesOnPremium(version.compiled, latest.inputs, policy.context, figures.kept.keptFen)).layers;
  const subsidyLayers = await layerRows(deps, policy.id, latest.layers, after);
  const year = Number(policy.startDate.slice(0, 4));
  const { basis, percent, daysElapsed, periodDays, monthsElapsed } = figures.kept;
  const view: CancellationView = {
    policyId: policy.id, policyNumber: policy.policyNumber, number: cancellationNumber(policy.policyNumber), effectiveDate: request.effectiveDate, initiatedBy: request.initiatedBy, reason: request.reason,
    basis, ...(percent === undefined ? {} : { percent }), daysElapsed, periodDays, monthsElapsed, premiumDueFen: due, premiumReceivedFen: received,
    kept: figures.keptParts, refund: figures.refund, ...(figures.members ? { members: figures.members } : {}),
    subsidyLayers, annualCaps: subsidyLayers.map((l) => ({ programme: l.programme, year, countedBeforeFen: l.beforeFen, countedAfterFen: l.afterFen })),
    expectedSubsidyBeforeFen: totalOf(latest.layers), expectedSubsidyAfterFen: totalOf(after), subsidyToRepayFen: subsidyLayers.reduce((sum, l) => sum + l.toRepayFen, 0),
  };
  const change: Omit<PolicyChange, 'at'> = {
    ...policyChangeHeader(policy), kind: 'cancellation', ref: view.number, effectiveDate: view.effectiveDate,
    delta: figures.delta, ...(figures.deltaMembers ? { members: figures.deltaMembers } : {}),
    subsidiesBefore: latest.layers.map((l) => ({ programme: l.programme, amountFen: l.amountFen })), layersAfter: after,
  };
  return { view, change };
}

/** What a cancellation would be (nothing stored). */
export async function previewCancellation(deps: CancellationDeps, caller: Caller, policy: PolicyRecord, request: CancellationRequest): Promise<CancellationView> {
  assertMayCancel(caller, policy);
  return (await computeCancellation(deps, policy, request)).view;
}

/** The policy's stored status and the change's announcement, both idempotent: a cancel cut off after its insert is completed by the next attempt. */
async function followUp(events: PolicyChangeEvents, policy: PolicyRecord, stored: StoredCancellation): Promise<void> {
  await PolicyModel.collection.updateOne({ _id: new mongoose.Types.ObjectId(policy.id) }, { $set: { status: 'cancelled' } });
  await storeSummary({ ...policy, status: 'cancelled' }); // the lists show the status too
  await announcePolicyChange(events, { ...stored.change, at: stored.view.cancelledAt! });
}

/** Cancels a policy: exactly once (any later or concurrent cancel is 409), audited and announced. */
export async function cancelPolicy(deps: CancellationDeps, caller: Caller, policy: PolicyRecord, request: CancellationRequest, now: Date = new Date()): Promise<CancellationView> {
  assertMayCancel(caller, policy);
  const computed = await computeCancellation(deps, policy, request);
  const view: CancellationView = { ...computed.view, cancelledAt: now.toISOString(), cancelledBy: { organisationId: caller.organisationId, role: caller.role, ...(caller.userName ? { userName: caller.userName } : {}) } };
  const stored: StoredCancellation = { view, change: computed.change };
  try {
    await PolicyCancellationModel.collection.insertOne({ _id: cancellationId(policy.id), policyId: policy.id, v: JSON.stringify(stored) } as never);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const first = await cancellationOf(policy.id);
    if (first) await followUp(deps.events, policy, first);
    throw alreadyCancelled(policy);
  }
  await recordAudit(caller, {
    action: 'policy.cancel', entityType: 'policy', entityId: policy.id, organisationId: policy.insurerOrganisationId,
    summary: `Cancellation ${view.number} of policy ${policy.policyNumber} from ${view.effectiveDate} by the ${view.initiatedBy} (${view.basis}): premium kept ${view.kept.grossPremiumFen} of ${view.premiumDueFen} fen, refund ${view.refund.grossPremiumFen} fen, subsidy to repay ${view.subsidyToRepayFen} fen. ${view.reason}`,
    changes: [{ path: 'status', from: 'issued', to: 'cancelled' }, { path: 'premiumDueFen', from: view.premiumDueFen, to: view.kept.grossPremiumFen }],
  }, now);
  await followUp(deps.events, policy, stored);
  return view;
}
