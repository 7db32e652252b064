// The pool statement's schema (GET /v1/pools/statement): written once, it types the statement,
// validates the route's answer and becomes the PoolStatement component of the OpenAPI document.
import { schemaId } from '../http/common-schemas.ts';

const fen = (description: string) => ({ type: 'integer', description: `${description} (integer fen).` }) as const;

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

export const statementSchemas = [poolStatementSchema];
