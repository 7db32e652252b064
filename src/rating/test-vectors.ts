// Test vectors travel with each product definition; the catalogue refuses to publish a version
// whose vectors fail, and `npm run products -- test` runs them from the command line.
import type { CompiledProduct } from './compile/compiled-product.ts';
import { RatingInputError } from './errors.ts';
import { evaluateQuote } from './evaluate-quote.ts';
import type { QuotePeriod, RatingResult } from './rating-result.ts';
import type { SubsidyProgramme } from './subsidy-schema.ts';

/** What a vector expects or what the engine produced for it. */
export interface VectorOutcome {
  decision: string;
  grossPremiumFen?: number;
  sectionPremiumsFen?: Record<string, number>;
  rules?: string[];
  refusedPaths?: string[];
}

/** Result of running one test vector. */
export interface VectorResult {
  name: string;
  passed: boolean;
  expected: VectorOutcome;
  actual: VectorOutcome | undefined;
  /** Why it failed (empty when passed). */
  message: string;
}

function outcomeOf(result: RatingResult): VectorOutcome {
  const sectionPremiumsFen: Record<string, number> = {};
  for (const s of result.sections) sectionPremiumsFen[s.key] = s.premiumFen;
  return { decision: result.decision.outcome, grossPremiumFen: result.grossPremiumFen, sectionPremiumsFen, rules: result.decision.reasons.map((r) => r.rule) };
}

/** A vector that expects a refusal: it passes when the refusal names every expected path. */
function refusedOutcome(name: string, expected: VectorOutcome, error: RatingInputError): VectorResult {
  const paths = error.details.map((d) => d.path);
  const missing = (expected.refusedPaths ?? []).filter((p) => !paths.includes(p));
  const actual = { decision: 'refused', refusedPaths: paths };
  return { name, passed: missing.length === 0, expected, actual, message: missing.length ? `the refusal does not name ${missing.join(', ')}: ${error.message}` : '' };
}

/**
 * Runs every test vector of a compiled product (quote date = effectiveFrom, role underwriter)
 * and reports pass/fail with expected against actual.
 */
export function runTestVectors(product: CompiledProduct, programmes: readonly SubsidyProgramme[] = []): VectorResult[] {
  return product.definition.testVectors.map((v) => {
    const expected = v.expected as VectorOutcome;
    let result: RatingResult;
    try {
      result = evaluateQuote(product, v.inputs, v.picks as Record<string, string | number> | undefined, {
        asOf: product.effectiveFrom,
        ...(v.period ? { period: v.period as QuotePeriod } : {}),
        programmes,
      });
    } catch (error) {
      const message = error instanceof RatingInputError ? error.details.map((d) => `${d.path} ${d.message}`).join('; ') : String(error);
      if (error instanceof RatingInputError && expected.decision === 'refused') return refusedOutcome(v.name, expected, error);
      return { name: v.name, passed: false, expected, actual: undefined, message: `evaluation failed: ${message}` };
    }
    const actual = outcomeOf(result);
    const problems: string[] = [];
    if (actual.decision !== expected.decision) problems.push(`decision ${actual.decision}, expected ${expected.decision}`);
    if (expected.grossPremiumFen !== undefined && actual.grossPremiumFen !== expected.grossPremiumFen) problems.push(`gross premium ${actual.grossPremiumFen} fen, expected ${expected.grossPremiumFen}`);
    for (const [k, fen] of Object.entries(expected.sectionPremiumsFen ?? {})) {
      if (actual.sectionPremiumsFen?.[k] !== fen) problems.push(`section ${k} ${actual.sectionPremiumsFen?.[k]} fen, expected ${fen}`);
    }
    for (const rule of expected.rules ?? []) if (!actual.rules?.includes(rule)) problems.push(`rule ${rule} did not fire`);
    return { name: v.name, passed: problems.length === 0, expected, actual, message: problems.join('; ') };
  });
}
