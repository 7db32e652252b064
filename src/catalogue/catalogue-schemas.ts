import { localTextSchema, pageSchema, schemaId } from '../http/common-schemas.ts';
import { productDefinitionSchema, subsidyProgrammeSchema, TECH_INSURANCE_LINES } from '../rating/index.ts';

/** A part of the product definition, by reference to the ProductDefinition schema's own property. */
const definitionPart = <const P extends string, const D extends string>(part: P, description: D) => ({ $ref: `${productDefinitionSchema.$id}#/properties/${part}` as `${typeof productDefinitionSchema.$id}#/properties/${P}`, description });

const filedRangeSchema = {
  type: 'object', required: ['min', 'max', 'minExclusive', 'maxExclusive'], additionalProperties: false, description: 'The filed range a pick must fall in.',
  properties: { min: { type: 'string', description: 'Lower end.' }, max: { type: 'string', description: 'Upper end.' }, minExclusive: { type: 'boolean', description: 'The lower end itself may not be picked.' }, maxExclusive: { type: 'boolean', description: 'The upper end itself may not be picked.' } },
} as const;

/** The steps a role may pick in (src/rating pickableSteps), as the catalogue entry and a preview list them. */
export const pickableStepsSchema = {
  type: 'array', description: 'Steps the caller may pick in.',
  items: {
    type: 'object', required: ['key', 'label', 'unit', 'changeableBy', 'rows'], additionalProperties: false, description: 'A pickable step.',
    properties: {
      key: { type: 'string', description: 'The key to send in `picks` (a step key, not a form field key).' },
      label: localTextSchema,
      unit: { type: 'string', enum: ['coefficient'], description: 'A pick is a coefficient that multiplies the premium.' },
      changeableBy: { type: 'array', items: { type: 'string', enum: ['underwriter', 'broker', 'customer'], description: 'A role.' }, description: 'Roles that may pick in this step.' },
      rows: {
        type: 'array', description: 'Rows with a filed range: the pick applies to whichever row the inputs match.',
        items: {
          type: 'object', required: ['row', 'filedRange', 'default'], additionalProperties: false, description: 'A row.',
          properties: { row: { type: 'string', description: 'Row key, as the worksheet names it.' }, label: localTextSchema, filedRange: filedRangeSchema, default: { type: 'string', description: 'The coefficient used without a pick.' } },
        },
      },
    },
  },
} as const;

const definitionRef = { $ref: productDefinitionSchema.$id, description: 'A product definition (see the ProductDefinition schema).' } as const;
const text = localTextSchema;
const errorDetails = {
  type: 'array',
  description: 'Problems, each with its path inside the definition.',
  items: { type: 'object', required: ['path', 'message'], additionalProperties: false, properties: { path: { type: 'string', description: 'Where.' }, message: { type: 'string', description: 'What rule.' } } },
} as const;

export const versionStatusEnum = ['draft', 'published', 'retired', 'withdrawn'] as const;

export const productVersionSchema = {
  $id: schemaId('ProductVersion'),
  type: 'object',
  description: 'One version of a product with its full definition.',
  required: ['productCode', 'version', 'status', 'effectiveFrom', 'createdAt', 'updatedAt', 'definitionHash', 'definition'],
  additionalProperties: false,
  properties: {
    productCode: { type: 'string', description: 'Product code.' },
    version: { type: 'string', description: 'Version label from the definition.' },
    status: { type: 'string', enum: versionStatusEnum, description: 'draft (editable), published (immutable; in force from effectiveFrom, or scheduled when that is later than today), retired (kept for old quotes), withdrawn (published for a later date, withdrawn before that date; kept for quotes already pinned to it).' },
    effectiveFrom: { type: 'string', description: 'First day in force.' },
    effectiveTo: { type: 'string', description: 'Last day in force; open when absent.' },
    publishedAt: { type: 'string', description: 'When it was published.' },
    retiredAt: { type: 'string', description: 'When it was retired.' },
    withdrawnAt: { type: 'string', description: 'When it was withdrawn (before its effective date).' },
    createdAt: { type: 'string', description: 'Created.' },
    updatedAt: { type: 'string', description: 'Last changed.' },
    definitionHash: { type: 'string', description: 'sha256 of the canonical definition.' },
    compileErrors: { ...errorDetails, description: 'For drafts: what must be fixed before it can be published.' },
    definition: definitionRef,
  },
} as const;

