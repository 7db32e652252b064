// "Actual becomes expected" (issue #28, as OpenL's test tables do): after a deliberate rate
// change, a draft's vectors fail only because their figures moved. The workbench shows each
// vector's expected and actual outcome; the insurer accepts the actual outcomes as the draft's
// new expectations in one step, recorded in the version's audit trail with every figure moved.
import { recordAudit } from '../audit/audit-log.ts';
import type { Caller } from '../auth/caller.ts';
import { conflict, invalidInput } from '../http/app-error.ts';
import { compileProduct, ProductCompileError, runTestVectors, type ProductDefinition, type VectorResult } from '../rating/index.ts';
import type { PoolMembership } from './pool-membership.ts';
import { updateDraft } from './product-versions.ts';
import { subsidyProgrammesFor } from './subsidy-programmes.ts';
import { getVersion } from './version-reads.ts';

/** The draft's vectors run on the draft as it is, with the hash of the definition they ran on. */
export interface VectorComparison {
  definitionHash: string;
  compiles: boolean;
  results: VectorResult[];
}

/** Runs a version's vectors and keeps expected and actual outcomes side by side. */
export async function compareVectors(caller: Caller, code: string, version: string): Promise<VectorComparison> {
  const view = await getVersion(caller, code, version);
  return { definitionHash: view.definitionHash, ...runOn(view.definition, await subsidyProgrammesFor(view.definition.line)) };
}

function runOn(definition: ProductDefinition, programmes: Awaited<ReturnType<typeof subsidyProgrammesFor>>): { compiles: boolean; results: VectorResult[] } {
  try {
    return { compiles: true, results: runTestVectors(compileProduct(definition), programmes) };
  } catch (err) {
    if (err instanceof ProductCompileError) return { compiles: false, results: [] };
    throw err;
  }
}

/** The expectation a failing vector gets: the actual outcome, in the parts the vector already checked. */
function acceptedExpectation(result: VectorResult): VectorResult['expected'] {
  const actual = result.actual!;
  const expected = result.expected;
  return {
    decision: actual.decision,
    ...(expected.grossPremiumFen !== undefined || actual.decision === 'quoted' ? { grossPremiumFen: actual.grossPremiumFen } : {}),
    ...(expected.sectionPremiumsFen ? { sectionPremiumsFen: Object.fromEntries(Object.keys(expected.sectionPremiumsFen).filter((k) => actual.sectionPremiumsFen?.[k] !== undefined).map((k) => [k, actual.sectionPremiumsFen![k]!])) } : {}),
    ...(expected.rules ? { rules: actual.rules ?? [] } : {}),
  };
}

/**
 * Makes every failing vector's actual outcome its expectation, on the draft the insurer looked at
 * (`seenHash`: 409 when the draft changed since, so nobody accepts figures they did not see).
 * Vectors the engine cannot rate are left failing. Returns how many vectors were accepted.
 */
export async function acceptVectorResults(pools: PoolMembership, caller: Caller, code: string, version: string, seenHash: string): Promise<{ accepted: number }> {
  const view = await getVersion(caller, code, version);
  if (view.status !== 'draft') throw conflict(`Version ${version} of ${code} is ${view.status}; only a draft's expectations change.`);
  if (view.definitionHash !== seenHash) throw conflict(`Draft ${version} of ${code} changed since its vectors were run; run them again.`, [{ path: 'body.seen', message: 'must be the draft the vectors ran on (stale)' }]);
  const { compiles, results } = runOn(view.definition, await subsidyProgrammesFor(view.definition.line));
  if (!compiles) throw invalidInput(`Draft ${version} of ${code} does not compile; fix it first.`);
  const byName = new Map(results.filter((r) => !r.passed && r.actual).map((r) => [r.name, r]));
  if (byName.size === 0) return { accepted: 0 };
  const definition = structuredClone(view.definition);
  const moved: { path: string; from: unknown; to: unknown }[] = [];
  definition.testVectors.forEach((vector) => {
    const result = byName.get(vector.name);
    if (!result) return;
    const expected = acceptedExpectation(result);
    // One change per figure that moved, at the path definition-diff.ts would name it.
    const before = vector.expected as Record<string, unknown>;
    for (const field of ['decision', 'grossPremiumFen', 'sectionPremiumsFen', 'rules'] as const) {
      if (JSON.stringify(before[field]) !== JSON.stringify(expected[field])) moved.push({ path: `testVectors[name=${vector.name}].expected.${field}`, from: before[field], to: expected[field] });
    }
    vector.expected = expected as typeof vector.expected;
  });
  await updateDraft(pools, caller, code, version, definition);
  await recordAudit(caller, {
    action: 'version.acceptVectors', entityType: 'productVersion', entityId: `${code}@${version}`, organisationId: caller.organisationId,
    summary: `Accepted the actual outcomes of ${byName.size} test vector(s) of ${code} ${version} as their expectations.`, changes: moved,
  });
  return { accepted: byName.size };
}
