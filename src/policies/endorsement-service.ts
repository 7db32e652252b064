// Endorsements (批改): a change of an issued policy's inputs from a date inside its period, rated
// on the version the policy was issued on (its compiled product, the same underwriting rules, the
// policy's own picks and context), the difference charged or refunded by days remaining
// (src/rating/endorsement.ts). Stored once per policy position (endorsement-model.ts: gapless
// numbers, exactly once per Idempotency-Key as a bind is), audited, then announced as a
// PolicyChange (policy-changes.ts) that the ledger, the subsidy year and the pool months follow.
import { mayEndorse, refuseIfCancelled } from './policy-actions.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import { findPinnedVersion } from '../catalogue/rating-lookups.ts';
import { isDuplicateKeyError } from '../db/duplicate-key.ts';
import { AppError, conflict, forbidden, invalidInput } from '../http/app-error.ts';
import { withRatingErrors } from '../quotes/rating-errors.ts';
import { endorsementDifference } from '../rating/endorsement.ts';
import { evaluateQuote, type CoInsuranceShare, type RatingResult, type SubsidyLayer } from '../rating/index.ts';
import { claimIdempotencyKey } from './idempotency-key.ts';
import { PolicyEndorsementKeyModel, PolicyEndorsementModel } from './endorsement-model.ts';
import type { EndorsementRequest, EndorsementView, PolicyVersion } from './endorsement-schemas.ts';
import { announcePolicyChange, policyChangeHeader, type PolicyChange, type PolicyChangeEvents } from './policy-changes.ts';
import type { PolicyRecord } from './policy-schemas.ts';

/** The policy's terms from a date: as issued, or after an endorsement. */
export interface PolicyTerms {
  effectiveDate: string;
  inputs: Record<string, unknown>;
  grossPremiumFen: number;
  netPremiumFen: number;
  vatFen: number;
  layers: SubsidyLayer[];
  poolShares?: CoInsuranceShare[];
}

/** An endorsement as kept: its answer and the terms after it. */
export interface StoredEndorsement {
  view: EndorsementView;
  terms: PolicyTerms;
  idempotencyScope?: string;
}

export const endorsementNumber = (policyNumber: string, n: number) => `${policyNumber}-E${String(n).padStart(2, '0')}`;
const endorsementId = (policyId: string, n: number) => `${policyId}#${n}`;
/** The sum of some subsidy layers' amounts (the expected subsidy). */
export const totalOf = (layers: readonly { amountFen: number }[]) => layers.reduce((sum, l) => sum + l.amountFen, 0);

/** The terms the policy was issued on. */
export function issueTerms(policy: PolicyRecord): PolicyTerms {
  return {
    effectiveDate: policy.startDate, inputs: { ...(policy.inputs as Record<string, unknown>) },
    grossPremiumFen: policy.grossPremiumFen, netPremiumFen: policy.netPremiumFen, vatFen: policy.vatFen,
    layers: [...policy.result.subsidies.layers], ...(policy.poolShares ? { poolShares: [...policy.poolShares] } : {}),
  };
}

/** A policy's endorsements, oldest first: `_id` reads from 1 until one is missing (gapless). */
export async function endorsementsOf(policyId: string): Promise<StoredEndorsement[]> {
  const out: StoredEndorsement[] = [];
  for (let n = 1; ; n++) {
    const doc = await PolicyEndorsementModel.collection.findOne({ _id: endorsementId(policyId, n) as never }) as { v: string; idempotencyScope?: string } | null;
    if (!doc) return out;
    out.push({ ...(JSON.parse(doc.v) as Omit<StoredEndorsement, 'idempotencyScope'>), ...(doc.idempotencyScope ? { idempotencyScope: doc.idempotencyScope } : {}) });
  }
}


/** 403 unless the caller may change the policy (mayEndorse: endorse and cancel alike); `verb` names the change ("endorses", "cancels"). */
export function assertLeadOrBroker(caller: Caller, policy: PolicyRecord, verb: string): void {
  if (mayEndorse(caller, policy)) return;
  if (policy.poolMemberIds?.includes(caller.organisationId)) throw forbidden(`Policy ${policy.policyNumber} is co-insured business your insurer follows; only the lead insurer or the broker ${verb} it.`);
  throw forbidden(`Only the lead insurer's staff and the policy's broker ${verb} policy ${policy.policyNumber}.`);
}

