// The subsidy pages' labels in both languages, kept beside (not inside) web-messages.ts; the
// pages pass them to their templates as `st`.
import type { Lang } from './web-messages.ts';

const subsidyMessages = {
  panelTitle: { zh: '补贴申请', en: 'Subsidy applications' },
  panelNote: { zh: '保费全额缴纳后，向受理部门提交申请材料；请在此登记提交及核定结果，年度上限将按实际拨付计算。', en: 'Once the full premium is paid, file each application with its department; record here when it was submitted and what was decided, so annual caps count what was really paid.' },
  programme: { zh: '补贴项目', en: 'Programme' },
  department: { zh: '受理部门', en: 'Department' },
  expected: { zh: '预计金额（元）', en: 'Expected (CNY)' },
  status: { zh: '状态', en: 'Status' },
  outcome: { zh: '核定结果', en: 'Outcome' },
  download: { zh: '下载申请材料', en: 'Download the application' },
  downloadZip: { zh: '下载全部申请材料（压缩包）', en: 'Download every application (ZIP)' },
  status_prepared: { zh: '待提交', en: 'Not yet submitted' },
  status_submitted: { zh: '已提交', en: 'Submitted' },
  status_granted: { zh: '已拨付', en: 'Granted' },
  status_refused: { zh: '未获批', en: 'Refused' },
  submittedOn: { zh: '提交日期', en: 'Submitted on' },
  decidedOn: { zh: '核定日期', en: 'Decided on' },
  reference: { zh: '受理编号（选填）', en: 'Reference (optional)' },
  markSubmitted: { zh: '登记已提交', en: 'Record as submitted' },
  grantedAmount: { zh: '实际拨付金额（元）', en: 'Amount granted (CNY)' },
  markGranted: { zh: '登记已拨付', en: 'Record the grant' },
  refusalReason: { zh: '未获批原因', en: 'Reason for refusal' },
  markRefused: { zh: '登记未获批', en: 'Record the refusal' },
  granted: { zh: '已拨付 {amount}', en: 'Granted {amount}' },
  refused: { zh: '未获批：{reason}', en: 'Refused: {reason}' },
  none: { zh: '该保单没有可申请的补贴。', en: 'This policy has no subsidy to apply for.' },
  yearTitle: { zh: '{year} 年度补贴', en: 'Subsidies of {year}' },
  yearNav: { zh: '补贴年度', en: 'Subsidy year' },
  year: { zh: '年度', en: 'Year' },
  show: { zh: '查看', en: 'Show' },
  enterprise: { zh: '企业', en: 'Enterprise' },
  applications: { zh: '申请数', en: 'Applications' },
  applied: { zh: '已申请（元）', en: 'Applied for (CNY)' },
  pending: { zh: '待核定（元）', en: 'Pending (CNY)' },
  grantedTotal: { zh: '已拨付（元）', en: 'Granted (CNY)' },
  refusedTotal: { zh: '未获批（元）', en: 'Refused (CNY)' },
  counted: { zh: '年度已计（元）', en: 'Counted this year (CNY)' },
  annualCap: { zh: '年度上限（元）', en: 'Annual cap (CNY)' },
  capRemaining: { zh: '上限余额（元）', en: 'Cap remaining (CNY)' },
  noCap: { zh: '无上限', en: 'no cap' },
  policy: { zh: '保单', en: 'Policy' },
  exportCsv: { zh: '导出 CSV', en: 'Export CSV' },
  exportXlsx: { zh: '导出 Excel', en: 'Export Excel' },
  badAmount: { zh: '金额格式不正确（例如 12345.67）。', en: 'The amount is not valid (e.g. 12345.67).' },
} as const satisfies Record<string, { zh: string; en: string }>;

/** Every subsidy label in one language, for a template's `st`. */
export function subsidyLabels(lang: Lang): Record<keyof typeof subsidyMessages, string> {
  return Object.fromEntries(Object.entries(subsidyMessages).map(([key, text]) => [key, lang === 'en' ? text.en : text.zh])) as Record<keyof typeof subsidyMessages, string>;
}

/** One label with `{name}` placeholders filled. */
export function subsidyText(key: keyof typeof subsidyMessages, lang: Lang, vars: Record<string, string> = {}): string {
  const text = lang === 'en' ? subsidyMessages[key].en : subsidyMessages[key].zh;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => vars[name] ?? '');
}
