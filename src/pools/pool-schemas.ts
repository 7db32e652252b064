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

export const poolSchemas = [poolInvitationSchema, poolInvitationListSchema, poolInviteRequestSchema];