export const versionSummarySchema = {
  type: 'object',
  description: 'A version without its definition.',
  required: ['version', 'status', 'effectiveFrom', 'updatedAt'],
  additionalProperties: false,
  properties: {
    version: { type: 'string', description: 'Version label.' },
    status: { type: 'string', enum: versionStatusEnum, description: 'Status.' },
    effectiveFrom: { type: 'string', description: 'First day in force.' },
    effectiveTo: { type: 'string', description: 'Last day in force.' },
    publishedAt: { type: 'string', description: 'Published at.' },
    retiredAt: { type: 'string', description: 'Retired at.' },
    withdrawnAt: { type: 'string', description: 'Withdrawn at.' },
    updatedAt: { type: 'string', description: 'Last changed.' },
  },
} as const;

export const productVersionListSchema = pageSchema('ProductVersionList', versionSummarySchema, { description: 'A page of a product\'s versions, newest first.', items: 'Versions.' });

export const productSummarySchema = {
  type: 'object', required: ['code', 'line', 'name', 'insurerCode'], additionalProperties: false, description: 'A product.',
  properties: { code: { type: 'string', description: 'Code.' }, line: { type: 'string', description: 'Line.' }, name: { ...localTextSchema, description: 'Name.' }, insurerCode: { type: 'string', description: 'Insurer.' } },
} as const;

export const productListSchema = pageSchema('ProductList', productSummarySchema, { description: 'A page of the products of the caller\'s organisation.', items: 'Products.' });

export const newProductSchema = {
  $id: schemaId('NewProduct'),
  type: 'object',
  description: 'A new product with its first draft.',
  required: ['definition'],
  additionalProperties: false,
  properties: { definition: definitionRef },
} as const;

export const newVersionSchema = {
  $id: schemaId('NewProductVersion'),
  type: 'object',
  description: 'A new draft: a full definition, or a clone of an existing version (optionally with a new version label).',
  additionalProperties: false,
  properties: {
    definition: definitionRef,
    cloneFrom: { type: 'string', minLength: 1, maxLength: 40, description: 'Version to copy.' },
    version: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)*$', description: 'Label of the clone (default: the next free label after cloneFrom).' },
  },
  oneOf: [{ required: ['definition'] }, { required: ['cloneFrom'] }],
} as const;

export const vectorRunSchema = {
  $id: schemaId('VectorRun'),
  type: 'object',
  description: 'The result of running a version\'s test vectors.',
  required: ['passed', 'compileErrors', 'vectors'],
  additionalProperties: false,
  properties: {
    passed: { type: 'boolean', description: 'True when it compiles and every vector passes.' },
    compileErrors: errorDetails,
    vectors: {
      type: 'array',
      description: 'One entry per vector.',
      items: { type: 'object', required: ['name', 'passed', 'message'], additionalProperties: false, properties: { name: { type: 'string', description: 'Vector name.' }, passed: { type: 'boolean', description: 'Whether it reproduced.' }, message: { type: 'string', description: 'Expected vs actual.' } } },
    },
  },
} as const;

