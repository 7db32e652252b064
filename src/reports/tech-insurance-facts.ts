// What becomes of a policy after its issue, kept in the insurers' report logs (tech-insurance-log.ts)
// as immutable facts: a claim paid, the premium refunded on its cancellation, a subsidy granted on
// one of its applications. Each is appended, in reaction to the event that records it
// (src/service.ts registers the reactions), to every reporting insurer's log of the half year the
// policy was ISSUED in — the same logs its entry is in — with the whole policy's amount; a report
// folds those logs and reads nothing per policy. Offline, the facts are recomputed from the stored
// cancellations, claims and outcomes (book:migrate appends them, book:verify compares them).
import { insurerReportKey, reportingInsurersOf } from '../auth/scope.ts';
import { expectEntry, logDifferences, type ExpectedLog } from '../db/log-verify.ts';
import { cancellationOf } from '../policies/cancellation-service.ts';
import { claimsOf } from '../policies/claim-log.ts';
import { changesOf, type PolicyChange } from '../policies/policy-changes.ts';
import { allPolicyRecords, findPolicyRecord } from '../policies/policy-service.ts';
import type { PolicyRecord } from '../policies/policy-schemas.ts';
import { chinaDate, halfYearOf } from '../rating/index.ts';
import { entryFactsFor, reportEntriesOf, techInsuranceLog, type ReportFact, type ReportLogValue } from './tech-insurance-log.ts';

/**
 * A port (provided by src/service.ts from the subsidies capability): what was granted on a
 * policy's applications to these programmes, in fen. Read offline only, to rebuild and check the
 * granted facts; a request never asks it.
 */
export interface GrantedSubsidies {
  grantedFen(policyId: string, programmes: readonly string[]): Promise<number>;
}

/** A fact with the ref it is appended under (unique per policy). */
interface KeyedFact { ref: string; fact: ReportFact }

/** The programmes a policy carried an application to when issued (its entries' `programmes`): the only grants the report counts. */
const programmesOf = (policy: PolicyRecord) => policy.result.subsidies.layers.filter((l) => l.amountFen > 0).map((l) => l.programme);

/** The logs a policy's facts go to: each reporting insurer's half year of the policy's issue (China date). */
function factKeysOf(policy: PolicyRecord): string[] {
  const half = halfYearOf(chinaDate(new Date(policy.issuedAt)));
  return reportingInsurersOf(policy).map((memberId) => insurerReportKey(memberId, half));
}

const refundFact = (policyId: string, amountFen: number): KeyedFact => ({ ref: `${policyId}|refund`, fact: { fact: 'refund', policyId, amountFen } });
const claimFact = (policyId: string, claimId: string, amountFen: number): KeyedFact => ({ ref: `${policyId}|claim|${claimId}`, fact: { fact: 'claim', policyId, amountFen } });
const endorsementFact = (policyId: string, ref: string, delta: { grossPremiumFen: number; netPremiumFen: number }): KeyedFact => ({ ref: `${policyId}|endorsement|${ref}`, fact: { fact: 'endorsement', policyId, amountFen: delta.grossPremiumFen, netFen: delta.netPremiumFen } });
const grantFact = (policyId: string, programme: string, amountFen: number): KeyedFact => ({ ref: `${policyId}|granted|${programme}`, fact: { fact: 'granted', policyId, amountFen, programme } });

/** Appends the facts to every log of the policy (idempotent by ref: a replayed reaction or migration adds nothing). */
async function appendFacts(policy: PolicyRecord, facts: readonly KeyedFact[]): Promise<void> {
  if (facts.length === 0) return;
  await techInsuranceLog.appendAll(factKeysOf(policy).flatMap((key) => facts.map(({ ref, fact }) => ({ key, ref, value: fact as ReportLogValue }))));
}

/** Reaction to a claim paid (the claimPaid event): its amount, whole policy. */
export async function recordReportClaim(claim: { id: string; paidFen: number; policy: PolicyRecord }): Promise<void> {
  await appendFacts(claim.policy, [claimFact(claim.policy.id, claim.id, claim.paidFen)]);
}

