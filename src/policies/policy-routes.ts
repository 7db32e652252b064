import { quoters } from '../auth/access-rules.ts';
import { cursorPageQuery, objectIdParams } from '../http/common-schemas.ts';
import { idempotencyKeyHeader, readIdempotencyKey } from '../http/idempotency.ts';
import type { Services } from '../service.ts';
import { defineRoute, JsonReply } from '../http/route.ts';
import { policyListSchema, policySchema } from './policy-schemas.ts';

const tags = ['Policies'];

/** The policy routes over the policies capability (which announces the policies they issue). */
export const policyRoutes = ({ policies }: Pick<Services, 'policies'>) => [
  defineRoute({
    method: 'post', path: '/v1/quotes/{id}/bind', operationId: 'bindQuote', summary: 'Bind a quoted or approved, unexpired quote into a policy (exactly once)', tags,
    access: quoters,
    params: objectIdParams('Quote'),
    headers: { 'Idempotency-Key': idempotencyKeyHeader },
    success: { status: 201, description: 'The policy.', schema: policySchema, headers: { Location: '' } },
    responses: { 200: { description: 'An Idempotency-Key replayed the bind that issued the policy: that policy (Idempotent-Replayed: true).', schema: policySchema, headers: { Location: '', 'Idempotent-Replayed': 'true on a replay.' } } },
    handler: async ({ caller, params, header }) => {
      const { policy, replayed } = await policies.bindQuote(caller, params.id, { idempotencyKey: readIdempotencyKey(header) });
      return new JsonReply(policy, replayed ? 200 : 201, { Location: `/v1/policies/${policy.id}`, ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}) });
    },
  }),
  defineRoute({
    method: 'get', path: '/v1/policies', operationId: 'listPolicies', summary: 'Policies you may see', tags,
    access: 'signed-in',
    query: cursorPageQuery({
      productCode: { type: 'string', maxLength: 64, description: 'Only this product.' },
      enterpriseId: { type: 'string', pattern: '^[0-9a-f]{24}$', description: 'Only this enterprise.' },
      expiringWithin: { type: 'integer', minimum: 1, maximum: 366, description: 'Only policies due for renewal: cover ending within this many days from today (China dates, today included), the soonest first, paged by offset.' },
    }),
    success: { status: 200, description: 'A page of policies (summaries), newest first; deeper pages by `after` (the `next` of the page before). With `expiringWithin`: the soonest ending first, with their `total`.', schema: policyListSchema },
    handler: ({ caller, query }) => (query.expiringWithin !== undefined
      ? policies.listExpiring(caller, { ...query, expiringWithin: query.expiringWithin, limit: query.limit ?? 50 })
      : policies.listPolicies(caller, { ...query, limit: query.limit ?? 50 })),
  }),
  defineRoute({
    method: 'get', path: '/v1/policies/{id}', operationId: 'getPolicy', summary: 'One policy', tags,
    access: 'signed-in',
    params: objectIdParams('Policy'),
    success: { status: 200, description: 'The policy.', schema: policySchema },
    handler: ({ caller, params }) => policies.getPolicy(caller, params.id),
  }),
];
