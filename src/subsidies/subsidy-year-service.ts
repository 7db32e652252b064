// The subsidy year: for the enterprise (or a broker's clients), per programme, what its policies
// starting in the year applied for, what was granted and refused, and what remains of each annual
// cap — the cap counted from the subsidy ledger, exactly as the next quote will count it. With a
// CSV and an XLSX export of the same rows.
import type { Writable } from 'node:stream';
import type { Caller } from '../auth/caller.ts';
import { scopedYear } from '../auth/scope.ts';
import type { Parties } from '../auth/visibility.ts';
import { writeCsv } from '../http/csv-export.ts';
import { commitRow, streamedWorkbook } from '../http/xlsx-export.ts';
import { subsidiesRecordedOf } from './subsidy-ledger.ts';
import { formatFen, type SubsidyProgramme } from '../rating/index.ts';
import { applicationView, programmesByCode, type Steps } from './subsidy-application-service.ts';
import { annualCapOf } from './subsidy-calculation.ts';
import type { SubsidyYear, SubsidyYearRow } from './subsidy-schemas.ts';
import { subsidyYearLog, type YearChangeEntry, type YearEntry, type YearPolicyEntry } from './subsidy-year-log.ts';

export type { SubsidyYear } from './subsidy-schemas.ts';

/**
 * The caller's subsidy year (an enterprise: its own; a broker: its clients' policies, or one
 * client's with `enterpriseId`, a filter that narrows the caller's scope and never widens it):
 * the fold of one keyed log (subsidy-year-log.ts), every policy entry re-checked against the scope.
 */
export async function subsidyYear(caller: Caller, year: string, enterpriseId?: string): Promise<SubsidyYear> {
  const { key, accept } = scopedYear(caller, year, enterpriseId);
  return foldYear(year, (await subsidyYearLog.all(key)).map((e) => e.value), accept);
}

/**
 * The year from its facts (in any order): the policies starting in it that `accept` admits, each
 * application with its steps, per enterprise and programme, and each annual cap from the ledger.
 */
export async function foldYear(year: string, entries: readonly YearEntry[], accept: (parties: Parties) => boolean): Promise<SubsidyYear> {
  const policies = new Map<string, YearPolicyEntry>();
  const steps = new Map<string, Steps>();
  const changes: YearChangeEntry[] = [];
  for (const entry of entries) {
    if (entry.kind === 'policy') {
      if (!policies.has(entry.policyId) && entry.startDate.startsWith(`${year}-`) && accept(entry)) policies.set(entry.policyId, entry);
      continue;
    }
    if (entry.kind === 'change') {
      changes.push(entry);
      continue;
    }
    const key = `${entry.policyId}:${entry.programme}`;
    const found = steps.get(key) ?? { submitted: null, outcome: null };
    if (found[entry.step] === null) found[entry.step] = entry;
    steps.set(key, found);
  }
  // A changed policy's layers are its latest change's (the log keeps changes in the order recorded).
  for (const change of changes) {
    if (change.startDate.startsWith(`${year}-`) && accept(change)) policies.set(change.policyId, { ...change, kind: 'policy' });
  }
  const sorted = [...policies.values()].sort((a, b) => a.startDate.localeCompare(b.startDate) || a.policyNumber.localeCompare(b.policyNumber));
  const programmesByLine = new Map<string, Map<string, SubsidyProgramme>>();
  for (const line of new Set(sorted.map((p) => p.line))) programmesByLine.set(line, await programmesByCode(line));
  const counted = await subsidiesRecordedOf([...new Set(sorted.map((p) => p.enterpriseOrganisationId))], year);
  const rows = new Map<string, SubsidyYearRow>();
  const applications: SubsidyYear['applications'] = [];
  for (const policy of sorted) {
    const programmes = programmesByLine.get(policy.line)!;
    for (const layer of policy.layers) {
      const application = applicationView(policy.policyId, layer, programmes.get(layer.programme), steps.get(`${policy.policyId}:${layer.programme}`) ?? { submitted: null, outcome: null });
      applications.push({ policyId: policy.policyId, policyNumber: policy.policyNumber, enterpriseName: policy.enterpriseName, application });
      const key = `${policy.enterpriseOrganisationId}:${layer.programme}`;
      let row = rows.get(key);
      if (!row) {
        const cap = annualCapOf(programmes.get(layer.programme), layer.variant, policy.line);
        const countedFen = counted.get(policy.enterpriseOrganisationId)!.find((c) => c.programme === layer.programme)?.amountFen ?? 0;
        row = {
          enterpriseId: policy.enterpriseOrganisationId, enterpriseName: policy.enterpriseName, programme: layer.programme, name: application.name,
          applications: 0, expectedFen: 0, appliedFen: 0, pendingFen: 0, grantedFen: 0, refusedFen: 0, countedFen,
          ...(cap !== undefined ? { annualCapFen: cap, capRemainingFen: Math.max(0, cap - countedFen) } : {}),
        };
        rows.set(key, row);
      }
      addApplication(row, application);
    }
  }
  return { year, rows: [...rows.values()], applications };
}

