// Helpers the pages share: the quote list and quote page data, the pool table and own share of a
// quote or policy page, a rate table's title, and the policy page's subsidy panel. Page modules
// (*-pages.ts) import these; no page module imports another page module.
import { randomUUID } from 'node:crypto';
import { subsidyReaders } from '../auth/access-rules.ts';
import type { Caller } from '../auth/caller.ts';
import type { RateTable } from '../catalogue/rate-tables.ts';
import type { PoolShareView } from '../pools/pool-schemas.ts';
import { nextActions } from '../quotes/quote-actions.ts';
import type { QuoteSummary, QuoteView } from '../quotes/quote-service.ts';
import { chinaDate } from '../rating/calendar.ts';
import { AppError } from '../http/app-error.ts';
import type { Request, Response } from 'express';
import { attachmentHeaders } from '../http/file-reply.ts';
import { coverView, ruleFiguresView, stateView, type PageNames } from './cover-view.ts';
import type { PageRequest } from './page-pipeline.ts';
import { buildResultView } from './result-view.ts';
import { buildPickFields, formatYuan, type FormErrors, type FormValues } from './web-forms.ts';
import { nameIn, pick, translate, type Lang } from './web-messages.ts';
import type { Services } from '../service.ts';
import { premiumRefusal, type PremiumFacts } from '../subsidies/subsidy-actions.ts';

/** Product names by code, in the reader's language (products in force today). */
export async function productNames(services: Services, lang: Lang): Promise<Map<string, string>> {
  const items = await services.catalogue.listCatalogue({ date: chinaDate(new Date()), lang });
  return new Map(items.map((i) => [i.code, i.title]));
}

/** The `after` cursor a list page was asked for (`?after=`), when there is one: log-pages.ts checks it (400 otherwise). */
export function pageCursor(query: Record<string, unknown>): string | undefined {
  return typeof query.after === 'string' && query.after !== '' ? query.after : undefined;
}

/** The link to a list page's next page (keeping its other query parameters), when there is one. */
export function nextPageHref(path: string, next: string | undefined, params: Record<string, string> = {}): string | undefined {
  return next ? `${path}?${new URLSearchParams({ ...params, after: next }).toString()}` : undefined;
}

/**
 * The offset a table page was asked for (`?<name>=`): a whole number below 10,000,000, else 0; past
 * the end of a table of `total` rows (when known), the last page's start.
 */
export function askedOffset(asked: unknown, size: number, total = Number.MAX_SAFE_INTEGER): number {
  const n = typeof asked === 'string' && /^\d{1,7}$/.test(asked) ? Number(asked) : 0;
  return Math.min(n, Math.max(0, Math.ceil(total / size) - 1) * size);
}

/**
 * The pager of a table page at `offset` (a subsidy year's rows, a qualification list's): the count
 * line when the table is longer than a page, and the previous and next links
 * (templates/pages/partials/pager.hbs); `href` makes a link from an offset, keeping the page's
 * other parameters.
 */
export function offsetPager(offset: number, size: number, total: number, lang: Lang, href: (offset: number) => string): { shown?: string; previous?: string; next?: string } {
  const to = Math.min(offset + size, total);
  return {
    ...(total > size ? { shown: translate('rowsShown', lang, { from: offset + 1, to, total }) } : {}),
    ...(offset > 0 ? { previous: href(Math.max(0, offset - size)) } : {}),
    ...(to < total ? { next: href(to) } : {}),
  };
}

/** Rows of a quote list (`/quotes` and the referral queue). */
export function quoteRows(quotes: readonly QuoteSummary[], lang: Lang, products: ReadonlyMap<string, string>, enterprises: ReadonlyMap<string, string> = new Map()) {
  return quotes.map((q) => ({
    id: q.id, quoteNumber: q.quoteNumber, productName: products.get(q.productCode) ?? q.productCode, enterpriseName: enterprises.get(q.enterpriseId) ?? q.enterpriseName, quoteDate: q.quoteDate,
    // A declined quote is no offer: no premium in the list either.
    status: translate(`status_${q.status}`, lang), expired: q.expired && q.status !== 'declined', gross: q.status === 'declined' ? '—' : formatYuan(q.grossPremiumFen),
  }));
}

