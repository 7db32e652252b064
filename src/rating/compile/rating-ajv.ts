// The one ajv instance of the rating core, and the first compile pass: the definition against
// its JSON Schema, with ajv's errors turned into readable paths and messages.
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ErrorDetail } from '../errors.ts';
import { ProductCompileError } from '../errors.ts';
import type { ProductDefinition } from '../product-schema.ts';
import { productDefinitionSchema } from '../product-schema.ts';
import { subsidyProgrammeSchema } from '../subsidy-schema.ts';

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** The one ajv instance of the rating core; it holds both schemas. */
export const ratingAjv = new Ajv({ allErrors: true, discriminator: true, strict: false });
addFormats(ratingAjv);
ratingAjv.addSchema(productDefinitionSchema);
ratingAjv.addSchema(subsidyProgrammeSchema);
const validateDefinition = ratingAjv.getSchema(productDefinitionSchema.$id)!;

function ajvPath(instancePath: string, params: Record<string, unknown>): string {
  const extra = typeof params.additionalProperty === 'string' ? `/${params.additionalProperty}` : typeof params.missingProperty === 'string' ? `/${params.missingProperty}` : '';
  return (instancePath || '') + extra || '/';
}

const STEP_KINDS = ['bands', 'categories', 'fixed', 'range'];
const STEP_PATH = /^\/plan\/steps\/(\d+)/;

/** ajv errors as paths and messages; for steps, only the errors of the branch their kind selects. */
function readableErrors(definition: unknown, errors: readonly { instancePath: string; schemaPath: string; params: unknown; message?: string }[]): ErrorDetail[] {
  const steps = (definition as { plan?: { steps?: unknown } }).plan?.steps;
  const out: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const m = STEP_PATH.exec(e.instancePath);
    if (m && Array.isArray(steps)) {
      const kind = (steps[Number(m[1])] as { kind?: unknown } | undefined)?.kind;
      const branch = typeof kind === 'string' ? STEP_KINDS.indexOf(kind) : -1;
      if (branch >= 0 && (e.schemaPath.endsWith('/oneOf') || !e.schemaPath.includes(`/oneOf/${branch}/`))) continue;
    }
    const detail = { path: ajvPath(e.instancePath, e.params as Record<string, unknown>), message: e.message ?? 'is invalid' };
    const k = `${detail.path} ${detail.message}`;
    if (!seen.has(k)) out.push(detail);
    seen.add(k);
  }
  return out;
}

/** The definition, once it matches the product schema; otherwise throws ProductCompileError with every schema error. */
export function checkDefinitionSchema(definition: unknown): ProductDefinition {
  const code = typeof definition === 'object' && definition !== null && typeof (definition as { code?: unknown }).code === 'string' ? (definition as { code: string }).code : '(unknown)';
  if (!validateDefinition(definition)) {
    const details = readableErrors(definition, validateDefinition.errors ?? []);
    throw new ProductCompileError(code, details);
  }
  return definition as ProductDefinition;
}
