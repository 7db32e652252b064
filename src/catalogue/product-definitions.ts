// What a product definition is, apart from where it is stored: its content hash, its storability
// and schema, its compile errors and its test vectors' outcomes. Pure of the database; drafting,
// publishing and product sync ask it.
import { createHash } from 'node:crypto';
import { invalidInput, type ErrorDetail } from '../http/app-error.ts';
import { validateOrThrow } from '../http/schema-registry.ts';
import { compileProduct, ProductCompileError, productDefinitionSchema, runTestVectors, type CompiledProduct, type ProductDefinition, type SubsidyProgramme } from '../rating/index.ts';

export interface VectorOutcome {
  name: string;
  passed: boolean;
  message: string;
}

/** Canonical JSON (sorted keys) so the hash of a definition does not depend on key order. */
export function hashDefinition(definition: unknown): string {
  const canonical = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(canonical);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.keys(value as object).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
    }
    return value;
  };
  return createHash('sha256').update(JSON.stringify(canonical(definition))).digest('hex');
}

/**
 * MongoDB (and FerretDB) cannot store keys with "." or a leading "$": refuse them with their path
 * instead of failing at write time or, worse, having them read as operators.
 */
function checkStorableKeys(value: unknown, path: string, details: ErrorDetail[]): void {
  if (Array.isArray(value)) value.forEach((item, i) => checkStorableKeys(item, `${path}[${i}]`, details));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key.includes('.') || key.startsWith('$') || key === '__proto__' || key === 'constructor' || key === 'prototype') {
        details.push({ path: `${path}.${key}`, message: 'keys may not contain "." or start with "$" (storable-key)' });
      } else checkStorableKeys(inner, `${path}.${key}`, details);
    }
  }
}

/** Validates a definition's structure (JSON Schema) and storability; throws 400 with paths. */
export function checkDefinition(definition: unknown, root = 'body.definition'): ProductDefinition {
  const details: ErrorDetail[] = [];
  checkStorableKeys(definition, root, details);
  if (details.length) throw invalidInput('The product definition has keys that cannot be stored.', details);
  return validateOrThrow<ProductDefinition>(productDefinitionSchema, definition, root);
}

/** Compiles a definition, returning its errors (path inside the definition) instead of throwing. */
export function compileErrorsOf(definition: ProductDefinition, root = 'definition'): ErrorDetail[] {
  try {
    compileProduct(definition);
    return [];
  } catch (err) {
    if (err instanceof ProductCompileError) return err.details.map((d) => ({ path: `${root}${d.path.startsWith('/') || d.path.startsWith('.') || d.path.startsWith('[') ? '' : '.'}${d.path}`, message: d.message }));
    throw err;
  }
}

/** Compiles a definition and runs its test vectors against the subsidy programmes of its line. */
export function testDefinition(definition: ProductDefinition, programmes: readonly SubsidyProgramme[]): { passed: boolean; compileErrors: ErrorDetail[]; vectors: VectorOutcome[] } {
  let compiled: CompiledProduct;
  try {
    compiled = compileProduct(definition);
  } catch (err) {
    if (err instanceof ProductCompileError) return { passed: false, compileErrors: compileErrorsOf(definition), vectors: [] };
    throw err;
  }
  const vectors = runTestVectors(compiled, programmes).map((v) => ({ name: v.name, passed: v.passed, message: v.message }));
  return { passed: vectors.every((v) => v.passed), compileErrors: [], vectors };
}
