// Schemas of the portfolio tools: each written once, typed, validated and documented in OpenAPI.
const id = (name: string) => `https://tech-insurance.example/schemas/${name}`;

const productCode = { type: 'string', pattern: '^[A-Z][A-Z0-9-]{0,63}$', description: 'Product code.' } as const;
const versionLabel = { type: 'string', pattern: '^[0-9]+(\\.[0-9]+)*$', maxLength: 40, description: 'Version label.' } as const;

export const impactParams = {
  type: 'object', required: ['code', 'version'], additionalProperties: false,
  properties: { code: productCode, version: { ...versionLabel, description: 'The new (usually draft) version to re-rate the book on.' } },
} as const;

export const impactQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    baseline: { ...versionLabel, description: 'Version whose stored quotes and policies are re-rated (default: the published version in force today, else the latest published).' },
    top: { type: 'integer', minimum: 0, maximum: 100, default: 10, description: 'How many largest movers to list.' },
    policies: { type: 'boolean', default: true, description: 'Re-rate the baseline\'s policies too.' },
    refresh: { type: 'boolean', default: false, description: 'First read every stored quote and policy of the baseline into its rating book (slow: for quotes stored before the book existed; entries already in the book are not counted twice).' },
  },
} as const;

export const bulkQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    product: { ...productCode, description: 'Product for rows without a productCode cell.' },
    version: { ...versionLabel, description: 'Version for rows without a productVersion cell.' },
    save: { type: 'boolean', default: false, description: 'Store a quote per row (brokers); default: previews only.' },
    batchId: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'Stable id of the batch (required with save): row n is saved with Idempotency-Key bulk:<batchId>:<n>, so a re-run returns the same quotes.' },
    format: { type: 'string', enum: ['csv', 'json'], default: 'csv', description: 'Result format: CSV (one line per row, UTF-8 with BOM for Excel) or JSON ({ columns, rows, summary }).' },
    concurrency: { type: 'integer', minimum: 1, maximum: 32, default: 8, description: 'Rows priced at the same time.' },
  },
} as const;

const fen = (description: string) => ({ type: 'integer', description: `${description} (integer fen).` }) as const;
const nullableNumber = (description: string) => ({ type: ['number', 'null'], description }) as const;

const distributionSchema = (unit: string) => ({
  type: ['object', 'null'],
  description: `Distribution of the per-quote change in ${unit}; null when nothing was rated.`,
  required: ['mean', 'median', 'p90', 'min', 'max'],
  additionalProperties: false,
  properties: {
    mean: { type: 'number', description: `Mean change (${unit}, 2 decimals).` },
    median: { type: 'number', description: `Median change (${unit}).` },
    p90: { type: 'number', description: `90th percentile (nearest rank) of the change (${unit}).` },
    min: { type: 'number', description: `Smallest change (${unit}).` },
    max: { type: 'number', description: `Largest change (${unit}).` },
  },
}) as const;

const moverSchema = {
  type: 'object', required: ['id', 'number', 'storedPremiumFen', 'newPremiumFen', 'changeFen', 'changePercent', 'storedDecision', 'newDecision'], additionalProperties: false, description: 'One mover.',
  properties: {
    id: { type: 'string', description: 'Quote or policy id.' },
    number: { type: 'string', description: 'Quote or policy number.' },
    storedPremiumFen: fen('Stored gross premium'),
    newPremiumFen: fen('Gross premium on the new version'),
    changeFen: fen('Change'),
    changePercent: nullableNumber('Change in % of the stored premium; null when it was 0.'),
    storedDecision: { type: 'string', description: 'Stored decision.' },
    newDecision: { type: 'string', description: 'Decision on the new version.' },
  },
} as const;

