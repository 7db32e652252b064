import { cancellers } from '../auth/access-rules.ts';
import { objectIdParams } from '../http/common-schemas.ts';
import { defineRoute, JsonReply } from '../http/route.ts';
import type { Services } from '../service.ts';
import { cancellationRequestSchema, cancellationSchema } from './cancellation-schemas.ts';

const tags = ['Policies'];

/** Cancellation (退保) of a policy: priced, and recorded exactly once (src/policies/cancellation-service.ts). */
export const cancellationRoutes = ({ policies }: Pick<Services, 'policies'>) => [
  defineRoute({
    method: 'post', path: '/v1/policies/{id}/cancellation/preview', operationId: 'previewCancellation', summary: 'Price a cancellation of a policy without recording it', tags,
    access: cancellers,
    params: objectIdParams('Policy'),
    body: cancellationRequestSchema,
    success: { status: 200, description: 'The cancellation it would be: the premium kept and how, the refund (gross, net, VAT; never more than was received), members\' parts, every subsidy layer before and after, the annual caps\' counts and the subsidy to repay. 400 names a date after the period or before the latest endorsement; 409 when the policy is already cancelled.', schema: cancellationSchema },
    handler: ({ caller, params, body }) => policies.previewCancellation(caller, params.id, body),
  }),
  defineRoute({
    method: 'post', path: '/v1/policies/{id}/cancel', operationId: 'cancelPolicy', summary: 'Cancel a policy (退保): exactly once', tags,
    access: cancellers,
    params: objectIdParams('Policy'),
    body: cancellationRequestSchema,
    success: { status: 201, description: 'The cancellation, recorded, audited (`policy.cancel`) and announced: the policy is `cancelled` from the effective date; the subsidy ledger, the subsidy year and the pool members\' months follow. A second cancel is 409.', schema: cancellationSchema, headers: { Location: '' } },
    handler: async ({ caller, params, body }) => new JsonReply(await policies.cancelPolicy(caller, params.id, body), 201, { Location: `/v1/policies/${params.id}` }),
  }),
];
