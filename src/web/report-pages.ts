// The insurer's tech-insurance report page (#27): `/reports/tech-insurance` with a period picker
// (half years and years), the table per line, province and business with subtotals and the total,
// the notes, and the downloads (`/reports/tech-insurance/file`: XLSX or PDF in the page's language).
// A platform admin picks the insurer too. Every figure comes from services.reports, as the API's.
import type { Request } from 'express';
import { insurerReportReaders } from '../auth/access-rules.ts';
import type { Caller } from '../auth/caller.ts';
import { chinaDate, halfYearOf, REPORT_PERIOD_PATTERN } from '../rating/index.ts';
import { reportFileNames, TECH_INSURANCE_TEMPLATE, techInsuranceView, techInsuranceXlsx } from '../reports/tech-insurance-files.ts';
import type { ReportFigures } from '../reports/tech-insurance-book.ts';
import type { TechInsuranceReport } from '../reports/tech-insurance-report.ts';
import type { Services } from '../service.ts';
import type { PagePipeline } from './page-pipeline.ts';
import { sendReportFile } from './page-helpers.ts';
import { formatYuan } from './web-forms.ts';
import { nameIn, pick, translate, type Lang } from './web-messages.ts';

const PERIOD = new RegExp(REPORT_PERIOD_PATTERN);
const CODE = /^[A-Za-z0-9_-]{1,32}$/;
const queryOf = (req: Request) => ({
  ...(typeof req.query.period === 'string' && PERIOD.test(req.query.period) ? { period: req.query.period } : {}),
  ...(typeof req.query.insurer === 'string' && CODE.test(req.query.insurer) ? { insurer: req.query.insurer } : {}),
});

/** A period's name on the page: 2026年上半年 / First half of 2026. */
function periodName(code: string, lang: Lang): string {
  const kind = code.endsWith('H1') ? 'period_H1' : code.endsWith('H2') ? 'period_H2' : 'period_year';
  return translate(kind, lang, { year: code.slice(0, 4) });
}

/** The periods offered: this year and the three before, each as its halves and the whole year, newest first. */
function periodOptions(selected: string, now: Date, lang: Lang) {
  const year = Number(chinaDate(now).slice(0, 4));
  const codes = [0, 1, 2, 3].flatMap((back) => [`${year - back}H2`, `${year - back}H1`, `${year - back}`]);
  if (!codes.includes(selected)) codes.unshift(selected);
  return codes.map((code) => ({ value: code, label: periodName(code, lang), selected: code === selected }));
}

const figures = (x: ReportFigures) => ({
  policies: x.policies, enterprises: x.enterprises, gross: formatYuan(x.grossPremiumFen), net: formatYuan(x.netPremiumFen), refunded: formatYuan(x.refundedPremiumFen),
  sumInsured: formatYuan(x.sumInsuredFen), claims: formatYuan(x.claimsPaidFen), subsidies: formatYuan(x.subsidiesGrantedFen),
});

/** The insurers a platform admin may pick from (by name), the chosen one selected. */
async function insurerOptions(services: Services, caller: Caller, chosen: string | undefined, lang: Lang) {
  if (caller.role !== 'platform-admin') return undefined;
  const { items } = await services.auth.listOrganisations(caller, { kind: 'insurer', limit: 200, offset: 0 });
  return items.map((o) => ({ value: o.code, label: nameIn(o, lang), selected: o.code === chosen }));
}

function pageData(report: TechInsuranceReport | undefined, period: string, lang: Lang, insurer: string | undefined) {
  const business = (b: string) => translate(`business_${b}`, lang);
  const query = `period=${period}${insurer ? `&insurer=${insurer}` : ''}&lang=${lang}`;
  return {
    title: translate('techReport', lang),
    insurerName: report ? nameIn(report.insurer, lang) : '',
    periodName: report ? translate('periodWithDates', lang, { name: periodName(report.period.code, lang), from: report.period.from, to: report.period.to }) : '',
    rows: report?.rows.map((r) => ({ line: pick(r.lineName, lang), province: pick(r.provinceName, lang), business: business(r.business), pool: r.business === 'pool-own-share', ...figures(r) })) ?? [],
    subtotals: report?.subtotals.map((s) => ({ label: translate('rpt_subtotal', lang, { business: business(s.business) }), ...figures(s) })) ?? [],
    totals: report ? figures(report.totals) : undefined,
    notes: report?.notes.map((n) => pick(n.text, lang)) ?? [],
    downloads: report ? ['xlsx', 'pdf'].map((format) => ({ format, label: format.toUpperCase(), href: `/reports/tech-insurance/file?${query}&format=${format}` })) : [],
  };
}

/** Mounts `/reports/tech-insurance` (the report for a period) and `/reports/tech-insurance/file` (XLSX or PDF). */
export function mountReportPages({ page, services }: PagePipeline): void {
  page('get', '/reports/tech-insurance', insurerReportReaders, async ({ req, lang, caller, render }) => {
    const query = queryOf(req);
    const period = query.period ?? halfYearOf(chinaDate(new Date()));
    // A platform admin sees the picker first, and the report once it has named an insurer.
    const report = caller.role === 'platform-admin' && !query.insurer ? undefined : await services.reports.techInsuranceReport(caller, { ...query, period });
    render('tech-insurance-report', {
      ...pageData(report, period, lang, query.insurer),
      periods: periodOptions(period, new Date(), lang),
      insurers: await insurerOptions(services, caller, query.insurer, lang),
    });
  });

  page('get', '/reports/tech-insurance/file', insurerReportReaders, async (request) => {
    const report = await services.reports.techInsuranceReport(request.caller, queryOf(request.req));
    await sendReportFile(request, {
      ...reportFileNames(report), fallback: 'xlsx', xlsx: (lang) => techInsuranceXlsx(report, lang),
      pdf: { template: TECH_INSURANCE_TEMPLATE, view: (lang) => techInsuranceView(report, lang), date: new Date(`${report.period.to}T00:00:00+08:00`) },
    });
  });
}
