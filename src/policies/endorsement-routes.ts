import { endorsers } from '../auth/access-rules.ts';
import { objectIdParams } from '../http/common-schemas.ts';
import { idempotencyKeyHeader, readIdempotencyKey } from '../http/idempotency.ts';
import { defineRoute, JsonReply } from '../http/route.ts';
import type { Services } from '../service.ts';
import { endorsementRequestSchema, endorsementSchema } from './endorsement-schemas.ts';

const tags = ['Policies'];

/** Endorsements (批改) of a policy: priced, and recorded exactly once (src/policies/endorsement-service.ts). */
export const endorsementRoutes = ({ policies }: Pick<Services, 'policies'>) => [
  defineRoute({
    method: 'post', path: '/v1/policies/{id}/endorsements/preview', operationId: 'previewEndorsement', summary: 'Price an endorsement of a policy without recording it', tags,
    access: endorsers,
    params: objectIdParams('Policy'),
    body: endorsementRequestSchema,
    success: { status: 200, description: 'The endorsement it would be: the number it would get, the premium before and after, the difference by days remaining, members\' parts and subsidy layers. 400 names a field that is not endorsable (`body.inputs.<field>`) or a date outside the period; 409 `referral_required` names the rule a referral must decide first; 409 `policy.status` when the policy is cancelled.', schema: endorsementSchema },
    handler: ({ caller, params, body }) => policies.previewEndorsement(caller, params.id, body),
  }),
  defineRoute({
    method: 'post', path: '/v1/policies/{id}/endorsements', operationId: 'endorsePolicy', summary: 'Endorse a policy (批改): exactly once per Idempotency-Key, numbered gapless per policy', tags,
    access: endorsers,
    params: objectIdParams('Policy'),
    headers: { 'Idempotency-Key': idempotencyKeyHeader },
    body: endorsementRequestSchema,
    success: { status: 201, description: 'The endorsement (批单), recorded, audited and announced: the subsidy ledger, the subsidy year and the pool members\' months follow it.', schema: endorsementSchema, headers: { Location: '' } },
    responses: { 200: { description: 'An Idempotency-Key replayed the request that recorded it: that endorsement (Idempotent-Replayed: true).', schema: endorsementSchema, headers: { Location: '', 'Idempotent-Replayed': 'true on a replay.' } } },
    handler: async ({ caller, params, body, header }) => {
      const { endorsement, replayed } = await policies.endorsePolicy(caller, params.id, body, { idempotencyKey: readIdempotencyKey(header) });
      return new JsonReply(endorsement, replayed ? 200 : 201, { Location: `/v1/policies/${params.id}/endorsements/${endorsement.sequence}/pdf`, ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}) });
    },
  }),
];
