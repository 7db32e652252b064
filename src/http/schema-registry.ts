import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule, { type FormatsPlugin } from 'ajv-formats';
import { invalidInput, type ErrorDetail } from './app-error.ts';

// ajv-formats ships CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as FormatsPlugin;

/** A JSON Schema object as written in the codebase (`as const`). */
export type JsonSchema = Record<string, unknown>;

/** Every `$id` in the codebase starts with this, so OpenAPI can turn ids into component refs. */
export const SCHEMA_ID_PREFIX = 'https://tech-insurance.example/schemas/';

function createAjv(coerceTypes: boolean): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    coerceTypes: coerceTypes ? 'array' : false,
    useDefaults: true,
    // Descriptions, examples and OpenAPI-only words are documentation, not validation.
    keywords: ['example', 'x-unit', 'x-label'],
  });
  addFormats(ajv);
  return ajv;
}

/** Bodies are validated strictly; params and query strings arrive as text and are coerced. */
const bodyAjv = createAjv(false);
const queryAjv = createAjv(true);
const registered = new Map<string, JsonSchema>();

/** Adds a named schema (it must have an `$id`) to both validators and to the OpenAPI components. */
export function registerSchema(schema: JsonSchema): void {
  const id = schema.$id;
  if (typeof id !== 'string') throw new Error('registerSchema: schema has no $id');
  if (registered.has(id)) return;
  registered.set(id, schema);
  bodyAjv.addSchema(schema);
  queryAjv.addSchema(schema);
}

export function registeredSchemas(): ReadonlyMap<string, JsonSchema> {
  return registered;
}

const compiled = new WeakMap<JsonSchema, ValidateFunction>();

function validatorFor(schema: JsonSchema, coerce: boolean): ValidateFunction {
  const cache = coerce ? compiledCoercing : compiled;
  let validate = cache.get(schema);
  if (!validate) {
    const ajv = coerce ? queryAjv : bodyAjv;
    // A named schema lives in the registry (once), so OpenAPI and validation share it.
    if (typeof schema.$id === 'string') registerSchema(schema);
    validate = typeof schema.$id === 'string' ? (ajv.getSchema(schema.$id) as ValidateFunction) : ajv.compile(schema);
    cache.set(schema, validate);
  }
  return validate;
}
const compiledCoercing = new WeakMap<JsonSchema, ValidateFunction>();

/** Turns ajv errors into `{ path, message }` pairs that name the field and the rule. */
export function describeAjvErrors(errors: ErrorObject[] | null | undefined, root: string): ErrorDetail[] {
  if (!errors) return [];
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    // `if`/`then` wrappers and anyOf/oneOf summaries repeat what the branch errors already say.
    if (error.keyword === 'if') continue;
    let path = root + pointerToPath(error.instancePath);
    let message: string;
    switch (error.keyword) {
      case 'required':
        path = joinPath(path, String(error.params.missingProperty));
        message = 'is required (required)';
        break;
      case 'additionalProperties':
        path = joinPath(path, String(error.params.additionalProperty));
        message = 'is not an allowed field (additionalProperties)';
        break;
      case 'enum':
        message = `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')} (enum)`;
        break;
      default:
        message = `${error.message ?? 'is invalid'} (${error.keyword})`;
    }
    const key = `${path}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    details.push({ path, message });
  }
  return details;
}

function pointerToPath(pointer: string): string {
  if (!pointer) return '';
  return pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('');
}

function joinPath(base: string, field: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(field) ? `${base}.${field}` : `${base}[${JSON.stringify(field)}]`;
}

/**
 * Validates `value` against `schema` and returns it typed, or throws an invalid_input AppError
 * whose details name each failing field. `root` prefixes paths (`body`, `query`, `params`).
 */
export function validateOrThrow<T>(schema: JsonSchema, value: unknown, root: string, options: { coerce?: boolean } = {}): T {
  const validate = validatorFor(schema, options.coerce ?? false);
  if (!validate(value)) {
    const details = describeAjvErrors(validate.errors, root);
    throw invalidInput(`The request ${root} is invalid: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
  }
  if (options.coerce) refuseNonFinite(value, root);
  return value as T;
}

/**
 * ajv coerces the text "Infinity" to a number and then skips the number keywords (minimum,
 * maximum) on it; query strings and path parameters are flat, so one pass over their values finds it.
 */
function refuseNonFinite(value: unknown, root: string): void {
  if (!value || typeof value !== 'object') return;
  const details = Object.entries(value).filter(([, v]) => typeof v === 'number' && !Number.isFinite(v)).map(([k]) => ({ path: joinPath(root, k), message: 'must be a finite number (type)' }));
  if (details.length) throw invalidInput(`The request ${root} is invalid: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
}

/** Returns the errors of `value` against `schema` without throwing (used for response checks). */
export function checkAgainstSchema(schema: JsonSchema, value: unknown, root: string): ErrorDetail[] {
  const validate = validatorFor(schema, false);
  return validate(value) ? [] : describeAjvErrors(validate.errors, root);
}