/** The request checked against the product and the policy: which fields, which date. */
function checkRequest(policy: PolicyRecord, endorsable: readonly string[], latest: PolicyTerms, request: EndorsementRequest): void {
  const refused = Object.keys(request.inputs).filter((field) => !endorsable.includes(field));
  if (refused.length > 0) {
    throw invalidInput(`These inputs cannot change mid-term on ${policy.productCode}: ${refused.join(', ')}.`, refused.map((field) => ({
      path: `body.inputs.${field}`, message: endorsable.length ? `is not endorsable; endorsable: ${endorsable.join(', ')} (endorsableInputs)` : 'is not endorsable: the product declares no endorsable inputs (endorsableInputs)',
    })));
  }
  if (request.effectiveDate < policy.startDate || request.effectiveDate > policy.endDate) {
    throw invalidInput('The endorsement must take effect inside the policy\'s period.', [{ path: 'body.effectiveDate', message: `must be from ${policy.startDate} to ${policy.endDate} (period)` }]);
  }
  if (request.effectiveDate < latest.effectiveDate) {
    throw invalidInput('An endorsement cannot take effect before the latest one.', [{ path: 'body.effectiveDate', message: `must be on or after ${latest.effectiveDate}, the latest endorsement's date (order)` }]);
  }
}

/** A rating that refers or declines stops the endorsement, naming the rules. */
function refuseReferral(result: RatingResult): void {
  const { outcome, reasons } = result.decision;
  if (outcome === 'quoted') return;
  const details = reasons.map((r) => ({ path: `rules.${r.rule}`, message: `${r.reason.en} (${r.action})` }));
  if (outcome === 'declined') throw conflict(`With these inputs the policy would be declined by rule ${reasons.filter((r) => r.action === 'decline').map((r) => r.rule).join(', ')}.`, details);
  throw new AppError('referral_required', `With these inputs the rating refers to an underwriter (rule ${reasons.map((r) => r.rule).join(', ')}); a referral must be decided before an endorsement takes effect: quote the new terms and have the referral approved first.`, details);
}

interface Computed { view: EndorsementView; terms: PolicyTerms; change: Omit<PolicyChange, 'at'> }

/** Prices an endorsement of `policy` after `history` (no writes); 400/409 when it cannot be made. */
async function computeEndorsement(policy: PolicyRecord, history: readonly StoredEndorsement[], request: EndorsementRequest): Promise<Computed> {
  // A cancelled policy's terms end with it: a later endorsement would re-rate the whole period over the premium kept (#26).
  refuseIfCancelled(policy, 'it cannot be endorsed');
  const version = await findPinnedVersion(policy.productCode, policy.productVersion);
  const latest = history.at(-1)?.terms ?? issueTerms(policy);
  checkRequest(policy, version.definition.endorsableInputs ?? [], latest, request);
  const inputs = { ...latest.inputs, ...request.inputs };
  const result = withRatingErrors(() => evaluateQuote(version.compiled, inputs, policy.picks, policy.context));
  refuseReferral(result);
  const arithmetic = endorsementDifference({
    period: { start: policy.startDate, end: policy.endDate }, effectiveDate: request.effectiveDate,
    annualGrossBeforeFen: latest.grossPremiumFen, annualGrossAfterFen: result.grossPremiumFen, vatRatePercent: result.vatRatePercent, poolShares: policy.poolShares,
  })!;
  const n = history.length + 1;
  const number = endorsementNumber(policy.policyNumber, n);
  const { difference } = arithmetic;
  const fields = version.definition.form.fields;
  const view: EndorsementView = {
    policyId: policy.id, policyNumber: policy.policyNumber, number, sequence: n, effectiveDate: request.effectiveDate, reason: request.reason, inputs: { ...request.inputs },
    changes: Object.keys(request.inputs).map((field) => ({ field, label: fields.find((f) => f.key === field)?.label ?? { zh: field, en: field }, before: latest.inputs[field] ?? null, after: request.inputs[field] ?? null })),
    daysLeft: arithmetic.daysLeft, periodDays: arithmetic.periodDays,
    before: { grossPremiumFen: latest.grossPremiumFen, netPremiumFen: latest.netPremiumFen, vatFen: latest.vatFen, expectedSubsidyFen: totalOf(latest.layers) },
    after: { grossPremiumFen: result.grossPremiumFen, netPremiumFen: result.netPremiumFen, vatFen: result.vatFen, expectedSubsidyFen: result.subsidies.totalFen },
    difference: { kind: difference.grossPremiumFen > 0 ? 'charge' : difference.grossPremiumFen < 0 ? 'refund' : 'none', ...difference },
    ...(arithmetic.members ? { members: arithmetic.members } : {}),
    subsidyLayers: layersBeforeAfter(latest.layers, result.subsidies.layers),
  };
  const terms: PolicyTerms = {
    effectiveDate: request.effectiveDate, inputs, grossPremiumFen: result.grossPremiumFen, netPremiumFen: result.netPremiumFen, vatFen: result.vatFen,
    layers: result.subsidies.layers, ...(result.coInsurance ? { poolShares: result.coInsurance } : {}),
  };
  return { view, terms, change: changeOf(policy, view, latest, result) };
}

