// The pool statement (共保结算清单) of one member for a period: every co-insured policy it carries
// a share of, with its own share of gross, net and VAT beside every member's, totals per line and
// overall. Shares are the policy's stored split (to the fen, lead takes the remainder), so the
// members' statements of a period add up to the pool's total exactly.
import type { PolicyView } from '../policies/policy-schemas.ts';

/** What a statement reads of a policy: a policy's view, or the entry kept for it in a member's month (pool-month-log.ts). */
export type StatementPolicy = Pick<PolicyView, 'id' | 'policyNumber' | 'productCode' | 'productVersion' | 'line' | 'enterpriseId' | 'enterpriseName' | 'startDate' | 'endDate' | 'grossPremiumFen' | 'netPremiumFen' | 'vatFen' | 'poolShares' | 'issuedAt'>;

export interface StatementMember {
  insurer: string;
  name: string;
  nameEn?: string;
}

export interface MemberAmounts {
  role: 'lead' | 'follower';
  sharePercent: string;
  grossPremiumFen: number;
  netPremiumFen: number;
  vatFen: number;
}

export interface StatementRow {
  policyId: string;
  policyNumber: string;
  productCode: string;
  productName: { zh: string; en: string };
  line: string;
  enterpriseName: string;
  /** The insured enterprise's English name, when it has one. */
  enterpriseNameEn?: string;
  issuedOn: string;
  startDate: string;
  endDate: string;
  /** The whole policy. */
  grossPremiumFen: number;
  netPremiumFen: number;
  vatFen: number;
  /** The statement's member's own part. */
  share: MemberAmounts;
  /** Every member's part, by insurer code (lead and followers side by side). */
  members: Record<string, MemberAmounts>;
}

export interface StatementTotals {
  policies: number;
  grossPremiumFen: number;
  netPremiumFen: number;
  vatFen: number;
  shareGrossFen: number;
  shareNetFen: number;
  shareVatFen: number;
}

export interface PoolStatement {
  insurer: StatementMember;
  from: string;
  to: string;
  /** Every member that appears in the period, leads first, then by code. */
  members: StatementMember[];
  rows: StatementRow[];
  lineTotals: (StatementTotals & { line: string })[];
  totals: StatementTotals;
}

const emptyTotals = (): StatementTotals => ({ policies: 0, grossPremiumFen: 0, netPremiumFen: 0, vatFen: 0, shareGrossFen: 0, shareNetFen: 0, shareVatFen: 0 });

function addRow(totals: StatementTotals, row: StatementRow): void {
  totals.policies += 1;
  totals.grossPremiumFen += row.grossPremiumFen;
  totals.netPremiumFen += row.netPremiumFen;
  totals.vatFen += row.vatFen;
  totals.shareGrossFen += row.share.grossPremiumFen;
  totals.shareNetFen += row.share.netPremiumFen;
  totals.shareVatFen += row.share.vatFen;
}

/** Builds one member's statement from the pool policies of the period (issued on China dates `from`..`to`). */
export function buildPoolStatement<P extends StatementPolicy>(insurer: StatementMember, period: { from: string; to: string }, policies: readonly P[], names: ReadonlyMap<string, StatementMember>, productName: (p: P) => { zh: string; en: string }, issuedOn: (p: P) => string, enterpriseNamesEn: ReadonlyMap<string, string> = new Map()): PoolStatement {
  const rows: StatementRow[] = [];
  const roles = new Map<string, 'lead' | 'follower'>();
  for (const policy of policies) {
    const members: Record<string, MemberAmounts> = {};
    for (const s of policy.poolShares ?? []) {
      members[s.insurer] = { role: s.role, sharePercent: s.sharePercent, grossPremiumFen: s.grossPremiumFen, netPremiumFen: s.netPremiumFen, vatFen: s.vatFen };
      if (roles.get(s.insurer) !== 'lead') roles.set(s.insurer, s.role);
    }
    const share = members[insurer.insurer];
    if (!share) continue; // not a member of this policy's pool
    rows.push({
      policyId: policy.id, policyNumber: policy.policyNumber, productCode: policy.productCode, productName: productName(policy), line: policy.line, enterpriseName: policy.enterpriseName,
      ...(enterpriseNamesEn.get(policy.enterpriseId) ? { enterpriseNameEn: enterpriseNamesEn.get(policy.enterpriseId)! } : {}),
      issuedOn: issuedOn(policy), startDate: policy.startDate, endDate: policy.endDate,
      grossPremiumFen: policy.grossPremiumFen, netPremiumFen: policy.netPremiumFen, vatFen: policy.vatFen, share, members,
    });
  }
  const byLine = new Map<string, StatementTotals & { line: string }>();
  const totals = emptyTotals();
  for (const row of rows) {
    if (!byLine.has(row.line)) byLine.set(row.line, { line: row.line, ...emptyTotals() });
    addRow(byLine.get(row.line)!, row);
    addRow(totals, row);
  }
  const members = [...roles.entries()]
    .sort(([a, ra], [b, rb]) => (ra === rb ? a.localeCompare(b) : ra === 'lead' ? -1 : 1))
    .map(([code]) => names.get(code) ?? { insurer: code, name: code });
  return { insurer, from: period.from, to: period.to, members, rows, lineTotals: [...byLine.values()].sort((a, b) => a.line.localeCompare(b.line)), totals };
}
