import type { FromSchema } from 'json-schema-to-ts';
import { pageSchema, schemaId } from '../http/common-schemas.ts';

const fen = (description: string) => ({ type: 'integer', description: `${description} (integer fen).` }) as const;

/** One pool member's part of a quote or policy: premium, net, VAT and liability (each limit × share). */
export const poolShareSchema = {
  type: 'object',
  description: 'A pool member\'s share of a co-insured quote or policy; the members\' amounts add up to the whole to the fen.',
  required: ['insurer', 'role', 'sharePercent', 'grossPremiumFen', 'netPremiumFen', 'vatFen'],
  additionalProperties: false,
  properties: {
    insurer: { type: 'string', description: 'Insurer code.' },
    insurerName: { type: 'string', description: 'Insurer name (Chinese).' },
    insurerNameEn: { type: 'string', description: 'Insurer name (English), when known.' },
    role: { type: 'string', enum: ['lead', 'follower'], description: 'lead or follower.' },
    sharePercent: { type: 'string', description: 'Share of premium and liability in percent.' },
    grossPremiumFen: fen('Share of the gross premium'),
    netPremiumFen: fen('Share of the net premium'),
    vatFen: fen('Share of the VAT'),
    limits: {
      type: 'array',
      description: 'Share of each limit of each coverage (limit × share, split to the fen like the premium).',
      items: {
        type: 'object', required: ['coverage', 'kind', 'amountFen'], additionalProperties: false, description: 'A limit share.',
        properties: {
          coverage: { type: 'string', description: 'Coverage code.' },
          kind: { type: 'string', enum: ['aggregate', 'perEvent', 'perItem', 'subLimit'], description: 'Kind of limit.' },
          amountFen: fen('The member\'s part of the limit'),
        },
      },
    },
  },
} as const;
export type PoolShareView = FromSchema<typeof poolShareSchema>;

/** What a quote or policy view carries about its pool. */
export const poolViewProperties = {
  insurerName: { type: 'string', description: 'Name of the insurer (the lead, for a pool).' },
  poolShares: { type: 'array', description: 'Every pool member\'s share, with names (co-insured business only).', items: poolShareSchema },
  myShare: { ...poolShareSchema, description: 'The caller\'s own share, when its insurer is a member of the pool (lead or follower).' },
} as const;

const memberAmounts = {
  type: 'object', required: ['role', 'sharePercent', 'grossPremiumFen', 'netPremiumFen', 'vatFen'], additionalProperties: false, description: 'A member\'s part of one policy.',
  properties: {
    role: { type: 'string', enum: ['lead', 'follower'], description: 'lead or follower.' },
    sharePercent: { type: 'string', description: 'Share in percent.' },
    grossPremiumFen: fen('Share of the gross premium'),
    netPremiumFen: fen('Share of the net premium'),
    vatFen: fen('Share of the VAT'),
  },
} as const;

const totalsProperties = {
  policies: { type: 'integer', description: 'Number of policies.' },
  grossPremiumFen: fen('Gross premium of the policies'),
  netPremiumFen: fen('Net premium of the policies'),
  vatFen: fen('VAT of the policies'),
  shareGrossFen: fen('The member\'s share of the gross premium'),
  shareNetFen: fen('The member\'s share of the net premium'),
  shareVatFen: fen('The member\'s share of the VAT'),
} as const;
const totalsRequired = ['policies', 'grossPremiumFen', 'netPremiumFen', 'vatFen', 'shareGrossFen', 'shareNetFen', 'shareVatFen'] as const;
const member = {
  type: 'object', required: ['insurer', 'name'], additionalProperties: false, description: 'A pool member.',
  properties: { insurer: { type: 'string', description: 'Insurer code.' }, name: { type: 'string', description: 'Insurer name (Chinese).' }, nameEn: { type: 'string', description: 'Insurer name (English), when known.' } },
} as const;

