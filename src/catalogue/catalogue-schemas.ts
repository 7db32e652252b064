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

export const versionStatusEnum = ['draft', 'published', 'retired'] as const;

export const productVersionSchema = {
  $id: schemaId('ProductVersion'),
  type: 'object',
  description: 'One version of a product with its full definition.',
  required: ['productCode', 'version', 'status', 'effectiveFrom', 'createdAt', 'updatedAt', 'definitionHash', 'definition'],
  additionalProperties: false,
  properties: {
    productCode: { type: 'string', description: 'Product code.' },
    version: { type: 'string', description: 'Version label from the definition.' },
    status: { type: 'string', enum: versionStatusEnum, description: 'draft (editable), published (immutable, quotable), retired (kept for old quotes).' },
    effectiveFrom: { type: 'string', description: 'First day in force.' },
    effectiveTo: { type: 'string', description: 'Last day in force; open when absent.' },
    publishedAt: { type: 'string', description: 'When it was published.' },
    retiredAt: { type: 'string', description: 'When it was retired.' },
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
  effectiveTo: { type: 'string', description: 'In force to.' },
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
  required: [...catalogueItemSchema.required, 'parties', 'coverages', 'form', 'clauses', 'validityDays', 'vatRatePercent', 'subsidyProgrammes', 'adjustable', 'pickable'],
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

export const catalogueSchemas = [
  productDefinitionSchema, subsidyProgrammeSchema, productListSchema, productVersionSchema, productVersionListSchema, newProductSchema, newVersionSchema, vectorRunSchema,
  definitionDiffSchema, catalogueItemSchema, catalogueListSchema, catalogueEntrySchema,
];
