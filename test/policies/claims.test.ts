// #26 claims paid: recorded by the lead insurer's staff, each pool member's part to the fen,
// idempotent by Idempotency-Key, listed for the policy's readers, refused to everyone else.
import { expect } from 'chai';
import mongoose from 'mongoose';
import { addDays } from '../../src/rating/calendar.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const POOL = 'FIRST-SET-EQUIPMENT';
const SOLO = 'FIRST-VERSION-SOFTWARE';
const vectorOf = (file: string) => shippedVectors(file).filter((v) => v.expected.decision === 'quoted' && !v.picks)[0]!;
const inputsOf: Record<string, Record<string, unknown>> = { [POOL]: vectorOf('first-set-equipment.json').inputs, [SOLO]: vectorOf('first-version-software.json').inputs };

describe('Claims paid on a policy (#26)', () => {
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  let pool: { id: string; startDate: string; endDate: string; poolShares: { insurer: string; role: string; sharePercent: string }[] };
  let solo: { id: string };

  async function issue(productCode: string) {
    const quote = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode, enterpriseId: t.organisations.HZZZ, inputs: structuredClone(inputsOf[productCode]), startDate: today() });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    const policy = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(as('broker'));
    expect(policy.status, JSON.stringify(policy.body)).to.equal(201);
    return policy.body;
  }

  before(async () => {
    await publishShippedProducts();
    pool = await issue(POOL);
    solo = await issue(SOLO);
  });

  const claim = (paidFen: number, extra: Record<string, unknown> = {}) => ({ lossDate: today(), paidOn: today(), paidFen, description: '设备故障停机', ...extra });

  it('splits a claim among the pool members to the fen, shares rounded down and the lead taking the remainder', async () => {
    const res = await t.http.post(`/v1/policies/${pool.id}/claims`).set(as('underwriter')).send(claim(1_000_001));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ policyId: pool.id, n: 1, paidFen: 1_000_001, lossDate: today() });
    // Independently: each follower floor(1,000,001 × share / 100), the lead the rest.
    const followers = pool.poolShares.filter((s) => s.role === 'follower').map((s) => ({ insurer: s.insurer, paidFen: Math.floor((1_000_001 * Number(s.sharePercent)) / 100) }));
    const lead = pool.poolShares.find((s) => s.role === 'lead')!;
    const expected = new Map([...followers.map((f) => [f.insurer, f.paidFen] as const), [lead.insurer, 1_000_001 - followers.reduce((s, f) => s + f.paidFen, 0)]]);
    expect(new Map(res.body.memberParts.map((p: { insurer: string; paidFen: number }) => [p.insurer, p.paidFen]))).to.deep.equal(expected);
    expect(expected.get('KCIC')).to.equal(400_001); // 40 / 30 / 30
  });

  it('replays a claim with its Idempotency-Key (200, the same claim) and refuses another body with it (409)', async () => {
    const body = claim(250_000, { description: '第二次赔付' });
    const first = await t.http.post(`/v1/policies/${pool.id}/claims`).set(as('insurerAdmin')).set('Idempotency-Key', 'claim-2').send(body);
    expect(first.status, JSON.stringify(first.body)).to.equal(201);
    const again = await t.http.post(`/v1/policies/${pool.id}/claims`).set(as('insurerAdmin')).set('Idempotency-Key', 'claim-2').send(body);
    expect(again.status).to.equal(200);
    expect(again.headers['idempotent-replayed']).to.equal('true');
    expect(again.body).to.deep.equal(first.body);
    const burst = await Promise.all(Array.from({ length: 5 }, () => t.http.post(`/v1/policies/${pool.id}/claims`).set(as('insurerAdmin')).set('Idempotency-Key', 'claim-3').send(claim(10))));
    expect(burst.map((r) => r.status).sort()).to.deep.equal([200, 200, 200, 200, 201]);
    const other = await t.http.post(`/v1/policies/${pool.id}/claims`).set(as('insurerAdmin')).set('Idempotency-Key', 'claim-2').send({ ...body, paidFen: 250_001 });
    expect(other.status).to.equal(409);
    expect(other.body.error.details[0].path).to.equal('header.idempotency-key');
    const list = await t.http.get(`/v1/policies/${pool.id}/claims`).set(as('enterprise'));
    expect(list.status).to.equal(200);
    expect(list.body.items.map((c: { paidFen: number }) => c.paidFen)).to.deep.equal([1_000_001, 250_000, 10]);
    expect(list.body).to.include({ total: 3, claimsPaidFen: 1_250_011 });
  });

  it('shows the claims and their sum on the policy to the enterprise, its broker and every pool member', async () => {
    for (const key of ['enterprise', 'broker', 'underwriter', 'otherInsurerAdmin', 'poolInsurerAdmin'] as const) {
      const view = await t.http.get(`/v1/policies/${pool.id}`).set(as(key));
      expect(view.status, key).to.equal(200);
      expect(view.body.claimsPaidFen, key).to.equal(1_250_011);
      expect(view.body.claims.map((c: { n: number }) => c.n), key).to.deep.equal([1, 2, 3]);
      expect((await t.http.get(`/v1/policies/${pool.id}/claims`).set(as(key))).status, key).to.equal(200);
    }
  });

  it('refuses a follower (403), a broker and an enterprise (403), another insurer or enterprise (404)', async () => {
    expect((await t.http.post(`/v1/policies/${pool.id}/claims`).set(as('otherInsurerAdmin')).send(claim(5))).status).to.equal(403);
    expect((await t.http.post(`/v1/policies/${pool.id}/claims`).set(as('poolInsurerAdmin')).send(claim(5))).status).to.equal(403);
    expect((await t.http.post(`/v1/policies/${pool.id}/claims`).set(as('broker')).send(claim(5))).status).to.equal(403);
    expect((await t.http.post(`/v1/policies/${pool.id}/claims`).set(as('enterprise')).send(claim(5))).status).to.equal(403);
    expect((await t.http.post(`/v1/policies/${solo.id}/claims`).set(as('otherInsurerAdmin')).send(claim(5))).status).to.equal(404);
    expect((await t.http.get(`/v1/policies/${solo.id}/claims`).set(as('otherInsurerAdmin'))).status).to.equal(404);
    expect((await t.http.get(`/v1/policies/${pool.id}/claims`).set(as('otherEnterprise'))).status).to.equal(404);
    expect((await t.http.get(`/v1/policies/${new mongoose.Types.ObjectId().toString()}/claims`).set(as('underwriter'))).status).to.equal(404);
  });

  it('refuses a loss outside the period, a payment before the loss or in the future, naming the field', async () => {
    const post = (body: Record<string, unknown>) => t.http.post(`/v1/policies/${pool.id}/claims`).set(as('underwriter')).send(body);
    const before = await post(claim(5, { lossDate: addDays(pool.startDate, -1) }));
    expect(before.status).to.equal(400);
    expect(before.body.error.details[0]).to.include({ path: 'body.lossDate', message: `must be from ${pool.startDate} to ${pool.endDate} (period of cover)` });
    expect((await post(claim(5, { lossDate: addDays(pool.endDate, 1) }))).body.error.details[0].path).to.equal('body.lossDate');
    expect((await post(claim(5, { paidOn: addDays(today(), 1) }))).body.error.details[0].path).to.equal('body.paidOn');
    expect((await post(claim(0))).status).to.equal(400);
    expect((await t.http.get(`/v1/policies/${pool.id}/claims`).set(as('underwriter'))).body.total).to.equal(3);
  });

  it('takes a cancelled policy\'s claims for losses before the cancellation only: cover ends at 00:00 of its effective day', async () => {
    const cancelled = await issue(SOLO);
    const done = await t.http.post(`/v1/policies/${cancelled.id}/cancel`).set(as('broker')).send({ effectiveDate: today(), initiatedBy: 'policyholder', reason: '项目取消' });
    expect(done.status, JSON.stringify(done.body)).to.equal(201);
    const refused = await t.http.post(`/v1/policies/${cancelled.id}/claims`).set(as('underwriter')).send(claim(5));
    expect(refused.status, JSON.stringify(refused.body)).to.equal(400);
    expect(refused.body.error.details[0]).to.include({ path: 'body.lossDate', message: `must be from ${cancelled.startDate} to ${addDays(today(), -1)} (period of cover: cancelled from ${today()})` });
    expect((await t.http.get(`/v1/policies/${cancelled.id}/claims`).set(as('underwriter'))).body.total).to.equal(0);
  });

  it('audits the claim and announces it on the hub', async () => {
    const heard: { paidFen: number; policy: { id: string } }[] = [];
    t.events.onClaimPaid(async (event) => { heard.push(event); });
    expect((await t.http.post(`/v1/policies/${solo.id}/claims`).set(as('underwriter')).send(claim(777))).status).to.equal(201);
    expect(heard.map((e) => [e.paidFen, e.policy.id])).to.deep.equal([[777, solo.id]]);
    const trail = await t.http.get(`/v1/audit?entity=policy&id=${solo.id}`).set(as('underwriter'));
    expect(trail.status, JSON.stringify(trail.body)).to.equal(200);
    expect(trail.body.items.map((e: { action: string }) => e.action)).to.include('policy.claim');
  });
});
