import type { FromSchema } from 'json-schema-to-ts';
import { poolShareSchema, poolViewProperties } from '../pools/pool-schemas.ts';
import { cursorPageSchema, localTextSchema, schemaId } from '../http/common-schemas.ts';
import type { QuoteContext, QuotePicks, RatingResult } from '../rating/index.ts';
import { pickableStepsSchema } from '../catalogue/catalogue-schemas.ts';

/** Where a layer's qualifications came from (#27): a department's list read on the start date, or declared. */
const qualificationEvidenceProperties = {
  verification: {
    type: 'array', description: 'Qualification lists the programme\'s eligibility was verified against, on the quote\'s start date ("verified against <list> of <date>").',
    items: {
      type: 'object', required: ['kind', 'listId', 'listDate', 'held'], additionalProperties: false,
      properties: {
        kind: { type: 'string', description: 'Kind of list: high-tech, first-set-catalogue or specialised.' },
        listId: { type: 'string', description: 'The list version read (GET /v1/qualification-lists/{id}).' },
        listDate: { type: 'string', format: 'date', description: 'Upload date of that version.' },
        held: { type: 'boolean', description: 'Whether the enterprise holds, on the start date, a qualification of it the programme reads.' },
      },
    },
  },
  declared: { type: 'array', items: { type: 'string' }, description: 'Qualification codes the programme reads that no list covers for the enterprise\'s region: as declared, not verified.' },
} as const;
const text = localTextSchema;
const fen = (description: string) => ({ type: 'integer', description: `${description} (integer fen).` }) as const;
const decimal = (description: string) => ({ type: 'string', description }) as const;
const date = (description: string) => ({ type: 'string', format: 'date', description }) as const;
/** Any JSON value of a form field: a number, text, true/false, or a list of items (see the product's form). */
const fieldValue = { description: 'A form field\'s value: a number, text, true/false, or a list of items, as the product\'s form says.' } as const;
/** Inputs by form field key: open, since each product's form decides its fields. */
const inputsSchema = <const D extends string>(description: D) => ({ type: 'object', additionalProperties: fieldValue, description }) as const;
const picksValue = { type: ['string', 'number'], description: 'A coefficient inside the filed range, as a decimal string or a number.' } as const;

