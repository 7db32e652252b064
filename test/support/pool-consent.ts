import { expect } from 'chai';
import type { TestApp } from './test-app.ts';

/**
 * Accepts every pending pool share of a product as the invited demo insurer's admin would on
 * /pools/invitations (pool consent, src/pools/pool-consent.ts): for tests whose topic is not
 * consent but which publish a product naming other insurers in its pool.
 */
export async function acceptPoolShares(t: Pick<TestApp, 'http' | 'keys'>, productCode: string): Promise<void> {
  for (const key of [t.keys.insurerAdmin, t.keys.otherInsurerAdmin, t.keys.poolInsurerAdmin]) {
    const pending = await t.http.get('/v1/pool-invitations?status=pending').set({ Authorization: `Bearer ${key}` });
    expect(pending.status, JSON.stringify(pending.body)).to.equal(200);
    for (const invitation of (pending.body.items as { id: string; productCode: string; direction: string }[]).filter((i) => i.productCode === productCode && i.direction === 'received')) {
      const res = await t.http.post(`/v1/pool-invitations/${invitation.id}/accept`).set({ Authorization: `Bearer ${key}` });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    }
  }
}
