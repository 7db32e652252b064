import { poolMembers } from '../auth/access-rules.ts';
import { fileReply, streamAttachment, XLSX_TYPE } from '../http/file-reply.ts';
import { langSchema } from '../http/common-schemas.ts';
import type { Services } from '../service.ts';
import { defineRoute, type RouteDefinition } from '../http/route.ts';
import { poolStatementSchema } from './statement-schemas.ts';
import { STATEMENT_TEMPLATE, statementView, writeStatementCsv, writeStatementXlsx } from './statement-files.ts';

const tags = ['Pools'];

/** GET /v1/pools/statement: a member's pool statement as JSON, CSV, XLSX or PDF (rendered by the documents service). */
export function statementRoutes({ statements, documents }: Pick<Services, 'statements' | 'documents'>): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get', path: '/v1/pools/statement', operationId: 'getPoolStatement', summary: 'Your insurer\'s co-insurance pool statement (共保结算清单) for a period, as JSON, CSV, XLSX or PDF', tags,
      access: poolMembers,
      query: {
        type: 'object', additionalProperties: false,
        properties: {
          from: { type: 'string', format: 'date', description: 'First issue date (China time); default the first of this month.' },
          to: { type: 'string', format: 'date', description: 'Last issue date (China time); default today.' },
          format: { type: 'string', enum: ['json', 'csv', 'xlsx', 'pdf'], default: 'json', description: 'json (default), csv, xlsx or pdf.' },
          lang: { ...langSchema, description: 'Language of the file\'s headings: zh-CN (default) or en.' },
        },
      } as const,
      success: { status: 200, description: 'The statement (JSON; with format=csv|xlsx|pdf, the file as an attachment).', schema: poolStatementSchema },
      handler: async ({ caller, query, res }) => {
        const statement = await statements.poolStatement(caller, query);
        const format = query.format ?? 'json';
        if (format === 'json') return statement;
        const lang = query.lang ?? 'zh-CN';
        const base = `pool-statement-${statement.insurer.insurer}-${statement.from}-${statement.to}`;
        const name = `共保结算清单-${statement.insurer.insurer}-${statement.from}-${statement.to}`;
        const named = (ext: string) => ({ fileName: `${name}.${ext}`, asciiFileName: `${base}.${ext}` });
        if (format === 'csv' || format === 'xlsx') {
          // Streamed a row at a time: the file is never held whole (src/statements/statement-files.ts).
          return streamAttachment(res, named(format), format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE, (out) => (format === 'csv' ? writeStatementCsv : writeStatementXlsx)(statement, lang, out));
        }
        const pdf = await documents.renderTemplatePdf(STATEMENT_TEMPLATE, statementView(statement, lang), `${name}`, new Date(`${statement.to}T00:00:00+08:00`));
        return fileReply({ ...named('pdf'), bytes: pdf }, 'application/pdf');
      },
    }),
  ];
}