/** The engine's explained result (src/rating RatingResult) as a JSON Schema. */
export const ratingResultSchema = {
  $id: schemaId('RatingResult'),
  type: 'object',
  description: 'A priced and explained quote: decision, premium by section and item, VAT split, subsidy layers, enterprise net cost, co-insurance split and the worksheet.',
  required: ['productCode', 'productVersion', 'insurer', 'line', 'asOf', 'validUntil', 'period', 'decision', 'sections', 'grossPremiumFen', 'vatRatePercent', 'netPremiumFen', 'vatFen', 'subsidies', 'enterprisePaysFen', 'expectedNetCostFen', 'worksheet'],
  additionalProperties: false,
  properties: {
    productCode: { type: 'string', description: 'Product.' },
    productVersion: { type: 'string', description: 'Version rated on.' },
    insurer: { type: 'string', description: 'Insurer code.' },
    line: { type: 'string', description: 'Line of business.' },
    asOf: date('Date the tariff was applied for.'),
    validUntil: date('Validity as the engine computes it from asOf.'),
    period: { type: 'object', required: ['months'], additionalProperties: false, description: 'Length of cover.', properties: { months: { type: 'integer', description: 'Months (part months round up).' }, days: { type: 'integer', description: 'Days, when rated per day.' } } },
    decision: {
      type: 'object', required: ['outcome', 'reasons', 'authorities'], additionalProperties: false, description: 'Underwriting outcome.',
      properties: {
        outcome: { type: 'string', enum: ['quoted', 'referred', 'declined'], description: 'quoted, referred (to an underwriter) or declined.' },
        reasons: { type: 'array', description: 'Rules that fired.', items: { type: 'object', required: ['rule', 'action', 'reason'], additionalProperties: false, properties: { rule: { type: 'string', description: 'Rule key.' }, action: { type: 'string', enum: ['refer', 'decline'], description: 'Action.' }, reason: text, authority: { type: 'string', description: 'Authority needed.' } } } },
        authorities: { type: 'array', items: { type: 'string' }, description: 'Authorities that must approve.' },
      },
    },
    sections: {
      type: 'array', description: 'Premium per section (and per item for per-item sections).',
      items: { type: 'object', required: ['key', 'label', 'premiumFen'], additionalProperties: false, properties: { key: { type: 'string', description: 'Section key.' }, label: text, premiumFen: fen('Section premium'), items: { type: 'array', description: 'Per item.', items: { type: 'object', required: ['index', 'premiumFen'], additionalProperties: false, properties: { index: { type: 'integer', description: 'Item index.' }, premiumFen: fen('Item premium') } } } } },
    },
    grossPremiumFen: fen('Premium, VAT included (价税合计)'),
    vatRatePercent: decimal('VAT rate in percent.'),
    netPremiumFen: fen('Premium without VAT'),
    vatFen: fen('VAT'),
    subsidies: {
      type: 'object', required: ['layers', 'ineligible', 'totalFen'], additionalProperties: false, description: 'Expected subsidies, applied for after paying the premium.',
      properties: {
        layers: {
          type: 'array', description: 'One per programme that applies.',
          items: {
            type: 'object', required: ['programme', 'name', 'level', 'sharePercent', 'countedPremiumFen', 'uncappedFen', 'amountFen', 'caps', 'capBit'], additionalProperties: false,
            properties: {
              programme: { type: 'string', description: 'Programme code.' }, name: text, level: { type: 'string', description: 'Government level.' }, variant: { type: 'string', description: 'Variant applied.' },
              sharePercent: decimal('Share in percent.'), countedPremiumFen: fen('Premium counted after rate and limit caps'), uncappedFen: fen('Share × counted premium'), amountFen: fen('Expected subsidy'),
              caps: { type: 'array', description: 'Caps met.', items: { type: 'object', required: ['kind', 'limitFen', 'bit'], additionalProperties: false, properties: { kind: { type: 'string', description: 'rate, limit, perPolicy, annual, stacking, premium.' }, limitFen: fen('Cap'), bit: { type: 'boolean', description: 'Whether it reduced the subsidy.' } } } },
              capBit: { type: 'boolean', description: 'Whether any cap bit.' },
              ...qualificationEvidenceProperties,
            },
          },
        },
        ineligible: { type: 'array', description: 'Programmes that do not apply, and why.', items: { type: 'object', required: ['programme', 'reason'], additionalProperties: false, properties: { programme: { type: 'string', description: 'Code.' }, name: text, reason: { type: 'string', description: 'Why not (English).' }, kind: { type: 'string', enum: ['line', 'region', 'supportYear', 'qualifications', 'anyQualification', 'excluded', 'minimumPremium', 'noSumInsured'], description: 'Kind of reason.' }, detail: { type: 'array', items: { type: 'string' }, description: 'The figures or codes of the reason.' }, ...qualificationEvidenceProperties } } },
        totalFen: fen('All layers'),
      },
    },
    enterprisePaysFen: fen('Paid up front: the full gross premium'),
    expectedNetCostFen: fen('Gross premium less expected subsidies'),
    coInsurance: { type: 'array', description: 'Pool members\' shares; they add up to the premium to the fen.', items: { type: 'object', required: ['insurer', 'role', 'sharePercent', 'grossPremiumFen', 'netPremiumFen', 'vatFen'], additionalProperties: false, properties: { insurer: { type: 'string', description: 'Insurer code.' }, role: { type: 'string', enum: ['lead', 'follower'], description: 'Role.' }, sharePercent: decimal('Share.'), grossPremiumFen: fen('Share of gross'), netPremiumFen: fen('Share of net'), vatFen: fen('Share of VAT') } } },
    excludedItems: {
      type: 'array', description: 'Items of a list (e.g. units of a blanket quote) that an item rule excluded: not priced; premium and subsidies count only the others.',
      items: { type: 'object', required: ['list', 'index', 'rule', 'reason'], additionalProperties: false, properties: { list: { type: 'string', description: 'List field.' }, index: { type: 'integer', description: 'Item index in the list as sent (0-based).' }, rule: { type: 'string', description: 'Item rule key.' }, reason: text } },
    },
    worksheet: {
      type: 'array', description: 'Every rating step in order.',
      items: {
        type: 'object', required: ['step', 'kind', 'label', 'inputs', 'value', 'picked', 'runningPremiumFen'], additionalProperties: false,
        properties: {
          step: { type: 'string', description: 'Step key.' }, kind: { type: 'string', description: 'base, bands, categories, fixed, range, period, maximum, minimum, excluded (an item an item rule excluded).' }, label: text,
          inputs: inputsSchema('What the step read, by field or quantity key.'),
          matched: { type: 'object', required: ['row'], additionalProperties: false, description: 'Row matched.', properties: { row: { type: 'string', description: 'Row key.' }, label: text } },
          filedRange: { type: 'object', required: ['min', 'max', 'minExclusive', 'maxExclusive'], additionalProperties: false, description: 'Filed range.', properties: { min: decimal('Min.'), max: decimal('Max.'), minExclusive: { type: 'boolean', description: 'Open below.' }, maxExclusive: { type: 'boolean', description: 'Open above.' } } },
          value: decimal('Coefficient or rate applied.'), picked: { type: 'boolean', description: 'From a pick rather than the default.' }, runningPremiumFen: fen('Premium so far'),
        },
      },
    },
  },
} as const;