// Used twice inside ImpactReport (quotes, policies), so it has no $id of its own.
const bookImpactSchema = {
  type: 'object',
  description: 'The re-rating of one book (quotes or policies) of the baseline version on the new version.',
  required: ['count', 'rated', 'storedPremiumFen', 'newPremiumFen', 'changeFen', 'changePercent', 'increased', 'decreased', 'unchanged', 'perQuoteChangeFen', 'perQuoteChangePercent', 'decisionChanges', 'inputErrors', 'largestMovers', 'changeHistogram', 'decisionFlips'],
  additionalProperties: false,
  properties: {
    count: { type: 'integer', description: 'Stored documents on the baseline version.' },
    rated: { type: 'integer', description: 'Those the new version rates.' },
    storedPremiumFen: fen('Stored gross premium of the rated documents'),
    newPremiumFen: fen('Gross premium of the same documents on the new version'),
    changeFen: fen('New minus stored'),
    changePercent: nullableNumber('Change of the book premium in % (2 decimals); null when the stored premium is 0.'),
    increased: { type: 'integer', description: 'Documents whose premium goes up.' },
    decreased: { type: 'integer', description: 'Documents whose premium goes down.' },
    unchanged: { type: 'integer', description: 'Documents whose premium stays to the fen.' },
    perQuoteChangeFen: distributionSchema('fen'),
    perQuoteChangePercent: distributionSchema('% of the stored premium'),
    decisionChanges: {
      type: 'object', required: ['total', 'transitions'], additionalProperties: false, description: 'Underwriting decisions that change (quoted → referred/declined and back).',
      properties: {
        total: { type: 'integer', description: 'Documents whose decision changes.' },
        transitions: {
          type: 'array', description: 'Counts by stored → new decision, most frequent first.',
          items: { type: 'object', required: ['from', 'to', 'count'], additionalProperties: false, properties: { from: { type: 'string', description: 'Stored decision.' }, to: { type: 'string', description: 'Decision on the new version.' }, count: { type: 'integer', description: 'Documents.' } } },
        },
      },
    },
    inputErrors: {
      type: 'object', required: ['count', 'byPath', 'examples'], additionalProperties: false, description: 'Documents the new version no longer rates (its form refuses their stored inputs or picks).',
      properties: {
        count: { type: 'integer', description: 'Documents that no longer rate.' },
        byPath: { type: 'array', description: 'Counts by error path and message (at most 50 kinds).', items: { type: 'object', required: ['path', 'message', 'count'], additionalProperties: false, properties: { path: { type: 'string', description: 'Path in the rating input, e.g. /inputs/contractAmount.' }, message: { type: 'string', description: 'What is wrong.' }, count: { type: 'integer', description: 'Documents.' } } } },
        examples: { type: 'array', description: 'The first few documents that fail, by number.', items: { type: 'object', required: ['number', 'path', 'message'], additionalProperties: false, properties: { number: { type: 'string', description: 'Quote or policy number.' }, path: { type: 'string', description: 'First error path.' }, message: { type: 'string', description: 'First error message.' } } } },
      },
    },
    changeHistogram: {
      type: 'array', description: 'How many documents change by how much: per-document change in % of the stored premium, in equal bins (lower bound inclusive, upper bound exclusive).',
      items: { type: 'object', required: ['fromPercent', 'toPercent', 'count'], additionalProperties: false, description: 'One bin.', properties: { fromPercent: { type: 'number', description: 'Lower bound, %.' }, toPercent: { type: 'number', description: 'Upper bound, %.' }, count: { type: 'integer', description: 'Documents.' } } },
    },
    decisionFlips: { type: 'array', description: 'Documents whose decision changes (the first 50).', items: moverSchema },
    largestMovers: {
      type: 'array', description: 'Largest absolute premium changes, largest first.',
      items: moverSchema,
    },
  },
} as const;

export const impactReportSchema = {
  $id: id('ImpactReport'),
  type: 'object',
  description: 'What a new version of a product does to the stored quotes and policies of the version it replaces.',
  required: ['productCode', 'version', 'versionStatus', 'baseline', 'asOfRule', 'book', 'quotes', 'policies', 'elapsedMs'],
  additionalProperties: false,
  properties: {
    productCode: { type: 'string', description: 'Product.' },
    version: { type: 'string', description: 'The new version the book was re-rated on.' },
    versionStatus: { type: 'string', description: 'Its status (draft, published, retired).' },
    baseline: { type: 'string', description: 'The version whose stored book was re-rated.' },
    asOfRule: { type: 'string', description: 'How the quote date of the re-rating was chosen.' },
    book: {
      type: 'object', required: ['readAt', 'pages', 'tailRecords', 'compacted', 'refreshed', 'readMs'], additionalProperties: false, description: 'The baseline\'s rating book, kept as quotes and policies are stored (docs/portfolio.md), as it was read.',
      properties: {
        readAt: { type: 'string', description: 'When the book was read (ISO time): every quote and policy stored before is in it.' },
        pages: { type: 'integer', description: 'Page documents read.' },
        tailRecords: { type: 'integer', description: 'Recent records not yet packed into a page.' },
        compacted: { type: 'integer', description: 'Tail records this read packed into a page.' },
        refreshed: { type: 'boolean', description: 'True when every stored quote and policy was read into the book first (refresh=true).' },
        readMs: { type: 'integer', description: 'Time spent reading the book (and refreshing it).' },
      },
    },
    quotes: bookImpactSchema,
    policies: { anyOf: [bookImpactSchema, { type: 'null', description: 'Policies were not asked for.' }], description: 'The policies\' book, or null.' },
    elapsedMs: { type: 'integer', description: 'Time the analysis took.' },
  },
} as const;

