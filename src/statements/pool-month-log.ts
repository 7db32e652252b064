// Pool business per member and month, as a keyed log (src/db/keyed-log.ts, #25): for each pool
// member (organisation) and each China month of issue, one immutable entry per co-insured policy
// with what a statement line shows — number, product, enterprise, dates, premium and every
// member's share. Appended in reaction to a policy issued (src/service.ts registers it: this room,
// floor 9, sits above policies and never changes them). A statement reads the months of its
// period, so it costs its own policies, never the book's.
import { BUSINESS_SHORT_NAMES, poolMonthKeysOf, scopedPoolMonth } from '../auth/scope.ts';
import type { Caller } from '../auth/caller.ts';
import type { Parties } from '../auth/visibility.ts';
import { defineKeyedLog, shortFieldNames } from '../db/keyed-log.ts';
import { expectEntry, logDifferences, type ExpectedLog } from '../db/log-verify.ts';
import { allPolicyRecords } from '../policies/policy-service.ts';
import type { PolicyRecord } from '../policies/policy-schemas.ts';
import { allPolicyChanges, type PolicyChange } from '../policies/policy-changes.ts';
import { addDays, chinaDate, type CoInsuranceShare } from '../rating/index.ts';
import type { StatementPolicy } from './pool-statement.ts';

/** A co-insured policy as a member's month keeps it: a statement line's facts and the parties (for the scope check). */
export interface PoolMonthEntry extends Parties, StatementPolicy {
  poolShares: CoInsuranceShare[];
  /**
   * Set on an adjustment line: a change of the policy (an endorsement, a cancellation) in the
   * month it was recorded, its amounts and shares the change's (negative: refunded), its number
   * in `policyNumber` and the time it was recorded in `issuedAt`.
   */
  change?: { kind: PolicyChange['kind']; ref: string; effectiveDate: string };
}

export const poolMonthLog = defineKeyedLog<PoolMonthEntry>('PoolMonthEntry', 'poolMonthLogs', { codec: shortFieldNames(BUSINESS_SHORT_NAMES) });

/** The China month (YYYY-MM) a policy was issued in. */
const monthOf = (issuedAt: Date | string) => chinaDate(new Date(issuedAt)).slice(0, 7);

/** What a member's month keeps of an issued policy, or null when it is not co-insured. */
export function poolMonthEntry(policy: PolicyRecord): PoolMonthEntry | null {
  if (!policy.poolShares?.length || !policy.poolMemberIds?.length) return null;
  return {
    id: policy.id, policyNumber: policy.policyNumber, productCode: policy.productCode, productVersion: policy.productVersion, line: policy.line,
    enterpriseId: policy.enterpriseOrganisationId, enterpriseName: policy.enterpriseName, startDate: policy.startDate, endDate: policy.endDate,
    issuedAt: policy.issuedAt.toISOString(), grossPremiumFen: policy.grossPremiumFen, netPremiumFen: policy.netPremiumFen, vatFen: policy.vatFen,
    poolShares: policy.poolShares.map((s) => ({ insurer: s.insurer, role: s.role, sharePercent: s.sharePercent, grossPremiumFen: s.grossPremiumFen, netPremiumFen: s.netPremiumFen, vatFen: s.vatFen })),
    brokerOrganisationId: policy.brokerOrganisationId, insurerOrganisationId: policy.insurerOrganisationId, enterpriseOrganisationId: policy.enterpriseOrganisationId,
    poolMemberIds: [...policy.poolMemberIds],
  };
}

/** Reaction to a policy issued: a co-insured one is appended to every member's month (idempotent). */
export async function recordPoolPolicy(policy: PolicyRecord): Promise<void> {
  const entry = poolMonthEntry(policy);
  if (!entry) return;
  await Promise.all(poolMonthKeysOf(entry, monthOf(entry.issuedAt)).map((key) => poolMonthLog.append(key, entry.id, entry)));
}

