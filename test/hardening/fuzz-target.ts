import { readFileSync } from 'node:fs';
import { registeredSchemas } from '../../src/http/schema-registry.ts';
import type { FuzzTarget } from './fuzz-engine.ts';
import { today } from '../support/china-date.ts';

type Keys = Record<'platformAdmin' | 'insurerAdmin' | 'secondInsurerAdmin' | 'underwriter' | 'broker' | 'enterprise' | 'otherInsurerAdmin' | 'otherEnterprise' | 'poolInsurerAdmin', string>;

const FIRST_SET = 'FIRST-SET-EQUIPMENT';
export const FUZZ_PRODUCT = 'FUZZ-PRODUCT';

/** `1mb` → bytes, as body-parser reads BODY_LIMIT. */
export function parseByteSize(text: string): number {
  const match = /^(\d+)(b|kb|mb)$/.exec(text);
  if (!match) throw new Error(`bad size ${text}`);
  return Number(match[1]) * { b: 1, kb: 1024, mb: 1024 * 1024 }[match[2] as 'b' | 'kb' | 'mb'];
}

async function call(baseUrl: string, key: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`fuzz set-up: ${method} ${path} → ${res.status} ${JSON.stringify(json).slice(0, 500)}`);
  return json;
}

/**
 * Creates what the fuzzer's baselines point at on a running service with the demo organisations
 * and the shipped catalogue: a quoted, a referred and a bound quote, a draft product of its own
 * (so publish/retire mutations never touch the shipped catalogue) and a throwaway key to revoke.
 */
export async function prepareFuzzTarget(baseUrl: string, keys: Keys, organisations: Record<string, string>, bodyLimit: string): Promise<FuzzTarget> {
  const product = JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as Record<string, unknown> & { testVectors: { inputs: Record<string, unknown>; picks?: unknown; expected: { decision: string } }[] };
  const vector = product.testVectors.find((v) => v.expected.decision === 'quoted' && !v.picks)!;
  const startDate = today();
  const preview = () => ({ productCode: FIRST_SET, inputs: structuredClone(vector.inputs), startDate });
  const quote = () => ({ ...preview(), enterpriseId: organisations.HZZZ! });

  const quoted = await call(baseUrl, keys.broker, 'POST', '/v1/quotes', quote());
  const referredBody = quote();
  referredBody.inputs.aggregateLimit = Number(referredBody.inputs.contractAmount) / 2;
  const referred = await call(baseUrl, keys.broker, 'POST', '/v1/quotes', referredBody);
  const toBind = await call(baseUrl, keys.broker, 'POST', '/v1/quotes', quote());
  const policy = await call(baseUrl, keys.broker, 'POST', `/v1/quotes/${String(toBind.id)}/bind`);
  const foreignQuote = await call(baseUrl, keys.broker, 'POST', '/v1/quotes', { ...preview(), enterpriseId: organisations.JNXC! });
  const fuzzDefinition = (code: string) => ({ ...structuredClone(product), code, version: '2099.1' });
  await call(baseUrl, keys.insurerAdmin, 'POST', '/v1/products', { definition: fuzzDefinition(FUZZ_PRODUCT) });
  // Its pool's other members accept their shares (pool consent), so publish mutations can publish it.
  for (const member of [keys.otherInsurerAdmin, keys.poolInsurerAdmin]) {
    const { items } = await call(baseUrl, member, 'GET', '/v1/pool-invitations?status=pending') as { items: { id: string; productCode: string }[] };
    for (const invitation of items.filter((i) => i.productCode === FUZZ_PRODUCT)) await call(baseUrl, member, 'POST', `/v1/pool-invitations/${invitation.id}/accept`);
  }
  const throwaway = await call(baseUrl, keys.platformAdmin, 'POST', `/v1/organisations/${organisations.MXB!}/api-keys`, { userName: 'fuzz throwaway', role: 'broker' });

  return {
    baseUrl,
    keysByRole: {
      'platform-admin': [keys.platformAdmin],
      // Both KCIC admins, so a submit by one and a publish by the other (four-eyes) can meet.
      'insurer-admin': [keys.insurerAdmin, keys.secondInsurerAdmin, keys.otherInsurerAdmin],
      underwriter: [keys.underwriter],
      broker: [keys.broker],
      enterprise: [keys.enterprise, keys.otherEnterprise],
    },
    pathValues: {
      organisations: Object.values(organisations),
      quotes: [String(quoted.id), String(referred.id), String(toBind.id), String(foreignQuote.id)],
      policies: [String(policy.id)],
      'api-keys': [String(throwaway.keyId)],
      products: [FUZZ_PRODUCT],
      catalogue: [FIRST_SET],
      versions: ['2099.1'],
    },
    bodies: {
      previewPrice: preview,
      createQuote: quote,
      // A few codes and labels only (later ones conflict), so a long run does not grow the catalogue without bound.
      createProduct: (index: number) => ({ definition: fuzzDefinition(`FUZZ-${index % 20}`) }),
      updateProductDraft: () => ({ definition: fuzzDefinition(FUZZ_PRODUCT) }),
      createProductVersion: (index: number) => ({ definition: { ...fuzzDefinition(FUZZ_PRODUCT), version: `2099.${2 + (index % 20)}` } }),
      declineQuote: () => ({ reason: '风险过高' }),
      approveQuote: () => ({}),
    },
    schemas: registeredSchemas() as ReadonlyMap<string, Record<string, unknown>>,
    bodyLimitBytes: parseByteSize(bodyLimit),
  };
}
