// The insurers' report as files: XLSX (exceljs; headers in the reader's language, names as text
// cells, amounts as numbers in yuan) and the view its PDF is rendered from
// (templates/reports/tech-insurance.hbs, through the documents capability's renderer; Chinese by
// default). The report is small (lines × provinces × two kinds of business), so both are made whole.
import ExcelJS from 'exceljs';
import type { Lang } from '../http/common-schemas.ts';
import { yuanDigits } from '../i18n/format.ts';
import { nameIn, pick } from '../i18n/pick.ts';
import type { ReportBusiness, ReportFigures } from './tech-insurance-book.ts';
import type { TechInsuranceReport } from './tech-insurance-report.ts';

const LABELS = {
  'zh-CN': {
    title: '科技保险业务统计报表', insurer: '保险人', period: '报告期', colon: '：', amountsIn: '金额单位：元', writtenBy: '按签单日期（北京时间）统计本期签发的保单',
    line: '险种', province: '地区（省级）', business: '业务类型', policies: '保单件数', enterprises: '承保企业数', gross: '保费收入（含税）', net: '不含税保费',
    refunded: '退保保费', sumInsured: '保险金额', claims: '已付赔款', subsidies: '已获保费补贴', subtotalOf: '小计：{business}', total: '合计', notes: '说明', none: '本期无签发保单。',
    sole: '独家承保', 'pool-own-share': '共保业务（本方份额）', H1: '{year}年上半年', H2: '{year}年下半年', year: '{year}年度',
    enterprisesNote: '合计及小计中的承保企业数按企业去重，可能小于各行之和；共保业务各列均为本公司份额。',
  },
  en: {
    title: 'Tech insurance business report', insurer: 'Insurer', period: 'Period', colon: ': ', amountsIn: 'Amounts in CNY', writtenBy: 'Policies issued in the period, by issue date (China time)',
    line: 'Line', province: 'Region (province)', business: 'Business', policies: 'Policies', enterprises: 'Enterprises covered', gross: 'Gross premium written', net: 'Net premium written',
    refunded: 'Premium refunded', sumInsured: 'Sum insured', claims: 'Claims paid', subsidies: 'Subsidies granted', subtotalOf: 'Subtotal: {business}', total: 'Total', notes: 'Notes', none: 'No policies were issued in this period.',
    sole: 'Sole business', 'pool-own-share': 'Own share of pool business', H1: 'first half of {year}', H2: 'second half of {year}', year: 'year {year}',
    enterprisesNote: 'Enterprises in subtotals and the total are counted once each, so they may be fewer than the rows\' sum; every column of pool business is our own share.',
  },
} as const;

type Labels = typeof LABELS[Lang];

/** The period as a reader says it: 2026年上半年 (2026-01-01 ~ 2026-06-30). */
export function periodText(report: TechInsuranceReport, lang: Lang): string {
  const t = LABELS[lang];
  const { code, from, to } = report.period;
  const name = (code.endsWith('H1') ? t.H1 : code.endsWith('H2') ? t.H2 : t.year).replace('{year}', code.slice(0, 4));
  return `${name} (${from} ~ ${to})`;
}

/** The columns of every format, in order: names first, then counts and amounts. */
function table(report: TechInsuranceReport, lang: Lang, money: (fen: number) => string | number) {
  const t: Labels = LABELS[lang];
  const header = [t.line, t.province, t.business, t.policies, t.enterprises, t.gross, t.net, t.refunded, t.sumInsured, t.claims, t.subsidies];
  const figures = (x: ReportFigures) => [x.policies, x.enterprises, money(x.grossPremiumFen), money(x.netPremiumFen), money(x.refundedPremiumFen), money(x.sumInsuredFen), money(x.claimsPaidFen), money(x.subsidiesGrantedFen)];
  const businessName = (b: ReportBusiness) => t[b];
  const rows = report.rows.map((r) => [pick(r.lineName, lang), pick(r.provinceName, lang), businessName(r.business), ...figures(r)]);
  const totals = [
    ...report.subtotals.map((s) => [t.subtotalOf.replace('{business}', businessName(s.business)), '', '', ...figures(s)]),
    [t.total, '', '', ...figures(report.totals)],
  ];
  const notes = [...report.notes.map((n) => pick(n.text, lang)), t.enterprisesNote];
  return { t, header, rows, totals, notes };
}

const headLines = (report: TechInsuranceReport, lang: Lang) => {
  const t = LABELS[lang];
  return [`${t.title} — ${t.insurer}${t.colon}${nameIn(report.insurer, lang)} — ${t.period}${t.colon}${periodText(report, lang)} — ${t.amountsIn}`, t.writtenBy];
};

/** The report as an XLSX workbook: a title, the header, the rows, subtotals and total (bold), then the notes. */
export async function techInsuranceXlsx(report: TechInsuranceReport, lang: Lang): Promise<Buffer> {
  const { t, header, rows, totals, notes } = table(report, lang, (fen) => fen / 100);
  const workbook = new ExcelJS.Workbook();
  workbook.created = new Date(`${report.period.to}T00:00:00+08:00`);
  const sheet = workbook.addWorksheet(t.title);
  for (const line of headLines(report, lang)) sheet.addRow([line]).font = { bold: true };
  sheet.addRow(header).font = { bold: true };
  for (const row of rows) sheet.addRow(row);
  for (const row of totals) sheet.addRow(row).font = { bold: true };
  sheet.addRow([]);
  sheet.addRow([t.notes]).font = { bold: true };
  for (const note of notes) sheet.addRow([note]);
  sheet.columns.forEach((column, i) => {
    column.width = i < 3 ? 24 : 16;
    if (i >= 5) column.numFmt = '#,##0.00';
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The template of the report's PDF in the service's template environment (src/http/templates.ts). */
export const TECH_INSURANCE_TEMPLATE = 'reports/tech-insurance';

/** The view of the report's PDF (A4 landscape; every value escaped by the template). */
export function techInsuranceView(report: TechInsuranceReport, lang: Lang): object {
  const { t, header, rows, totals, notes } = table(report, lang, yuanDigits);
  const insurer = nameIn(report.insurer, lang);
  const cells = (row: (string | number)[]) => row.map((value, i) => ({ value: String(value), num: i >= 3 }));
  return {
    lang: lang === 'en' ? 'en' : 'zh-CN', t, title: `${t.title} ${insurer} ${report.period.code}`, insurer, period: periodText(report, lang),
    header, rows: rows.map(cells), totals: totals.map(cells), notes, empty: rows.length === 0,
  };
}

/** The file names of a download: an ASCII fallback and the Chinese name. */
export function reportFileNames(report: TechInsuranceReport): { base: string; name: string } {
  return { base: `tech-insurance-report-${report.insurer.code}-${report.period.code}`, name: `科技保险业务统计-${report.insurer.code}-${report.period.code}` };
}
