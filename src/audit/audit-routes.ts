import { cursorPageQuery, langSchema } from '../http/common-schemas.ts';
import type { Services } from '../service.ts';
import { defineRoute } from '../http/route.ts';
import { auditEntityKinds, auditTrailSchema } from './audit-schemas.ts';

export const auditRoutes = ({ audit }: Pick<Services, 'audit'>) => [
  defineRoute({
    method: 'get', path: '/v1/audit', operationId: 'readAuditTrail', summary: 'Who did what to a record you may see (404 otherwise)', tags: ['Audit'],
    access: 'signed-in',
    query: {
      ...cursorPageQuery({
        entity: { type: 'string', enum: auditEntityKinds, description: 'Kind of record.' },
        id: { type: 'string', minLength: 1, maxLength: 120, description: 'Its id: a product code, CODE@VERSION for a product version, a quote or policy id.' },
        lang: { ...langSchema, description: 'Language of the organisation names: zh-CN (default) or en (an organisation without an English name keeps its Chinese one).' },
      }),
      required: ['entity', 'id'],
    } as const,
    success: { status: 200, description: 'A page of the trail.', schema: auditTrailSchema },
    handler: ({ caller, query }) => audit.readAuditTrail(caller, query.entity, query.id, { limit: query.limit ?? 50, offset: query.offset, after: query.after }, query.lang),
  }),
];
