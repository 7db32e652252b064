import type { FromSchema } from 'json-schema-to-ts';
import { pageSchema, schemaId } from '../http/common-schemas.ts';
import { authorityLevels, organisationKinds, roles } from './caller.ts';

const REGION_PREFIX = '^[0-9]{2}(?:[0-9]{2}){0,2}$';
const PROGRAMME_CODE = '^[A-Z][A-Z0-9-]{0,63}$';

export const organisationSchema = {
  $id: schemaId('Organisation'),
  type: 'object',
  description: 'An insurer, broker firm, enterprise, subsidy department (authority), or the platform operator.',
  required: ['id', 'code', 'kind', 'name', 'qualifications', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: 'Organisation id.' },
    code: { type: 'string', description: 'Short unique code; for insurers, the code product definitions name.' },
    kind: { type: 'string', enum: organisationKinds, description: 'What the organisation is.' },
    name: { type: 'string', description: 'Name in Chinese (legal name).' },
    nameEn: { type: 'string', description: 'Name in English.' },
    province: { type: 'string', description: 'Province (for subsidy eligibility), e.g. 浙江.' },
    city: { type: 'string', description: 'City (for subsidy eligibility), e.g. 杭州.' },
    regionCode: { type: 'string', description: 'GB/T 2260 region code (6 digits); subsidy programmes match on it.' },
    qualifications: { type: 'array', items: { type: 'string' }, description: 'Enterprise qualifications such as high-tech, specialised-sme, tech-sme.' },
    unifiedSocialCreditCode: { type: 'string', description: '统一社会信用代码.' },
    address: { type: 'string', description: 'Address in Chinese, printed on documents (an insurer\'s registered address).' },
    addressEn: { type: 'string', description: 'Address in English.' },
    servicePhone: { type: 'string', description: 'Customer-service telephone (客服电话), printed on documents.' },
    level: { type: 'string', enum: authorityLevels, description: 'Subsidy departments: the government level (central, provincial, city, county).' },
    regionPrefixes: { type: 'array', items: { type: 'string' }, description: 'Subsidy departments: the regions covered, as prefixes of the 6-digit region code (33 Zhejiang, 3301 Hangzhou); empty for a central department, which covers all.' },
    programmes: { type: 'array', items: { type: 'string' }, description: 'Subsidy departments: the codes of the subsidy programmes it administers.' },
    createdAt: { type: 'string', format: 'date-time', description: 'When it was created.' },
  },
} as const;
export type OrganisationView = FromSchema<typeof organisationSchema>;

export const organisationListSchema = pageSchema('OrganisationList', organisationSchema, { description: 'A page of the organisations the caller may see, by code.', items: 'Organisations.' });

export const newOrganisationSchema = {
  $id: schemaId('NewOrganisation'),
  type: 'object',
  description: 'An organisation to create.',
  required: ['code', 'kind', 'name'],
  additionalProperties: false,
  properties: {
    code: { type: 'string', pattern: '^[A-Z0-9][A-Z0-9-]{1,31}$', description: 'Upper-case letters, digits and dashes, 2–32 characters.' },
    kind: { type: 'string', enum: organisationKinds, description: 'What the organisation is.' },
    name: { type: 'string', minLength: 1, maxLength: 200, description: 'Name in Chinese (legal name).' },
    nameEn: { type: 'string', minLength: 1, maxLength: 200, description: 'Name in English.' },
    province: { type: 'string', minLength: 1, maxLength: 50, description: 'Province, e.g. 浙江.' },
    city: { type: 'string', minLength: 1, maxLength: 50, description: 'City, e.g. 杭州.' },
    regionCode: { type: 'string', pattern: '^[0-9]{6}$', description: 'GB/T 2260 region code, e.g. 330106.' },
    qualifications: { type: 'array', maxItems: 20, items: { type: 'string', minLength: 1, maxLength: 50 }, description: 'Enterprise qualifications.' },
    unifiedSocialCreditCode: { type: 'string', pattern: '^[0-9A-Z]{18}$', description: '统一社会信用代码 (18 characters).' },
    address: { type: 'string', minLength: 1, maxLength: 200, description: 'Address in Chinese, printed on documents.' },
    addressEn: { type: 'string', minLength: 1, maxLength: 200, description: 'Address in English.' },
    servicePhone: { type: 'string', pattern: '^[0-9+][0-9 -]{2,29}$', description: 'Customer-service telephone (客服电话), e.g. 400-820-1234.' },
    level: { type: 'string', enum: authorityLevels, description: 'Subsidy departments (kind authority) only, required there: central, provincial, city or county.' },
    regionPrefixes: { type: 'array', maxItems: 50, uniqueItems: true, items: { type: 'string', pattern: REGION_PREFIX }, description: 'Subsidy departments only: the regions covered as 2-, 4- or 6-digit prefixes of the region code (33, 3301, 330106); required (at least one) unless the level is central, which covers all and names none.' },
    programmes: { type: 'array', minItems: 1, maxItems: 50, uniqueItems: true, items: { type: 'string', pattern: PROGRAMME_CODE }, description: 'Subsidy departments only, required there: the codes of the subsidy programmes it administers (products/subsidies/).' },
  },
} as const;
export type NewOrganisation = FromSchema<typeof newOrganisationSchema>;

