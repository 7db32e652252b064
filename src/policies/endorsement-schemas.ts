import type { FromSchema } from 'json-schema-to-ts';
import { fenSchema as fen, localTextSchema as localText, schemaId } from '../http/common-schemas.ts';
import { memberPremiumPartSchema, recordedBySchema } from './change-schemas.ts';
/** Any JSON value of a form field (each product's form decides its fields), as the quote's inputs are. */
const fieldValue = { description: 'A form field\'s value: a number, text, true/false, or a list of items, as the product\'s form says.' } as const;

/** Gross, net and VAT of a premium for the policy's period. */
const premiumTerms = (description: string) => ({
  type: 'object', description, additionalProperties: false, required: ['grossPremiumFen', 'netPremiumFen', 'vatFen', 'expectedSubsidyFen'],
  properties: { grossPremiumFen: fen('Premium for the period, VAT included'), netPremiumFen: fen('Without VAT'), vatFen: fen('VAT'), expectedSubsidyFen: fen('Expected subsidies, every layer') },
}) as const;

export const endorsementRequestSchema = {
  $id: schemaId('EndorsementRequest'),
  type: 'object',
  description: 'An endorsement (批改): the inputs that change (only those; each must be one the product declares endorsable), from when, and why.',
  additionalProperties: false,
  required: ['effectiveDate', 'inputs', 'reason'],
  properties: {
    effectiveDate: { type: 'string', format: 'date', description: 'First day of the new terms: inside the policy\'s period, not before the latest endorsement\'s.' },
    inputs: { type: 'object', additionalProperties: fieldValue, minProperties: 1, maxProperties: 50, description: 'The quote-form fields that change, with their new values (the product\'s `endorsableInputs`).' },
    reason: { type: 'string', minLength: 1, maxLength: 500, description: 'Why (shown on the 批单).' },
  },
} as const;
export type EndorsementRequest = FromSchema<typeof endorsementRequestSchema>;

export const endorsementSchema = {
  $id: schemaId('Endorsement'),
  type: 'object',
  description: 'An endorsement (批单) of a policy, or its preview: the premium for the period before and after, the difference by days remaining (charged or refunded, gross/net/VAT), each pool member\'s part and every subsidy layer before and after.',
  additionalProperties: false,
  required: ['policyId', 'policyNumber', 'number', 'sequence', 'effectiveDate', 'reason', 'inputs', 'daysLeft', 'periodDays', 'before', 'after', 'difference', 'subsidyLayers'],
  properties: {
    policyId: { type: 'string', description: 'The policy.' },
    policyNumber: { type: 'string', description: 'Its number.' },
    number: { type: 'string', description: 'The endorsement number (批单号) `<policyNumber>-E<nn>`; a preview shows the number the endorsement would get.' },
    sequence: { type: 'integer', minimum: 1, description: 'Its position among the policy\'s endorsements (1, 2, …; gapless).' },
    effectiveDate: { type: 'string', format: 'date', description: 'First day of the new terms.' },
    reason: { type: 'string', description: 'Why.' },
    inputs: { type: 'object', additionalProperties: fieldValue, description: 'The fields that changed, with their new values.' },
    changes: { type: 'array', description: 'Each changed field: its name, value before and after.', items: { type: 'object', additionalProperties: false, required: ['field', 'label'], properties: { field: { type: 'string', description: 'Field key.' }, label: localText, before: { description: 'Value before.' }, after: { description: 'Value after.' } } } },
    daysLeft: { type: 'integer', description: 'Days from the effective date to the end of the period, both counted.' },
    periodDays: { type: 'integer', description: 'Days of the policy\'s period.' },
    before: premiumTerms('The premium for the period before the endorsement.'),
    after: premiumTerms('The premium for the period after it (rated on the version the policy was issued on).'),
    difference: {
      type: 'object', description: '(after − before) × daysLeft ÷ periodDays, half-up to the fen; net = gross ÷ (1 + VAT rate) half-up.', additionalProperties: false,
      required: ['kind', 'grossPremiumFen', 'netPremiumFen', 'vatFen'],
      properties: { kind: { type: 'string', enum: ['charge', 'refund', 'none'], description: 'Charged to the enterprise, refunded to it, or none.' }, grossPremiumFen: fen('Gross (negative: refunded)'), netPremiumFen: fen('Net'), vatFen: fen('VAT') },
    },
    members: { type: 'array', description: 'Each pool member\'s part of the difference to the fen (co-insured policies).', items: memberPremiumPartSchema },
    subsidyLayers: {
      type: 'array', description: 'Every subsidy layer before and after.',
      items: { type: 'object', additionalProperties: false, required: ['programme', 'name', 'beforeFen', 'afterFen'], properties: { programme: { type: 'string', description: 'Programme code.' }, name: localText, level: { type: 'string', description: 'central, provincial, city or county.' }, beforeFen: fen('Before'), afterFen: fen('After') } },
    },
    endorsedAt: { type: 'string', description: 'When it was recorded (absent on a preview).' },
    endorsedBy: recordedBySchema,
  },
} as const;
export type EndorsementView = FromSchema<typeof endorsementSchema>;