export const definitionDiffSchema = {
  $id: schemaId('DefinitionDiff'),
  type: 'object',
  description: 'What changed between two versions.',
  required: ['productCode', 'from', 'to', 'changes'],
  additionalProperties: false,
  properties: {
    productCode: { type: 'string', description: 'Product.' },
    from: { type: 'string', description: 'Older version.' },
    to: { type: 'string', description: 'Newer version.' },
    changes: {
      type: 'array',
      description: 'Changes with their paths.',
      items: {
        type: 'object',
        required: ['path', 'change', 'area'],
        additionalProperties: false,
        properties: {
          path: { type: 'string', description: 'Path inside the definition; array rows by key, e.g. plan.steps[key=amount].rows[key=b2].range.max.' },
          change: { type: 'string', enum: ['added', 'removed', 'changed'], description: 'Kind of change.' },
          area: { type: 'string', description: 'Part of the product: identity, texts, cover, form, tables, rules, subsidies, co-insurance, tax, test vectors.' },
          from: { description: 'Old value.' },
          to: { description: 'New value.' },
        },
      },
    },
  },
} as const;

const catalogueItemProperties = {
  code: { type: 'string', description: 'Product code.' },
  version: { type: 'string', description: 'Version in force.' },
  line: { type: 'string', enum: TECH_INSURANCE_LINES, description: 'Line of business.' },
  name: text,
  title: { type: 'string', description: 'Name in the requested language.' },
  description: text,
  insurer: { type: 'object', required: ['code', 'name'], additionalProperties: false, description: 'The insurer.', properties: { code: { type: 'string', description: 'Code.' }, name: { type: 'string', description: 'Name.' } } },
  illustrative: { type: 'boolean', description: 'True for a tariff that is illustrative, not filed.' },
  effectiveFrom: { type: 'string', description: 'In force from.' },
  effectiveTo: { type: 'string', description: 'Last day in force: its own effectiveTo, or the day before the scheduled version takes over.' },
  scheduled: {
    type: 'object', required: ['version', 'effectiveFrom'], additionalProperties: false,
    description: 'The published version scheduled to take over after this one; quotes whose cover starts on or after its effectiveFrom price on it.',
    properties: { version: { type: 'string', description: 'Scheduled version.' }, effectiveFrom: { type: 'string', description: 'The day it takes over.' } },
  },
} as const;

export const catalogueItemSchema = {
  $id: schemaId('CatalogueItem'),
  type: 'object',
  description: 'A product on sale.',
  required: ['code', 'version', 'line', 'name', 'title', 'description', 'insurer', 'illustrative', 'effectiveFrom'],
  additionalProperties: false,
  properties: catalogueItemProperties,
} as const;

export const catalogueListSchema = pageSchema('CatalogueList', catalogueItemSchema, { description: 'A page of the products on sale.', items: 'Products.' });

