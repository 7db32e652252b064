// A department's summary as files, laid out as the insurers' report is (src/reports/
// tech-insurance-files.ts): one table — names first, then counts and amounts — whose headers are in
// the reader's language, as CSV (src/http/csv-export.ts; amounts in yuan with two decimals), XLSX
// (exceljs; amounts as numbers in yuan) and the view its PDF is rendered from
// (templates/subsidies/department-summary.hbs, through the documents capability's renderer).
import ExcelJS from 'exceljs';
import type { Lang } from '../http/common-schemas.ts';
import { csvText } from '../http/csv-export.ts';
import { yuanDigits } from '../i18n/format.ts';
import { pick } from '../i18n/pick.ts';
import { formatFen } from '../rating/index.ts';
import type { DepartmentSummary, SummaryFigures } from './department-summary.ts';

const LABELS = {
  'zh-CN': {
    title: '科技保险保费补贴申请汇总', period: '申请期间', colon: '：', amountsIn: '金额单位：元', byDate: '按申请提交日期（北京时间）统计本期提交的申请',
    programme: '补贴项目', province: '地区（省级）', applications: '申请件数', applied: '申请金额', granted: '已批准件数', grantedAmount: '批准金额',
    refused: '未批准件数', refusedAmount: '未批准申请金额', pending: '待审核件数', pendingAmount: '待审核申请金额', withdrawn: '已撤回件数', withdrawnAmount: '撤回申请金额',
    total: '合计', none: '本期没有提交的申请。',
    note: '申请金额含已撤回的申请；批准金额为实际批准数，未批准、待审核和撤回为其申请金额。合计为各行之和。',
  },
  en: {
    title: 'Tech insurance premium subsidy applications: summary', period: 'Period', colon: ': ', amountsIn: 'Amounts in CNY', byDate: 'Applications submitted in the period, by submission date (China time)',
    programme: 'Programme', province: 'Region (province)', applications: 'Applications', applied: 'Amount applied for', granted: 'Granted', grantedAmount: 'Amount granted',
    refused: 'Refused', refusedAmount: 'Applied for (refused)', pending: 'Pending', pendingAmount: 'Applied for (pending)', withdrawn: 'Withdrawn', withdrawnAmount: 'Applied for (withdrawn)',
    total: 'Total', none: 'No applications were submitted in this period.',
    note: 'The amount applied for includes withdrawn applications; granted is the amount granted, refused, pending and withdrawn the amounts applied for. The total is the sum of the rows.',
  },
} as const;

/** The header and cells of every format; `money` writes fen as the format wants (yuan number or text). */
function table(summary: DepartmentSummary, lang: Lang, money: (fen: number) => string | number) {
  const t = LABELS[lang];
  const header = [t.programme, t.province, t.applications, t.applied, t.granted, t.grantedAmount, t.refused, t.refusedAmount, t.pending, t.pendingAmount, t.withdrawn, t.withdrawnAmount];
  const figures = (x: SummaryFigures) => [x.applications, money(x.appliedFen), x.granted, money(x.grantedFen), x.refused, money(x.refusedFen), x.pending, money(x.pendingFen), x.withdrawn, money(x.withdrawnFen)];
  const rows = summary.rows.map((r) => [pick(r.programmeName, lang), pick(r.provinceName, lang), ...figures(r)]);
  const total = [t.total, '', ...figures(summary.totals)];
  return { t, header, rows, total };
}

const periodLine = (summary: DepartmentSummary, lang: Lang) => {
  const t = LABELS[lang];
  return `${t.title} — ${t.period}${t.colon}${summary.from} ~ ${summary.to} — ${t.amountsIn}`;
};

/** The summary as CSV: the header, the rows, the total (amounts in yuan, two decimals). */
export function departmentSummaryCsv(summary: DepartmentSummary, lang: Lang): string {
  const { header, rows, total } = table(summary, lang, formatFen);
  return csvText([header, ...rows, total]);
}

/** The summary as an XLSX workbook: a title, the header, the rows and the total (bold), then the note. */
export async function departmentSummaryXlsx(summary: DepartmentSummary, lang: Lang): Promise<Buffer> {
  const { t, header, rows, total } = table(summary, lang, (fen) => fen / 100);
  const workbook = new ExcelJS.Workbook();
  workbook.created = new Date(`${summary.to}T00:00:00+08:00`);
  const sheet = workbook.addWorksheet(t.title.slice(0, 31));
  for (const line of [periodLine(summary, lang), t.byDate]) sheet.addRow([line]).font = { bold: true };
  sheet.addRow(header).font = { bold: true };
  for (const row of rows) sheet.addRow(row);
  sheet.addRow(total).font = { bold: true };
  sheet.addRow([]);
  sheet.addRow([t.note]);
  sheet.columns.forEach((column, i) => {
    column.width = i < 2 ? 28 : 14;
    if (i >= 2 && i % 2 === 1) column.numFmt = '#,##0.00';
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The template of the summary's PDF in the service's template environment (src/http/templates.ts). */
export const DEPARTMENT_SUMMARY_TEMPLATE = 'subsidies/department-summary';

/** The view of the summary's PDF (A4 landscape; every value escaped by the template). */
export function departmentSummaryView(summary: DepartmentSummary, lang: Lang): object {
  const { t, header, rows, total } = table(summary, lang, yuanDigits);
  const cells = (row: (string | number)[]) => row.map((value, i) => ({ value: String(value), num: i >= 2 }));
  return {
    lang: lang === 'en' ? 'en' : 'zh-CN', t, title: `${t.title} ${summary.from}~${summary.to}`, period: `${summary.from} ~ ${summary.to}`,
    header, rows: rows.map(cells), total: cells(total), empty: rows.length === 0,
  };
}

/** The file names of a download: an ASCII fallback and the Chinese name. */
export function departmentSummaryFileNames(summary: DepartmentSummary): { base: string; name: string } {
  const tail = `${summary.programme ? `${summary.programme}-` : ''}${summary.from}-${summary.to}`;
  return { base: `subsidy-summary-${tail}`, name: `补贴申请汇总-${tail}` };
}
