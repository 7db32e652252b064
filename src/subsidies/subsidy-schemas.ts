// Schemas of the subsidy applications and the enterprise's subsidy year: written once, they type
// the service, validate requests and responses, and feed OpenAPI.
import type { FromSchema } from 'json-schema-to-ts';
import { localTextSchema, schemaId } from '../http/common-schemas.ts';

const fen = (description: string) => ({ type: 'integer', description: `${description} (integer fen).` }) as const;
const day = (description: string) => ({ type: 'string', format: 'date', description }) as const;
const statuses = ['prepared', 'submitted', 'granted', 'refused', 'withdrawn'] as const;

export const subsidyApplicationSchema = {
  $id: schemaId('SubsidyApplication'),
  type: 'object',
  description: 'The application (补贴申请材料) of one policy to one subsidy programme, and what became of it.',
  required: ['id', 'programme', 'name', 'level', 'department', 'expectedFen', 'countedFen', 'status', 'pdfPath'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: 'The application\'s id: `<policy id>-<programme>` (what /v1/subsidy-applications/{id} names).' },
    programme: { type: 'string', description: 'Programme code.' },
    name: { ...localTextSchema, description: 'Programme name.' },
    level: { type: 'string', enum: ['central', 'provincial', 'city', 'county'], description: 'Government level.' },
    department: { ...localTextSchema, description: 'Department the application is filed with.' },
    expectedFen: fen('Amount applied for: the expected subsidy on the policy'),
    countedFen: fen('What the annual caps count for it: granted when known, nothing when refused, else expected'),
    status: { type: 'string', enum: statuses, description: 'prepared (nothing recorded yet), submitted, granted or refused (by the department), or withdrawn (by the enterprise before a decision).' },
    submittedOn: day('Day it was submitted.'),
    reference: { type: 'string', description: 'The department\'s reference for the submission, if given.' },
    grantedFen: fen('Amount actually granted'),
    refusalReason: { type: 'string', description: 'Why it was refused.' },
    decidedOn: day('Day it was granted, refused or withdrawn.'),
    decisionReference: { type: 'string', description: 'The department\'s reference for its decision (a grant), if given.' },
    decidedBy: { type: 'string', enum: ['authority', 'enterprise'], description: 'Who recorded the outcome: the department (authority), or the enterprise or its broker (outcomes recorded before departments decided them, marked by the migration).' },
    pdfPath: { type: 'string', description: 'Where to download its PDF.' },
  },
} as const;
export type SubsidyApplicationView = FromSchema<typeof subsidyApplicationSchema>;

export const subsidyApplicationListSchema = {
  $id: schemaId('SubsidyApplicationList'),
  type: 'object',
  description: 'The subsidy applications of a policy: one per programme it is eligible for with a non-zero amount.',
  required: ['policyId', 'policyNumber', 'year', 'items', 'expectedFen', 'zipPath'],
  additionalProperties: false,
  properties: {
    policyId: { type: 'string', description: 'Policy id.' },
    policyNumber: { type: 'string', description: 'Policy number.' },
    year: { type: 'string', description: 'Subsidy year (the year cover starts).' },
    items: { type: 'array', items: subsidyApplicationSchema, description: 'Applications, central first.' },
    expectedFen: fen('All applications together'),
    zipPath: { type: 'string', description: 'Where to download every application as one ZIP.' },
  },
} as const;
export type SubsidyApplicationList = FromSchema<typeof subsidyApplicationListSchema>;

export const applicationStatusRequestSchema = {
  $id: schemaId('SubsidyApplicationStatusRequest'),
  type: 'object',
  description: 'A step of an application the enterprise (or its broker) records: submitted, or withdrawn before a decision. Granted and refused are the department\'s (POST /v1/subsidy-applications/{id}/decision): 403 here.',
  required: ['status'],
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['submitted', 'withdrawn', 'granted', 'refused'], description: 'What happened: submitted or withdrawn (granted and refused: only the department records them, 403).' },
    grantedFen: { type: 'integer', minimum: 0, maximum: 100_000_000_000, description: 'Granted (the department\'s): the amount granted (integer fen).' },
    reason: { type: 'string', minLength: 1, maxLength: 500, description: 'Refused (the department\'s): its reason.' },
    reference: { type: 'string', minLength: 1, maxLength: 100, description: 'Submitted: the department\'s reference (optional).' },
    on: day('Day it happened (default today, China time).'),
  },
} as const;
export type ApplicationStatusRequest = FromSchema<typeof applicationStatusRequestSchema>;

const yearRow = {
  type: 'object',
  description: 'One programme in one enterprise\'s year.',
  required: ['enterpriseId', 'enterpriseName', 'programme', 'name', 'applications', 'expectedFen', 'appliedFen', 'pendingFen', 'grantedFen', 'refusedFen', 'countedFen'],
  additionalProperties: false,
  properties: {
    enterpriseId: { type: 'string', description: 'Enterprise.' },
    enterpriseName: { type: 'string', description: 'Its name.' },
    programme: { type: 'string', description: 'Programme code.' },
    name: { ...localTextSchema, description: 'Programme name.' },
    applications: { type: 'integer', description: 'Policies with an application to it.' },
    expectedFen: fen('Expected on those policies'),
    appliedFen: fen('Applied for: expected amounts of the submitted applications (decided or not)'),
    pendingFen: fen('Submitted and awaiting a decision'),
    grantedFen: fen('Granted'),
    refusedFen: fen('Expected amounts of refused applications'),
    countedFen: fen('What the annual cap counts for the enterprise this year (all its policies)'),
    annualCapFen: fen('The programme\'s annual cap per enterprise; absent when it has none'),
    capRemainingFen: fen('What remains of the annual cap; absent when it has none'),
  },
} as const;

export const subsidyYearSchema = {
  $id: schemaId('SubsidyYear'),
  type: 'object',
  description: 'Subsidy applications of a year (policies starting in it), per enterprise and programme, with what remains of each annual cap.',
  required: ['year', 'rows', 'applications'],
  additionalProperties: false,
  properties: {
    year: { type: 'string', description: 'The year (YYYY).' },
    rows: { type: 'array', items: yearRow, description: 'Per enterprise and programme.' },
    applications: {
      type: 'array',
      description: 'Every application of the year.',
      items: {
        type: 'object',
        description: 'One application.',
        required: ['policyId', 'policyNumber', 'enterpriseName', 'application'],
        additionalProperties: false,
        properties: {
          policyId: { type: 'string', description: 'Policy id.' },
          policyNumber: { type: 'string', description: 'Policy number.' },
          enterpriseName: { type: 'string', description: 'Enterprise.' },
          application: subsidyApplicationSchema,
        },
      },
    },
  },
} as const;
export type SubsidyYear = FromSchema<typeof subsidyYearSchema>;
export type SubsidyYearRow = SubsidyYear['rows'][number];

export const subsidySchemas = [subsidyApplicationSchema, subsidyApplicationListSchema, applicationStatusRequestSchema, subsidyYearSchema];