/**
 * Options for view types that embed a rating result: the engine's own RatingResult type stands
 * for it (the schema writes `matched: undefined` as an absent field), and the check below keeps
 * the schema and that type from drifting apart.
 */
export type RatingResultViewOptions = { deserialize: [{ pattern: { $id: typeof ratingResultSchema.$id }; output: RatingResult }] };
type Assert<T extends true> = T;
export type RatingResultMatchesSchema = Assert<RatingResult extends FromSchema<typeof ratingResultSchema> ? true : false>;

/** A preview: the rating result and the steps the caller may pick in (to refine it with `picks`). */
export const previewResultSchema = {
  $id: schemaId('PreviewResult'),
  type: 'object',
  description: 'A priced and explained preview, and every step the caller may pick in.',
  required: [...ratingResultSchema.required, 'pickable'],
  additionalProperties: false,
  properties: { ...ratingResultSchema.properties, pickable: pickableStepsSchema },
} as const;

/** #26: the inputs of a renewal quote the record decided (support year, experience loss ratio), and why. */
export const derivedInputsSchema = {
  type: 'array', description: 'Inputs a renewal took from the record rather than from the expiring policy: each with its value and why (zh-CN and en).',
  items: {
    type: 'object', required: ['input', 'value', 'why'], additionalProperties: false,
    properties: {
      input: { type: 'string', description: 'The input: `enterprise.supportYear` or an input of the product form (`lossRatio`).' },
      value: { type: ['integer', 'number', 'string'], description: 'The value used.' },
      why: localTextSchema,
    },
  },
} as const;
export type DerivedInput = FromSchema<typeof derivedInputsSchema>[number];

const enterpriseFacts = {
  type: 'object', additionalProperties: false, description: 'Facts about the enterprise that subsidy programmes read.',
  properties: {
    supportYear: { type: 'integer', minimum: 1, maximum: 10, description: 'Year of continuous subsidised cover (1 = first).' },
    awards: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 60 }, description: 'Awards received that some programmes exclude.' },
    coverScope: { type: 'string', enum: ['domestic', 'overseas'], description: 'Territorial scope, for IP programmes.' },
    qualifications: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 60 }, description: 'Extra qualifications for this cover (e.g. first-domestic, high-value-patent).' },
  },
} as const;

const pricingProperties = {
  productCode: { type: 'string', pattern: '^[A-Z][A-Z0-9-]{0,63}$', description: 'Product code.' },
  productVersion: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)*$', maxLength: 40, description: 'A specific version (default: the one in force on the start date).' },
  enterpriseId: { type: 'string', pattern: '^[0-9a-f]{24}$', description: 'The enterprise organisation (for its region, qualifications and subsidy caps).' },
  inputs: { ...inputsSchema('Values for the product\'s input form, by field key (GET /v1/catalogue/{code} gives the form).'), maxProperties: 100 },
  picks: { type: 'object', description: 'Coefficient picks inside the filed ranges, by step key.', maxProperties: 100, additionalProperties: { type: ['string', 'number'], maxLength: 40 } },
  startDate: date('First day of cover (default today, China time); the tariff in force that day applies.'),
  endDate: date('Last day of cover (default one year less a day).'),
  enterprise: enterpriseFacts,
} as const;