const fenField = (description: string) => ({ type: 'integer', description: `${description} (integer fen).` }) as const;

/** Bulk quoting's answer with format=json (streamed row by row; the CSV answer has the same columns). */
export const bulkQuoteResultSchema = {
  $id: id('BulkQuoteResult'),
  type: 'object', required: ['columns', 'rows', 'summary'], additionalProperties: false,
  description: 'One result per CSV row, in file order, and the totals.',
  properties: {
    columns: { type: 'array', items: { type: 'string' }, description: 'The columns of the uploaded file\'s header row.' },
    rows: {
      type: 'array', description: 'Results in file order.',
      items: {
        type: 'object', required: ['row', 'status', 'errors'], additionalProperties: false, description: 'The outcome of one row: its prices, or its errors by column.',
        properties: {
          row: { type: 'integer', description: 'Line of the file the row starts on (the header is line 1).' },
          reference: { type: 'string', description: 'The row\'s reference column.' },
          status: { type: 'string', enum: ['priced', 'saved', 'replayed', 'error'], description: 'priced (preview), saved (a new quote), replayed (an earlier quote of the same key), error.' },
          productCode: { type: 'string', description: 'Product.' },
          productVersion: { type: 'string', description: 'Version rated on.' },
          enterpriseId: { type: 'string', description: 'Enterprise.' },
          decision: { type: 'string', enum: ['quoted', 'referred', 'declined'], description: 'Underwriting outcome.' },
          decisionReasons: { type: 'array', items: { type: 'string' }, description: 'Rules that fired.' },
          grossPremiumFen: fenField('Premium, VAT included'),
          netPremiumFen: fenField('Premium without VAT'),
          vatFen: fenField('VAT'),
          subsidyFen: fenField('Expected subsidies'),
          netCostFen: fenField('Net cost after subsidies'),
          quoteId: { type: 'string', description: 'The saved quote.' },
          quoteNumber: { type: 'string', description: 'Its number.' },
          errors: { type: 'array', description: 'Errors by column.', items: { type: 'object', required: ['message'], additionalProperties: false, description: 'An error.', properties: { column: { type: 'string', description: 'Column.' }, message: { type: 'string', description: 'What is wrong.' } } } },
        },
      },
    },
    summary: {
      type: 'object', required: ['rows', 'priced', 'saved', 'replayed', 'failed', 'decisions', 'grossPremiumFen', 'subsidyFen'], additionalProperties: false, description: 'Totals (also the X-Bulk-Summary trailer of the CSV answer).',
      properties: {
        batchId: { type: 'string', description: 'The batch id sent.' },
        rows: { type: 'integer', description: 'Rows read.' }, priced: { type: 'integer', description: 'Rows priced.' }, saved: { type: 'integer', description: 'Quotes saved.' },
        replayed: { type: 'integer', description: 'Quotes replayed.' }, failed: { type: 'integer', description: 'Rows with errors.' },
        decisions: { type: 'object', required: ['quoted', 'referred', 'declined'], additionalProperties: false, description: 'Rows by decision.', properties: { quoted: { type: 'integer', description: 'Quoted.' }, referred: { type: 'integer', description: 'Referred.' }, declined: { type: 'integer', description: 'Declined.' } } },
        grossPremiumFen: fenField('Total premium'), subsidyFen: fenField('Total expected subsidies'),
      },
    },
  },
} as const;

export const portfolioSchemas = [impactReportSchema, bulkQuoteResultSchema];
