// A department's summary page (#27): `/subsidy-summary` with a period (from, to) and programme
// picker, the table per programme and province with the total, and the downloads
// (`/subsidy-summary/file`: CSV, XLSX or PDF in the page's language). Every figure comes from
// services.subsidies.departmentSummary, as the API's; a platform admin sees every programme.
import type { Request } from 'express';
import { applicationReviewers } from '../auth/access-rules.ts';
import { departmentSummaryCsv, departmentSummaryFileNames, departmentSummaryView, departmentSummaryXlsx, DEPARTMENT_SUMMARY_TEMPLATE } from '../subsidies/department-summary-files.ts';
import type { DepartmentSummary, SummaryFigures } from '../subsidies/department-summary.ts';
import type { PagePipeline } from './page-pipeline.ts';
import { programmeOptions, sendReportFile } from './page-helpers.ts';
import { formatYuan } from './web-forms.ts';
import { pick, translate, type Lang } from './web-messages.ts';

const DATE = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
const PROGRAMME = /^[A-Z][A-Z0-9-]{0,63}$/;
const queryOf = (req: Request) => ({
  ...(typeof req.query.from === 'string' && DATE.test(req.query.from) ? { from: req.query.from } : {}),
  ...(typeof req.query.to === 'string' && DATE.test(req.query.to) ? { to: req.query.to } : {}),
  ...(typeof req.query.programme === 'string' && PROGRAMME.test(req.query.programme) ? { programme: req.query.programme } : {}),
});

const pair = (count: number, fen: number, lang: Lang) => translate('sum_countAmount', lang, { count: String(count), amount: formatYuan(fen) });
const figures = (x: SummaryFigures, lang: Lang) => ({
  applications: x.applications, applied: formatYuan(x.appliedFen), granted: pair(x.granted, x.grantedFen, lang), refused: pair(x.refused, x.refusedFen, lang),
  pending: pair(x.pending, x.pendingFen, lang), withdrawn: pair(x.withdrawn, x.withdrawnFen, lang),
});

function pageData(summary: DepartmentSummary, lang: Lang) {
  const query = new URLSearchParams({ from: summary.from, to: summary.to, ...(summary.programme ? { programme: summary.programme } : {}), lang });
  return {
    title: translate('sum_title', lang), from: summary.from, to: summary.to,
    rows: summary.rows.map((r) => ({ programme: pick(r.programmeName, lang), province: pick(r.provinceName, lang), ...figures(r, lang) })),
    totals: figures(summary.totals, lang),
    downloads: ['csv', 'xlsx', 'pdf'].map((format) => ({ format, label: format.toUpperCase(), href: `/subsidy-summary/file?${query.toString()}&format=${format}` })),
  };
}

/** Mounts `/subsidy-summary` (the summary for a period) and `/subsidy-summary/file` (CSV, XLSX or PDF). */
export function mountSummaryPages({ page, services }: PagePipeline): void {
  page('get', '/subsidy-summary', applicationReviewers, async ({ req, caller, lang, render }) => {
    const query = queryOf(req);
    const [summary, programmes] = await Promise.all([services.subsidies.departmentSummary(caller, query), programmeOptions(services, caller, query.programme, lang)]);
    render('subsidy-summary', {
      ...pageData(summary, lang),
      programmes,
    });
  });

  page('get', '/subsidy-summary/file', applicationReviewers, async (request) => {
    const summary = await services.subsidies.departmentSummary(request.caller, queryOf(request.req));
    await sendReportFile(request, {
      ...departmentSummaryFileNames(summary), fallback: 'xlsx',
      csv: (lang) => departmentSummaryCsv(summary, lang), xlsx: (lang) => departmentSummaryXlsx(summary, lang),
      pdf: { template: DEPARTMENT_SUMMARY_TEMPLATE, view: (lang) => departmentSummaryView(summary, lang), date: new Date(`${summary.to}T00:00:00+08:00`) },
    });
  });
}
