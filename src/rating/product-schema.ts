// The product-definition format. Written once as a const schema: ajv validates with it, the
// TypeScript type is derived from it, and the catalogue can publish it as an OpenAPI component.
// Definitions are stored in MongoDB through FerretDB 1.x, so the format never nests an array
// directly inside an array and never uses object keys with "." or a leading "$": every table is
// an array of objects.
import type { FromSchema } from 'json-schema-to-ts';

/** Highest product-definition format version this engine understands. */
export const PRODUCT_SCHEMA_VERSION = 1;

/** Lines of business a product or a subsidy programme can belong to. */
export const TECH_INSURANCE_LINES = [
  'first-set-equipment',
  'first-batch-material',
  'first-version-software',
  'ip-patent-enforcement',
  'ip-infringement-liability',
  'ip-enforcement-infringed-loss',
  'rd-project-failure',
  'tech-transfer-cost',
  'rd-equipment-property',
  'product-quality-liability',
  'proof-of-concept-cost',
  'startup-project-failure',
  'use-first-transfer-later-bond',
  'rd-interruption',
] as const;

const decimalString = {
  type: 'string',
  pattern: '^-?[0-9]+(\\.[0-9]+)?$',
} as const;

/** A text in Simplified Chinese and English (names, labels, reasons). */
export const localTextSchema = {
  type: 'object',
  description: 'A text in Simplified Chinese and in English.',
  additionalProperties: false,
  required: ['zh', 'en'],
  properties: {
    zh: { type: 'string', minLength: 1, description: 'Simplified Chinese (zh-CN) text.' },
    en: { type: 'string', minLength: 1, description: 'English text.' },
  },
} as const;
const text = localTextSchema;

const key = { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_-]*$' } as const;

const coefficientRange = {
  type: 'object',
  description: 'A filed coefficient range; the underwriter picks a value inside it.',
  additionalProperties: false,
  required: ['min', 'max'],
  properties: {
    min: { ...decimalString, description: 'Lower end of the filed range.' },
    max: { ...decimalString, description: 'Upper end of the filed range.' },
    minExclusive: { type: 'boolean', description: 'True when the lower end itself may not be picked (filed as ">1.0").' },
    maxExclusive: { type: 'boolean', description: 'True when the upper end itself may not be picked (filed as "<1.0").' },
    default: { ...decimalString, description: 'Value used when no pick is supplied; overrides the table\'s defaultPick policy.' },
  },
} as const;

const bandBounds = {
  lower: { ...decimalString, description: 'Lower bound in the table unit; omitted for an open-ended first band.' },
  lowerInclusive: { type: 'boolean', description: 'Whether a value equal to the lower bound falls in this band (default false, i.e. "(lower,").' },
  upper: { ...decimalString, description: 'Upper bound in the table unit; omitted for an open-ended last band.' },
  upperInclusive: { type: 'boolean', description: 'Whether a value equal to the upper bound falls in this band (default true, i.e. ",upper]").' },
} as const;

const rowCoefficient = {
  coefficient: { ...decimalString, description: 'Fixed coefficient of the row (use either coefficient or range).' },
  range: coefficientRange,
} as const;

const rowIdentity = {
  key: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]*$', description: 'Stable row key, shown in the worksheet and in pick errors.' },
  label: { ...text, description: 'Row label as filed.' },
} as const;

const tableCommon = {
  key: { ...key, description: 'Step key, unique in the plan; picks are keyed by it.' },
  label: { ...text, description: 'Step label shown in the worksheet.' },
  defaultPick: { type: 'string', enum: ['min', 'max', 'midpoint'], description: 'Which value of a range is used when neither a pick nor a row default is given (default midpoint).' },
  changeableBy: {
    type: 'array',
    description: 'Roles allowed to pick inside the filed ranges of this step (default underwriter only).',
    items: { type: 'string', enum: ['underwriter', 'broker'], description: 'A role.' },
  },
} as const;

