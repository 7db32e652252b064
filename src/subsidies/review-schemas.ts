// Schemas of the departments' side of subsidy applications (#27): an application as a department
// reviews it, a page of its queue, and a decision. Written once: they type the service, validate
// requests and responses, and feed OpenAPI.
import type { FromSchema } from 'json-schema-to-ts';
import { cursorPageSchema, localTextSchema, schemaId } from '../http/common-schemas.ts';
import { subsidyApplicationSchema } from './subsidy-schemas.ts';

const fen = (description: string) => ({ type: 'integer', description: `${description} (integer fen).` }) as const;
const { properties: application } = subsidyApplicationSchema;

export const reviewedApplicationSchema = {
  $id: schemaId('ReviewedSubsidyApplication'),
  type: 'object',
  description: 'A submitted subsidy application as the department it is filed with reviews it: the enterprise, the policy, the amounts, the status and the papers the programme asks for.',
  required: ['id', 'policyId', 'policyNumber', 'enterpriseId', 'enterpriseName', 'regionCode', 'programme', 'name', 'level', 'department', 'line', 'startDate', 'expectedFen', 'appliedFen', 'countedFen', 'status', 'submittedOn', 'papers', 'pdfPath', 'schedulePath'],
  additionalProperties: false,
  properties: {
    id: application.id,
    policyId: { type: 'string', description: 'Policy id.' },
    policyNumber: { type: 'string', description: 'Policy number.' },
    enterpriseId: { type: 'string', description: 'The enterprise applying.' },
    enterpriseName: { type: 'string', description: 'Its name.' },
    regionCode: { type: 'string', description: 'Its 6-digit region code (empty when it has none registered).' },
    programme: application.programme,
    name: application.name,
    level: application.level,
    department: application.department,
    line: { type: 'string', description: 'Line of business of the policy.' },
    startDate: { type: 'string', format: 'date', description: 'Day cover starts (the subsidy year).' },
    expectedFen: fen('Expected subsidy the policy was rated with'),
    appliedFen: fen('Amount applied for (what a grant may be at most)'),
    countedFen: application.countedFen,
    status: application.status,
    submittedOn: application.submittedOn,
    reference: application.reference,
    grantedFen: application.grantedFen,
    refusalReason: application.refusalReason,
    decidedOn: application.decidedOn,
    decisionReference: application.decisionReference,
    decidedBy: application.decidedBy,
    papers: {
      type: 'array',
      description: 'The supporting papers the programme asks for (the checklist).',
      items: {
        type: 'object', required: ['kind', 'label'], additionalProperties: false, description: 'One paper.',
        properties: { kind: { type: 'string', description: 'invoice, payment-proof, qualification, catalogue-entry, contract, policy or other.' }, label: { ...localTextSchema, description: 'What it is.' }, note: { ...localTextSchema, description: 'What to look for.' } },
      },
    },
    pdfPath: { type: 'string', description: 'The application PDF (补贴申请材料).' },
    schedulePath: { type: 'string', description: 'The policy schedule PDF (保单明细表), readable to the department through this application.' },
  },
} as const;
export type ReviewedApplication = FromSchema<typeof reviewedApplicationSchema>;

export const reviewedApplicationListSchema = cursorPageSchema('ReviewedSubsidyApplicationList', reviewedApplicationSchema, {
  description: 'A page of the submitted applications a department reviews (its programmes × its regions), programme by programme, newest first within each.',
  items: 'Applications.',
});
export type ReviewedApplicationList = FromSchema<typeof reviewedApplicationListSchema>;

export const decisionRequestSchema = {
  $id: schemaId('SubsidyDecisionRequest'),
  type: 'object',
  description: 'A department\'s decision on a submitted application, made once: granted with the amount (at most what was applied for), or refused with the reason.',
  required: ['outcome'],
  additionalProperties: false,
  properties: {
    outcome: { type: 'string', enum: ['granted', 'refused'], description: 'granted or refused.' },
    grantedFen: { type: 'integer', minimum: 1, maximum: 100_000_000_000, description: 'Granted: the amount granted (integer fen), at most the amount applied for; required then.' },
    reason: { type: 'string', minLength: 1, maxLength: 500, description: 'Refused: why; required then.' },
    reference: { type: 'string', minLength: 1, maxLength: 100, description: 'Granted: the department\'s reference (批复文号), optional.' },
    on: { type: 'string', format: 'date', description: 'Day of the decision (default today, China time); not before the submission.' },
  },
} as const;
export type DecisionRequest = FromSchema<typeof decisionRequestSchema>;

export const reviewSchemas = [reviewedApplicationSchema, reviewedApplicationListSchema, decisionRequestSchema];
