// The subsidy year: for the enterprise (or a broker's clients), per programme, what its policies
// starting in the year applied for, what was granted and refused, and what remains of each annual
// cap — the cap counted from the subsidy ledger, exactly as the next quote will count it. With a
// CSV and an XLSX export of the same rows.
import ExcelJS from 'exceljs';
import type { Caller } from '../auth/caller.ts';
import { csvText } from '../http/csv-export.ts';
import { getPolicy, listPolicies, type PolicyView } from '../policies/policy-service.ts';
import { subsidiesRecorded } from './subsidy-ledger.ts';
import { formatFen, type SubsidyProgramme } from '../rating/index.ts';
import { applicationLayers, applicationsOf, programmesByCode } from './subsidy-application-service.ts';
import { annualCapOf } from './subsidy-calculation.ts';
import type { SubsidyYear, SubsidyYearRow } from './subsidy-schemas.ts';

export type { SubsidyYear } from './subsidy-schemas.ts';

/**
 * Every policy the caller may see that starts in `year` with expected subsidies (of one enterprise,
 * when named): its list's summaries walked by cursor, the policies themselves read by id.
 */
async function policiesStartingIn(caller: Caller, year: string, enterpriseId?: string): Promise<PolicyView[]> {
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const page = await listPolicies(caller, { ...(enterpriseId ? { enterpriseId } : {}), limit: 200, ...(after ? { after } : {}) });
    ids.push(...page.items.filter((p) => p.startDate.startsWith(`${year}-`) && p.expectedSubsidyFen > 0).map((p) => p.id));
    after = page.next;
  } while (after);
  return Promise.all(ids.map((id) => getPolicy(caller, id)));
}

/**
 * The caller's subsidy year (an enterprise: its own; a broker: its clients' policies, or one
 * client's with `enterpriseId`, a filter that narrows the caller's scope and never widens it).
 */
export async function subsidyYear(caller: Caller, year: string, enterpriseId?: string): Promise<SubsidyYear> {
  const policies = (await policiesStartingIn(caller, year, enterpriseId)).filter((p) => applicationLayers(p).length > 0);
  const programmesByLine = new Map<string, Map<string, SubsidyProgramme>>();
  const rows = new Map<string, SubsidyYearRow>();
  const applications: SubsidyYear['applications'] = [];
  const counted = new Map<string, Promise<{ programme: string; amountFen: number }[]>>();
  for (const policy of [...policies].sort((a, b) => a.startDate.localeCompare(b.startDate) || a.policyNumber.localeCompare(b.policyNumber))) {
    if (!programmesByLine.has(policy.line)) programmesByLine.set(policy.line, await programmesByCode(policy.line));
    const programmes = programmesByLine.get(policy.line)!;
    if (!counted.has(policy.enterpriseId)) counted.set(policy.enterpriseId, subsidiesRecorded(policy.enterpriseId, year));
    const list = await applicationsOf(policy, programmes);
    for (const application of list.items) {
      applications.push({ policyId: policy.id, policyNumber: policy.policyNumber, enterpriseName: policy.enterpriseName, application });
      const key = `${policy.enterpriseId}:${application.programme}`;
      let row = rows.get(key);
      if (!row) {
        const layer = applicationLayers(policy).find((l) => l.programme === application.programme)!;
        const cap = annualCapOf(programmes.get(application.programme), layer.variant, policy.line);
        const countedFen = (await counted.get(policy.enterpriseId)!).find((c) => c.programme === application.programme)?.amountFen ?? 0;
        row = {
          enterpriseId: policy.enterpriseId, enterpriseName: policy.enterpriseName, programme: application.programme, name: application.name,
          applications: 0, expectedFen: 0, appliedFen: 0, pendingFen: 0, grantedFen: 0, refusedFen: 0, countedFen,
          ...(cap !== undefined ? { annualCapFen: cap, capRemainingFen: Math.max(0, cap - countedFen) } : {}),
        };
        rows.set(key, row);
      }
      row.applications += 1;
      row.expectedFen += application.expectedFen;
      if (application.status !== 'prepared') row.appliedFen += application.expectedFen;
      if (application.status === 'submitted') row.pendingFen += application.expectedFen;
      if (application.status === 'granted') row.grantedFen += application.grantedFen ?? 0;
      if (application.status === 'refused') row.refusedFen += application.expectedFen;
    }
  }
  return { year, rows: [...rows.values()], applications };
}

