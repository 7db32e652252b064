// A pool statement as files: CSV (the shared writer, src/http/csv-export.ts: a BOM so spreadsheet
// programs read the Chinese, formula-like cells neutralised), XLSX (names as text cells, never formulas) (exceljs, amounts as numbers in yuan) and the HTML the PDF is rendered from
// (templates/pools/statement.hbs, through the documents capability's renderer).
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Lang } from '../http/common-schemas.ts';
import { csvText, writeCsv } from '../http/csv-export.ts';
import { commitRow, streamedWorkbook } from '../http/xlsx-export.ts';
import { formatFen } from '../rating/index.ts';
import { yuanDigits } from '../i18n/format.ts';
import { nameIn, pick } from '../i18n/pick.ts';
import { nameOf } from '../i18n/messages.ts';
import type { PoolStatement, StatementMember, StatementRow, StatementTotals } from './pool-statement.ts';

const LABELS = {
  'zh-CN': {
    title: '共保结算清单', member: '共保成员', period: '期间', policyNumber: '保单号', product: '产品', line: '险种', enterprise: '被保险企业', issuedOn: '签单日期',
    start: '起保日期', end: '终保日期', gross: '保费（含税）', net: '不含税保费', vat: '增值税', role: '角色', share: '份额', myGross: '本方保费（含税）', myNet: '本方不含税保费',
    myVat: '本方增值税', lead: '首席', follower: '跟随', colon: '：', memberParts: '各成员份额', part: '第 {n}/{of} 部分', lineTotal: '险种合计', total: '总计', policies: '保单数', amountsIn: '金额单位：元', none: '本期间无共保保单。',
  },
  en: {
    title: 'Co-insurance pool statement', member: 'Pool member', period: 'Period', policyNumber: 'Policy number', product: 'Product', line: 'Line', enterprise: 'Insured enterprise', issuedOn: 'Issued on',
    start: 'Start', end: 'End', gross: 'Gross premium', net: 'Net premium', vat: 'VAT', role: 'Role', share: 'Share', myGross: 'Own gross', myNet: 'Own net',
    myVat: 'Own VAT', lead: 'Lead', follower: 'Follower', colon: ': ', memberParts: 'Each member’s part', part: 'part {n} of {of}', lineTotal: 'Line total', total: 'Total', policies: 'Policies', amountsIn: 'Amounts in CNY', none: 'No co-insured policies in this period.',
  },
} as const;

const yuan = (fen: number) => formatFen(fen);

/** A member's name in the statement's language (the Chinese name where no English one is known). */
const memberName = (member: StatementMember, lang: Lang) => nameIn(member, lang);
const lineName = (line: string, lang: Lang) => (line ? nameOf('line', line, lang) : '');

/** The header and the amounts of each policy, in the order every format lays them out. */
function table(statement: PoolStatement, lang: Lang, money: (fen: number) => string | number) {
  const t = LABELS[lang];
  const memberHeads = statement.members.flatMap((m) => [`${memberName(m, lang)} ${t.gross}`, `${memberName(m, lang)} ${t.net}`, `${memberName(m, lang)} ${t.vat}`]);
  const header = [t.policyNumber, t.product, t.line, t.enterprise, t.issuedOn, t.start, t.end, t.gross, t.net, t.vat, t.role, t.share, t.myGross, t.myNet, t.myVat, ...memberHeads];
  const memberCells = (row: StatementRow) => statement.members.flatMap((m) => {
    const part = row.members[m.insurer];
    return part ? [money(part.grossPremiumFen), money(part.netPremiumFen), money(part.vatFen)] : ['', '', ''];
  });
  const cellsOf = (row: StatementRow) => [
    row.policyNumber, pick(row.productName, lang), lineName(row.line, lang), nameIn({ name: row.enterpriseName, nameEn: row.enterpriseNameEn }, lang), row.issuedOn, row.startDate, row.endDate,
    money(row.grossPremiumFen), money(row.netPremiumFen), money(row.vatFen), t[row.share.role], `${row.share.sharePercent}%`,
    money(row.share.grossPremiumFen), money(row.share.netPremiumFen), money(row.share.vatFen), ...memberCells(row),
  ];
  // Rows are made one at a time where a file is streamed (cellsOf), all at once where it is not (rows).
  const totalRow = (label: string, line: string, x: StatementTotals) => [label, '', line, `${t.policies} ${x.policies}`, '', '', '', money(x.grossPremiumFen), money(x.netPremiumFen), money(x.vatFen), '', '', money(x.shareGrossFen), money(x.shareNetFen), money(x.shareVatFen)];
  const totals = [...statement.lineTotals.map((x) => totalRow(t.lineTotal, lineName(x.line, lang), x)), totalRow(t.total, '', statement.totals)];
  return { header, cellsOf, totals, get rows() { return statement.rows.map(cellsOf); } };
}

const titleLine = (statement: PoolStatement, lang: Lang) => {
  const t = LABELS[lang];
  return [`${t.title} — ${t.member}${t.colon}${memberName(statement.insurer, lang)} — ${t.period}${t.colon}${statement.from} ~ ${statement.to} — ${t.amountsIn}`];
};

