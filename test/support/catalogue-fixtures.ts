import { readFileSync } from 'node:fs';
import { syncProducts } from '../../src/catalogue/product-sync.ts';
import { createPoolMembership } from '../../src/pools/pool-membership.ts';
import { inTestService } from './test-app.ts';

/** Pools' side of the catalogue's PoolMembership port, as src/service.ts passes it. */
const pools = createPoolMembership();

/** Loads and publishes the shipped products/ into the current test database (in the test file's service's scope). */
export async function publishShippedProducts(): Promise<void> {
  // Accepted on the members' behalf as the demo seed does at start (src/service.ts).
  const lines = await inTestService(() => syncProducts({ pools, dir: 'products', publish: true, acceptPools: true }));
  const failed = lines.filter((l) => l.outcome === 'error');
  if (failed.length) throw new Error(`product sync failed: ${failed.map((l) => `${l.file}: ${l.detail}`).join('\n')}`);
}

export interface ShippedVector {
  name: string;
  inputs: Record<string, unknown>;
  picks?: Record<string, string | number>;
  expected: { decision: string; grossPremiumFen?: number };
}

/** The test vectors of a shipped product file, which the engine must reproduce. */
export function shippedVectors(file: string): ShippedVector[] {
  return (JSON.parse(readFileSync(`products/${file}`, 'utf8')) as { testVectors: ShippedVector[] }).testVectors;
}
