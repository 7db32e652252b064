import { claimRecorders, renewers } from '../auth/access-rules.ts';
import { objectIdParams } from '../http/common-schemas.ts';
import { idempotencyKeyHeader, readIdempotencyKey } from '../http/idempotency.ts';
import { defineRoute, JsonReply } from '../http/route.ts';
import { quoteSchema } from '../quotes/quote-schemas.ts';
import type { Services } from '../service.ts';
import { claimListSchema, claimRequestSchema, claimSchema, renewalRequestSchema } from './claim-schemas.ts';

const tags = ['Policies'];
const policyIdParams = objectIdParams('Policy');

/** #26 claims paid and renewal: the routes over the claims and renewals capabilities. */
export const claimRoutes = ({ claims, renewals }: Pick<Services, 'claims' | 'renewals'>) => [
  defineRoute({
    method: 'post', path: '/v1/policies/{id}/claims', operationId: 'recordClaim', summary: 'Record a claim paid on a policy (its lead insurer\'s staff); Idempotency-Key makes retries safe', tags,
    access: claimRecorders,
    params: policyIdParams,
    headers: { 'Idempotency-Key': idempotencyKeyHeader },
    body: claimRequestSchema,
    success: { status: 201, description: 'The claim, with each pool member\'s part to the fen.', schema: claimSchema, headers: { Location: '' } },
    responses: { 200: { description: 'An Idempotency-Key replayed the claim it recorded: that claim (Idempotent-Replayed: true).', schema: claimSchema, headers: { Location: '', 'Idempotent-Replayed': 'true on a replay.' } } },
    handler: async ({ caller, params, body, header }) => {
      const { claim, replayed } = await claims.recordClaim(caller, params.id, body, { idempotencyKey: readIdempotencyKey(header) });
      return new JsonReply(claim, replayed ? 200 : 201, { Location: `/v1/policies/${params.id}/claims`, ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}) });
    },
  }),
  defineRoute({
    method: 'get', path: '/v1/policies/{id}/claims', operationId: 'listClaims', summary: 'The claims paid on a policy (its enterprise, broker and pool members)', tags,
    access: 'signed-in',
    params: policyIdParams,
    success: { status: 200, description: 'Every claim paid on the policy, oldest first, and their sum.', schema: claimListSchema },
    handler: ({ caller, params }) => claims.listClaims(caller, params.id),
  }),
  defineRoute({
    method: 'post', path: '/v1/policies/{id}/renewal', operationId: 'renewPolicy', summary: 'The renewal quote of a policy (its broker, or its lead insurer\'s staff), with the inputs the record decides', tags,
    access: renewers,
    params: policyIdParams,
    body: renewalRequestSchema,
    bodyOptional: true,
    success: { status: 201, description: 'The renewal quote: `renewalOf` the policy, `derived` the inputs the record decided and why.', schema: quoteSchema, headers: { Location: '' } },
    errors: [409],
    handler: async ({ caller, params, body }) => {
      const quote = await renewals.renewPolicy(caller, params.id, body);
      return new JsonReply(quote, 201, { Location: `/v1/quotes/${quote.id}` });
    },
  }),
];
