import type { FromSchema } from 'json-schema-to-ts';

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