function addApplication(row: SubsidyYearRow, application: SubsidyYear['applications'][number]['application']): void {
  row.applications += 1;
  row.expectedFen += application.expectedFen;
  if (application.status !== 'prepared') row.appliedFen += application.expectedFen;
  if (application.status === 'submitted') row.pendingFen += application.expectedFen;
  if (application.status === 'granted') row.grantedFen += application.grantedFen ?? 0;
  if (application.status === 'refused') row.refusedFen += application.expectedFen;
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

const DETAIL_COLUMNS = [
  { key: 'policyNumber', header: '保单号 Policy', width: 18 }, { key: 'enterpriseName', header: '企业 Enterprise', width: 24 },
  { key: 'programme', header: '补贴项目 Programme', width: 18 }, { key: 'status', header: '状态 Status', width: 12 },
  { key: 'expected', header: '预计 Expected (CNY)', width: 16 }, { key: 'granted', header: '拨付 Granted (CNY)', width: 16 },
  { key: 'submittedOn', header: '提交日 Submitted', width: 12 }, { key: 'decidedOn', header: '核定日 Decided', width: 12 },
];

/**
 * The year's rows as CSV (the shared writer: UTF-8 with a BOM, formula-like cells neutralised), or
 * its rows and applications as an XLSX workbook (amounts as numbers in yuan), written to `out` a
 * row at a time (src/http/csv-export.ts writeCsv, src/http/xlsx-export.ts): the file is never held whole, only the year it is written
 * from (#25, exports streamed). Ends `out`.
 */
export async function writeSubsidyYear(year: SubsidyYear, format: 'csv' | 'xlsx', out: Writable): Promise<void> {
  if (format === 'csv') return writeCsv(out, exportRows(year), { header: true, columns: COLUMNS.map((c) => ({ key: c.key, header: c.header })) });
  const book = streamedWorkbook(out);
  const sheet = book.addWorksheet(`补贴 ${year.year}`);
  sheet.columns = COLUMNS.map((c) => ({ key: c.key, header: c.header, width: c.key === 'name' ? 36 : 18 }));
  for (const row of exportRows(year)) await commitRow(sheet, Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && /^-?\d+\.\d\d$/.test(v) ? Number(v) : v])), out);
  sheet.commit();
  const detail = book.addWorksheet('申请 Applications');
  detail.columns = DETAIL_COLUMNS;
  for (const a of year.applications) {
    await commitRow(detail, {
      policyNumber: a.policyNumber, enterpriseName: a.enterpriseName, programme: a.application.programme, status: a.application.status,
      expected: a.application.expectedFen / 100, granted: a.application.grantedFen === undefined ? null : a.application.grantedFen / 100,
      submittedOn: a.application.submittedOn ?? '', decidedOn: a.application.decidedOn ?? '',
    }, out);
  }
  detail.commit();
  await book.commit();
}