/** The quote page's data; underwriters deciding a referral get the coefficient inputs and their errors. */
export function quotePageData(quote: QuoteView, names: PageNames, caller: Caller, lang: Lang, values: FormValues = {}, errors: FormErrors = {}) {
  // What the caller may do next is the quotes room's rule (the API refuses by the same one).
  const actions = nextActions(caller, quote);
  const underwriter = actions.decide;
  const declined = quote.status === 'declined';
  const { pool, myShare } = poolPageData(quote, lang);
  return {
    title: `${translate('quoteNumber', lang)} ${quote.quoteNumber}`,
    langPath: `/quotes/${quote.id}`,
    quote: { ...quote, enterpriseName: names.enterpriseName || quote.enterpriseName, statusLabel: translate(`status_${quote.status}`, lang), expired: quote.expired && !declined, productName: pick(names.productName, lang) },
    state: stateView(quote, names, lang),
    cover: coverView(quote, names, lang),
    ruleFigures: quote.status === 'referred' || underwriter ? ruleFiguresView(quote.result, quote.inputs, names, lang) : [],
    result: { ...buildResultView(quote.result, lang, { fields: names.fields, insurers: names.insurers, offer: !declined }), ...(pool.length && !declined ? { pool } : {}) },
    myShare: declined ? undefined : myShare,
    offer: !declined,
    canBind: actions.bind,
    canDecide: actions.decide,
    canDownload: actions.download,
    pickFields: underwriter ? buildPickFields(quote.result, () => true, values, errors, lang, true) : [],
    note: values.note ?? '',
    reason: values.reason ?? '',
    decisionErrors: Object.entries(errors).map(([path, message]) => ({ path, message, label: quote.result.worksheet.find((w) => `picks.${w.step}` === path)?.label })).map((e) => ({ message: e.message, label: e.label ? pick(e.label, lang) : '' })),
  };
}

/** The pool table of a quote or policy page (insurers by name) and the caller's own share. */
export function poolPageData(view: { poolShares?: PoolShareView[]; myShare?: PoolShareView }, lang: Lang) {
  const name = (s: PoolShareView) => nameIn({ name: s.insurerName ?? s.insurer, nameEn: s.insurerNameEn }, lang);
  const pool = (view.poolShares ?? []).map((s) => ({ insurer: name(s), role: translate(`role_${s.role}`, lang), sharePercent: s.sharePercent, gross: formatYuan(s.grossPremiumFen) }));
  const mine = view.myShare;
  const myShare = mine && {
    note: mine.role === 'lead' ? translate('myShareNoteLead', lang, { share: mine.sharePercent }) : translate('myShareNote', lang, { role: translate(`role_${mine.role}`, lang), share: mine.sharePercent }),
    role: mine.role, gross: formatYuan(mine.grossPremiumFen), net: formatYuan(mine.netPremiumFen), vat: formatYuan(mine.vatFen),
    limits: [...new Set((mine.limits ?? []).filter((l) => l.kind === 'aggregate').map((l) => formatYuan(l.amountFen)))].join(' / '),
  };
  return { pool, myShare };
}

/** The title of a table in the page language: the product's own label, else the message for its kind. */
export function tableTitle(table: RateTable, lang: Lang): string {
  const own = table.title ? pick(table.title, lang) : undefined;
  if (table.kind === 'limits') return `${translate('table_limits', lang)} · ${own ?? ''}`;
  return own ?? translate(`table_${table.kind}`, lang);
}

/** A status form sent back: which application and form, what was typed, and the errors by field name. */
export interface SubsidyFormState {
  programme: string;
  status: string;
  values: Record<string, string>;
  errors: Record<string, string>;
}

/** The fields of one status form as typed (or their defaults) and their errors, for the template. */
function formFields(state: SubsidyFormState | undefined, programme: string, status: string, defaults: Record<string, string>) {
  const mine = state && state.programme === programme && state.status === status ? state : undefined;
  const value = (name: string) => mine?.values[name] ?? defaults[name] ?? '';
  return { value: { on: value('on'), reference: value('reference'), grantedYuan: value('grantedYuan'), reason: value('reason') }, error: mine?.errors ?? {} };
}

/** The policy page's subsidy panel, or undefined for roles that do not apply for subsidies. */
export async function subsidyPanel(services: Services, caller: Caller, policyId: string, lang: Lang, form?: SubsidyFormState, premium?: PremiumFacts): Promise<Record<string, unknown> | undefined> {
  if (!subsidyReaders.includes(caller.role)) return undefined;
  const list = await services.subsidies.listApplications(caller, policyId);
  const today = chinaDate(new Date());
  // Submission waits for the premium in full (#26): the form shows once it is, a note says why until then.
  const awaiting = premium ? premiumRefusal(premium) : undefined;
  return {
    policyId,
    ...(awaiting && list.items.some((a) => a.status === 'prepared') ? { awaitingPremium: translate('subsidy_awaitingPremium', lang, { received: formatYuan(awaiting.receivedFen), gross: formatYuan(awaiting.grossFen) }) } : {}),
    zipHref: `/policies/${policyId}/subsidy-applications.zip`,
    // What the caller may record next, as the subsidies service rules it (src/subsidies/subsidy-actions.ts).
    items: list.items.map((a) => ({ a, next: services.subsidies.applicationActions(caller, a, premium) })).map(({ a, next }) => ({
      ...a,
      nameText: pick(a.name, lang),
      departmentText: pick(a.department, lang),
      expected: formatYuan(a.expectedFen),
      expectedYuan: (a.expectedFen / 100).toFixed(2),
      statusText: translate(`subsidy_status_${a.status}`, lang),
      outcomeText: outcomeText(a, lang),
      pdfHref: `/policies/${policyId}/subsidy-applications/${a.programme}/pdf`,
      actionHref: `/policies/${policyId}/subsidy-applications/${a.programme}/status`,
      submitForm: formFields(form, a.programme, 'submitted', { on: today }),
      withdrawForm: formFields(form, a.programme, 'withdrawn', { on: today }),
      canSubmit: next.submit,
      // The outcome is the department's (#27): the enterprise and its broker may withdraw before it.
      canWithdraw: next.withdraw,
      // One key per rendered form: a double-clicked or re-sent form is recorded once.
      submitKey: randomUUID(), withdrawKey: randomUUID(),
    })),
    today,
  };
}