export const pricingRequestSchema = {
  $id: schemaId('PricingRequest'),
  type: 'object', required: ['productCode', 'inputs'], additionalProperties: false,
  description: 'What to price.',
  properties: pricingProperties,
} as const;
export type PricingRequest = FromSchema<typeof pricingRequestSchema>;

export const quoteRequestSchema = {
  $id: schemaId('QuoteRequest'),
  type: 'object', required: ['productCode', 'inputs', 'enterpriseId'], additionalProperties: false,
  description: 'A quote for one enterprise.',
  properties: pricingProperties,
} as const;
export type QuoteRequest = FromSchema<typeof quoteRequestSchema>;

const quoteProperties = {
  id: { type: 'string', description: 'Quote id.' },
  quoteNumber: { type: 'string', description: 'Human-readable unique number.' },
  status: { type: 'string', enum: ['quoted', 'referred', 'declined', 'approved', 'bound'], description: 'Status.' },
  expired: { type: 'boolean', description: 'Past validUntil (and not bound).' },
  productCode: { type: 'string', description: 'Product.' },
  productVersion: { type: 'string', description: 'Pinned version.' },
  line: { type: 'string', description: 'Line.' },
  enterpriseId: { type: 'string', description: 'Enterprise.' },
  enterpriseName: { type: 'string', description: 'Enterprise name.' },
  brokerOrganisationId: { type: 'string', description: 'Broker firm.' },
  insurerOrganisationId: { type: 'string', description: 'Insurer.' },
  quoteDate: date('Quote date.'),
  startDate: date('Start of cover.'),
  endDate: date('End of cover.'),
  validUntil: date('Last day the quote can be bound.'),
  inputs: inputsSchema('Inputs as entered.'),
  picks: { type: 'object', additionalProperties: picksValue, description: 'Coefficient picks by step key.' },
  result: ratingResultSchema,
  underwriting: { type: 'object', required: ['action', 'by', 'at'], additionalProperties: false, description: 'The underwriter\'s decision.', properties: { action: { type: 'string', description: 'approve or decline.' }, by: { type: 'string', description: 'Who.' }, at: { type: 'string', description: 'When.' }, reason: { type: 'string', description: 'Reason or note.' } } },
  policyId: { type: 'string', description: 'The policy it became.' },
  createdAt: { type: 'string', description: 'Created.' },
  ...poolViewProperties,
  // #26 renewal: the policy a renewal quote renews, and the inputs the record decided.
  renewalOf: { type: 'string', description: 'The policy this quote renews (a renewal quote, POST /v1/policies/{id}/renewal).' },
  derived: derivedInputsSchema,
} as const;

export const quoteSchema = {
  $id: schemaId('Quote'),
  type: 'object',
  description: 'A stored quote: pinned version, inputs, picks and the full result with its worksheet.',
  required: ['id', 'quoteNumber', 'status', 'expired', 'productCode', 'productVersion', 'line', 'enterpriseId', 'enterpriseName', 'brokerOrganisationId', 'insurerOrganisationId', 'quoteDate', 'startDate', 'endDate', 'validUntil', 'inputs', 'picks', 'result', 'createdAt'],
  additionalProperties: false,
  properties: {
    ...quoteProperties,
    verification: {
      type: 'object', required: ['matches', 'checkedAmounts', 'differences'], additionalProperties: false, description: 'With ?verify=true: the stored amounts against a re-rating on the pinned version.',
      properties: {
        matches: { type: 'boolean', description: 'Every amount matches to the fen.' },
        checkedAmounts: { type: 'integer', description: 'How many amounts were compared.' },
        differences: { type: 'array', description: 'Amounts that differ.', items: { type: 'object', required: ['path', 'stored', 'recomputed'], additionalProperties: false, properties: { path: { type: 'string', description: 'Which amount.' }, stored: { type: ['integer', 'null'], description: 'Stored fen.' }, recomputed: { type: ['integer', 'null'], description: 'Recomputed fen.' } } } },
      },
    },
  },
} as const;
export type QuoteView = FromSchema<typeof quoteSchema, RatingResultViewOptions>;

// ---------------------------------------------------------------------------------------------
// Records: what the quotes and policies capabilities hand to other code (never a mongoose
// document). Typed from the view above where a field means the same; stored names where the
// view renames (enterpriseOrganisationId, the party field visibility reads).