const unitEnum = ['元', '万元', '%', 'ratio', 'count', 'months', 'days', 'years', 'number'] as const;

const outsideOutcome = {
  action: { type: 'string', enum: ['refuse', 'decline'], description: 'refuse: the quote request is invalid input (400 naming the field, the value and the filed bands); decline: the quote is declined by the named rule and nothing is priced.' },
  rule: { ...key, description: 'Rule key of a decline (the decision reason names it); required with decline.' },
  reason: { ...text, description: 'Reason shown with a decline; required with decline.' },
} as const;

const outsideRegion = (where: string) => ({
  type: 'object',
  description: `What happens to a value ${where}; overrides the table's action there.`,
  additionalProperties: false,
  required: ['action'],
  properties: outsideOutcome,
} as const);

const outsideBands = {
  type: 'object',
  description: 'What happens to a value outside every band (below the first, in a gap between two, above the last): refused as invalid input or declined by a named rule. Never priced: no coefficient outside the filing reaches a quote. Every band table must say it.',
  additionalProperties: false,
  required: ['action'],
  properties: {
    ...outsideOutcome,
    below: outsideRegion('below the first band'),
    between: outsideRegion('in a gap between two bands (stating it also tells the table editor the gaps are filed, not typos)'),
    above: outsideRegion('above the last band'),
  },
} as const;

const bandsStep = {
  type: 'object',
  description: 'A band table: the quantity is matched against bands with explicit open/closed bounds. With altQuantity, each row also has an alternative band and the highest matching row wins (e.g. a deductible given as an amount or as a rate: the higher deductible governs).',
  additionalProperties: false,
  required: ['kind', 'key', 'label', 'quantity', 'unit', 'rows'],
  properties: {
    kind: { const: 'bands', description: 'Band table.' },
    ...tableCommon,
    quantity: { ...key, description: 'Form field or derived quantity matched against the bands.' },
    unit: { type: 'string', enum: unitEnum, description: 'Unit of the band bounds (money bounds may be in 元 or 万元 whatever the field unit).' },
    altQuantity: { ...key, description: 'Optional second quantity matched against each row\'s alt band.' },
    altUnit: { type: 'string', enum: unitEnum, description: 'Unit of the alt band bounds.' },
    outsideBands,
    rows: {
      type: 'array',
      minItems: 1,
      description: 'Bands in ascending order, not overlapping.',
      items: {
        type: 'object',
        description: 'One band and its coefficient.',
        additionalProperties: false,
        properties: {
          ...rowIdentity,
          ...bandBounds,
          ...rowCoefficient,
          alt: {
            type: 'object',
            description: 'The band for altQuantity in the same row.',
            additionalProperties: false,
            properties: { ...bandBounds },
          },
        },
      },
    },
  },
} as const;

const categoriesStep = {
  type: 'object',
  description: 'A category table: the value of an enum or boolean field selects a row. With items, the field is read on every item of a list and the aggregate picks the row (largest: the row with the highest coefficient).',
  additionalProperties: false,
  required: ['kind', 'key', 'label', 'field', 'rows'],
  properties: {
    kind: { const: 'categories', description: 'Category table.' },
    ...tableCommon,
    field: { ...key, description: 'Enum or boolean field (an item field when items is set).' },
    items: {
      type: 'object',
      description: 'Read the field on every item of a list field.',
      additionalProperties: false,
      required: ['list', 'aggregate'],
      properties: {
        list: { ...key, description: 'The list field.' },
        aggregate: { type: 'string', enum: ['largest'], description: 'How item rows combine: largest takes the row with the highest coefficient (highest max, then highest min, for ranges).' },
      },
    },
    rows: {
      type: 'array',
      minItems: 1,
      description: 'Category rows; each field value belongs to exactly one row.',
      items: {
        type: 'object',
        description: 'One category row.',
        additionalProperties: false,
        required: ['values'],
        properties: {
          ...rowIdentity,
          values: {
            type: 'array',
            minItems: 1,
            description: 'Field values of this row (booleans as "true"/"false").',
            items: { type: 'string', description: 'A field value.' },
          },
          ...rowCoefficient,
        },
      },
    },
  },
} as const;