/** Every programme of either side, before and after (0 where a side has none). */
export function layersBeforeAfter(before: readonly SubsidyLayer[], after: readonly SubsidyLayer[]): EndorsementView['subsidyLayers'] {
  const rows = new Map<string, EndorsementView['subsidyLayers'][number]>();
  for (const l of before) rows.set(l.programme, { programme: l.programme, name: l.name, level: l.level, beforeFen: l.amountFen, afterFen: 0 });
  for (const l of after) rows.set(l.programme, { ...(rows.get(l.programme) ?? { programme: l.programme, name: l.name, level: l.level, beforeFen: 0 }), afterFen: l.amountFen });
  return [...rows.values()];
}

function changeOf(policy: PolicyRecord, view: EndorsementView, latest: PolicyTerms, result: RatingResult): Omit<PolicyChange, 'at'> {
  return {
    ...policyChangeHeader(policy), kind: 'endorsement', ref: view.number, effectiveDate: view.effectiveDate,
    delta: { grossPremiumFen: view.difference.grossPremiumFen, netPremiumFen: view.difference.netPremiumFen, vatFen: view.difference.vatFen },
    ...(view.members ? { members: view.members.map((m) => ({ ...m, role: m.role as 'lead' | 'follower' })) } : {}),
    subsidiesBefore: latest.layers.map((l) => ({ programme: l.programme, amountFen: l.amountFen })),
    layersAfter: result.subsidies.layers,
  };
}

/** What an endorsement would be (nothing stored): the same answer with the number it would get. */
export async function previewEndorsement(caller: Caller, policy: PolicyRecord, request: EndorsementRequest): Promise<EndorsementView> {
  assertLeadOrBroker(caller, policy, 'endorses');
  return (await computeEndorsement(policy, await endorsementsOf(policy.id), request)).view;
}

/** Claims an endorsement's Idempotency-Key for this policy, or 409 when it was claimed for another (idempotency-key.ts). */
const claimKey = (scope: string, policyId: string) => claimIdempotencyKey(scope, {
  model: PolicyEndorsementKeyModel, kind: 'endorsement-key', field: 'policyId', value: policyId,
  message: 'This Idempotency-Key was already used to endorse another policy.', rule: 'must be new for a different policy (idempotency)',
});

/** Announces a stored endorsement's change (again on a replay: every reaction is idempotent by its number). */
async function announce(events: PolicyChangeEvents, stored: StoredEndorsement, change: Omit<PolicyChange, 'at'> | undefined, policy: PolicyRecord, history: readonly StoredEndorsement[]): Promise<void> {
  const before = history[stored.view.sequence - 2]?.terms ?? issueTerms(policy);
  const at = stored.view.endorsedAt!;
  const full = change ?? changeOf(policy, stored.view, before, { subsidies: { layers: stored.terms.layers } } as RatingResult);
  await announcePolicyChange(events, { ...full, at });
}

/**
 * Records an endorsement: exactly once per Idempotency-Key (a retry answers the stored one,
 * `replayed`), numbered gapless per policy (two computed on the same terms: the second is a 409
 * to preview again), audited and announced.
 */
