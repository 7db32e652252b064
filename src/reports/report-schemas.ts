// The insurers' tech-insurance report's schema (GET /v1/reports/tech-insurance): written once, it
// types the report, validates the route's answer and becomes the TechInsuranceReport component
// of the OpenAPI document.
import { localText as text, schemaId } from '../http/common-schemas.ts';

const fen = (description: string) => ({ type: 'integer', description: `${description} (integer fen).` }) as const;
const business = { type: 'string', enum: ['sole', 'pool-own-share'], description: 'sole: the insurer\'s own policies, whole; pool-own-share: its own share of co-insured policies (lead or follower), only its share.' } as const;

const figureProperties = {
  policies: { type: 'integer', description: 'Policies issued in the period (a co-insured policy counts in each member\'s report).' },
  enterprises: { type: 'integer', description: 'Enterprises covered: distinct insured enterprises (in subtotals and totals distinct over them, so at most the sum of the rows).' },
  grossPremiumFen: fen('Gross premium written, VAT included; own share for pool business'),
  netPremiumFen: fen('Net premium written, without VAT; own share for pool business'),
  refundedPremiumFen: fen('Premium refunded on cancellations of these policies, VAT included; own share for pool business'),
  sumInsuredFen: fen('Sum insured: the policies\' aggregate limits; own share of liability for pool business'),
  claimsPaidFen: fen('Claims paid on these policies; own share for pool business'),
  subsidiesGrantedFen: fen('Premium subsidies granted on these policies\' applications; own share for pool business'),
} as const;
const figureRequired = ['policies', 'enterprises', 'grossPremiumFen', 'netPremiumFen', 'refundedPremiumFen', 'sumInsuredFen', 'claimsPaidFen', 'subsidiesGrantedFen'] as const;

/** GET /v1/reports/tech-insurance (JSON): one insurer's report for a half year or a year. */
export const techInsuranceReportSchema = {
  $id: schemaId('TechInsuranceReport'),
  type: 'object',
  description: 'An insurer\'s tech-insurance report (科技保险业务统计) for a half year or a year: per line, province and business (sole, own share of pool business) the policies issued in the period (by issue date, China time) and their figures; subtotals per business and totals, each the sum of its rows to the fen.',
  required: ['insurer', 'period', 'rows', 'subtotals', 'totals', 'notes'],
  additionalProperties: false,
  properties: {
    insurer: {
      type: 'object', required: ['id', 'code', 'name'], additionalProperties: false, description: 'The insurer reporting.',
      properties: { id: { type: 'string', description: 'Organisation id.' }, code: { type: 'string', description: 'Insurer code.' }, name: { type: 'string', description: 'Name (Chinese).' }, nameEn: { type: 'string', description: 'Name (English), when known.' } },
    },
    period: {
      type: 'object', required: ['code', 'from', 'to'], additionalProperties: false, description: 'The period: policies issued from `from` to `to` (China dates, inclusive).',
      properties: { code: { type: 'string', description: '2026H1, 2026H2 or 2026.' }, from: { type: 'string', format: 'date', description: 'First issue date.' }, to: { type: 'string', format: 'date', description: 'Last issue date.' } },
    },
    rows: {
      type: 'array', description: 'One row per line, province and business, by line, province code and business (sole first).',
      items: {
        type: 'object', additionalProperties: false, description: 'The figures of one line, province and business.',
        required: ['line', 'lineName', 'province', 'provinceName', 'business', ...figureRequired],
        properties: {
          line: { type: 'string', description: 'Line (险种) code.' },
          lineName: text('The line\'s name.'),
          province: { type: ['string', 'null'], description: 'Two-digit GB/T 2260 province code of the insured enterprise\'s region when the policy was rated; null when none was recorded.' },
          provinceName: text('The province\'s name (地区未登记 / Region not recorded when none).'),
          business,
          ...figureProperties,
        },
      },
    },
    subtotals: {
      type: 'array', description: 'One subtotal per business present (sole first): the sum of its rows.',
      items: { type: 'object', additionalProperties: false, description: 'The sum of the rows of one business.', required: ['business', ...figureRequired], properties: { business, ...figureProperties } },
    },
    totals: { type: 'object', additionalProperties: false, description: 'The sum of every row (enterprises: distinct over the report).', required: [...figureRequired], properties: figureProperties },
    notes: {
      type: 'array', description: 'What the figures do not include yet (e.g. policy-life-not-recorded: refunds and claims read as zero).',
      items: { type: 'object', required: ['code', 'text'], additionalProperties: false, description: 'A note.', properties: { code: { type: 'string', description: 'What it is about.' }, text: text('The note.') } },
    },
  },
} as const;

export const reportSchemas = [techInsuranceReportSchema];
