// The subsidy-programme format (products/subsidies/*.json). Programmes are data: the catalogue
// stores them and passes the applicable ones to evaluateQuote.
import type { FromSchema } from 'json-schema-to-ts';
import { localTextSchema, TECH_INSURANCE_LINES } from './product-schema.ts';

const decimalString = { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)?$' } as const;
const text = localTextSchema;
const lines = {
  type: 'array',
  minItems: 1,
  items: { type: 'string', enum: TECH_INSURANCE_LINES, description: 'A line of business.' },
} as const;
const qualifications = { type: 'array', items: { type: 'string', description: 'A qualification code (e.g. high-value-patent).' } } as const;

/** Kinds of supporting paper a programme may ask for with an application. */
export const SUBSIDY_PAPER_KINDS = ['invoice', 'payment-proof', 'qualification', 'catalogue-entry', 'contract', 'policy', 'other'] as const;

/** Highest subsidy-programme format version this engine understands. */
export const SUBSIDY_SCHEMA_VERSION = 1;

/** JSON Schema of a government premium-subsidy programme. */
export const subsidyProgrammeSchema = {
  $id: 'https://tech-insurance.example/schemas/subsidy-programme.json',
  title: 'Subsidy programme',
  description: 'A premium-subsidy programme (保费补贴): share of the premium reimbursed after payment, with its caps and eligibility. Money in integer fen; rates and shares in percent as decimal strings.',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'code', 'name', 'level', 'lines', 'sharePercent', 'source'],
  properties: {
    schemaVersion: { type: 'integer', const: SUBSIDY_SCHEMA_VERSION, description: 'Version of this format.' },
    code: { type: 'string', pattern: '^[A-Z][A-Z0-9-]*$', description: 'Programme code.' },
    name: { ...text, description: 'Programme name.' },
    description: { ...text, description: 'How the programme works, in a sentence or two.' },
    level: { type: 'string', enum: ['central', 'provincial', 'city', 'county'], description: 'Government level; layers are applied central first.' },
    regionCode: { type: 'string', pattern: '^[0-9]{6}$', description: 'GB/T 2260 code of the region (trailing 00 pairs match every sub-region); absent for nationwide programmes.' },
    lines: { ...lines, description: 'Lines of business the programme subsidises.' },
    sharePercent: { ...decimalString, description: 'Share of the counted premium reimbursed, in percent.' },
    rateCapPercent: { ...decimalString, description: 'Highest premium rate counted (premium ÷ sum insured), in percent.' },
    limitCap: {
      type: 'object',
      description: 'Caps on the sum insured counted for the rate cap.',
      additionalProperties: false,
      properties: {
        multipleOfContract: { ...decimalString, description: 'At most this multiple of the contract amount.' },
        amountFen: { type: 'integer', minimum: 0, description: 'At most this amount, in fen.' },
      },
    },
    minimumPremiumFen: { type: 'integer', minimum: 0, description: 'Policies with a smaller premium are not eligible.' },
    perPolicyCapFen: { type: 'integer', minimum: 0, description: 'Highest subsidy for one policy, in fen.' },
    annualCapPerEnterpriseFen: { type: 'integer', minimum: 0, description: 'Highest subsidy per enterprise per year, in fen, including what it already received this year.' },
    capsByLine: {
      type: 'array',
      description: 'Annual per-enterprise caps that differ by line (override annualCapPerEnterpriseFen).',
      items: {
        type: 'object',
        description: 'Cap for one line.',
        additionalProperties: false,
        required: ['line', 'annualCapPerEnterpriseFen'],
        properties: {
          line: { type: 'string', enum: TECH_INSURANCE_LINES, description: 'The line.' },
          annualCapPerEnterpriseFen: { type: 'integer', minimum: 0, description: 'Annual cap for that line, in fen.' },
        },
      },
    },
    stackingCapPercent: { ...decimalString, description: 'All subsidy layers together may not exceed this percent of the premium when this programme applies.' },
    yearsOfSupport: { type: 'integer', minimum: 1, description: 'Policy years supported (the enterprise context gives the current support year).' },
    requiresQualifications: { ...qualifications, description: 'Qualifications the enterprise must all hold.' },
    requiresAnyQualification: { ...qualifications, description: 'Qualifications of which the enterprise must hold one.' },
    excludedWith: { type: 'array', description: 'Awards or programme codes that rule this programme out (cannot be combined).', items: { type: 'string', description: 'Award or programme code.' } },
    variants: {
      type: 'array',
      description: 'Overrides for particular cases; the first matching variant applies.',
      items: {
        type: 'object',
        description: 'A variant.',
        additionalProperties: false,
        required: ['key', 'label'],
        properties: {
          key: { type: 'string', description: 'Variant key.' },
          label: { ...text, description: 'Variant label.' },
          lines: { ...lines, description: 'Applies only to these lines.' },
          qualifications: { ...qualifications, description: 'Applies only when the enterprise holds all of these.' },
          coverScope: { type: 'string', enum: ['domestic', 'overseas'], description: 'Applies only to this territorial scope of cover.' },
          sharePercent: { ...decimalString, description: 'Share in percent for this case.' },
          annualCapPerEnterpriseFen: { type: 'integer', minimum: 0, description: 'Annual cap for this case, in fen.' },
        },
      },
    },
    source: { type: 'string', description: 'Notice or document the figures come from.' },
    application: {
      type: 'object',
      description: 'How the enterprise applies: the department it files with and the supporting papers it must enclose (printed on the application, 补贴申请材料).',
      additionalProperties: false,
      required: ['department', 'papers'],
      properties: {
        department: { ...text, description: 'Department the application is filed with.' },
        papers: {
          type: 'array',
          minItems: 1,
          description: 'Supporting papers the programme asks for, in the order they are enclosed.',
          items: {
            type: 'object',
            description: 'One supporting paper.',
            additionalProperties: false,
            required: ['kind', 'label'],
            properties: {
              kind: { type: 'string', enum: SUBSIDY_PAPER_KINDS, description: 'What kind of paper it is.' },
              label: { ...text, description: 'The paper as the department names it.' },
              note: { ...text, description: 'Where it comes from or what it must show.' },
            },
          },
        },
      },
    },
    notes: { type: 'string', description: 'Readings and simplifications made when encoding the rule.' },
  },
} as const;

/** A subsidy programme as stored in products/subsidies/*.json and in the catalogue. */
export type SubsidyProgramme = FromSchema<typeof subsidyProgrammeSchema>;
