/**
 * Domain errors carry a kind; only the HTTP layer turns a kind into a status code.
 * Services throw these; routes never build error responses by hand.
 */
export const errorKinds = [
  'invalid_input', 'unauthenticated', 'forbidden', 'not_found', 'conflict', 'referral_required', 'payload_too_large', 'unsupported_media_type', 'rate_limited', 'timeout', 'unavailable', 'internal',
] as const;
export type ErrorKind = (typeof errorKinds)[number];

export interface ErrorDetail {
  path: string;
  message: string;
  /** The value the detail is about, when a client needs it (e.g. the policy a quote is already bound as). */
  value?: string;
}

export class AppError extends Error {
  readonly kind: ErrorKind;
  readonly details: ErrorDetail[];

  constructor(kind: ErrorKind, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'AppError';
    this.kind = kind;
    this.details = details;
  }
}

export const invalidInput = (message: string, details: ErrorDetail[] = []) => new AppError('invalid_input', message, details);
export const notFound = (what: string) => new AppError('not_found', `${what} was not found.`);
export const conflict = (message: string, details: ErrorDetail[] = []) => new AppError('conflict', message, details);
export const forbidden = (message: string) => new AppError('forbidden', message);
export const unavailable = (message: string) => new AppError('unavailable', message);

export const statusByKind: Record<ErrorKind, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  // A change whose rating refers to an underwriter (an endorsement): refused until a referral is decided.
  referral_required: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  timeout: 503,
};
