import type { FromSchema } from 'json-schema-to-ts';
import { fenSchema as fen, localTextSchema as localText, schemaId } from '../http/common-schemas.ts';
import { memberPremiumPartSchema, premiumPartsSchema as parts, recordedBySchema } from './change-schemas.ts';

export const cancellationRequestSchema = {
  $id: schemaId('CancellationRequest'),
  type: 'object',
  description: 'A cancellation (退保): from when, who asked for it, and why.',
  additionalProperties: false,
  required: ['effectiveDate', 'initiatedBy', 'reason'],
  properties: {
    effectiveDate: { type: 'string', format: 'date', description: 'The day cover ends (at 00:00 of it): on or before the start date is a cancellation before cover starts; at most the end date, not before the latest endorsement\'s date.' },
    initiatedBy: { type: 'string', enum: ['policyholder', 'insurer'], description: 'The policyholder (before cover: the handling fee; after: the product\'s short-period scale) or the insurer (pro rata by day).' },
    reason: { type: 'string', minLength: 1, maxLength: 500, description: 'Why (shown on the policy and in the audit trail).' },
  },
} as const;
export type CancellationRequest = FromSchema<typeof cancellationRequestSchema>;

export const cancellationSchema = {
  $id: schemaId('Cancellation'),
  type: 'object',
  description: 'A cancellation (退保) of a policy, or its preview: the premium kept and how, the refund (gross, net, VAT; never more than was received), each pool member\'s part, every subsidy layer recomputed on the premium kept, what the annual caps now count, and the granted subsidy to repay.',
  additionalProperties: false,
  required: ['policyId', 'policyNumber', 'number', 'effectiveDate', 'initiatedBy', 'reason', 'basis', 'daysElapsed', 'periodDays', 'monthsElapsed', 'premiumDueFen', 'premiumReceivedFen', 'kept', 'refund', 'subsidyLayers', 'annualCaps', 'expectedSubsidyBeforeFen', 'expectedSubsidyAfterFen', 'subsidyToRepayFen'],
  properties: {
    policyId: { type: 'string', description: 'The policy.' },
    policyNumber: { type: 'string', description: 'Its number.' },
    number: { type: 'string', description: 'The cancellation\'s number (退保批单号) `<policyNumber>-C`.' },
    effectiveDate: { type: 'string', format: 'date', description: 'Cover ends at 00:00 of this day.' },
    initiatedBy: { type: 'string', enum: ['policyholder', 'insurer'], description: 'Who cancelled.' },
    reason: { type: 'string', description: 'Why.' },
    basis: { type: 'string', enum: ['before-start-fee', 'short-period', 'pro-rata-by-day'], description: 'How the premium kept was worked: the handling fee before cover starts, the short-period scale on months elapsed, or by day.' },
    percent: { type: 'string', description: 'The percent of the premium kept (the fee or the scale\'s row); absent by day.' },
    daysElapsed: { type: 'integer', description: 'Effective date − start date (0 before cover starts).' },
    periodDays: { type: 'integer', description: 'Days of the period.' },
    monthsElapsed: { type: 'integer', description: 'Calendar months from the start date, a started month counting whole.' },
    premiumDueFen: fen('The premium for the period before the cancellation (as issued plus every endorsement\'s difference)'),
    premiumReceivedFen: fen('The premium received'),
    kept: parts('The premium kept.'),
    refund: parts('What is refunded: received − kept, never negative (unpaid premium is not refunded).'),
    members: {
      type: 'array', description: 'Each pool member\'s part of the refund to the fen (co-insured policies): its share rounded down, the lead taking the remainder.',
      items: memberPremiumPartSchema,
    },
    subsidyLayers: {
      type: 'array', description: 'Every subsidy layer before (the terms in force) and after (recomputed on the premium kept), with what was granted and is to be repaid.',
      items: { type: 'object', additionalProperties: false, required: ['programme', 'name', 'beforeFen', 'afterFen', 'grantedFen', 'toRepayFen'], description: 'A layer.', properties: { programme: { type: 'string', description: 'Programme code.' }, name: localText, level: { type: 'string', description: 'central, provincial, city or county.' }, beforeFen: fen('Before'), afterFen: fen('After'), grantedFen: fen('Granted on the policy\'s application'), toRepayFen: fen('Granted above the new amount (应退补贴)') } },
    },
    annualCaps: {
      type: 'array', description: 'What each programme\'s annual cap per enterprise counts for this policy, before and after (the next quote of the enterprise in that year counts the after).',
      items: { type: 'object', additionalProperties: false, required: ['programme', 'year', 'countedBeforeFen', 'countedAfterFen'], description: 'A programme\'s count.', properties: { programme: { type: 'string', description: 'Programme.' }, year: { type: 'integer', description: 'The subsidy year (the year cover starts).' }, countedBeforeFen: fen('Counted before'), countedAfterFen: fen('Counted after') } },
    },
    expectedSubsidyBeforeFen: fen('Expected subsidies before, every layer'),
    expectedSubsidyAfterFen: fen('Expected subsidies after, every layer'),
    subsidyToRepayFen: fen('Granted subsidy above the new amounts, to repay (应退补贴)'),
    cancelledAt: { type: 'string', description: 'When it was recorded (absent on a preview).' },
    cancelledBy: recordedBySchema,
  },
} as const;
export type CancellationView = FromSchema<typeof cancellationSchema>;

/** What GET /v1/policies/{id} adds: where the policy stands and its cancellation. */
const { $id: _cancellationId, ...cancellationBody } = cancellationSchema;
export const policyCancellationProperties = {
  status: { type: 'string', enum: ['issued', 'cancelled'], description: 'Where the policy stands: issued, or cancelled (from `cancellation.effectiveDate`).' },
  cancellation: { ...cancellationBody, description: 'The cancellation (present once cancelled).' },
} as const;

export const cancellationSchemas = [cancellationRequestSchema, cancellationSchema];
