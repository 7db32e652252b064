import type { FromSchema } from 'json-schema-to-ts';
import { organisationSchema } from '../auth/auth-schemas.ts';
import { cursorPageQuery, cursorPageSchema, schemaId } from '../http/common-schemas.ts';

export const creditCodeSchema = { type: 'string', pattern: '^[0-9A-Z]{18}$', description: 'Unified social credit code (统一社会信用代码), 18 characters.' } as const;

export const clientSchema = {
  $id: schemaId('Client'),
  type: 'object', required: ['enterprise', 'linkedAt'], additionalProperties: false,
  description: 'An enterprise the caller\'s broker firm acts for.',
  properties: {
    enterprise: organisationSchema,
    linkedAt: { type: 'string', format: 'date-time', description: 'When the firm linked it.' },
  },
} as const;
export type ClientView = FromSchema<typeof clientSchema>;

export const clientListSchema = cursorPageSchema('ClientList', clientSchema, { description: 'A page of the firm\'s clients, newest linked first (a search answers no total).', items: 'Clients.' });
export type ClientList = FromSchema<typeof clientListSchema>;

export const newClientSchema = {
  $id: schemaId('NewClient'),
  type: 'object', required: ['unifiedSocialCreditCode'], additionalProperties: false,
  description: 'Link the enterprise with this credit code to your firm; when there is none, send its name (and region) to register it.',
  properties: {
    unifiedSocialCreditCode: creditCodeSchema,
    name: { type: 'string', minLength: 1, maxLength: 200, description: 'Legal name in Chinese (to register a new enterprise).' },
    nameEn: { type: 'string', minLength: 1, maxLength: 200, description: 'Name in English.' },
    province: { type: 'string', minLength: 1, maxLength: 50, description: 'Province, e.g. 浙江.' },
    city: { type: 'string', minLength: 1, maxLength: 50, description: 'City, e.g. 杭州.' },
    regionCode: { type: 'string', pattern: '^[0-9]{6}$', description: 'GB/T 2260 region code, e.g. 330106 (subsidy programmes match on it).' },
    qualifications: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 50 }, description: 'Qualifications such as high-tech, specialised-sme.' },
  },
} as const;
export type NewClient = FromSchema<typeof newClientSchema>;

export const clientQuery = cursorPageQuery({
  q: { type: 'string', minLength: 1, maxLength: 100, description: 'Part of the name (Chinese or English), the code, or the credit code.' },
});

export const clientSchemas = [clientSchema, clientListSchema, newClientSchema];