type RecordFields<K extends keyof QuoteView> = Readonly<Required<Pick<QuoteView, K>>>;

/**
 * What a stored quote and the policy bound from it share: ids, the pinned product version, the
 * parties, the period, and what was entered, picked, rated on and rated.
 */
export interface RatedRecord extends RecordFields<'id' | 'quoteNumber' | 'productCode' | 'productVersion' | 'line' | 'enterpriseName' | 'brokerOrganisationId' | 'insurerOrganisationId' | 'startDate' | 'endDate' | 'inputs' | 'result'> {
  readonly enterpriseOrganisationId: string;
  /** Every pool member's organisation id, lead included (co-insured business only). */
  readonly poolMemberIds?: readonly string[];
  readonly picks: QuotePicks;
  /** The context it was rated in (subsidy programmes as they stood). */
  readonly context: QuoteContext;
}

/** The underwriter's decision on a referred quote, as stored. */
export interface QuoteUnderwriting {
  readonly action: 'approve' | 'decline';
  readonly by: { readonly keyId?: string; readonly userName?: string };
  readonly at: Date;
  readonly reason?: string;
  /** The result before an approval re-rated it. */
  readonly originalResult?: RatingResult;
  readonly originalPicks?: QuotePicks;
}

/** The audit entry of a quote's creation, carried by the quote itself (absent on quotes stored before it). */
export interface QuoteCreatedEntry {
  readonly at: Date;
  readonly actor: { readonly keyId: string; readonly userName: string; readonly role: string; readonly organisationId: string };
  readonly status: string;
  readonly grossPremiumFen: number;
}

/** A stored quote as the quotes capability hands it out: plain and frozen. */
export interface QuoteRecord extends RatedRecord, RecordFields<'status' | 'quoteDate' | 'validUntil'> {
  readonly grossPremiumFen: number;
  /** The hash of the request that created it (a replay with another request is a conflict). */
  readonly requestHash: string;
  readonly underwriting?: QuoteUnderwriting;
  /** The policy it was bound as. */
  readonly policyId?: string;
  /** #26: the policy a renewal quote renews, and the inputs the record decided. */
  readonly renewalOf?: string;
  readonly derived?: readonly DerivedInput[];
  readonly createdEntry?: QuoteCreatedEntry;
  readonly createdAt: Date;
}

/**
 * A quote as lists show it (#25): kept per quote by id (quote-lists.ts) and read for the page
 * alone, never the quote's worksheet. Its status is kept current; `expired` is computed at read.
 */
export const quoteSummarySchema = {
  $id: schemaId('QuoteSummary'),
  type: 'object',
  description: 'A quote as lists show it: number, status, product, parties, premium, expected subsidy, dates (open the quote by id for its inputs and worksheet).',
  required: ['id', 'quoteNumber', 'status', 'expired', 'productCode', 'productVersion', 'line', 'enterpriseId', 'enterpriseName', 'brokerOrganisationId', 'insurerOrganisationId', 'insurer', 'grossPremiumFen', 'netPremiumFen', 'vatFen', 'expectedSubsidyFen', 'enterprisePaysFen', 'expectedNetCostFen', 'decision', 'decisionReasons', 'referred', 'quoteDate', 'startDate', 'endDate', 'validUntil', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: quoteProperties.id, quoteNumber: quoteProperties.quoteNumber, status: quoteProperties.status, expired: quoteProperties.expired,
    productCode: quoteProperties.productCode, productVersion: quoteProperties.productVersion, line: quoteProperties.line,
    enterpriseId: quoteProperties.enterpriseId, enterpriseName: quoteProperties.enterpriseName,
    brokerOrganisationId: quoteProperties.brokerOrganisationId, insurerOrganisationId: quoteProperties.insurerOrganisationId,
    poolMemberIds: { type: 'array', items: { type: 'string' }, description: 'Every pool member\'s organisation id, lead included (co-insured business only).' },
    insurer: { type: 'string', description: 'Insurer code (the lead, for a pool).' },
    insurerName: poolViewProperties.insurerName,
    grossPremiumFen: fen('Premium, VAT included (价税合计)'), netPremiumFen: fen('Premium without VAT'), vatFen: fen('VAT'),
    expectedSubsidyFen: fen('Expected subsidies'), enterprisePaysFen: fen('Paid up front: the full gross premium'), expectedNetCostFen: fen('Gross premium less expected subsidies'),
    decision: { type: 'string', enum: ['quoted', 'referred', 'declined'], description: 'The rating\'s underwriting outcome (an approval re-rates: quoted).' },
    decisionReasons: { type: 'array', items: { type: 'string' }, description: 'Rules that fired when it was rated (refer or decline).' },
    referred: { type: 'boolean', description: 'It was referred to an underwriter when created (still referred, or decided since).' },
    quoteDate: quoteProperties.quoteDate, startDate: quoteProperties.startDate, endDate: quoteProperties.endDate, validUntil: quoteProperties.validUntil,
    policyId: quoteProperties.policyId,
    createdAt: quoteProperties.createdAt,
    myShare: { ...poolShareSchema, description: 'The caller\'s own share (without limits: see the quote), when its insurer is a member of the pool.' },
  },
} as const;
export type QuoteSummary = FromSchema<typeof quoteSummarySchema>;

