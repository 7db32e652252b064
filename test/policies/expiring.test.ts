// #26 due for renewal: GET /v1/policies?expiringWithin=N answers exactly the policies of the
// caller's scope whose cover ends within the next N China days, the soonest first; another broker
// firm's are never in it. Checked against the caller's whole policy list filtered by hand.
import { expect } from 'chai';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { bookMigrations, createServices } from '../../src/service.ts';
import { addDays } from '../../src/rating/calendar.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const SOLO = 'FIRST-VERSION-SOFTWARE';
const POOL = 'FIRST-SET-EQUIPMENT';
const vectorOf = (file: string) => shippedVectors(file).filter((v) => v.expected.decision === 'quoted' && !v.picks)[0]!;
const inputsOf: Record<string, Record<string, unknown>> = { [POOL]: vectorOf('first-set-equipment.json').inputs, [SOLO]: vectorOf('first-version-software.json').inputs };

interface Summary { id: string; endDate: string; brokerOrganisationId: string }

describe('Policies due for renewal: ?expiringWithin (#26)', function () {
  this.timeout(300_000);
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  let secondFirm: { Authorization: string };
  const ids: Record<string, string> = {};

  async function issue(broker: { Authorization: string }, enterpriseId: string, productCode: string, days: number) {
    const quote = await t.http.post('/v1/quotes').set(broker).send({ productCode, enterpriseId, inputs: structuredClone(inputsOf[productCode]), startDate: today(), endDate: addDays(today(), days) });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    const policy = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(broker);
    expect(policy.status, JSON.stringify(policy.body)).to.equal(201);
    return policy.body.id as string;
  }

  before(async () => {
    await publishShippedProducts();
    const firm = await t.http.post('/v1/organisations').set(as('platformAdmin')).send({ code: 'DUEB2', kind: 'broker', name: '第二经纪（续保测试）' });
    secondFirm = bearer((await t.http.post(`/v1/organisations/${firm.body.id}/api-keys`).set(as('platformAdmin')).send({ userName: '经纪人乙', role: 'broker' })).body.apiKey);
    expect((await t.http.post('/v1/clients').set(secondFirm).send({ unifiedSocialCreditCode: '91330106MA2H7K3Q0L' })).status).to.equal(201);
    ids.soon = await issue(as('broker'), t.organisations.HZZZ!, SOLO, 20);
    ids.later = await issue(as('broker'), t.organisations.HZZZ!, POOL, 45);
    ids.beyond = await issue(as('broker'), t.organisations.HZZZ!, SOLO, 90);
    ids.year = await issue(as('broker'), t.organisations.JNXC!, SOLO, 364);
    ids.otherFirm = await issue(secondFirm, t.organisations.HZZZ!, SOLO, 30);
  });

  /** The caller's whole list (by cursor), filtered by hand to the window. */
  async function expected(key: { Authorization: string }, days: number): Promise<string[]> {
    const all: Summary[] = [];
    let after: string | undefined;
    do {
      const res = await t.http.get(`/v1/policies?limit=200${after ? `&after=${after}` : ''}`).set(key);
      all.push(...res.body.items);
      after = res.body.next;
    } while (after);
    const last = addDays(today(), days);
    return all.filter((p) => p.endDate >= today() && p.endDate <= last).sort((a, b) => (a.endDate === b.endDate ? (a.id < b.id ? -1 : 1) : a.endDate < b.endDate ? -1 : 1)).map((p) => p.id);
  }

  it('answers exactly the due policies of the caller\'s scope, the soonest first', async () => {
    for (const [name, key] of [['broker', as('broker')], ['second firm', secondFirm], ['enterprise', as('enterprise')], ['lead insurer', as('underwriter')], ['pool member', as('poolInsurerAdmin')], ['platform', as('platformAdmin')]] as const) {
      const res = await t.http.get('/v1/policies?expiringWithin=60').set(key);
      expect(res.status, name).to.equal(200);
      const got = res.body.items.map((p: Summary) => p.id);
      expect(got, name).to.deep.equal(await expected(key, 60));
      expect(res.body.total, name).to.equal(got.length);
    }
    expect((await t.http.get('/v1/policies?expiringWithin=60').set(as('broker'))).body.items.map((p: Summary) => p.id)).to.deep.equal([ids.soon, ids.later]);
    expect((await t.http.get('/v1/policies?expiringWithin=60').set(secondFirm)).body.items.map((p: Summary) => p.id)).to.deep.equal([ids.otherFirm]);
    expect((await t.http.get('/v1/policies?expiringWithin=60').set(as('poolInsurerAdmin'))).body.items.map((p: Summary) => p.id)).to.deep.equal([ids.later]);
    expect((await t.http.get('/v1/policies?expiringWithin=366').set(as('broker'))).body.items.map((p: Summary) => p.id)).to.deep.equal([ids.soon, ids.later, ids.beyond, ids.year]);
    expect((await t.http.get('/v1/policies?expiringWithin=20').set(as('broker'))).body.items.map((p: Summary) => p.id)).to.deep.equal([ids.soon]);
    expect((await t.http.get('/v1/policies?expiringWithin=19').set(as('broker'))).body.items).to.deep.equal([]);
  });

  it('narrows by product and enterprise, never beyond the scope, and pages by offset', async () => {
    expect((await t.http.get(`/v1/policies?expiringWithin=60&productCode=${POOL}`).set(as('broker'))).body.items.map((p: Summary) => p.id)).to.deep.equal([ids.later]);
    expect((await t.http.get(`/v1/policies?expiringWithin=60&enterpriseId=${t.organisations.HZZZ}`).set(secondFirm)).body.items.map((p: Summary) => p.id)).to.deep.equal([ids.otherFirm]);
    expect((await t.http.get(`/v1/policies?expiringWithin=366&enterpriseId=${t.organisations.JNXC}`).set(secondFirm)).body.items).to.deep.equal([]);
    const page = await t.http.get('/v1/policies?expiringWithin=366&limit=2&offset=1').set(as('broker'));
    expect(page.body).to.deep.include({ total: 4, limit: 2, offset: 1 });
    expect(page.body.items.map((p: Summary) => p.id)).to.deep.equal([ids.later, ids.beyond]);
  });

  it('refuses a window outside 1..366 days and a cursor with it, naming the parameter', async () => {
    for (const bad of ['0', '367', 'x']) {
      const res = await t.http.get(`/v1/policies?expiringWithin=${bad}`).set(as('broker'));
      expect(res.status).to.equal(400);
      expect(res.body.error.details[0].path).to.equal('query.expiringWithin');
    }
    const cursor = await t.http.get('/v1/policies?expiringWithin=30&after=bjU').set(as('broker'));
    expect(cursor.status).to.equal(400);
    expect(cursor.body.error.details[0].path).to.equal('query.after');
  });

  it('is built for policies stored before the lists by book:migrate\'s migration (idempotent)', async () => {
    await mongoose.connection.collection('policyExpiring').deleteMany({});
    expect((await t.http.get('/v1/policies?expiringWithin=60').set(as('broker'))).body.items).to.deep.equal([]);
    // The service remembers the logs' tops; a new service (as book:migrate and a restart) starts without.
    const fresh = createServices(t.config, pino({ level: 'silent' }));
    const migration = bookMigrations(fresh).find((m) => m.name === 'expiring-lists-1:policies')!;
    const first = await fresh.scope.run(() => migration.run());
    expect(first).to.deep.equal({ policies: 5 });
    await fresh.scope.run(() => migration.run());
    const freshBroker = await fresh.auth.authenticateApiKey(`Bearer ${t.keys.broker}`);
    const listed = await fresh.policies.listExpiring(freshBroker, { expiringWithin: 60, limit: 50 });
    expect(listed.items.map((p) => p.id)).to.deep.equal([ids.soon, ids.later]);
    expect(listed.total).to.equal(2);
    await fresh.close();
  });
});
