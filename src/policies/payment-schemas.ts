// Premium received (实收保费) and instalments (分期缴费): the request that records a payment, a
// payment as the API shows it, a policy's instalments with what was received against each, and
// the premium fields the policy view carries.
import type { FromSchema } from 'json-schema-to-ts';
import { fenSchema as fen, schemaId } from '../http/common-schemas.ts';

const date = (description: string) => ({ type: 'string', format: 'date', description }) as const;

export const paymentRequestSchema = {
  $id: schemaId('PaymentRequest'),
  type: 'object',
  description: 'A payment of premium received by the lead insurer: the amount, the day it was received and the payer\'s reference (recorded once per insurer).',
  required: ['amountFen', 'receivedOn', 'reference'],
  additionalProperties: false,
  properties: {
    amountFen: { type: 'integer', minimum: 1, maximum: 1_000_000_000_000, description: 'Amount received (integer fen, at least 1); received never exceeds the gross premium.' },
    receivedOn: date('The China date it was received (YYYY-MM-DD), today or earlier.'),
    reference: { type: 'string', minLength: 1, maxLength: 64, pattern: '^\\S(.*\\S)?$', description: 'The payer\'s reference (bank transfer or voucher number): one reference is recorded once per insurer.' },
  },
} as const;
export type PaymentRequest = FromSchema<typeof paymentRequestSchema>;

/** A payment (named below as `Payment`; nested in lists without its `$id`, which ajv registers once). */
const paymentItem = {
  type: 'object',
  description: 'A payment of premium recorded on a policy.',
  required: ['policyId', 'reference', 'amountFen', 'receivedOn', 'recordedAt', 'recordedBy'],
  additionalProperties: false,
  properties: {
    policyId: { type: 'string', description: 'The policy it was received for.' },
    reference: paymentRequestSchema.properties.reference,
    amountFen: fen('Amount received'),
    receivedOn: date('The day it was received (China date).'),
    recordedAt: { type: 'string', format: 'date-time', description: 'When it was recorded.' },
    recordedBy: { type: 'string', description: 'Who recorded it (the API key\'s user name).' },
  },
} as const;
export const paymentSchema = { $id: schemaId('Payment'), ...paymentItem } as const;
export type PaymentView = FromSchema<typeof paymentSchema>;

/** One instalment with what was received against it (nested without an `$id`). */
const instalmentItem = {
  type: 'object',
  description: 'One instalment of a policy\'s schedule, with what was received against it (payments allocated oldest first).',
  required: ['n', 'dueDate', 'percent', 'amountFen', 'receivedFen', 'outstandingFen', 'status', 'overdue', 'payments'],
  additionalProperties: false,
  properties: {
    n: { type: 'integer', minimum: 1, description: 'Its number, from 1.' },
    dueDate: date('The day it falls due (China date).'),
    percent: { type: 'string', description: 'Its share of the gross premium, in percent, as the product declares it.' },
    amountFen: fen('Amount due (the last instalment takes the remainder fen)'),
    receivedFen: fen('Received against it'),
    outstandingFen: fen('Still to be received'),
    status: { type: 'string', enum: ['paid', 'part-paid', 'unpaid'], description: 'paid, part-paid or unpaid.' },
    overdue: { type: 'boolean', description: 'Due before today and not fully paid.' },
    payments: {
      type: 'array', description: 'The payments (or parts of them) allocated to it.',
      items: { type: 'object', required: ['reference', 'amountFen'], additionalProperties: false, properties: { reference: { type: 'string', description: 'The payment\'s reference.' }, amountFen: fen('The part of the payment allocated here') } },
    },
  },
} as const;
export type InstalmentView = FromSchema<typeof instalmentItem>;

/** The premium fields of a policy view (GET /v1/policies/{id}) and of its payments list. */
export const premiumProperties = {
  premiumReceivedFen: fen('Premium received so far'),
  premiumOutstandingFen: fen('Premium still to be received (gross premium less received)'),
  payments: { type: 'array', description: 'Payments received, in the order recorded.', items: paymentItem },
  instalments: { type: 'array', description: 'The instalment schedule, when the product declares one (分期缴费).', items: instalmentItem },
} as const;

export const policyPaymentsSchema = {
  $id: schemaId('PolicyPayments'),
  type: 'object',
  description: 'A policy\'s premium: gross, received and outstanding, the payments and (when the product declares one) the instalment schedule.',
  required: ['policyId', 'policyNumber', 'grossPremiumFen', 'premiumReceivedFen', 'premiumOutstandingFen', 'payments'],
  additionalProperties: false,
  properties: {
    policyId: { type: 'string', description: 'The policy.' },
    policyNumber: { type: 'string', description: 'Its number.' },
    grossPremiumFen: fen('Gross premium, VAT included'),
    ...premiumProperties,
  },
} as const;
export type PolicyPayments = FromSchema<typeof policyPaymentsSchema>;

export const paymentSchemas = [paymentRequestSchema, paymentSchema, policyPaymentsSchema];
