import { expect } from 'chai';
import mongoose from 'mongoose';
import { DEMO_INSURER_CODE, DEMO_OTHER_INSURER_CODE, DEMO_POOL_INSURER_CODE } from '../../src/cli/demo-seed.ts';
import { PolicyModel } from '../../src/policies/policy-model.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const POOL = 'FIRST-SET-EQUIPMENT';
const SOLO = 'FIRST-VERSION-SOFTWARE';
const vectorOf = (file: string) => shippedVectors(file).filter((v) => v.expected.decision === 'quoted' && !v.picks)[0]!;
const inputsOf: Record<string, unknown> = { [POOL]: vectorOf('first-set-equipment.json').inputs, [SOLO]: vectorOf('first-version-software.json').inputs };

interface Summary { id: string; policyNumber: string; productCode: string; enterpriseId: string; brokerOrganisationId: string; insurerOrganisationId: string; poolMemberIds?: string[]; grossPremiumFen: number; status: string }

/**
 * A small book — two broker firms, three enterprises, a pool product (KCIC leads, HTIC follows)
 * and a product of KCIC's alone — and every role's policy list against a direct computation on
 * the stored policies: the parties rule applied by hand, newest first.
 */
describe('Policy lists on keyed logs (issue #25)', () => {
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  let secondFirm: { id: string; key: { Authorization: string } };
  let third: string;

  async function bind(broker: { Authorization: string }, enterpriseId: string, productCode: string, idempotencyKey?: string) {
    const quote = await t.http.post('/v1/quotes').set(broker).send({ productCode, enterpriseId, inputs: structuredClone(inputsOf[productCode]), startDate: today() });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    const req = t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(broker);
    const policy = await (idempotencyKey ? req.set('Idempotency-Key', idempotencyKey) : req);
    expect(policy.status, JSON.stringify(policy.body)).to.equal(201);
    return policy.body as { id: string; quoteId: string };
  }

  before(async () => {
    await publishShippedProducts();
    const firm = await t.http.post('/v1/organisations').set(as('platformAdmin')).send({ code: 'LISTB2', kind: 'broker', name: '第二经纪（列表测试）' });
    secondFirm = { id: firm.body.id, key: bearer((await t.http.post(`/v1/organisations/${firm.body.id}/api-keys`).set(as('platformAdmin')).send({ userName: '经纪人乙', role: 'broker' })).body.apiKey) };
    expect((await t.http.post('/v1/clients').set(secondFirm.key).send({ unifiedSocialCreditCode: '91330106MA2H7K3Q0L' })).status).to.equal(201);
    const created = await t.http.post('/v1/clients').set(secondFirm.key).send({ unifiedSocialCreditCode: '91440300MA5LIST001', name: '深圳列表科技有限公司', regionCode: '440300' });
    third = created.body.enterprise.id;
    const { HZZZ, JNXC } = t.organisations as { HZZZ: string; JNXC: string };
    for (const [broker, enterprise, product] of [
      [as('broker'), HZZZ, POOL], [as('broker'), HZZZ, SOLO], [as('broker'), JNXC, POOL], [as('broker'), JNXC, SOLO],
      [secondFirm.key, HZZZ, POOL], [secondFirm.key, third, SOLO], [secondFirm.key, third, POOL],
    ] as const) await bind(broker, enterprise, product);
  });

  /** Every page of a list, walked by cursor; the first page's total. */
  async function walk(key: { Authorization: string }, query = '', limit = 3) {
    const ids: string[] = [];
    let after: string | undefined;
    let total: number | undefined;
    let pages = 0;
    do {
      const res = await t.http.get(`/v1/policies?limit=${limit}${query}${after ? `&after=${after}` : ''}`).set(key);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      if (pages === 0) total = res.body.total;
      ids.push(...(res.body.items as Summary[]).map((p) => p.id));
      after = res.body.next;
      pages++;
    } while (after && pages < 100);
    return { ids, total };
  }

  /** The direct computation: the stored policies whose parties include `organisationId` (all for the platform), newest first. */
  async function direct(sees: (p: { brokerOrganisationId: string; insurerOrganisationId: string; enterpriseOrganisationId: string; poolMemberIds?: string[] | null; productCode: string }) => boolean) {
    const all = await PolicyModel.find({}, { brokerOrganisationId: 1, insurerOrganisationId: 1, enterpriseOrganisationId: 1, poolMemberIds: 1, productCode: 1, issuedAt: 1 }).lean();
    return all.filter((p) => sees(p as never)).sort((a, b) => b.issuedAt.getTime() - a.issuedAt.getTime()).map((p) => String(p._id));
  }

  it('lists for every role exactly the policies a direct computation over the book gives, newest first, walked by cursor', async () => {
    const o = t.organisations as Record<string, string>;
    const insurer = (id: string) => (p: { insurerOrganisationId: string; poolMemberIds?: string[] | null }) => p.insurerOrganisationId === id || (p.poolMemberIds ?? []).includes(id);
    const cases: [string, { Authorization: string }, Parameters<typeof direct>[0]][] = [
      ['platform admin', as('platformAdmin'), () => true],
      ['broker MXB', as('broker'), (p) => p.brokerOrganisationId === o.MXB],
      ['second broker', secondFirm.key, (p) => p.brokerOrganisationId === secondFirm.id],
      ['enterprise HZZZ', as('enterprise'), (p) => p.enterpriseOrganisationId === o.HZZZ],
      ['enterprise JNXC', as('otherEnterprise'), (p) => p.enterpriseOrganisationId === o.JNXC],
      ['lead insurer', as('insurerAdmin'), insurer(o[DEMO_INSURER_CODE]!)],
      ['underwriter', as('underwriter'), insurer(o[DEMO_INSURER_CODE]!)],
      ['pool follower', as('otherInsurerAdmin'), insurer(o[DEMO_OTHER_INSURER_CODE]!)],
      ['other pool insurer', as('poolInsurerAdmin'), insurer(o[DEMO_POOL_INSURER_CODE]!)],
    ];
    for (const [who, key, sees] of cases) {
      const expected = await direct(sees);
      const { ids, total } = await walk(key);
      expect(ids, who).to.deep.equal(expected);
      expect(total, `${who}: the kept total`).to.equal(expected.length);
    }
    // The follower carries pool business only; the second firm sees none of MXB's.
    expect((await direct(insurer(o[DEMO_OTHER_INSURER_CODE]!))).length).to.be.greaterThan(0);
    expect((await walk(as('otherInsurerAdmin'), `&productCode=${SOLO}`)).ids).to.deep.equal([]);
  });

  it('narrows by product and enterprise within the scope; a filter naming another\'s enterprise finds nothing', async () => {
    const o = t.organisations as Record<string, string>;
    const mxbPool = await walk(as('broker'), `&productCode=${POOL}`);
    expect(mxbPool.ids).to.deep.equal(await direct((p) => p.brokerOrganisationId === o.MXB && p.productCode === POOL));
    expect(mxbPool.total, 'a filtered list answers no total').to.equal(undefined);
    const secondOnHzzz = await walk(secondFirm.key, `&enterpriseId=${o.HZZZ}`);
    expect(secondOnHzzz.ids).to.deep.equal(await direct((p) => p.brokerOrganisationId === secondFirm.id && p.enterpriseOrganisationId === o.HZZZ));
    expect(secondOnHzzz.ids).to.have.length(1);
    expect((await walk(secondFirm.key, `&enterpriseId=${o.JNXC}`)).ids, 'another firm\'s client').to.deep.equal([]);
    expect((await walk(as('enterprise'), `&enterpriseId=${o.JNXC}`)).ids, 'another enterprise').to.deep.equal([]);
    expect((await walk(as('broker'), `&enterpriseId=${third}`)).ids, 'the other firm\'s enterprise').to.deep.equal([]);
  });

  it('answers summaries (not whole policies) that agree with the policy, and pages by offset and cursor alike', async () => {
    const page = await t.http.get('/v1/policies?limit=2').set(as('broker'));
    const [first] = page.body.items as (Summary & Record<string, unknown>)[];
    expect(first).not.to.have.property('result');
    const policy = (await t.http.get(`/v1/policies/${first!.id}`).set(as('broker'))).body;
    for (const field of ['policyNumber', 'quoteId', 'quoteNumber', 'productCode', 'productVersion', 'line', 'enterpriseId', 'enterpriseName', 'brokerOrganisationId', 'insurerOrganisationId', 'insurerName', 'startDate', 'endDate', 'issuedAt', 'grossPremiumFen', 'netPremiumFen', 'vatFen', 'expectedSubsidyFen']) {
      expect(first![field], field).to.deep.equal(policy[field]);
    }
    expect(first!.status).to.equal('issued');
    const byOffset = await t.http.get('/v1/policies?limit=2&offset=2').set(as('broker'));
    const byCursor = await t.http.get(`/v1/policies?limit=2&after=${page.body.next}`).set(as('broker'));
    expect(byCursor.body.items).to.deep.equal(byOffset.body.items);
    expect((await t.http.get('/v1/policies?offset=1001').set(as('broker'))).status).to.equal(400);
    expect((await t.http.get('/v1/policies?after=nope!').set(as('broker'))).status).to.equal(400);
  });

  it('lists a policy once when its bind is replayed with the same Idempotency-Key', async () => {
    const policy = await bind(secondFirm.key, third, SOLO, 'list-replay-1');
    const replay = await t.http.post(`/v1/quotes/${policy.quoteId}/bind`).set(secondFirm.key).set('Idempotency-Key', 'list-replay-1');
    expect(replay.status).to.equal(200);
    const { ids, total } = await walk(secondFirm.key);
    expect(ids.filter((id) => id === policy.id)).to.have.length(1);
    expect(ids[0]).to.equal(policy.id);
    expect(total).to.equal(ids.length);
  });

  it('migrates policies stored before the lists (policies.buildLists): summaries and entries, once, whatever the runs', async () => {
    const o = t.organisations as Record<string, string>;
    // Stored the old way: a policy document alone, never summarised nor listed.
    const model = await PolicyModel.findOne({ enterpriseOrganisationId: third }).lean();
    const _id = new mongoose.Types.ObjectId();
    await PolicyModel.collection.insertOne({ ...model!, _id, quoteId: `old-${String(_id)}`, policyNumber: `POLD${String(_id).slice(-8)}`, issuedAt: new Date(), idempotencyScope: undefined } as never);
    expect((await walk(secondFirm.key)).ids).not.to.include(String(_id));
    for (let run = 0; run < 2; run++) await t.services.policies.buildLists();
    for (const key of [secondFirm.key, as('platformAdmin'), as('insurerAdmin')]) {
      const { ids } = await walk(key, '', 50);
      expect(ids.filter((id) => id === String(_id))).to.have.length(1);
      expect(new Set(ids).size, 'no policy twice').to.equal(ids.length);
    }
    expect((await walk(secondFirm.key)).ids).to.deep.equal(await direct((p) => p.brokerOrganisationId === secondFirm.id));
    expect((await walk(as('broker'))).ids).not.to.include(String(_id));
    expect((await walk(as('broker'))).ids).to.deep.equal(await direct((p) => p.brokerOrganisationId === o.MXB));
  });
});