export const catalogueEntrySchema = {
  $id: schemaId('CatalogueEntry'),
  type: 'object',
  description: 'What a broker needs to quote a product: cover, limits and deductibles, the input form, subsidies.',
  required: [...catalogueItemSchema.required, 'parties', 'coverages', 'form', 'clauses', 'validityDays', 'vatRatePercent', 'subsidyProgrammes', 'adjustable', 'steps', 'eitherOr', 'subsidyFacts', 'pickable'],
  additionalProperties: false,
  properties: {
    ...catalogueItemProperties,
    parties: definitionPart('parties', 'Parties to the policy, as filed.'),
    coverages: definitionPart('coverages', 'Coverages with limits and deductibles, as filed.'),
    form: definitionPart('form', 'The input form a quote needs: send `inputs` keyed by its field keys.'),
    clauses: definitionPart('clauses', 'Clause summaries, as filed.'),
    coInsurance: definitionPart('coInsurance', 'The co-insurance pool, when the product has one.'),
    validityDays: { type: 'integer', description: 'Days a quote stays valid.' },
    vatRatePercent: { type: 'string', description: 'VAT rate in percent.' },
    subsidyProgrammes: {
      type: 'array',
      description: 'Subsidy programmes the product may qualify for.',
      items: { type: 'object', required: ['code', 'name', 'level', 'sharePercent'], additionalProperties: false, properties: { code: { type: 'string', description: 'Code.' }, name: text, level: { type: 'string', description: 'central, provincial, city, county.' }, sharePercent: { type: 'string', description: 'Share in percent.' }, regionCode: { type: 'string', description: 'Region.' } } },
    },
    adjustable: {
      type: 'array',
      description: 'Rating steps whose filed range a broker or underwriter may pick in.',
      items: { type: 'object', required: ['step', 'label', 'changeableBy'], additionalProperties: false, properties: { step: { type: 'string', description: 'Step key.' }, label: text, changeableBy: { type: 'array', items: { type: 'string' }, description: 'Roles.' } } },
    },
    pickable: { ...pickableStepsSchema, description: 'Every step the caller\'s role may pick in: send `picks` keyed by these step keys, inside a row\'s filed range.' },
    steps: {
      type: 'array', description: 'Rating steps by key and label.',
      items: { type: 'object', required: ['key', 'label'], additionalProperties: false, properties: { key: { type: 'string', description: 'Step key.' }, label: text } },
    },
    eitherOr: {
      type: 'array', description: 'Pairs of input fields of which a rating step needs at least one (the higher governs when both are given).',
      items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'string' }, description: 'The two field keys.' },
    },
    subsidyFacts: {
      type: 'object', required: ['qualifications', 'awards', 'supportYear', 'coverScope'], additionalProperties: false,
      description: 'Enterprise facts the subsidy programmes read, which a quote request may give under `enterprise`.',
      properties: {
        qualifications: { type: 'array', items: { type: 'string' }, description: 'Qualification codes a programme requires or varies by.' },
        awards: { type: 'array', items: { type: 'string' }, description: 'Awards a programme cannot be combined with.' },
        supportYear: { type: 'boolean', description: 'Whether a programme limits the years of support.' },
        coverScope: { type: 'boolean', description: 'Whether a programme varies by territorial scope.' },
      },
    },
  },
} as const;

export const vectorFromQuoteSchema = {
  $id: schemaId('VectorFromQuote'),
  type: 'object',
  description: 'A stored quote added to a draft as a test vector, with what the quote got on its own version to compare.',
  required: ['productCode', 'version', 'vector', 'quote', 'vectorCount'],
  additionalProperties: false,
  properties: {
    productCode: { type: 'string', description: 'Product.' },
    version: { type: 'string', description: 'The draft.' },
    vector: { type: 'object', additionalProperties: {}, description: 'The vector as stored in the draft (the product definition\'s test-vector shape): the quote\'s inputs, picks and period; expected = what the draft gives.' },
    quote: {
      type: 'object', required: ['id', 'quoteNumber', 'productVersion', 'decision', 'grossPremiumFen'], additionalProperties: false,
      description: 'The quote and its stored outcome on the version it is pinned to.',
      properties: {
        id: { type: 'string', description: 'Quote id.' },
        quoteNumber: { type: 'string', description: 'Quote number.' },
        productVersion: { type: 'string', description: 'Version the quote is pinned to.' },
        decision: { type: 'string', description: 'Its stored decision.' },
        grossPremiumFen: { type: 'integer', description: 'Its stored gross premium (fen).' },
      },
    },
    vectorCount: { type: 'integer', description: 'Vectors the draft now has.' },
  },
} as const;

export const newVectorFromQuoteSchema = {
  $id: schemaId('NewVectorFromQuote'),
  type: 'object', required: ['quoteId'], additionalProperties: false,
  description: 'The quote to keep as a test vector.',
  properties: {
    quoteId: { type: 'string', pattern: '^[0-9a-f]{24}$', description: 'A stored quote of this product you may see.' },
    name: { type: 'string', minLength: 1, maxLength: 200, description: 'Vector name (default: 报价 <quote number>).' },
  },
} as const;

