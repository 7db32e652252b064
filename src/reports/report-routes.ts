import { insurerReportReaders } from '../auth/access-rules.ts';
import { fileReply, XLSX_TYPE } from '../http/file-reply.ts';
import { langSchema } from '../http/common-schemas.ts';
import { defineRoute, type RouteDefinition } from '../http/route.ts';
import { REPORT_PERIOD_PATTERN } from '../rating/index.ts';
import type { Services } from '../service.ts';
import { techInsuranceReportSchema } from './report-schemas.ts';
import { reportFileNames, TECH_INSURANCE_TEMPLATE, techInsuranceView, techInsuranceXlsx } from './tech-insurance-files.ts';

/** GET /v1/reports/tech-insurance: an insurer's half-yearly or yearly report as JSON, XLSX or PDF (rendered by the documents service). */
export function reportRoutes({ reports, documents }: Pick<Services, 'reports' | 'documents'>): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get', path: '/v1/reports/tech-insurance', operationId: 'getTechInsuranceReport', tags: ['Reports'],
      summary: 'Your insurer\'s tech-insurance report (科技保险业务统计) for a half year or a year: per line and province, policies, enterprises, premium written (own share of pool business), refunds, sum insured, claims and subsidies; JSON, XLSX or PDF',
      access: insurerReportReaders,
      query: {
        type: 'object', additionalProperties: false,
        properties: {
          period: { type: 'string', pattern: REPORT_PERIOD_PATTERN, description: 'YYYYH1 (January–June), YYYYH2 (July–December) or YYYY (the year), by issue date in China time; default the current half year.' },
          insurer: { type: 'string', minLength: 1, maxLength: 32, description: 'The insurer\'s code (e.g. KCIC): a platform admin must name one; an insurer admin may name only its own (another: 403).' },
          format: { type: 'string', enum: ['json', 'xlsx', 'pdf'], default: 'json', description: 'json (default), xlsx or pdf.' },
          lang: { ...langSchema, description: 'Language of the file\'s headings: zh-CN (default) or en.' },
        },
      } as const,
      success: { status: 200, description: 'The report (JSON; with format=xlsx|pdf, the file as an attachment).', schema: techInsuranceReportSchema },
      errors: [400, 403, 404],
      handler: async ({ caller, query }) => {
        const report = await reports.techInsuranceReport(caller, query);
        const format = query.format ?? 'json';
        if (format === 'json') return report;
        const lang = query.lang ?? 'zh-CN';
        const { base, name } = reportFileNames(report);
        const file = (ext: string, bytes: Buffer) => ({ fileName: `${name}.${ext}`, asciiFileName: `${base}.${ext}`, bytes });
        if (format === 'xlsx') return fileReply(file('xlsx', await techInsuranceXlsx(report, lang)), XLSX_TYPE);
        const pdf = await documents.renderTemplatePdf(TECH_INSURANCE_TEMPLATE, techInsuranceView(report, lang), name, new Date(`${report.period.to}T00:00:00+08:00`));
        return fileReply(file('pdf', pdf), 'application/pdf');
      },
    }),
  ];
}