export const newApiKeySchema = {
  $id: schemaId('NewApiKey'),
  type: 'object',
  description: 'A key to issue for a user of the organisation.',
  required: ['userName', 'role'],
  additionalProperties: false,
  properties: {
    userName: { type: 'string', minLength: 1, maxLength: 100, description: 'Who will use the key.' },
    role: { type: 'string', enum: roles, description: 'The role the key carries; it must fit the organisation kind.' },
  },
} as const;
export type NewApiKey = FromSchema<typeof newApiKeySchema>;

export const issuedApiKeySchema = {
  $id: schemaId('IssuedApiKey'),
  type: 'object',
  description: 'A newly issued key. The apiKey is shown this once and never again.',
  required: ['keyId', 'apiKey', 'userName', 'role', 'organisationId'],
  additionalProperties: false,
  properties: {
    keyId: { type: 'string', description: 'Public id of the key (used to revoke it).' },
    apiKey: { type: 'string', description: 'The secret key: send it as Authorization: Bearer <apiKey>.' },
    userName: { type: 'string', description: 'Who uses the key.' },
    role: { type: 'string', enum: roles, description: 'The role it carries.' },
    organisationId: { type: 'string', description: 'The organisation it belongs to.' },
  },
} as const;
/** The whole key is shown once and never stored. */
export type IssuedKey = FromSchema<typeof issuedApiKeySchema>;

export const callerSchema = {
  $id: schemaId('Caller'),
  type: 'object',
  description: 'Who the presented key belongs to.',
  required: ['keyId', 'userName', 'role', 'organisationId', 'organisationKind', 'organisationCode'],
  additionalProperties: false,
  properties: {
    keyId: { type: 'string', description: 'Public id of the key.' },
    userName: { type: 'string', description: 'User name.' },
    role: { type: 'string', enum: roles, description: 'Role.' },
    organisationId: { type: 'string', description: 'Organisation id.' },
    organisationKind: { type: 'string', enum: organisationKinds, description: 'Organisation kind.' },
    organisationCode: { type: 'string', description: 'Organisation code.' },
    authority: {
      type: 'object', required: ['level', 'regionPrefixes', 'programmes'], additionalProperties: false,
      description: 'A subsidy department\'s coverage (authority officers only): the applications it reviews are those of these programmes from enterprises in these regions.',
      properties: {
        level: { type: 'string', enum: authorityLevels, description: 'Government level.' },
        regionPrefixes: { type: 'array', items: { type: 'string' }, description: 'Region-code prefixes covered (empty: central, all regions).' },
        programmes: { type: 'array', items: { type: 'string' }, description: 'Programme codes administered.' },
      },
    },
  },
} as const;

export const idParamsSchema = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 64, description: 'Resource id.' } },
} as const;

export const authSchemas = [organisationSchema, organisationListSchema, newOrganisationSchema, newApiKeySchema, issuedApiKeySchema, callerSchema];
