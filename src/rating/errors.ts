// Errors of the rating core. They carry a kind that only the HTTP layer turns into a status,
// and every detail points at the offending place with a JSON-pointer-ish path.

/** One problem found in a definition or an input. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** Thrown by compileProduct with every problem of the definition, not just the first. */
export class ProductCompileError extends Error {
  readonly kind = 'invalid_input' as const;
  readonly details: ErrorDetail[];
  constructor(productCode: string, details: ErrorDetail[]) {
    super(`Product ${productCode} does not compile: ${details.length} error(s); first: ${details[0]?.path} ${details[0]?.message}`);
    this.name = 'ProductCompileError';
    this.details = details;
  }
}

/** Thrown by evaluateQuote when inputs, picks or context are invalid; details are field-level. */
export class RatingInputError extends Error {
  readonly kind = 'invalid_input' as const;
  readonly details: ErrorDetail[];
  constructor(details: ErrorDetail[]) {
    super(`Invalid rating input: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`);
    this.name = 'RatingInputError';
    this.details = details;
  }
}