const fixedStep = {
  type: 'object',
  description: 'A fixed coefficient applied to every quote.',
  additionalProperties: false,
  required: ['kind', 'key', 'label', 'coefficient'],
  properties: {
    kind: { const: 'fixed', description: 'Fixed coefficient.' },
    key: tableCommon.key,
    label: tableCommon.label,
    coefficient: { ...decimalString, description: 'The coefficient.' },
  },
} as const;

const rangeStep = {
  type: 'object',
  description: 'A free coefficient range not tied to any input (e.g. an underwriter\'s discretionary factor).',
  additionalProperties: false,
  required: ['kind', 'key', 'label', 'range'],
  properties: {
    kind: { const: 'range', description: 'Coefficient range.' },
    ...tableCommon,
    range: coefficientRange,
  },
} as const;

const limitSource = {
  type: 'object',
  description: 'A limit of indemnity and where its amount comes from (one of field, amountFen, percentOf).',
  additionalProperties: false,
  required: ['kind', 'label'],
  properties: {
    kind: { type: 'string', enum: ['aggregate', 'perEvent', 'perItem', 'subLimit'], description: 'Aggregate, per event, per item (e.g. per patent) or a sub-limit.' },
    label: { ...text, description: 'Limit name.' },
    field: { ...key, description: 'Money form field holding the amount.' },
    amountFen: { type: 'integer', minimum: 0, description: 'Fixed amount in fen.' },
    percentOf: {
      type: 'object',
      description: 'Amount as a percentage of another limit of the same coverage.',
      additionalProperties: false,
      required: ['limit', 'percent'],
      properties: {
        limit: { type: 'string', enum: ['aggregate', 'perEvent', 'perItem'], description: 'Kind of the referenced limit.' },
        percent: { ...decimalString, description: 'Percentage of the referenced limit.' },
      },
    },
  },
} as const;

const condition = {
  type: 'object',
  description: 'A comparison of a quantity with a value.',
  additionalProperties: false,
  required: ['quantity', 'op', 'value', 'unit'],
  properties: {
    quantity: { ...key, description: 'Form field or derived quantity.' },
    op: { type: 'string', enum: ['<', '<=', '>', '>=', '=', '!='], description: 'Comparison operator.' },
    value: { ...decimalString, description: 'Value compared with, in unit.' },
    unit: { type: 'string', enum: unitEnum, description: 'Unit of value.' },
  },
} as const;

const itemCondition = {
  type: 'object',
  description: 'A comparison of an item field (or, when the item leaves it empty, a quote-level quantity) with a value.',
  additionalProperties: false,
  required: ['itemField', 'op', 'value', 'unit'],
  properties: {
    itemField: { ...key, description: 'Numeric item field.' },
    fallback: { ...key, description: 'Quote-level field or quantity used when the item leaves the field empty.' },
    op: condition.properties.op,
    value: { ...decimalString, description: 'Value compared with, in unit.' },
    unit: { type: 'string', enum: unitEnum, description: 'Unit of value.' },
  },
} as const;

