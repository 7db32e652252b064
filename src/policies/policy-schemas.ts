import type { FromSchema } from 'json-schema-to-ts';
import { cursorPageSchema, fenSchema as fen, schemaId } from '../http/common-schemas.ts';
import { poolViewProperties } from '../pools/pool-schemas.ts';
import { ratingResultSchema, type RatedRecord, type RatingResultViewOptions } from '../quotes/quote-schemas.ts';
import type { CoInsuranceShare } from '../rating/index.ts';
import { premiumProperties } from './payment-schemas.ts';
import { endorsementSchemas, policyHistoryProperties } from './endorsement-schemas.ts';
import { claimSchema } from './claim-schemas.ts';
import { cancellationSchemas, policyCancellationProperties } from './cancellation-schemas.ts';


const policyProperties = {
  id: { type: 'string', description: 'Policy id.' },
  policyNumber: { type: 'string', description: 'Unique policy number.' },
  quoteId: { type: 'string', description: 'The quote it was bound from.' },
  quoteNumber: { type: 'string', description: 'Quote number.' },
  productCode: { type: 'string', description: 'Product.' },
  productVersion: { type: 'string', description: 'Version.' },
  line: { type: 'string', description: 'Line.' },
  enterpriseId: { type: 'string', description: 'Insured enterprise.' },
  enterpriseName: { type: 'string', description: 'Its name.' },
  brokerOrganisationId: { type: 'string', description: 'Broker firm.' },
  insurerOrganisationId: { type: 'string', description: 'Insurer (the lead for a pool).' },
  startDate: { type: 'string', format: 'date', description: 'First day of cover.' },
  endDate: { type: 'string', format: 'date', description: 'Last day of cover.' },
  issuedAt: { type: 'string', description: 'When it was bound.' },
  grossPremiumFen: fen('Premium, VAT included'),
  netPremiumFen: fen('Premium without VAT'),
  vatFen: fen('VAT'),
  expectedSubsidyFen: fen('Expected subsidies'),
  expectedNetCostFen: fen('Enterprise net cost after subsidies'),
  subsidies: { type: 'array', description: 'Expected subsidy per programme.', items: { type: 'object', required: ['programme', 'amountFen'], additionalProperties: false, properties: { programme: { type: 'string', description: 'Programme.' }, amountFen: fen('Amount') } } },
  ...poolViewProperties,
  result: ratingResultSchema,
  ...policyHistoryProperties,
  // #26 claims paid and renewal
  renewalOf: { type: 'string', description: 'The policy this one renews (bound from a renewal quote).' },
  claims: { type: 'array', items: claimSchema, description: 'Claims paid on it, oldest first (GET /v1/policies/{id}/claims).' },
  claimsPaidFen: fen('Claims paid on it, in all'),
  // #26 cancellation
  ...policyCancellationProperties,
} as const;

export const policySchema = {
  $id: schemaId('Policy'),
  type: 'object',
  description: 'An issued policy: dates, premium split, expected subsidies, pool shares and the rating it was bound on; read by id, also the premium received, outstanding, the payments and the instalments.',
  required: ['id', 'policyNumber', 'quoteId', 'quoteNumber', 'productCode', 'productVersion', 'line', 'enterpriseId', 'enterpriseName', 'brokerOrganisationId', 'insurerOrganisationId', 'startDate', 'endDate', 'issuedAt', 'grossPremiumFen', 'netPremiumFen', 'vatFen', 'expectedSubsidyFen', 'expectedNetCostFen', 'subsidies', 'result'],
  additionalProperties: false,
  // Premium received (payment-schemas.ts): present on GET /v1/policies/{id}, not on the bind's answer.
  properties: { ...policyProperties, ...premiumProperties },
} as const;
export type PolicyView = FromSchema<typeof policySchema, RatingResultViewOptions>;

/**
 * An issued policy as the policies capability hands it out: plain and frozen, never a mongoose
 * document. Typed from the view where a field means the same.
 */
export interface PolicyRecord extends RatedRecord, Readonly<Required<Pick<PolicyView, 'policyNumber' | 'quoteId' | 'grossPremiumFen' | 'netPremiumFen' | 'vatFen' | 'expectedSubsidyFen' | 'expectedNetCostFen' | 'subsidies'>>> {
  readonly issuedAt: Date;
  readonly boundBy?: { readonly keyId?: string; readonly userName?: string };
  /** Every pool member's share of the premium (co-insured policies only). */
  readonly poolShares?: readonly CoInsuranceShare[];
  /** `<organisation>:<Idempotency-Key>` of the bind that issued it. */
  readonly idempotencyScope?: string;
  /** #26: the policy it renews (bound from a renewal quote). */
  readonly renewalOf?: string;
  /** #26: where a later helper's cancellation records it (`cancelled`); absent: issued. */
  readonly status?: string;
}

/** What a policy list shows of each policy: kept per policy by id as it is issued, never the whole policy. */
const p = policyProperties;
export const policySummarySchema = {
  $id: schemaId('PolicySummary'),
  type: 'object',
  description: 'A policy as lists show it: number, status, product, parties, premium and dates (GET /v1/policies/{id} has the rest).',
  required: ['id', 'policyNumber', 'quoteId', 'quoteNumber', 'status', 'productCode', 'productVersion', 'line', 'enterpriseId', 'enterpriseName', 'brokerOrganisationId', 'insurerOrganisationId', 'startDate', 'endDate', 'issuedAt', 'grossPremiumFen', 'netPremiumFen', 'vatFen', 'expectedSubsidyFen'],
  additionalProperties: false,
  properties: {
    id: p.id, policyNumber: p.policyNumber, quoteId: p.quoteId, quoteNumber: p.quoteNumber,
    status: { type: 'string', enum: ['issued', 'cancelled'], description: 'Where the policy stands: issued, or cancelled (#26).' },
    productCode: p.productCode, productVersion: p.productVersion, line: p.line, enterpriseId: p.enterpriseId, enterpriseName: p.enterpriseName, brokerOrganisationId: p.brokerOrganisationId, insurerOrganisationId: p.insurerOrganisationId,
    insurerName: p.insurerName,
    poolMemberIds: { type: 'array', items: { type: 'string' }, description: 'Organisation ids of the pool\'s members, lead included (co-insured business only).' },
    startDate: p.startDate, endDate: p.endDate, issuedAt: p.issuedAt, grossPremiumFen: p.grossPremiumFen, netPremiumFen: p.netPremiumFen, vatFen: p.vatFen, expectedSubsidyFen: p.expectedSubsidyFen,
  },
} as const;
export type PolicySummary = FromSchema<typeof policySummarySchema>;

export const policyListSchema = cursorPageSchema('PolicyList', policySummarySchema, { description: 'A page of policies (summaries), newest first.', items: 'Policies.' });
export type PolicyList = FromSchema<typeof policyListSchema>;

export const policySchemas = [policySchema, policySummarySchema, policyListSchema, ...endorsementSchemas, ...cancellationSchemas];