/** GET /v1/pools/statement (JSON): one member's pool statement for a period. */
export const poolStatementSchema = {
  $id: schemaId('PoolStatement'),
  type: 'object',
  description: 'A pool statement (共保结算清单): every co-insured policy issued in the period that the member carries a share of, its own share beside every member\'s, totals per line and overall.',
  required: ['insurer', 'from', 'to', 'members', 'rows', 'lineTotals', 'totals'],
  additionalProperties: false,
  properties: {
    insurer: { ...member, description: 'The member the statement is for.' },
    from: { type: 'string', format: 'date', description: 'First issue date (China time) of the period.' },
    to: { type: 'string', format: 'date', description: 'Last issue date (China time) of the period.' },
    members: { type: 'array', description: 'Every member appearing in the period, leads first.', items: member },
    rows: {
      type: 'array', description: 'The policies, oldest first.',
      items: {
        type: 'object', additionalProperties: false, description: 'A policy with the member\'s share and every member\'s side by side.',
        required: ['policyId', 'policyNumber', 'productCode', 'productName', 'line', 'enterpriseName', 'issuedOn', 'startDate', 'endDate', 'grossPremiumFen', 'netPremiumFen', 'vatFen', 'share', 'members'],
        properties: {
          policyId: { type: 'string', description: 'The policy\'s id (GET /v1/policies/{id}).' },
          policyNumber: { type: 'string', description: 'Policy number.' },
          productCode: { type: 'string', description: 'Product.' },
          productName: { type: 'object', required: ['zh', 'en'], additionalProperties: false, description: 'The product\'s name in the policy\'s version.', properties: { zh: { type: 'string', description: 'Chinese.' }, en: { type: 'string', description: 'English.' } } },
          line: { type: 'string', description: 'Line.' },
          enterpriseName: { type: 'string', description: 'Insured enterprise.' },
          enterpriseNameEn: { type: 'string', description: 'Insured enterprise\'s English name, when it has one.' },
          issuedOn: { type: 'string', format: 'date', description: 'Issue date (China time).' },
          startDate: { type: 'string', format: 'date', description: 'First day of cover.' },
          endDate: { type: 'string', format: 'date', description: 'Last day of cover.' },
          grossPremiumFen: fen('The policy\'s gross premium'),
          netPremiumFen: fen('The policy\'s net premium'),
          vatFen: fen('The policy\'s VAT'),
          share: { ...memberAmounts, description: 'The member\'s own part.' },
          members: { type: 'object', additionalProperties: memberAmounts, description: 'Every member\'s part, by insurer code.' },
        },
      },
    },
    lineTotals: { type: 'array', description: 'Totals per line.', items: { type: 'object', additionalProperties: false, required: ['line', ...totalsRequired], description: 'A line\'s totals.', properties: { line: { type: 'string', description: 'Line.' }, ...totalsProperties } } },
    totals: { type: 'object', additionalProperties: false, required: totalsRequired, description: 'Totals of the statement.', properties: totalsProperties },
  },
} as const;

const partySchema = (what: string) => ({
  type: 'object', required: ['code', 'name'], additionalProperties: false, description: what,
  properties: { code: { type: 'string', description: 'Insurer code.' }, name: { type: 'string', description: 'Name (Chinese).' }, nameEn: { type: 'string', description: 'Name (English), when known.' } },
}) as const;

/** An invitation to carry a share of a product's pool, and where the member stands on it. */
export const poolInvitationSchema = {
  $id: schemaId('PoolInvitation'),
  type: 'object',
  description: 'An invitation to one share (role and percent) of one product\'s co-insurance pool. A version naming the member with these terms is published only once the member\'s admin has accepted; a new share or role is a new invitation.',
  required: ['id', 'productCode', 'productName', 'inviter', 'member', 'role', 'sharePercent', 'status', 'proposedInVersion', 'createdAt', 'updatedAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: 'Invitation id.' },
    productCode: { type: 'string', description: 'Product code.' },
    productName: { type: 'object', required: ['zh', 'en'], additionalProperties: false, description: 'Product name.', properties: { zh: { type: 'string', description: 'Chinese.' }, en: { type: 'string', description: 'English.' } } },
    inviter: partySchema('The insurer that files the product.'),
    member: partySchema('The insurer invited to carry the share.'),
    role: { type: 'string', enum: ['lead', 'follower'], description: 'lead or follower.' },
    sharePercent: { type: 'string', description: 'Share of premium and liability in percent.' },
    status: { type: 'string', enum: ['pending', 'accepted', 'declined', 'left'], description: 'pending (awaiting the member), accepted, declined, or left (the member left the pool for future versions).' },
    direction: { type: 'string', enum: ['received', 'sent'], description: 'received: your insurer is invited; sent: your insurer files the product (absent for platform admins).' },
    proposedInVersion: { type: 'string', description: 'The version that proposed these terms (last invited).' },
    createdAt: { type: 'string', format: 'date-time', description: 'When first proposed.' },
    updatedAt: { type: 'string', format: 'date-time', description: 'Last change.' },
    decidedAt: { type: 'string', format: 'date-time', description: 'When accepted or declined.' },
    decidedBy: { type: 'string', description: 'Who accepted or declined (user name).' },
    leftAt: { type: 'string', format: 'date-time', description: 'When the member left the pool.' },
  },
} as const;
export type PoolInvitationBody = FromSchema<typeof poolInvitationSchema>;

export const poolInvitationListSchema = pageSchema('PoolInvitationList', poolInvitationSchema, {
  description: 'A page of your insurer\'s pool invitations: the ones it is invited to and the ones it sent, newest first.',
  items: 'Invitations.',
});

/** POST /v1/pool-invitations: which version's pool to invite (again). */
export const poolInviteRequestSchema = {
  $id: schemaId('PoolInviteRequest'),
  type: 'object', required: ['productCode', 'version'], additionalProperties: false,
  description: 'The version whose pool members to invite: missing invitations are created, declined or left ones invited again.',
  properties: {
    productCode: { type: 'string', minLength: 1, maxLength: 64, description: 'Your product.' },
    version: { type: 'string', minLength: 1, maxLength: 64, description: 'The version whose pool to invite.' },
  },
} as const;

export const poolSchemas = [poolStatementSchema, poolInvitationSchema, poolInvitationListSchema, poolInviteRequestSchema];