/**
 * Reaction to a policy changed: an endorsement's premium difference (gross and net, charged or
 * refunded: premium written), a cancellation's refund (VAT included), read from the kept
 * cancellation (stored before it is announced).
 */
export async function recordReportChange(change: Pick<PolicyChange, 'kind' | 'policyId' | 'ref' | 'delta'>): Promise<void> {
  if (change.kind === 'endorsement') {
    const policy = await findPolicyRecord(change.policyId);
    if (policy && change.delta.grossPremiumFen !== 0) await appendFacts(policy, [endorsementFact(policy.id, change.ref, change.delta)]);
    return;
  }
  const [policy, cancellation] = await Promise.all([findPolicyRecord(change.policyId), cancellationOf(change.policyId)]);
  const refund = cancellation?.view.refund.grossPremiumFen ?? 0;
  if (policy && refund > 0) await appendFacts(policy, [refundFact(policy.id, refund)]);
}

/** Reaction to an application's outcome recorded as granted (the subsidies' ApplicationOutcomes port): the amount, when the policy was issued with an application to the programme. */
export async function recordReportGrant(outcome: { policyId: string; programme: string; status: string; amountFen?: number }): Promise<void> {
  if (outcome.status !== 'granted' || !outcome.amountFen) return;
  const policy = await findPolicyRecord(outcome.policyId);
  if (policy && programmesOf(policy).includes(outcome.programme)) await appendFacts(policy, [grantFact(policy.id, outcome.programme, outcome.amountFen)]);
}

/** The facts of a stored policy, recomputed from its kept cancellation, its claims log and its applications' outcomes (offline). */
async function storedFactsOf(policy: PolicyRecord, granted: GrantedSubsidies): Promise<KeyedFact[]> {
  const [cancellation, claims, changes, grants] = await Promise.all([
    cancellationOf(policy.id), claimsOf(policy.id), changesOf(policy.id),
    Promise.all(programmesOf(policy).map(async (p) => ({ programme: p, fen: await granted.grantedFen(policy.id, [p]) }))),
  ]);
  const refund = cancellation?.view.refund.grossPremiumFen ?? 0;
  return [
    ...(refund > 0 ? [refundFact(policy.id, refund)] : []),
    ...claims.map((c) => claimFact(policy.id, c.id, c.paidFen)),
    ...changes.filter((c) => c.kind === 'endorsement' && c.delta.grossPremiumFen !== 0).map((c) => endorsementFact(policy.id, c.ref, c.delta)),
    ...grants.filter((g) => g.fen > 0).map((g) => grantFact(policy.id, g.programme, g.fen)),
  ];
}

/**
 * Builds every insurer's report logs from the stored book (a data folder from before #27, or
 * before the facts were kept): each policy's entries, then its facts; again: nothing new.
 */
export async function migrateTechInsuranceReports(granted: GrantedSubsidies): Promise<{ policies: number }> {
  let policies = 0;
  for await (const record of allPolicyRecords()) {
    const entries = reportEntriesOf(record, await entryFactsFor(record));
    await techInsuranceLog.appendAll(entries.map((entry) => ({ key: insurerReportKey(entry.memberId, halfYearOf(entry.issuedOn)), ref: entry.policyId, value: entry })));
    await appendFacts(record, await storedFactsOf(record, granted));
    policies++;
  }
  return { policies };
}

/** The differences between the kept report logs and a recomputation from the stored policies, cancellations, claims and outcomes (none: they agree). */
export async function verifyTechInsuranceReports(granted: GrantedSubsidies): Promise<string[]> {
  const expected: ExpectedLog<ReportLogValue> = new Map();
  for await (const record of allPolicyRecords()) {
    for (const entry of reportEntriesOf(record, await entryFactsFor(record))) expectEntry(expected, insurerReportKey(entry.memberId, halfYearOf(entry.issuedOn)), entry.policyId, entry);
    const facts = await storedFactsOf(record, granted);
    for (const key of factKeysOf(record)) for (const { ref, fact } of facts) expectEntry(expected, key, ref, fact);
  }
  return (await logDifferences(techInsuranceLog, expected)).map((d) => `insurers' report ${d}`);
}
