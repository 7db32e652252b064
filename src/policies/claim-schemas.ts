// Claims paid on a policy (#26): what the lead insurer's staff record and what the policy's
// readers see of them.
import type { FromSchema } from 'json-schema-to-ts';
import { schemaId } from '../http/common-schemas.ts';
import { memberShareProperties } from './change-schemas.ts';

const date = (description: string) => ({ type: 'string', format: 'date', description }) as const;

export const claimRequestSchema = {
  $id: schemaId('ClaimRequest'),
  type: 'object', required: ['lossDate', 'paidOn', 'paidFen', 'description'], additionalProperties: false,
  description: 'A claim paid on a policy: the date of loss (inside the period of cover), the date paid, the amount and what happened.',
  properties: {
    lossDate: date('Date of the loss (China date), inside the policy\'s period of cover.'),
    paidOn: date('Date the claim was paid (China date): on or after the loss, not in the future.'),
    paidFen: { type: 'integer', minimum: 1, maximum: 900_000_000_000_000, description: 'Amount paid (integer fen).' },
    description: { type: 'string', minLength: 1, maxLength: 500, description: 'What happened (free text, at most 500 characters).' },
  },
} as const;
export type ClaimRequest = FromSchema<typeof claimRequestSchema>;

const memberPartSchema = {
  type: 'object', required: ['insurer', 'role', 'sharePercent', 'paidFen'], additionalProperties: false,
  description: 'A pool member\'s part of the claim.',
  properties: {
    ...memberShareProperties,
    paidFen: { type: 'integer', description: 'Its part (integer fen): the share rounded down, the lead taking the remainder.' },
  },
} as const;

export const claimSchema = {
  $id: schemaId('Claim'),
  type: 'object', required: ['id', 'policyId', 'n', 'lossDate', 'paidOn', 'paidFen', 'description', 'recordedAt', 'recordedBy'], additionalProperties: false,
  description: 'A claim paid on a policy, with each pool member\'s part (co-insured policies).',
  properties: {
    id: { type: 'string', description: 'Claim id.' },
    policyId: { type: 'string', description: 'The policy.' },
    n: { type: 'integer', description: 'Its number on the policy (1 = first).' },
    lossDate: claimRequestSchema.properties.lossDate,
    paidOn: claimRequestSchema.properties.paidOn,
    paidFen: { type: 'integer', description: 'Amount paid (integer fen).' },
    description: { type: 'string', description: 'What happened.' },
    memberParts: { type: 'array', items: memberPartSchema, description: 'Each pool member\'s part (co-insured policies only); they add up to paidFen.' },
    recordedAt: { type: 'string', description: 'When it was recorded (ISO 8601).' },
    recordedBy: { type: 'string', description: 'Who recorded it.' },
  },
} as const;
export type ClaimView = FromSchema<typeof claimSchema>;

export const claimListSchema = {
  $id: schemaId('ClaimList'),
  type: 'object', required: ['items', 'total', 'claimsPaidFen'], additionalProperties: false,
  description: 'Every claim paid on a policy, oldest first, and their sum.',
  properties: {
    items: { type: 'array', items: claimSchema, description: 'Claims, oldest first.' },
    total: { type: 'integer', description: 'How many.' },
    claimsPaidFen: { type: 'integer', description: 'Sum paid (integer fen).' },
  },
} as const;
export type ClaimList = FromSchema<typeof claimListSchema>;

/** What a renewal may say (POST /v1/policies/{id}/renewal; the body is optional). */
export const renewalRequestSchema = {
  $id: schemaId('RenewalRequest'),
  type: 'object', additionalProperties: false,
  description: 'A renewal of a policy: by default it starts the day after the policy ends.',
  properties: { startDate: { type: 'string', format: 'date', description: 'First day of the renewal (default: the day after the policy ends, or today when that has passed). A later day leaves a gap: a new chain, support year 1.' } },
} as const;

export const claimSchemas = [claimRequestSchema, claimSchema, claimListSchema, renewalRequestSchema];