const COLUMNS = [
  { key: 'enterpriseName', header: '企业 Enterprise' },
  { key: 'programme', header: '补贴项目代码 Programme' },
  { key: 'name', header: '补贴项目 Name' },
  { key: 'applications', header: '申请数 Applications' },
  { key: 'expected', header: '预计金额 Expected (CNY)' },
  { key: 'applied', header: '已申请 Applied for (CNY)' },
  { key: 'pending', header: '待核定 Pending (CNY)' },
  { key: 'granted', header: '已拨付 Granted (CNY)' },
  { key: 'refused', header: '未获批 Refused (CNY)' },
  { key: 'counted', header: '年度已计 Counted (CNY)' },
  { key: 'annualCap', header: '年度上限 Annual cap (CNY)' },
  { key: 'capRemaining', header: '上限余额 Cap remaining (CNY)' },
] as const;

const yuanText = (fen: number | undefined) => (fen === undefined ? '' : formatFen(fen));

function exportRows(year: SubsidyYear): Record<(typeof COLUMNS)[number]['key'], string | number>[] {
  return year.rows.map((r) => ({
    enterpriseName: r.enterpriseName, programme: r.programme, name: r.name.zh, applications: r.applications,
    expected: yuanText(r.expectedFen), applied: yuanText(r.appliedFen), pending: yuanText(r.pendingFen), granted: yuanText(r.grantedFen),
    refused: yuanText(r.refusedFen), counted: yuanText(r.countedFen), annualCap: yuanText(r.annualCapFen), capRemaining: yuanText(r.capRemainingFen),
  }));
}

/** The year's rows as CSV (the shared writer: UTF-8 with a BOM, formula-like cells neutralised). */
export function subsidyYearCsv(year: SubsidyYear): string {
  return csvText(exportRows(year), { header: true, columns: COLUMNS.map((c) => ({ key: c.key, header: c.header })) });
}

/** The year's rows and applications as an XLSX workbook (amounts as numbers in yuan). */
export async function subsidyYearXlsx(year: SubsidyYear): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(`补贴 ${year.year}`);
  sheet.columns = COLUMNS.map((c) => ({ key: c.key, header: c.header, width: c.key === 'name' ? 36 : 18 }));
  for (const row of exportRows(year)) sheet.addRow(Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+\.\d\d$/.test(v) ? Number(v) : v])));
  const detail = book.addWorksheet('申请 Applications');
  detail.columns = [
    { key: 'policyNumber', header: '保单号 Policy', width: 18 }, { key: 'enterpriseName', header: '企业 Enterprise', width: 24 },
    { key: 'programme', header: '补贴项目 Programme', width: 18 }, { key: 'status', header: '状态 Status', width: 12 },
    { key: 'expected', header: '预计 Expected (CNY)', width: 16 }, { key: 'granted', header: '拨付 Granted (CNY)', width: 16 },
    { key: 'submittedOn', header: '提交日 Submitted', width: 12 }, { key: 'decidedOn', header: '核定日 Decided', width: 12 },
  ];
  for (const a of year.applications) {
    detail.addRow({
      policyNumber: a.policyNumber, enterpriseName: a.enterpriseName, programme: a.application.programme, status: a.application.status,
      expected: a.application.expectedFen / 100, granted: a.application.grantedFen === undefined ? null : a.application.grantedFen / 100,
      submittedOn: a.application.submittedOn ?? '', decidedOn: a.application.decidedOn ?? '',
    });
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
