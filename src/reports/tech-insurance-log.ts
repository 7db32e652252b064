// The insurers' tech-insurance report (#27) as a keyed log (src/db/keyed-log.ts): for each insurer
// and half year, one immutable entry per policy the insurer carries — its sole business, or its
// own share of a pool's (the lead and every follower each get their entry with their share) —
// keyed `report|<insurer organisation id>|<YYYY>H<1|2>` (scope.ts insurerReportKey). A policy is
// *written* on the China date it was issued (not the day cover starts): the half year of its
// issue date in Asia/Shanghai names its log. Appended in reaction to a policy issued
// (src/service.ts registers it). What becomes of the policy after its issue is appended to the same
// logs as immutable facts (ReportFact): a claim paid, the premium refunded on its cancellation, a
// subsidy granted on one of its applications — in reaction to each (tech-insurance-facts.ts), so a
// report folds the one or two logs of its period and reads nothing per policy: it costs its own
// policies, never the book's.
import { BUSINESS_SHORT_NAMES, insurerReportKey, reportingInsurersOf } from '../auth/scope.ts';
import type { Parties } from '../auth/visibility.ts';
import { insurerDirectory } from '../auth/insurer-directory.ts';
import { findPinnedVersion } from '../catalogue/rating-lookups.ts';
import { defineKeyedLog, shortFieldNames } from '../db/keyed-log.ts';
import type { PolicyRecord } from '../policies/policy-schemas.ts';
import { chinaDate, halfYearOf, splitByShares, sumInsuredFen, type ProductDefinition } from '../rating/index.ts';

/** A pool member's place in the pool: what splits a policy's amounts into its own share (pool-liability.ts splitByShares). */
export interface ReportShare { insurer: string; role: 'lead' | 'follower'; sharePercent: string }

/** One policy as one insurer reports it. Amounts are the insurer's own: the whole policy for sole business, its share for pool business. */
export interface ReportEntry extends Parties {
  /** The insurer (organisation id) whose report this entry is in. */
  memberId: string;
  policyId: string;
  policyNumber: string;
  line: string;
  productCode: string;
  /** The enterprise's GB/T 2260 region code when the policy was rated (the province is read from it). */
  regionCode?: string;
  /** China date of issue: the day the premium is written. */
  issuedOn: string;
  business: 'sole' | 'pool';
  /** Pool business: every member's place (to split refunds, claims and subsidies as the premium was) and this member's index in it. */
  shares?: ReportShare[];
  shareIndex?: number;
  grossPremiumFen: number;
  netPremiumFen: number;
  sumInsuredFen: number;
  /** The programmes the policy carries an application to (non-zero expected layers): where granted subsidies are looked up. */
  programmes: string[];
}

/**
 * What happened to a policy after its issue, as each reporting insurer's log keeps it: the amount
 * is the whole policy's (every pool member's parts together), integer fen — the report takes the
 * insurer's own share of the policy's sum as it takes every amount (tech-insurance-book.ts ownPart).
 * Ref `<policyId>|refund`, `<policyId>|claim|<claim id>`, `<policyId>|granted|<programme>`.
 */
export interface ReportFact {
  fact: 'refund' | 'claim' | 'granted' | 'endorsement';
  policyId: string;
  /** The amount, whole policy; an endorsement's gross difference, charged (+) or refunded (−). */
  amountFen: number;
  /** An endorsement: its net difference (VAT excluded), signed as `amountFen`. */
  netFen?: number;
  /** A grant: the programme it was granted by. */
  programme?: string;
}

/** An entry of an insurer's report log: a policy as issued, or a fact about it since. */
export type ReportLogValue = ReportEntry | ReportFact;

export const isReportFact = (value: ReportLogValue): value is ReportFact => 'fact' in value;

export const techInsuranceLog = defineKeyedLog<ReportLogValue>('TechInsuranceReportEntry', 'techInsuranceReportLogs', { codec: shortFieldNames(BUSINESS_SHORT_NAMES) });

/** What the entries are made from besides the policy: its product as issued and the insurers by code. */
export interface EntryFacts { definition: ProductDefinition; insurerIdsByCode: ReadonlyMap<string, string> }

/** The entries of an issued policy: one per reporting insurer, each with its own amounts. */
export function reportEntriesOf(policy: PolicyRecord, facts: EntryFacts): ReportEntry[] {
  const sumInsured = sumInsuredFen(facts.definition, policy.inputs as Record<string, unknown>);
  const base = {
    policyId: policy.id, policyNumber: policy.policyNumber, line: policy.line, productCode: policy.productCode,
    ...(policy.context.enterprise?.regionCode ? { regionCode: policy.context.enterprise.regionCode } : {}),
    issuedOn: chinaDate(new Date(policy.issuedAt)),
    brokerOrganisationId: policy.brokerOrganisationId, insurerOrganisationId: policy.insurerOrganisationId, enterpriseOrganisationId: policy.enterpriseOrganisationId,
    ...(policy.poolMemberIds?.length ? { poolMemberIds: [...policy.poolMemberIds] } : {}),
    programmes: policy.result.subsidies.layers.filter((l) => l.amountFen > 0).map((l) => l.programme),
  };
  const pool = policy.poolShares ?? [];
  if (pool.length === 0 || !policy.poolMemberIds?.length) {
    return [{ ...base, memberId: policy.insurerOrganisationId, business: 'sole', grossPremiumFen: policy.grossPremiumFen, netPremiumFen: policy.netPremiumFen, sumInsuredFen: sumInsured }];
  }
  const shares: ReportShare[] = pool.map((s) => ({ insurer: s.insurer, role: s.role, sharePercent: s.sharePercent }));
  const liability = splitByShares(shares, sumInsured);
  return reportingInsurersOf(policy).map((memberId) => {
    const index = pool.findIndex((s) => facts.insurerIdsByCode.get(s.insurer) === memberId);
    if (index < 0) throw new Error(`policy ${policy.policyNumber}: pool member ${memberId} has no share`);
    const own = pool[index]!;
    return { ...base, memberId, business: 'pool', shares, shareIndex: index, grossPremiumFen: own.grossPremiumFen, netPremiumFen: own.netPremiumFen, sumInsuredFen: liability[index]! };
  });
}

/** The facts reportEntriesOf needs, read for a policy: its pinned version (a small catalogue read) and the insurer directory (cached). */
export async function entryFactsFor(policy: PolicyRecord): Promise<EntryFacts> {
  const [version, directory] = await Promise.all([findPinnedVersion(policy.productCode, policy.productVersion), insurerDirectory()]);
  return { definition: version.definition as ProductDefinition, insurerIdsByCode: new Map([...directory.values()].map((i) => [i.code, i.id])) };
}

/** Reaction to a policy issued: its entry appended to each reporting insurer's half year of issue (idempotent). */
export async function recordReportPolicy(policy: PolicyRecord): Promise<void> {
  const entries = reportEntriesOf(policy, await entryFactsFor(policy));
  await Promise.all(entries.map((entry) => techInsuranceLog.append(insurerReportKey(entry.memberId, halfYearOf(entry.issuedOn)), entry.policyId, entry)));
}
