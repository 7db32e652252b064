// A policy's sum insured as reports count it (#27): the aggregate limits of its coverages, each
// counted once — two coverages that share one limit field (a patent-enforcement policy's
// investigation and legal costs under one aggregateLimit) count it once; separate limits (an IP
// policy's A–D) add up. A product without aggregate limits has no sum insured (0). Pure.
import { coverageLimitsFen } from './pool-liability.ts';
import type { ProductDefinition } from './product-schema.ts';

/** The sum of the policy's distinct aggregate limits, in fen. */
export function sumInsuredFen(definition: ProductDefinition, inputs: Record<string, unknown>): number {
  const resolved = coverageLimitsFen(definition, inputs).filter((l) => l.kind === 'aggregate');
  const counted = new Map<string, number>();
  for (const coverage of definition.coverages) {
    const limit = (coverage.limits ?? []).find((l) => l.kind === 'aggregate');
    const amount = resolved.find((l) => l.coverage === coverage.code)?.amountFen;
    if (!limit || amount === undefined) continue;
    const source = limit.field ? `field:${limit.field}` : `coverage:${coverage.code}`;
    if (!counted.has(source)) counted.set(source, amount);
  }
  return [...counted.values()].reduce((sum, fen) => sum + fen, 0);
}
