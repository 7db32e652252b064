import { applicationPdfReaders, subsidyReaders, subsidyRecorders } from '../auth/access-rules.ts';
import { unavailable } from '../http/app-error.ts';
import { objectIdParams } from '../http/common-schemas.ts';
import { idempotencyKeyHeader, readIdempotencyKey } from '../http/idempotency.ts';
import type { Services } from '../service.ts';
import { defineRoute, JsonReply, type RouteDefinition } from '../http/route.ts';
import { fileReply, streamAttachment, XLSX_TYPE } from '../http/file-reply.ts';
import { applicationStatusRequestSchema, subsidyApplicationListSchema, subsidyApplicationSchema, subsidyYearSchema } from './subsidy-schemas.ts';

const tags = ['Subsidy applications'];

const policyParams = objectIdParams('Policy');
const applicationParams = {
  type: 'object', required: ['id', 'programme'], additionalProperties: false,
  properties: { ...policyParams.properties, programme: { type: 'string', pattern: '^[A-Z][A-Z0-9-]{0,63}$', description: 'Programme code.' } },
} as const;
const yearParams = {
  type: 'object', required: ['year'], additionalProperties: false,
  properties: { year: { type: 'string', pattern: '^20[0-9]{2}$', description: 'The year (YYYY).' } },
} as const;

/** The subsidy-application routes; PDFs and ZIPs through the capability's `documents` (503 without). */
export function subsidyRoutes({ subsidies }: Pick<Services, 'subsidies'>): RouteDefinition[] {
  const { documents } = subsidies;
  const available = () => {
    if (!documents) throw unavailable('Subsidy application PDFs are not available in this process.');
    return documents;
  };
  return [
    defineRoute({
      method: 'get', path: '/v1/policies/{id}/subsidy-applications', operationId: 'listSubsidyApplications', summary: 'A policy\'s subsidy applications, one per eligible programme, with amounts and status', tags,
      access: subsidyReaders,
      params: policyParams,
      success: { status: 200, description: 'The applications.', schema: subsidyApplicationListSchema },
      handler: ({ caller, params }) => subsidies.listApplications(caller, params.id),
    }),
    defineRoute({
      method: 'get', path: '/v1/policies/{id}/subsidy-applications.zip', operationId: 'getSubsidyApplicationsZip', summary: 'Every subsidy application of a policy (补贴申请材料), one PDF each, as a ZIP', tags,
      access: subsidyReaders,
      params: policyParams,
      success: { status: 200, description: 'The ZIP.', contentType: 'application/zip' },
      handler: async ({ caller, params }) => fileReply(await available().applicationsZip(caller, params.id), 'application/zip'),
    }),
    defineRoute({
      method: 'get', path: '/v1/policies/{id}/subsidy-applications/{programme}/pdf', operationId: 'getSubsidyApplicationPdf', summary: 'One subsidy application (补贴申请材料) as a PDF in Chinese', tags,
      access: applicationPdfReaders,
      params: applicationParams,
      success: { status: 200, description: 'The application PDF: form, calculation, policy schedule, papers checklist.', contentType: 'application/pdf' },
      handler: async ({ caller, params }) => fileReply(await available().applicationPdf(caller, params.id, params.programme), 'application/pdf'),
    }),
    defineRoute({
      method: 'post', path: '/v1/policies/{id}/subsidy-applications/{programme}/status', operationId: 'recordSubsidyApplicationStatus', summary: 'Record that an application was submitted, or withdraw it before a decision (granted and refused are the department\'s: 403)', tags,
      access: subsidyRecorders,
      params: applicationParams,
      headers: { 'Idempotency-Key': idempotencyKeyHeader },
      body: applicationStatusRequestSchema,
      success: { status: 200, description: 'The application as it now stands (Idempotent-Replayed: true when nothing changed).', schema: subsidyApplicationSchema },
      handler: async ({ caller, params, body, header }) => {
        const { application, changed } = await subsidies.recordApplicationStatus(caller, params.id, params.programme, body, readIdempotencyKey(header));
        return new JsonReply(application, 200, changed ? {} : { 'Idempotent-Replayed': 'true' });
      },
    }),
    defineRoute({
      method: 'get', path: '/v1/subsidies/years/{year}', operationId: 'getSubsidyYear', summary: 'The subsidy year: per enterprise and programme, applied for, granted, refused and annual cap remaining', tags,
      access: subsidyReaders,
      params: yearParams,
      success: { status: 200, description: 'The year.', schema: subsidyYearSchema },
      handler: ({ caller, params }) => subsidies.subsidyYear(caller, params.year),
    }),
    defineRoute({
      method: 'get', path: '/v1/subsidies/years/{year}/export', operationId: 'exportSubsidyYear', summary: 'The subsidy year as CSV or XLSX', tags,
      access: subsidyReaders,
      params: yearParams,
      query: { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: ['csv', 'xlsx'], default: 'csv', description: 'csv (default) or xlsx.' } } } as const,
      success: { status: 200, description: 'The rows (CSV) or rows and applications (XLSX).', contentType: 'text/csv' },
      handler: async ({ caller, params, query, res }) => {
        const year = await subsidies.subsidyYear(caller, params.year);
        const format = query.format ?? 'csv';
        // Streamed a row at a time: the file is never held whole (subsidy-year-service.ts writeSubsidyYear).
        return streamAttachment(res, { fileName: `补贴年度-${params.year}.${format}`, asciiFileName: `subsidies-${params.year}.${format}` }, format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE, (out) => subsidies.writeSubsidyYear(year, format, out));
      },
    }),
  ];
}
