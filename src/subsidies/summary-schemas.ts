// A department's summary's schema (GET /v1/subsidies/summary, #27): written once, it validates the
// route's answer and becomes the SubsidySummary component of the OpenAPI document.
import { localText as text, schemaId } from '../http/common-schemas.ts';

const fen = (description: string) => ({ type: 'integer', description: `${description} (integer fen).` }) as const;
const count = (description: string) => ({ type: 'integer', minimum: 0, description }) as const;

const figureProperties = {
  applications: count('Applications submitted in the period (withdrawn ones included).'),
  appliedFen: fen('Applied for by those applications, withdrawn ones included'),
  granted: count('Of them, granted.'),
  grantedFen: fen('The amounts granted (at most what the granted applications applied for)'),
  refused: count('Of them, refused.'),
  refusedFen: fen('The amounts the refused applications applied for'),
  pending: count('Of them, awaiting a decision.'),
  pendingFen: fen('The amounts the pending applications applied for'),
  withdrawn: count('Of them, withdrawn by the enterprise or its broker.'),
  withdrawnFen: fen('The amounts the withdrawn applications had applied for'),
} as const;
const figureRequired = Object.keys(figureProperties) as (keyof typeof figureProperties)[];

/** GET /v1/subsidies/summary (JSON). */
export const departmentSummarySchema = {
  $id: schemaId('SubsidySummary'),
  type: 'object',
  description: 'The subsidy applications a department reviews (its programmes × its regions; a platform admin: all) submitted from `from` to `to` (submission dates, China, inclusive), per programme and province; the totals are the sums of the rows, to the fen.',
  required: ['from', 'to', 'rows', 'totals'],
  additionalProperties: false,
  properties: {
    from: { type: 'string', format: 'date', description: 'First submission date counted.' },
    to: { type: 'string', format: 'date', description: 'Last submission date counted.' },
    programme: { type: 'string', description: 'The programme asked for, when one was and it is one of the department\'s (or has rows).' },
    rows: {
      type: 'array', description: 'One row per programme and province with applications in the period, by programme code and province code.',
      items: {
        type: 'object', additionalProperties: false, description: 'The applications of one programme from one province.',
        required: ['programme', 'programmeName', 'provinceCode', 'provinceName', ...figureRequired],
        properties: {
          programme: { type: 'string', description: 'Programme code.' },
          programmeName: text('The programme\'s name.'),
          provinceCode: { type: 'string', description: 'Two-digit GB/T 2260 province code of the enterprise\'s region; empty when none was recorded.' },
          provinceName: text('The province\'s name (地区未登记 / Region not recorded when none).'),
          ...figureProperties,
        },
      },
    },
    totals: { type: 'object', additionalProperties: false, description: 'The sum of every row.', required: figureRequired, properties: figureProperties },
  },
} as const;

export const summarySchemas = [departmentSummarySchema];