export const quoteListSchema = cursorPageSchema('QuoteList', quoteSummarySchema, { description: 'A page of quote summaries, newest first.', items: 'Quote summaries.' });
export type QuoteList = FromSchema<typeof quoteListSchema>;

export const quoteComparisonSchema = {
  $id: schemaId('QuoteComparison'),
  type: 'object', required: ['enterpriseId', 'productCode', 'columns', 'differingInputs', 'differingPicks'], additionalProperties: false,
  description: 'Quotes of one enterprise and product side by side.',
  properties: {
    enterpriseId: { type: 'string', description: 'Enterprise.' },
    productCode: { type: 'string', description: 'Product.' },
    columns: {
      type: 'array', description: 'One column per quote.',
      items: {
        type: 'object', additionalProperties: false, description: 'Key figures of a quote.',
        required: ['id', 'quoteNumber', 'status', 'expired', 'productVersion', 'grossPremiumFen', 'netPremiumFen', 'vatFen', 'expectedSubsidyFen', 'expectedNetCostFen', 'decision', 'inputs', 'picks', 'coefficients'],
        properties: {
          id: { type: 'string', description: 'Quote id.' }, quoteNumber: { type: 'string', description: 'Quote number.' },
          status: quoteProperties.status, expired: quoteProperties.expired, productVersion: { type: 'string', description: 'Pinned version.' },
          grossPremiumFen: fen('Premium, VAT included'), netPremiumFen: fen('Premium without VAT'), vatFen: fen('VAT'),
          expectedSubsidyFen: fen('Expected subsidies'), expectedNetCostFen: fen('Net cost after subsidies'),
          decision: { type: 'string', enum: ['quoted', 'referred', 'declined'], description: 'Underwriting outcome.' },
          inputs: inputsSchema('Inputs as entered.'),
          picks: { type: 'object', additionalProperties: picksValue, description: 'Picks by step key.' },
          coefficients: { type: 'object', additionalProperties: { type: 'string', description: 'The value the step applied.' }, description: 'Each worksheet step\'s applied value, by step key.' },
        },
      },
    },
    differingInputs: { type: 'array', items: { type: 'string' }, description: 'Input fields that differ.' },
    differingPicks: { type: 'array', items: { type: 'string' }, description: 'Picks that differ.' },
  },
} as const;

export const approveSchema = {
  $id: schemaId('ApproveQuote'),
  type: 'object', additionalProperties: false, description: 'Approve a referred quote, optionally with new picks inside the filed ranges.',
  properties: {
    picks: { type: 'object', maxProperties: 100, additionalProperties: { type: ['string', 'number'], maxLength: 40 }, description: 'New picks (replace the quote\'s picks).' },
    note: { type: 'string', maxLength: 2000, description: 'Underwriter\'s note.' },
  },
} as const;
export type ApproveQuote = FromSchema<typeof approveSchema>;

export const declineSchema = {
  $id: schemaId('DeclineQuote'),
  type: 'object', required: ['reason'], additionalProperties: false, description: 'Decline a referred quote.',
  properties: { reason: { type: 'string', minLength: 1, maxLength: 2000, description: 'Why (shown to the broker).' } },
} as const;

export const quoteSchemas = [ratingResultSchema, previewResultSchema, pricingRequestSchema, quoteRequestSchema, quoteSchema, quoteSummarySchema, quoteListSchema, quoteComparisonSchema, approveSchema, declineSchema];
