// Public API of the rating core. Everything else in src/rating is internal.
export { compileProduct, ratingAjv } from './compile-product.ts';
export type { CompiledProduct } from './compile-product.ts';
export { evaluateQuote } from './evaluate-quote.ts';
export { runTestVectors } from './test-vectors.ts';
export type { VectorOutcome, VectorResult } from './test-vectors.ts';
export { computeSubsidies, checkSubsidyProgramme } from './subsidies.ts';
export type { SubsidyArguments } from './subsidies.ts';
export { splitCoInsurance } from './co-insurance.ts';
export { splitVat, formatFen } from './money.ts';
export { measurePeriod } from './period.ts';
export { ProductCompileError, RatingInputError } from './errors.ts';
export type { ErrorDetail } from './errors.ts';
export { productDefinitionSchema, PRODUCT_SCHEMA_VERSION, TECH_INSURANCE_LINES } from './product-schema.ts';
export type { ProductDefinition } from './product-schema.ts';
export { subsidyProgrammeSchema, SUBSIDY_SCHEMA_VERSION } from './subsidy-schema.ts';
export type { SubsidyProgramme } from './subsidy-schema.ts';
export type * from './rating-result.ts';
export { addDays, chinaDate, chinaDateTime } from './calendar.ts';
