import { applicationDeciders, applicationReviewers } from '../auth/access-rules.ts';
import { documentQuerySchema, pdfHeaders } from '../documents/document-schemas.ts';
import { unavailable } from '../http/app-error.ts';
import { cursorPageQuery } from '../http/common-schemas.ts';
import { contentDisposition } from '../http/content-disposition.ts';
import { defineRoute, JsonReply, RawReply, type RouteDefinition } from '../http/route.ts';
import type { Services } from '../service.ts';
import { decisionRequestSchema, reviewedApplicationListSchema, reviewedApplicationSchema } from './review-schemas.ts';

const tags = ['Subsidy departments'];

const applicationIdParams = {
  type: 'object', required: ['id'], additionalProperties: false,
  properties: { id: { type: 'string', pattern: '^[0-9a-f]{24}-[A-Z][A-Z0-9-]{0,63}$', description: 'Application id: `<policy id>-<programme>`.' } },
} as const;

/** The departments' routes over subsidy applications (#27): their queue, one application, its policy schedule, the decision. */
export function reviewRoutes({ subsidies }: Pick<Services, 'subsidies'>): RouteDefinition[] {
  return [
    defineRoute({
      method: 'get', path: '/v1/subsidy-applications', operationId: 'listReviewedSubsidyApplications', summary: 'A department\'s queue: the submitted applications of its programmes from its regions', tags,
      access: applicationReviewers,
      query: cursorPageQuery({
        status: { type: 'string', enum: ['submitted', 'granted', 'refused', 'withdrawn'], description: 'Only applications now in this status (submitted: awaiting a decision).' },
        programme: { type: 'string', pattern: '^[A-Z][A-Z0-9-]{0,63}$', description: 'Only this programme (one the department administers; another finds nothing).' },
        region: { type: 'string', pattern: '^[0-9]{2}(?:[0-9]{2}){0,2}$', description: 'Only enterprises whose region code starts with this 2-, 4- or 6-digit prefix (within the department\'s regions; outside them nothing).' },
      }),
      success: { status: 200, description: 'A page of applications, programme by programme, newest first within each; `next` is the cursor of the next page.', schema: reviewedApplicationListSchema },
      handler: ({ caller, query }) => subsidies.listReviewedApplications(caller, { ...query, limit: query.limit ?? 50 }),
    }),
    defineRoute({
      method: 'get', path: '/v1/subsidy-applications/{id}', operationId: 'getReviewedSubsidyApplication', summary: 'One submitted application as its department reviews it (404 outside its programmes and regions)', tags,
      access: applicationReviewers,
      params: applicationIdParams,
      success: { status: 200, description: 'The application.', schema: reviewedApplicationSchema },
      handler: ({ caller, params }) => subsidies.getReviewedApplication(caller, params.id),
    }),
    defineRoute({
      method: 'get', path: '/v1/subsidy-applications/{id}/policy-schedule', operationId: 'getReviewedPolicySchedule', summary: 'The policy schedule (保单明细表) of an application, for the department it is filed with', tags,
      access: applicationReviewers,
      params: applicationIdParams,
      query: documentQuerySchema,
      headers: pdfHeaders,
      success: { status: 200, description: 'The stored policy schedule PDF.', contentType: 'application/pdf' },
      handler: async ({ caller, params, query, header }) => {
        if (!subsidies.applicationSchedule) throw unavailable('Policy schedules are not available in this process.');
        const file = await subsidies.applicationSchedule(caller, params.id, query.lang ?? 'zh-CN', header('if-none-match'));
        const headers = { ETag: file.etag, 'Cache-Control': 'private, no-cache', Vary: 'Authorization' };
        if (!file.bytes) return new RawReply('', 'application/pdf', headers, 304);
        return new RawReply(file.bytes, 'application/pdf', { ...headers, 'Content-Disposition': contentDisposition(file.fileName, file.asciiFileName) });
      },
    }),
    defineRoute({
      method: 'post', path: '/v1/subsidy-applications/{id}/decision', operationId: 'decideSubsidyApplication', summary: 'The department\'s decision, once: granted (at most the amount applied for) or refused (with a reason)', tags,
      access: applicationDeciders,
      params: applicationIdParams,
      body: decisionRequestSchema,
      success: { status: 201, description: 'The application as decided. A second decision (concurrent or later) is a 409.', schema: reviewedApplicationSchema },
      handler: async ({ caller, params, body }) => new JsonReply(await subsidies.decideApplication(caller, params.id, body), 201),
    }),
  ];
}