const formFieldCommon = {
  key: { ...key, description: 'Field key in the quote inputs (camelCase).' },
  type: { type: 'string', enum: ['money', 'integer', 'decimal', 'percent', 'enum', 'boolean', 'text', 'date', 'list'], description: 'Field type: money (amount in unit, at most fen precision), integer, decimal, percent (5 means 5%), enum, boolean, text, date (YYYY-MM-DD), list (of items).' },
  label: { ...text, description: 'Field label.' },
  help: { ...text, description: 'Help text shown under the field.' },
  unit: { type: 'string', enum: ['元', '万元', '%', 'count', 'months', 'days', 'years', 'number'], description: 'Unit the value is entered in.' },
  min: { ...decimalString, description: 'Smallest allowed value (inclusive).' },
  max: { ...decimalString, description: 'Largest allowed value (inclusive).' },
  required: { type: 'boolean', description: 'Whether the value must be given (default false).' },
  default: { type: ['string', 'number', 'boolean'], description: 'Value used when none is given.' },
  choices: {
    type: 'object',
    description: 'Filed discrete choices of a numeric field (where a filing lists rows, e.g. deductible 0%, 5%, 10%…): any other value is refused, listing the choices. With above, any value above that bound is also a choice (a filed open row such as ">20%").',
    additionalProperties: false,
    required: ['values'],
    properties: {
      values: { type: 'array', minItems: 1, description: 'The filed values, ascending, in the field unit.', items: { ...decimalString, description: 'A filed value.' } },
      above: { ...decimalString, description: 'Values strictly above this bound are also filed (an open last row).' },
    },
  },
  options: {
    type: 'array',
    description: 'Choices of an enum field.',
    items: {
      type: 'object',
      description: 'One choice.',
      additionalProperties: false,
      required: ['value', 'label'],
      properties: {
        value: { type: 'string', description: 'Stored value.' },
        label: { ...text, description: 'Choice label.' },
      },
    },
  },
} as const;

const itemField = {
  type: 'object',
  description: 'A field of every item of a list.',
  additionalProperties: false,
  required: ['key', 'type', 'label'],
  properties: { ...formFieldCommon, type: { ...formFieldCommon.type, enum: ['money', 'integer', 'decimal', 'percent', 'enum', 'boolean', 'text', 'date'] } },
} as const;

const formField = {
  type: 'object',
  description: 'A field of the quote form.',
  additionalProperties: false,
  required: ['key', 'type', 'label'],
  properties: {
    ...formFieldCommon,
    minItems: { type: 'integer', minimum: 0, description: 'Fewest items of a list.' },
    maxItems: { type: 'integer', minimum: 1, description: 'Most items of a list.' },
    itemFields: { type: 'array', minItems: 1, description: 'Fields of every item of a list.', items: itemField },
  },
} as const;

const text2 = (description: string) => ({ ...text, description });