export const publishVersionSchema = {
  $id: schemaId('PublishVersion'),
  type: 'object', additionalProperties: false,
  description: 'Options for publishing a draft; the body may be left out to publish the draft as it stands.',
  properties: {
    effectiveFrom: { type: 'string', format: 'date', description: 'First day the version applies (YYYY-MM-DD, China time), today or later, chosen by the approving admin. When it differs from the draft\'s effectiveFrom the draft is edited to it first (an audited edit), then published: a later day than the version in force schedules the new version.' },
  },
} as const;

export const versionApprovalSchema = {
  $id: schemaId('VersionApproval'),
  type: 'object', required: ['productCode', 'version', 'state', 'callerMayPublish'], additionalProperties: false,
  description: 'Where a version stands on its way to publication under four-eyes publishing: one insurer admin submits the draft, another admin of the same insurer publishes it.',
  properties: {
    productCode: { type: 'string', description: 'Product code.' },
    version: { type: 'string', description: 'Version.' },
    state: { type: 'string', enum: ['not-submitted', 'submitted', 'changed-since-submission', 'published'], description: 'not-submitted: a draft nobody submitted; submitted: awaiting a second admin; changed-since-submission: edited after it was submitted (submit again); published: no longer a draft (published, retired or withdrawn).' },
    submittedBy: { type: 'string', description: 'Name of the admin who submitted the draft.' },
    submittedAt: { type: 'string', format: 'date-time', description: 'When the draft was submitted.' },
    callerMayPublish: { type: 'boolean', description: 'Whether the caller may publish the version now (a submitted draft, the caller an admin of the insurer other than its submitter).' },
  },
} as const;

export const productCodeParams = {
  type: 'object', required: ['code'], additionalProperties: false,
  properties: { code: { type: 'string', pattern: '^[A-Z][A-Z0-9-]{0,63}$', description: 'Product code.' } },
} as const;

export const versionParams = {
  type: 'object', required: ['code', 'version'], additionalProperties: false,
  properties: {
    code: { type: 'string', pattern: '^[A-Z][A-Z0-9-]{0,63}$', description: 'Product code.' },
    version: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)*$', maxLength: 40, description: 'Version label.' },
  },
} as const;

export const rateTableSchema = {
  $id: schemaId('RateTable'),
  type: 'object', required: ['id', 'kind', 'columns', 'rows'], additionalProperties: false, description: 'A rating table: columns and rows of cell texts.',
  properties: {
    id: { type: 'string', description: 'Table id (sheet name).' },
    kind: { type: 'string', description: 'Kind of table.' },
    title: { ...localTextSchema, description: 'The product\'s title of the table (steps and limits).' },
    columns: { type: 'array', description: 'Columns.', items: { type: 'object', required: ['id', 'kind'], additionalProperties: false, properties: { id: { type: 'string', description: 'Column id (spreadsheet header).' }, kind: { type: 'string', description: 'How the cell reads.' }, readOnly: { type: 'boolean', description: 'Not imported.' } } } },
    rows: { type: 'array', description: 'Rows of cell texts.', items: { type: 'array', items: { type: 'string' } } },
  },
} as const;

export const rateTableListSchema = {
  $id: schemaId('RateTableList'),
  type: 'object', required: ['items'], additionalProperties: false, description: 'Every rating table of a version.',
  properties: { items: { type: 'array', items: rateTableSchema, description: 'Tables.' } },
} as const;

export const catalogueSchemas = [
  productDefinitionSchema, subsidyProgrammeSchema, productListSchema, productVersionSchema, productVersionListSchema, newProductSchema, newVersionSchema, vectorRunSchema,
  definitionDiffSchema, catalogueItemSchema, catalogueListSchema, catalogueEntrySchema, vectorFromQuoteSchema, newVectorFromQuoteSchema, rateTableSchema, rateTableListSchema,
  publishVersionSchema, versionApprovalSchema,
];