export async function endorsePolicy(events: PolicyChangeEvents, caller: Caller, policy: PolicyRecord, request: EndorsementRequest, options: { idempotencyKey?: string | undefined; now?: Date } = {}): Promise<{ endorsement: EndorsementView; replayed: boolean }> {
  assertLeadOrBroker(caller, policy, 'endorses');
  const now = options.now ?? new Date();
  const scope = options.idempotencyKey ? `${caller.organisationId}:${options.idempotencyKey}` : undefined;
  const history = await endorsementsOf(policy.id);
  // A retry's endorsement: in the history just read, or (after losing a race) in a fresh read.
  const replay = async (all: readonly StoredEndorsement[]) => {
    const mine = scope ? all.find((e) => e.idempotencyScope === scope) : undefined;
    if (!mine) return undefined;
    await announce(events, mine, undefined, policy, all);
    return { endorsement: mine.view, replayed: true };
  };
  if (scope) {
    const replayed = await replay(history);
    if (replayed) return replayed;
    await claimKey(scope, policy.id);
  }
  const computed = await computeEndorsement(policy, history, request);
  const view: EndorsementView = { ...computed.view, endorsedAt: now.toISOString(), endorsedBy: { organisationId: caller.organisationId, role: caller.role, ...(caller.userName ? { userName: caller.userName } : {}) } };
  const n = view.sequence;
  try {
    await PolicyEndorsementModel.collection.insertOne({ _id: endorsementId(policy.id, n), policyId: policy.id, n, ...(scope ? { idempotencyScope: scope } : {}), v: JSON.stringify({ view, terms: computed.terms }) } as never);
  } catch (err) {
    if (!isDuplicateKeyError(err)) throw err;
    const replayed = scope ? await replay(await endorsementsOf(policy.id)) : undefined;
    if (replayed) return replayed;
    throw conflict(`Policy ${policy.policyNumber} was endorsed meanwhile (${view.number}); preview the change again.`, [{ path: 'body.effectiveDate', message: 'must be previewed again on the latest terms (concurrent endorsement)' }]);
  }
  await recordAudit(caller, {
    action: 'policy.endorse', entityType: 'policy', entityId: policy.id, organisationId: policy.insurerOrganisationId,
    summary: `Endorsement ${view.number} of policy ${policy.policyNumber} from ${view.effectiveDate}: gross ${view.before.grossPremiumFen} → ${view.after.grossPremiumFen} fen, difference ${view.difference.grossPremiumFen} fen. ${view.reason}`,
    changes: Object.keys(request.inputs).map((field) => ({ path: `inputs.${field}`, from: computed.view.changes?.find((c) => c.field === field)?.before ?? null, to: request.inputs[field] ?? null })),
  }, now);
  await announcePolicyChange(events, { ...computed.change, at: view.endorsedAt! });
  return { endorsement: view, replayed: false };
}

/** The policy's versions (0 as issued, then one per endorsement) and its endorsements (the premium due is the change log's: policy-payments.ts premiumDueFen). */
export function policyHistory(policy: PolicyRecord, history: readonly StoredEndorsement[], pdfHref?: (n: number) => string) {
  const versionOf = (terms: PolicyTerms, n: number, number?: string): PolicyVersion => ({
    version: n, ...(number ? { endorsementNumber: number } : {}), effectiveDate: terms.effectiveDate, inputs: terms.inputs,
    grossPremiumFen: terms.grossPremiumFen, netPremiumFen: terms.netPremiumFen, vatFen: terms.vatFen, expectedSubsidyFen: totalOf(terms.layers),
    subsidies: terms.layers.map((l) => ({ programme: l.programme, amountFen: l.amountFen })),
  });
  const versions = [versionOf(issueTerms(policy), 0), ...history.map((e, i) => versionOf(e.terms, i + 1, e.view.number))];
  const endorsements = history.map(({ view }) => ({
    number: view.number, sequence: view.sequence, effectiveDate: view.effectiveDate, reason: view.reason, endorsedAt: view.endorsedAt!, difference: view.difference,
    ...(pdfHref ? { pdf: pdfHref(view.sequence) } : {}),
  }));
  return { current: versions.at(-1)!, versions, endorsements };
}