/** JSON Schema of a product definition (one file in products/). */
export const productDefinitionSchema = {
  $id: 'https://tech-insurance.example/schemas/product-definition.json',
  title: 'Product definition',
  description: 'A filed tech-insurance product: identity, cover, quote form, rating plan, underwriting rules, subsidies, pool, VAT, texts and test vectors. Money is integer fen unless a field says otherwise; rates and coefficients are decimal strings.',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'code', 'line', 'version', 'name', 'description', 'insurer', 'effectiveFrom', 'parties', 'coverages', 'form', 'plan', 'vatRatePercent', 'clauses', 'testVectors'],
  properties: {
    schemaVersion: { type: 'integer', const: PRODUCT_SCHEMA_VERSION, description: 'Version of this format.' },
    code: { type: 'string', pattern: '^[A-Z][A-Z0-9-]*$', description: 'Product code, unique per insurer (e.g. FIRST-SET-EQUIPMENT).' },
    line: { type: 'string', enum: TECH_INSURANCE_LINES, description: 'Line of business; subsidy programmes are matched on it.' },
    version: { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)*$', description: 'Version of this product (e.g. 2025.1).' },
    name: text2('Product name.'),
    description: text2('One-paragraph description of the cover.'),
    insurer: { type: 'string', pattern: '^[A-Z][A-Z0-9-]*$', description: 'Insurer code; the catalogue maps it to an organisation.' },
    filing: { type: 'string', description: 'Filing reference or source of the tariff.' },
    illustrative: { type: 'boolean', description: 'True when no filed tariff exists and the rates are illustrative.' },
    effectiveFrom: { type: 'string', format: 'date', description: 'First day the tariff may be quoted (inclusive).' },
    effectiveTo: { type: 'string', format: 'date', description: 'Last day the tariff may be quoted (inclusive); open when absent.' },
    validityDays: { type: 'integer', minimum: 1, maximum: 365, description: 'Days a quote stays valid (default 30).' },
    parties: {
      type: 'array',
      minItems: 1,
      description: 'Parties to the policy.',
      items: {
        type: 'object',
        description: 'A party role.',
        additionalProperties: false,
        required: ['role', 'label'],
        properties: {
          role: { type: 'string', enum: ['policyholder', 'insured', 'beneficiary', 'user'], description: 'Role.' },
          label: text2('Who plays this role (e.g. the equipment manufacturer).'),
        },
      },
    },
    coverages: {
      type: 'array',
      minItems: 1,
      description: 'Covers granted, with their limits and deductibles.',
      items: {
        type: 'object',
        description: 'A coverage (or a section of cover).',
        additionalProperties: false,
        required: ['code', 'name', 'description'],
        properties: {
          code: { ...key, description: 'Coverage code, unique in the product.' },
          name: text2('Coverage name.'),
          description: text2('What the coverage pays.'),
          optional: { type: 'boolean', description: 'True when the policyholder may leave this coverage out.' },
          limits: { type: 'array', description: 'Limits of indemnity.', items: limitSource },
          deductible: {
            type: 'object',
            description: 'Deductible as an amount and/or a rate of the loss; when both are given the higher applies.',
            additionalProperties: false,
            properties: {
              amountField: { ...key, description: 'Money field holding the deductible amount.' },
              amountFen: { type: 'integer', minimum: 0, description: 'Fixed deductible amount in fen.' },
              rateField: { ...key, description: 'Percent field holding the deductible rate of the loss.' },
              ratePercent: { ...decimalString, description: 'Fixed deductible rate of the loss, in percent.' },
            },
          },
        },
      },
    },
    form: {
      type: 'object',
      description: 'The input form a quote needs; also used to generate the web form and validate API inputs.',
      additionalProperties: false,
      required: ['fields'],
      properties: { fields: { type: 'array', minItems: 1, description: 'Fields in display order.', items: formField } },
    },
    plan: {
      type: 'object',
      description: 'The rating plan: derived quantities, section bases, ordered coefficient steps, period factor, caps and rounding. Premium of a section = base × product of the step coefficients × period factor, rounded.',
      additionalProperties: false,
      required: ['sections', 'steps', 'period'],
      properties: {
        quantities: {
          type: 'array',
          description: 'Derived quantities, each computed from fields or earlier quantities. Built in: periodMonths, periodDays.',
          items: {
            type: 'object',
            description: 'A derived quantity.',
            additionalProperties: false,
            required: ['key', 'op', 'label'],
            properties: {
              key: { ...key, description: 'Quantity key, distinct from field keys.' },
              label: text2('Quantity label shown in the worksheet.'),
              op: { type: 'string', enum: ['ratio', 'product', 'sum', 'max', 'min', 'itemSum', 'itemMax', 'itemCount'], description: 'ratio = of[0] ÷ of[1]; product/sum/max/min over of; itemSum/itemMax over the item field of list; itemCount = number of items of list.' },
              of: { type: 'array', description: 'Operand quantities (field or quantity keys).', items: { ...key, description: 'Operand key.' } },
              list: { ...key, description: 'List field for item operations.' },
              itemField: { ...key, description: 'Item field for itemSum and itemMax.' },
              fallback: { ...key, description: 'ratio: quantity used for a missing denominator (e.g. aggregate limit defaults to per-patent × patents); itemSum/itemMax: quote-level quantity used when no item carries the item field (e.g. one contract amount for every unit).' },
            },
          },
        },
        sections: {
          type: 'array',
          minItems: 1,
          description: 'Priced sections, in order; a section may be priced as a share of an earlier section.',
          items: {
            type: 'object',
            description: 'A priced section.',
            additionalProperties: false,
            required: ['key', 'label'],
            properties: {
              key: { ...key, description: 'Section key.' },
              label: text2('Section label.'),
              coverage: { ...key, description: 'Coverage this section prices.' },
              baseQuantity: { ...key, description: 'Money quantity used as the premium base (absent or zero: section not bought).' },
              baseItemField: { ...key, description: 'Money item field used as base of each item (with perItem).' },
              ratePercent: { ...decimalString, description: 'Base rate in percent of the base.' },
              shareOf: {
                type: 'object',
                description: 'Price this section as a share of an earlier section\'s premium instead of base × rate.',
                additionalProperties: false,
                required: ['section', 'percent'],
                properties: {
                  section: { ...key, description: 'Earlier section key.' },
                  percent: { ...decimalString, description: 'Share in percent.' },
                },
              },
              perItem: { ...key, description: 'List field: the section is priced once per item and the item premiums add up.' },
            },
          },
        },
        steps: {
          type: 'array',
          description: 'Coefficient steps in order; every coefficient applies to every section.',
          items: { oneOf: [bandsStep, categoriesStep, fixedStep, rangeStep] },
        },
        period: {
          type: 'object',
          description: 'How the period of cover enters the premium: a short-period scale (percent of the annual premium by months, part months round up, optionally per day under a month) or a coefficient table on periodMonths that replaces the scale.',
          additionalProperties: false,
          required: ['kind'],
          properties: {
            kind: { type: 'string', enum: ['shortPeriodScale', 'periodCoefficient'], description: 'Scale or coefficient table.' },
            label: text2('Label of the period step.'),
            scale: {
              type: 'array',
              description: 'Percent of the annual premium by months of cover, 1 to 12.',
              items: {
                type: 'object',
                description: 'One month count.',
                additionalProperties: false,
                required: ['months', 'percent'],
                properties: {
                  months: { type: 'integer', minimum: 1, maximum: 12, description: 'Months of cover.' },
                  percent: { ...decimalString, description: 'Percent of the annual premium.' },
                },
              },
            },
            perDay: {
              type: 'object',
              description: 'Under one month of cover: percent per day, capped.',
              additionalProperties: false,
              required: ['percentPerDay', 'maxPercent'],
              properties: {
                percentPerDay: { ...decimalString, description: 'Percent of the annual premium per day.' },
                maxPercent: { ...decimalString, description: 'Cap in percent.' },
              },
            },
            table: { ...bandsStep, description: 'Coefficient table on periodMonths (kind periodCoefficient).' },
          },
        },
        minimumPremiumFen: { type: 'integer', minimum: 0, description: 'Minimum premium of the policy, in fen.' },
        maximumRate: {
          type: 'object',
          description: 'Cap on the premium as a rate of a base quantity.',
          additionalProperties: false,
          required: ['quantity', 'ratePercent'],
          properties: {
            quantity: { ...key, description: 'Money quantity the rate applies to.' },
            ratePercent: { ...decimalString, description: 'Highest rate in percent.' },
          },
        },
        rounding: { type: 'string', enum: ['fen', 'yuan'], description: 'Each section premium is rounded half-up to the fen (default) or to the yuan.' },
        subsidyBasis: {
          type: 'object',
          description: 'Quantities that subsidy programmes read: the sum insured the counted rate applies to, and the contract amount for limit caps.',
          additionalProperties: false,
          required: ['sumInsured'],
          properties: {
            sumInsured: { ...key, description: 'Money quantity: rate counted = premium ÷ this.' },
            contract: { ...key, description: 'Money quantity: contract amount for caps in multiples of the contract.' },
          },
        },
      },
    },
    underwriting: {
      type: 'array',
      description: 'Underwriting rules, checked in order; a decline beats a referral.',
      items: {
        type: 'object',
        description: 'A rule: it fires when every condition of all holds and, if any is given, at least one of any.',
        additionalProperties: false,
        required: ['key', 'action', 'reason'],
        properties: {
          key: { ...key, description: 'Rule key.' },
          action: { type: 'string', enum: ['refer', 'decline'], description: 'Refer to an authority or decline.' },
          reason: text2('Reason shown with the decision.'),
          authority: { type: 'string', description: 'Authority that must approve a referral (e.g. head-office-underwriting).' },
          all: { type: 'array', description: 'Conditions that must all hold.', items: condition },
          any: { type: 'array', description: 'Conditions of which one must hold.', items: condition },
        },
      },
    },
    itemRules: {
      type: 'array',
      description: 'Eligibility decided per item of a list (e.g. each unit of a blanket quote): an item for which a rule fires is excluded with the rule\'s reason and not priced; the others are priced, and quantities, sections and subsidies see only them. A quote with no eligible item left is declined.',
      items: {
        type: 'object',
        description: 'An item rule: it excludes an item when every condition of all holds and, if any is given, at least one of any.',
        additionalProperties: false,
        required: ['key', 'list', 'reason'],
        properties: {
          key: { ...key, description: 'Rule key.' },
          list: { ...key, description: 'The list field whose items the rule decides.' },
          reason: text2('Why an item is excluded.'),
          all: { type: 'array', description: 'Conditions that must all hold.', items: itemCondition },
          any: { type: 'array', description: 'Conditions of which one must hold.', items: itemCondition },
        },
      },
    },
    endorsableInputs: {
      type: 'array',
      uniqueItems: true,
      description: 'Keys of the quote form\'s fields that an endorsement (批改) may change during the period (limits, sums insured, insured items, names); any other field is fixed at issue. Absent: the policy cannot be endorsed.',
      items: { ...key, description: 'A field key of the form.' },
    },
    subsidyProgrammes: {
      type: 'array',
      description: 'Codes of subsidy programmes the product is designed for (the engine receives the programmes themselves).',
      items: { type: 'string', description: 'Programme code.' },
    },
    coInsurance: {
      type: 'object',
      description: 'A co-insurance pool: members share premium and liability; shares add up to 100.',
      additionalProperties: false,
      required: ['members'],
      properties: {
        members: {
          type: 'array',
          minItems: 2,
          description: 'Pool members; exactly one lead.',
          items: {
            type: 'object',
            description: 'A member.',
            additionalProperties: false,
            required: ['insurer', 'role', 'sharePercent'],
            properties: {
              insurer: { type: 'string', pattern: '^[A-Z][A-Z0-9-]*$', description: 'Insurer code.' },
              role: { type: 'string', enum: ['lead', 'follower'], description: 'Lead (issues the policy, settles claims, takes the remainder fen) or follower.' },
              sharePercent: { ...decimalString, description: 'Share of premium and liability in percent.' },
            },
          },
        },
      },
    },
    vatRatePercent: { ...decimalString, description: 'VAT rate in percent; premiums are VAT inclusive.' },
    instalments: {
      type: 'array',
      minItems: 2,
      maxItems: 12,
      description: 'Instalment schedule (分期缴费), where the filing allows paying the premium by instalments: each instalment falls due a number of days or calendar months after the policy\'s start date (a month-end start clamps: Jan 31 + 1 month = Feb 28/29) and is a share of the gross premium, rounded half-up to the fen; the shares add up to 100 and the last instalment takes the remainder fen. Absent: the premium is due in one payment.',
      items: {
        type: 'object',
        description: 'One instalment: when it falls due (dueOffsetDays or dueOffsetMonths) and its share.',
        additionalProperties: false,
        required: ['percent'],
        properties: {
          dueOffsetDays: { type: 'integer', minimum: 0, maximum: 366, description: 'Due this many days after the start date (0: on the start date).' },
          dueOffsetMonths: { type: 'integer', minimum: 0, maximum: 12, description: 'Due this many calendar months after the start date.' },
          percent: { ...decimalString, description: 'Share of the gross premium, in percent (the last instalment takes the remainder fen).' },
        },
      },
    },
    // #26 cancellation (退保): the contract's rules for the premium kept (src/rating/cancellation.ts).
    cancellation: {
      type: 'object',
      description: 'Cancellation (退保) rules: the handling fee kept when the policyholder cancels before cover starts, and the short-period scale of the premium kept when it cancels after (percent of the premium by months elapsed, a started month counting whole). Absent, or a part absent: fee 0 and the standard short-period scale (1→10 … 8→80, 9→85, 10→90, 11→95, 12→100). A cancellation by the insurer keeps the premium pro rata by day.',
      additionalProperties: false,
      required: ['beforeStartFeePercent'],
      properties: {
        beforeStartFeePercent: { ...decimalString, description: 'Handling fee (退保手续费) kept on a cancellation before cover starts, in percent of the premium.' },
        shortPeriodScale: {
          type: 'array', minItems: 1, maxItems: 36,
          description: 'The premium kept by months elapsed, in percent; months increase, the last row covers any longer time.',
          items: {
            type: 'object', additionalProperties: false, required: ['months', 'percent'], description: 'Kept percent up to this many months elapsed.',
            properties: { months: { type: 'integer', minimum: 1, maximum: 36, description: 'Months elapsed (a started month counts whole).' }, percent: { ...decimalString, description: 'Percent of the premium kept.' } },
          },
        },
      },
    },
    clauses: {
      type: 'array',
      description: 'Clause summaries for documents.',
      items: {
        type: 'object',
        description: 'A clause summary.',
        additionalProperties: false,
        required: ['key', 'title', 'text'],
        properties: {
          key: { ...key, description: 'Clause key.' },
          title: text2('Clause title.'),
          text: text2('Clause summary.'),
        },
      },
    },
    testVectors: {
      type: 'array',
      minItems: 1,
      description: 'Worked quotes that must reproduce exactly: inputs and picks → premium or decision.',
      items: {
        type: 'object',
        description: 'A test vector.',
        additionalProperties: false,
        required: ['name', 'inputs', 'expected'],
        properties: {
          name: { type: 'string', description: 'What the vector checks.' },
          inputs: { type: 'object', additionalProperties: { description: 'A form field\'s value.' }, description: 'Form inputs, by field key.' },
          picks: { type: 'object', description: 'Picks by step key.', additionalProperties: { type: ['string', 'number'] } },
          period: {
            type: 'object',
            description: 'Period of cover (default 12 months).',
            additionalProperties: false,
            properties: {
              months: { type: 'integer', minimum: 1, description: 'Months of cover.' },
              days: { type: 'integer', minimum: 1, description: 'Days of cover.' },
            },
          },
          expected: {
            type: 'object',
            description: 'Expected outcome.',
            additionalProperties: false,
            required: ['decision'],
            properties: {
              decision: { type: 'string', enum: ['quoted', 'referred', 'declined', 'refused'], description: 'Expected decision; refused: the inputs are invalid (e.g. a value outside the filed bands or choices) and nothing is rated.' },
              refusedPaths: { type: 'array', description: 'With refused: input paths the refusal must name (e.g. /inputs/deductibleRate).', items: { type: 'string', description: 'A JSON pointer into the request.' } },
              grossPremiumFen: { type: 'integer', description: 'Expected gross premium (VAT included) in fen.' },
              sectionPremiumsFen: { type: 'object', description: 'Expected premium by section key, in fen.', additionalProperties: { type: 'integer' } },
              rules: { type: 'array', description: 'Keys of rules expected to fire.', items: { type: 'string', description: 'Rule key.' } },
            },
          },
        },
      },
    },
  },
} as const;

/** A product definition as stored in products/*.json and in the catalogue. */
export type ProductDefinition = FromSchema<typeof productDefinitionSchema>;
