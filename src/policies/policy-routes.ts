import { defineRoute, JsonReply } from '../http/route.ts';
import { policyListSchema, policySchema } from './policy-schemas.ts';
import { bindQuote, getPolicy, listPolicies } from './policy-service.ts';

const tags = ['Policies'];
const idParams = (what: string) => ({ type: 'object', required: ['id'], additionalProperties: false, properties: { id: { type: 'string', pattern: '^[0-9a-f]{24}$', description: `${what} id.` } } }) as const;

export const policyRoutes = [
  defineRoute({
    method: 'post', path: '/v1/quotes/{id}/bind', operationId: 'bindQuote', summary: 'Bind a quoted or approved, unexpired quote into a policy (exactly once)', tags,
    access: ['broker'],
    params: idParams('Quote'),
    success: { status: 201, description: 'The policy.', schema: policySchema },
    handler: async ({ caller, params }) => {
      const policy = await bindQuote(caller, params.id);
      return new JsonReply(policy, 201, { Location: `/v1/policies/${policy.id}` });
    },
  }),
  defineRoute({
    method: 'get', path: '/v1/policies', operationId: 'listPolicies', summary: 'Policies you may see', tags,
    access: 'signed-in',
    query: {
      type: 'object', additionalProperties: false,
      properties: {
        productCode: { type: 'string', maxLength: 64, description: 'Only this product.' },
        enterpriseId: { type: 'string', pattern: '^[0-9a-f]{24}$', description: 'Only this enterprise.' },
        limit: { type: 'integer', minimum: 1, maximum: 200, default: 50, description: 'Page size.' },
        offset: { type: 'integer', minimum: 0, maximum: 1000000, default: 0, description: 'Skip this many.' },
      },
    } as const,
    success: { status: 200, description: 'A page of policies, newest first.', schema: policyListSchema },
    handler: ({ caller, query }) => listPolicies(caller, { ...query, limit: query.limit ?? 50, offset: query.offset ?? 0 }),
  }),
  defineRoute({
    method: 'get', path: '/v1/policies/{id}', operationId: 'getPolicy', summary: 'One policy', tags,
    access: 'signed-in',
    params: idParams('Policy'),
    success: { status: 200, description: 'The policy.', schema: policySchema },
    handler: ({ caller, params }) => getPolicy(caller, params.id),
  }),
];