/** The policy's terms in force from a date: at issue (version 0) and after each endorsement. */
export const policyVersionSchema = {
  type: 'object', description: 'The policy\'s terms from a date: as issued (version 0) or after an endorsement.', additionalProperties: false,
  required: ['version', 'effectiveDate', 'inputs', 'grossPremiumFen', 'netPremiumFen', 'vatFen', 'expectedSubsidyFen', 'subsidies'],
  properties: {
    version: { type: 'integer', minimum: 0, description: '0 as issued; n after endorsement n.' },
    endorsementNumber: { type: 'string', description: 'The endorsement that made it (absent on version 0).' },
    effectiveDate: { type: 'string', format: 'date', description: 'From when these terms apply.' },
    inputs: { type: 'object', additionalProperties: fieldValue, description: 'The rating inputs.' },
    grossPremiumFen: fen('Premium for the period, VAT included'), netPremiumFen: fen('Without VAT'), vatFen: fen('VAT'), expectedSubsidyFen: fen('Expected subsidies'),
    subsidies: { type: 'array', description: 'Expected subsidy per programme.', items: { type: 'object', required: ['programme', 'amountFen'], additionalProperties: false, properties: { programme: { type: 'string', description: 'Programme.' }, amountFen: fen('Amount') } } },
  },
} as const;
export type PolicyVersion = FromSchema<typeof policyVersionSchema>;

/** An endorsement as the policy lists it. */
export const endorsementSummarySchema = {
  type: 'object', description: 'An endorsement as the policy lists it.', additionalProperties: false,
  required: ['number', 'sequence', 'effectiveDate', 'reason', 'endorsedAt', 'difference'],
  properties: {
    number: { type: 'string', description: 'Endorsement number (批单号).' }, sequence: { type: 'integer', description: 'Position (1, 2, …).' },
    effectiveDate: { type: 'string', format: 'date', description: 'Effective date.' }, reason: { type: 'string', description: 'Why.' }, endorsedAt: { type: 'string', description: 'When recorded.' },
    difference: endorsementSchema.properties.difference,
    pdf: { type: 'string', description: 'Where its 批单 PDF is.' },
  },
} as const;

/** What GET /v1/policies/{id} adds to a policy: its versions, current terms and endorsements. */
export const policyHistoryProperties = {
  current: { ...policyVersionSchema, description: 'The terms in force now: the latest version (after the latest endorsement).' },
  versions: { type: 'array', description: 'Every version of the terms, oldest first (version 0: as issued).', items: policyVersionSchema },
  endorsements: { type: 'array', description: 'The endorsements, oldest first.', items: endorsementSummarySchema },
  chargedPremiumFen: fen('The premium due: as issued plus every change\'s difference (each endorsement\'s; after a cancellation, the premium kept)'),
} as const;

export const endorsementSchemas = [endorsementRequestSchema, endorsementSchema];