/** The adjustment line a change of a co-insured policy puts in its members' month, or null (not co-insured). */
export function poolChangeEntry(change: PolicyChange): PoolMonthEntry | null {
  if (!change.members?.length || !change.poolMemberIds?.length) return null;
  return {
    id: change.policyId, policyNumber: change.ref, productCode: change.productCode, productVersion: change.productVersion, line: change.line,
    enterpriseId: change.enterpriseOrganisationId, enterpriseName: change.enterpriseName, startDate: change.startDate, endDate: change.endDate,
    issuedAt: change.at, grossPremiumFen: change.delta.grossPremiumFen, netPremiumFen: change.delta.netPremiumFen, vatFen: change.delta.vatFen,
    poolShares: change.members.map((s) => ({ insurer: s.insurer, role: s.role, sharePercent: s.sharePercent, grossPremiumFen: s.grossPremiumFen, netPremiumFen: s.netPremiumFen, vatFen: s.vatFen })),
    brokerOrganisationId: change.brokerOrganisationId, insurerOrganisationId: change.insurerOrganisationId, enterpriseOrganisationId: change.enterpriseOrganisationId,
    poolMemberIds: [...change.poolMemberIds],
    change: { kind: change.kind, ref: change.ref, effectiveDate: change.effectiveDate },
  };
}

const changeRef = (entry: PoolMonthEntry) => `change:${entry.change!.ref}`;

/** Reaction to a policy changed: a co-insured one's adjustment line in every member's month of the change (idempotent). */
export async function recordPoolChange(change: PolicyChange): Promise<void> {
  const entry = poolChangeEntry(change);
  if (!entry) return;
  await Promise.all(poolMonthKeysOf(entry, monthOf(entry.issuedAt)).map((key) => poolMonthLog.append(key, changeRef(entry), entry)));
}

/** The months (YYYY-MM) a period of China dates touches. */
function monthsOf(period: { from: string; to: string }): string[] {
  const months: string[] = [];
  for (let month = period.from.slice(0, 7); month <= period.to.slice(0, 7); month = addDays(`${month}-28`, 7).slice(0, 7)) months.push(month);
  return months;
}

/**
 * The co-insured policies the caller's insurer carries a share of, issued on a China date from
 * `from` to `to`, oldest first: its months' logs, each entry
 * re-checked against the caller's scope.
 */
export async function poolPoliciesOf(caller: Caller, period: { from: string; to: string }): Promise<PoolMonthEntry[]> {
  const logs = await Promise.all(monthsOf(period).map(async (month) => {
    const { key, accept } = scopedPoolMonth(caller, month);
    return (await poolMonthLog.all(key)).map((e) => e.value).filter(accept);
  }));
  const seen = new Set<string>();
  const within = logs.flat().filter((p) => {
    const on = chinaDate(new Date(p.issuedAt));
    const line = p.change ? `${p.id}|${p.change.ref}` : p.id; // a policy once, each of its changes once
    if (on < period.from || on > period.to || seen.has(line)) return false;
    seen.add(line);
    return true;
  });
  return within.sort((a, b) => a.issuedAt.localeCompare(b.issuedAt) || a.id.localeCompare(b.id));
}

/** Builds every member's months from the stored policies (a data folder from before #25); again: nothing new. */
export async function migratePoolMonths(): Promise<{ policies: number; changes?: number }> {
  let policies = 0;
  for await (const record of allPolicyRecords()) {
    if (!poolMonthEntry(record)) continue;
    await recordPoolPolicy(record);
    policies++;
  }
  let changes = 0;
  for (const list of (await allPolicyChanges()).values()) {
    for (const change of list) if (poolChangeEntry(change)) { await recordPoolChange(change); changes++; }
  }
  return { policies, ...(changes > 0 ? { changes } : {}) }; // the changes kept before this ran, when any
}

/** The differences between the kept pool months and a recomputation from the stored policies (none: they agree). */
export async function verifyPoolMonths(): Promise<string[]> {
  const expected: ExpectedLog<PoolMonthEntry> = new Map();
  for await (const record of allPolicyRecords()) {
    const entry = poolMonthEntry(record);
    if (!entry) continue;
    for (const key of poolMonthKeysOf(entry, monthOf(entry.issuedAt))) expectEntry(expected, key, entry.id, entry);
  }
  for (const list of (await allPolicyChanges()).values()) {
    for (const change of list) {
      const entry = poolChangeEntry(change);
      if (entry) for (const key of poolMonthKeysOf(entry, monthOf(entry.issuedAt))) expectEntry(expected, key, changeRef(entry), entry);
    }
  }
  return (await logDifferences(poolMonthLog, expected)).map((d) => `pool month ${d}`);
}
