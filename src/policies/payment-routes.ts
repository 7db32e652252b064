import { premiumRecorders } from '../auth/access-rules.ts';
import { objectIdParams } from '../http/common-schemas.ts';
import type { Services } from '../service.ts';
import { defineRoute, JsonReply } from '../http/route.ts';
import { paymentRequestSchema, paymentSchema, policyPaymentsSchema } from './payment-schemas.ts';

const tags = ['Policies'];

/** Premium received: record a payment (the lead insurer's staff) and read a policy's premium, payments and instalments. */
export const paymentRoutes = ({ policies }: Pick<Services, 'policies'>) => [
  defineRoute({
    method: 'post', path: '/v1/policies/{id}/payments', operationId: 'recordPolicyPayment', summary: 'Record a payment of premium received (the lead insurer\'s staff; a reference once per insurer)', tags,
    access: premiumRecorders,
    params: objectIdParams('Policy'),
    body: paymentRequestSchema,
    success: { status: 201, description: 'The payment, recorded.', schema: paymentSchema, headers: { Location: 'The policy\'s payments.' } },
    responses: { 200: { description: 'The same payment (reference, amount, day) was recorded before: that payment (Idempotent-Replayed: true).', schema: paymentSchema, headers: { Location: 'The policy\'s payments.', 'Idempotent-Replayed': 'true on a replay.' } } },
    handler: async ({ caller, params, body }) => {
      const { payment, replayed } = await policies.recordPayment(caller, params.id, body);
      return new JsonReply(payment, replayed ? 200 : 201, { Location: `/v1/policies/${params.id}/payments`, ...(replayed ? { 'Idempotent-Replayed': 'true' } : {}) });
    },
  }),
  defineRoute({
    method: 'get', path: '/v1/policies/{id}/payments', operationId: 'listPolicyPayments', summary: 'A policy\'s premium: received, outstanding, the payments and the instalments', tags,
    access: 'signed-in',
    params: objectIdParams('Policy'),
    success: { status: 200, description: 'The premium, payments and (when the product declares one) the instalment schedule.', schema: policyPaymentsSchema },
    handler: ({ caller, params }) => policies.listPayments(caller, params.id),
  }),
];