const FILE_TYPES = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', pdf: 'application/pdf' } as const;
type FileFormat = keyof typeof FILE_TYPES;

/** A report's files (pool statement, tech-insurance report, department summary): its names without extension and how each format is made in a language. */
export interface ReportFiles {
  /** ASCII name and the name in Chinese, without extension. */
  base: string;
  name: string;
  /** The format sent when `?format=` names none the report has. */
  fallback: FileFormat;
  csv?: (lang: Lang) => string | Buffer;
  xlsx?: (lang: Lang) => Promise<Buffer>;
  pdf?: { template: string; view: (lang: Lang) => object; date: Date };
}

/**
 * Sends a report's file in `?format=` (else its fallback), in the language `?lang=` asks (else the
 * page's); a PDF without a renderer composed is a 503 in the reader's language.
 */
export async function sendReportFile({ req, res, lang, services }: PageRequest, files: ReportFiles): Promise<void> {
  const fileLang: Lang = req.query.lang === 'en' ? 'en' : req.query.lang === 'zh-CN' ? 'zh-CN' : lang;
  const asked = req.query.format;
  const format: FileFormat = (asked === 'csv' || asked === 'xlsx' || asked === 'pdf') && files[asked] ? asked : files.fallback;
  let bytes: string | Buffer;
  if (format === 'pdf') {
    if (!services.renderer) throw new AppError('unavailable', translate('pdfUnavailable', lang));
    bytes = await services.documents.renderTemplatePdf(files.pdf!.template, files.pdf!.view(fileLang), files.name, files.pdf!.date);
  } else bytes = format === 'csv' ? files.csv!(fileLang) : await files.xlsx!(fileLang);
  sendAttachment(res, { fileName: `${files.name}.${format}`, asciiFileName: `${files.base}.${format}`, bytes }, FILE_TYPES[format]);
}

/** The language a PDF download asks for (`?pdfLang=en`; Chinese otherwise), apart from the page's. */
export const pdfLang = (req: Request): Lang => (req.query.pdfLang === 'en' ? 'en' : 'zh-CN');

/** A PDF download (quote, schedule, 批单, 退保批单): its names in Content-Disposition, never cached by the browser. */
export function sendPdf(res: Response, file: { fileName: string; asciiFileName: string; bytes?: Buffer | null | undefined }): void {
  sendAttachment(res, file, 'application/pdf');
}

/** A download (a PDF, a sheet, a zip): its names in Content-Disposition, never cached by the browser (http/file-reply.ts's headers, as the API's). */
export function sendAttachment(res: Response, file: { fileName: string; asciiFileName: string; bytes?: Buffer | string | null | undefined }, contentType: string): void {
  res.status(200).set({ 'Content-Type': contentType, ...attachmentHeaders(file) }).send(file.bytes ?? Buffer.alloc(0));
}

/** What an application's outcome reads: granted (with the department's reference when asked), refused with its reason, withdrawn; who recorded it when the enterprise did. */
export function outcomeText(a: { status: string; grantedFen?: number | undefined; refusalReason?: string | undefined; decidedOn?: string | undefined; decidedBy?: string | undefined; decisionReference?: string | undefined }, lang: Lang, withReference = false): string {
  const outcome = a.status === 'granted'
    ? `${translate('subsidy_granted', lang, { amount: formatYuan(a.grantedFen ?? 0) })}${withReference && a.decisionReference ? ` · ${a.decisionReference}` : ''}`
    : a.status === 'refused' ? translate('subsidy_refused', lang, { reason: a.refusalReason ?? '' })
      : a.status === 'withdrawn' ? translate('subsidy_withdrawn', lang, { on: a.decidedOn ?? '' }) : '';
  return [outcome, outcome && a.decidedBy === 'enterprise' ? translate('subsidy_recordedByEnterprise', lang) : ''].filter(Boolean).join(' ');
}

/** The programmes a department's filters offer (its own; every one for a platform admin), by name, the one asked selected. */
export async function programmeOptions(services: Services, caller: Caller, selected: string | undefined, lang: Lang) {
  const programmes = await services.subsidies.programmesByCode();
  const own = caller.authority ? caller.authority.programmes : [...programmes.keys()];
  return own.map((code) => ({ value: code, label: programmes.get(code) ? pick(programmes.get(code)!.name, lang) : code, selected: selected === code }));
}