/** The statement as CSV (UTF-8 with BOM): a title line, the policies, per-line totals and the total. */
export function statementCsv(statement: PoolStatement, lang: Lang): Buffer {
  const { header, rows, totals } = table(statement, lang, yuan);
  return Buffer.from(csvText([titleLine(statement, lang), header, ...rows, ...totals]), 'utf8');
}

/**
 * The same CSV written to `out` a row at a time (the shared writer's stream), waiting whenever
 * `out` is full: the file is never held whole, only the statement it is written from. Ends `out`.
 */
export async function writeStatementCsv(statement: PoolStatement, lang: Lang, out: Writable): Promise<void> {
  const { header, cellsOf, totals } = table(statement, lang, yuan);
  await writeCsv(out, (function* () {
    yield titleLine(statement, lang);
    yield header;
    for (const row of statement.rows) yield cellsOf(row);
    yield* totals;
  })());
}

/**
 * The same workbook written to `out` as it is made (exceljs's streaming writer: each row committed,
 * shared strings off), so the XLSX is never held whole. Ends `out`.
 */
export async function writeStatementXlsx(statement: PoolStatement, lang: Lang, out: Writable): Promise<void> {
  const t = LABELS[lang];
  const { header, cellsOf, totals } = table(statement, lang, (fen) => fen / 100);
  const workbook = streamedWorkbook(out);
  workbook.created = new Date(`${statement.to}T00:00:00+08:00`);
  const sheet = workbook.addWorksheet(t.title);
  sheet.columns = header.map((_, i) => ({ width: i < 7 ? 18 : 16, ...(i >= 7 ? { style: { numFmt: '#,##0.00' } } : {}) }));
  await commitRow(sheet, titleLine(statement, lang), out, true);
  await commitRow(sheet, header, out, true);
  for (const row of statement.rows) await commitRow(sheet, cellsOf(row), out);
  for (const cells of totals) await commitRow(sheet, cells, out, true);
  sheet.commit();
  await workbook.commit();
}

/** The statement as an XLSX workbook: amounts are numbers in yuan with two decimals. */
export async function statementXlsx(statement: PoolStatement, lang: Lang): Promise<Buffer> {
  const t = LABELS[lang];
  const { header, rows, totals } = table(statement, lang, (fen) => fen / 100);
  const workbook = new ExcelJS.Workbook();
  workbook.created = new Date(`${statement.to}T00:00:00+08:00`);
  const sheet = workbook.addWorksheet(t.title);
  sheet.addRow(titleLine(statement, lang)).font = { bold: true };
  sheet.addRow(header).font = { bold: true };
  for (const row of rows) sheet.addRow(row);
  for (const row of totals) sheet.addRow(row).font = { bold: true };
  sheet.columns.forEach((column, i) => {
    column.width = i < 7 ? 18 : 16;
    if (i >= 7) column.numFmt = '#,##0.00';
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Members side by side on one landscape page at most (three amounts each, beside the policy number). */
const MEMBERS_PER_PAGE = 4;

/** The template of the statement's PDF in the service's template environment (src/http/templates.ts). */
export const STATEMENT_TEMPLATE = 'pools/statement';

/**
 * The view of the statement's PDF (templates/pools/statement.hbs, every value escaped), laid out for A4 landscape:
 * the policies with the member's own share first, then every member's part in groups of
 * MEMBERS_PER_PAGE, each group a table of its own from a new page, keyed by policy number; the
 * header of every table repeats on each page it runs onto.
 */
export function statementView(statement: PoolStatement, lang: Lang): object {
  const t = LABELS[lang];
  const { header, rows, totals } = table(statement, lang, yuanDigits);
  const own = 15; // the columns before the members' (policy, amounts, own share)
  const member = memberName(statement.insurer, lang);
  const groups: { members: string[]; rows: string[][]; totals: string[] }[] = [];
  for (let first = 0; first < statement.members.length; first += MEMBERS_PER_PAGE) {
    const members = statement.members.slice(first, first + MEMBERS_PER_PAGE);
    const columns = (row: (string | number)[]) => row.slice(own + first * 3, own + (first + members.length) * 3).map(String);
    const sums = members.flatMap((m) => (['grossPremiumFen', 'netPremiumFen', 'vatFen'] as const).map((k) => yuanDigits(statement.rows.reduce((sum, r) => sum + (r.members[m.insurer]?.[k] ?? 0), 0))));
    groups.push({ members: members.map((m) => memberName(m, lang)), rows: rows.map((r) => [String(r[0]), ...columns(r)]), totals: [t.total, ...sums] });
  }
  const parts = groups.map((g, i) => ({ ...g, heading: `${t.memberParts}${groups.length > 1 ? ` ${t.part.replace('{n}', String(i + 1)).replace('{of}', String(groups.length))}` : ''}` }));
  return {
    lang: lang === 'en' ? 'en' : 'zh-CN', t, title: `${t.title} ${member} ${statement.from} ~ ${statement.to}`, member, statement,
    header: header.slice(0, own), rows: rows.map((r) => r.slice(0, own)), totals: totals.map((r) => r.slice(0, own)), parts, empty: rows.length === 0,
  };
}
