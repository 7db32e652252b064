// A policy changed mid-term — by an endorsement (批改) or a cancellation (退保) — as the one fact
// the rest of the service follows: the subsidy ledger (annual caps of later quotes), the subsidy
// year and the pool members' months react to `policyChanged` (src/service.ts registers them), and
// book:verify recomputes those aggregates from the changes kept here. A kind of change computes
// its PolicyChange and calls announcePolicyChange; it never touches the aggregates itself.
//
// Each policy's changes are a keyed log (src/db/keyed-log.ts), key `changes:<policyId>`, ref the
// change's own number: appended once (a retried request appends nothing and announces the stored
// change again; every reaction is idempotent by the same ref), in the order they took effect.
import type { Parties } from '../auth/visibility.ts';
import { defineKeyedLog } from '../db/keyed-log.ts';
import { entryOfRef } from './log-ref.ts';
import type { CoInsuranceShare, SubsidyLayer } from '../rating/index.ts';
import type { PremiumParts } from '../rating/endorsement.ts';
import type { PolicyRecord } from './policy-schemas.ts';

/**
 * A change of an issued policy. Amounts are signed integer fen: positive charged to the
 * enterprise, negative refunded to it.
 */
export interface PolicyChange extends Parties {
  policyId: string;
  policyNumber: string;
  enterpriseName: string;
  productCode: string;
  productVersion: string;
  line: string;
  /** The policy's period (the subsidy year is the year it starts). */
  startDate: string;
  endDate: string;
  kind: 'endorsement' | 'cancellation';
  /** Unique within the policy: the endorsement's or the cancellation's number (e.g. `P2027…-E01`). */
  ref: string;
  /** The China date the change takes effect. */
  effectiveDate: string;
  /** When it was recorded (ISO instant): the pool members' month of the change is its China month. */
  at: string;
  /** What the change charges (+) or refunds (−), gross, net and VAT. */
  delta: PremiumParts;
  /** Each pool member's part of `delta`, to the fen (co-insured policies only). */
  members?: CoInsuranceShare[];
  /** The expected subsidy per programme before the change (what the ledger counted for the policy). */
  subsidiesBefore: { programme: string; amountFen: number }[];
  /** Every subsidy layer after the change (the policy's layers from now on). */
  layersAfter: SubsidyLayer[];
}

/** The fields of a change that name its policy (who, what product, which period): the same for every kind. */
export function policyChangeHeader(policy: PolicyRecord): Pick<PolicyChange, 'policyId' | 'policyNumber' | 'enterpriseName' | 'productCode' | 'productVersion' | 'line' | 'brokerOrganisationId' | 'insurerOrganisationId' | 'enterpriseOrganisationId' | 'poolMemberIds' | 'startDate' | 'endDate'> {
  return {
    policyId: policy.id, policyNumber: policy.policyNumber, enterpriseName: policy.enterpriseName, productCode: policy.productCode, productVersion: policy.productVersion, line: policy.line,
    brokerOrganisationId: policy.brokerOrganisationId, insurerOrganisationId: policy.insurerOrganisationId, enterpriseOrganisationId: policy.enterpriseOrganisationId,
    ...(policy.poolMemberIds?.length ? { poolMemberIds: [...policy.poolMemberIds] } : {}),
    startDate: policy.startDate, endDate: policy.endDate,
  };
}

/** What announces a change (the service's event hub). */
export interface PolicyChangeEvents {
  policyChanged(change: PolicyChange): Promise<void>;
}

export const policyChangeLog = defineKeyedLog<PolicyChange>('PolicyChangeEntry', 'policyChangeLogs');

const changeKey = (policyId: string) => `changes:${policyId}`;

/** A policy's changes, in the order they were recorded. */
export async function changesOf(policyId: string): Promise<PolicyChange[]> {
  return (await policyChangeLog.all(changeKey(policyId))).map((e) => e.value);
}

/**
 * Keeps a change (once per ref) and announces it — the stored one, so a retry with other
 * figures (another `at`) cannot make the reactions disagree with what is kept.
 */
export async function announcePolicyChange(events: PolicyChangeEvents, change: PolicyChange): Promise<PolicyChange> {
  await policyChangeLog.append(changeKey(change.policyId), change.ref, change);
  const kept = (await entryOfRef(policyChangeLog, changeKey(change.policyId), change.ref))?.value ?? change;
  await events.policyChanged(kept);
  return kept;
}

/** Per programme, what a change adds to the policy's counted subsidy (after − before), non-zero only. */
export function subsidyDeltas(change: Pick<PolicyChange, 'subsidiesBefore' | 'layersAfter'>): { programme: string; amountFen: number }[] {
  const deltas = new Map<string, number>();
  for (const s of change.subsidiesBefore) deltas.set(s.programme, (deltas.get(s.programme) ?? 0) - s.amountFen);
  for (const l of change.layersAfter) deltas.set(l.programme, (deltas.get(l.programme) ?? 0) + l.amountFen);
  return [...deltas].filter(([, amountFen]) => amountFen !== 0).map(([programme, amountFen]) => ({ programme, amountFen }));
}

/**
 * Every kept change of every policy, by policy id, each policy's in recorded order (a scan of the
 * log's collection: offline only — book:verify).
 */
export async function allPolicyChanges(): Promise<Map<string, PolicyChange[]>> {
  const byPolicy = new Map<string, { n: number; change: PolicyChange }[]>();
  for await (const doc of policyChangeLog.scan()) {
    if (!('entry' in doc)) continue; // a sealed chunk repeats its entries
    const change = doc.entry.value;
    const list = byPolicy.get(change.policyId) ?? [];
    list.push({ n: doc.entry.n, change });
    byPolicy.set(change.policyId, list);
  }
  return new Map([...byPolicy].map(([id, list]) => [id, list.sort((a, b) => a.n - b.n).map((e) => e.change)]));
}
