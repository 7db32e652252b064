import { applicationReviewers } from '../auth/access-rules.ts';
import { fileReply, XLSX_TYPE } from '../http/file-reply.ts';
import { DATE_PATTERN as DATE, langSchema } from '../http/common-schemas.ts';
import { defineRoute, type RouteDefinition } from '../http/route.ts';
import type { Services } from '../service.ts';
import { departmentSummaryCsv, departmentSummaryFileNames, departmentSummaryView, departmentSummaryXlsx, DEPARTMENT_SUMMARY_TEMPLATE } from './department-summary-files.ts';
import { departmentSummarySchema } from './summary-schemas.ts';


/** GET /v1/subsidies/summary: a department's (or a platform admin's) summary of applications as JSON, CSV, XLSX or PDF (#27). */
export function summaryRoutes({ subsidies, documents }: Pick<Services, 'subsidies' | 'documents'>): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get', path: '/v1/subsidies/summary', operationId: 'getSubsidySummary', tags: ['Subsidy departments'],
      summary: 'A department\'s summary of the subsidy applications of its programmes from its regions, submitted in a period: per programme and province, applications and the amounts applied for, granted, refused, pending and withdrawn; JSON, CSV, XLSX or PDF',
      access: applicationReviewers,
      query: {
        type: 'object', additionalProperties: false,
        properties: {
          from: { type: 'string', pattern: DATE, description: 'First submission date counted (YYYY-MM-DD, China); default 1 January of `to`\'s year (or of this year).' },
          to: { type: 'string', pattern: DATE, description: 'Last submission date counted (YYYY-MM-DD, China, inclusive); default today (or 31 December of `from`\'s year when that is an earlier year).' },
          programme: { type: 'string', pattern: '^[A-Z][A-Z0-9-]{0,63}$', description: 'Only this programme (one the department administers; another finds nothing).' },
          format: { type: 'string', enum: ['json', 'csv', 'xlsx', 'pdf'], default: 'json', description: 'json (default), csv, xlsx or pdf.' },
          lang: { ...langSchema, description: 'Language of the file\'s headings and names: zh-CN (default) or en.' },
        },
      } as const,
      success: { status: 200, description: 'The summary (JSON; with format=csv|xlsx|pdf, the file as an attachment). The totals are the sums of the rows.', schema: departmentSummarySchema },
      errors: [400, 403],
      handler: async ({ caller, query }) => {
        const summary = await subsidies.departmentSummary(caller, query);
        const format = query.format ?? 'json';
        if (format === 'json') return summary;
        const lang = query.lang ?? 'zh-CN';
        const { base, name } = departmentSummaryFileNames(summary);
        const file = (ext: string, bytes: Buffer | string) => ({ fileName: `${name}.${ext}`, asciiFileName: `${base}.${ext}`, bytes });
        if (format === 'csv') return fileReply(file('csv', departmentSummaryCsv(summary, lang)), 'text/csv; charset=utf-8');
        if (format === 'xlsx') return fileReply(file('xlsx', await departmentSummaryXlsx(summary, lang)), XLSX_TYPE);
        const pdf = await documents.renderTemplatePdf(DEPARTMENT_SUMMARY_TEMPLATE, departmentSummaryView(summary, lang), name, new Date(`${summary.to}T00:00:00+08:00`));
        return fileReply(file('pdf', pdf), 'application/pdf');
      },
    }),
  ];
}
