// Subsidy departments (#27): each reads exactly the applications of its programmes from its
// regions, decides each once (20 concurrent decisions: one 201, nineteen 409), a smaller grant
// frees the annual cap of the next quote by exactly the difference, a refusal needs its reason,
// the enterprise and its broker no longer record outcomes (403) but may withdraw before a
// decision, and outcomes recorded before the departments decided are migrated as the enterprise's.
import { expect } from 'chai';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { findEnterpriseById, resolveApiKey } from '../../src/auth/auth-service.ts';
import { AuditEntryModel } from '../../src/audit/audit-log.ts';
import { applicationLists } from '../../src/subsidies/subsidy-application-lists.ts';
import { SubsidyApplicationStepModel } from '../../src/subsidies/subsidy-application-model.ts';
import { subsidiesRecorded } from '../../src/subsidies/subsidy-ledger.ts';
import { createServices } from '../../src/service.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, inTestService, useTestApp } from '../support/test-app.ts';
import { payInFull } from '../support/premium.ts';
import { entriesOf } from '../support/keyed-log-docs.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);

interface Layer { programme: string; amountFen: number; caps: { kind: string; limitFen: number }[] }
interface Policy { id: string; policyNumber: string; subsidies: { programme: string; amountFen: number }[] }
interface Row { id: string; programme: string; enterpriseName: string; regionCode: string; policyNumber: string; expectedFen: number; appliedFen: number; status: string; papers: unknown[] }

describe('Subsidy departments: scope, review and decision (#27)', function () {
  this.timeout(300_000);
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  let hz: Policy; // Hangzhou (330106): CN-FIRST-SET and ZJ-FIRST-SET
  let jn: Policy; // Jinan (370102): CN-FIRST-SET, SD-FIRST-SET, SD-JINAN-TOPUP
  let unsubmitted: Policy;
  /** Departments made through the API for a city's first review of the Shandong programme: Jinan's (3701) and Qingdao's (3702). */
  const made: Record<'jinan' | 'qingdao', string> = { jinan: '', qingdao: '' };

  async function bindFor(enterprise: 'HZZZ' | 'JNXC', facts: Record<string, unknown> = {}): Promise<Policy> {
    const quote = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations[enterprise], inputs: structuredClone(baseVector!.inputs), startDate: today(), enterprise: facts });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(as('broker'));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    return bound.body as Policy;
  }
  const submit = async (policy: Policy, key: 'enterprise' | 'otherEnterprise' | 'broker') => {
    await payInFull(t.http, t.keys.insurerAdmin, policy.id); // submitted on premium received in full (#26)
    for (const { programme } of policy.subsidies.filter((s) => s.amountFen > 0)) {
      const res = await t.http.post(`/v1/policies/${policy.id}/subsidy-applications/${programme}/status`).set(as(key)).send({ status: 'submitted' });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
    }
  };
  const list = async (key: keyof typeof t.keys, query = '') => {
    const res = await t.http.get(`/v1/subsidy-applications${query}`).set(as(key));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as { items: Row[]; total?: number; next?: string };
  };
  const idsOf = (rows: Row[]) => rows.map((r) => r.id).sort();
  const appId = (policy: Policy, programme: string) => `${policy.id}-${programme}`;
  const decide = (id: string, body: Record<string, unknown>, key: keyof typeof t.keys) => t.http.post(`/v1/subsidy-applications/${id}/decision`).set(as(key)).send(body);
  const applied = (policy: Policy, programme: string) => policy.subsidies.find((s) => s.programme === programme)!.amountFen;

  /** The SD-FIRST-SET annual cap a fresh quote for the Jinan enterprise would be rated with. */
  async function capOnNextQuote(): Promise<number> {
    const res = await t.http.post('/v1/pricing/preview').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.JNXC, inputs: structuredClone(baseVector!.inputs), startDate: today() });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return (res.body.subsidies.layers as Layer[]).find((l) => l.programme === 'SD-FIRST-SET')!.caps.find((c) => c.kind === 'annual')!.limitFen;
  }

  before(async () => {
    await publishShippedProducts();
    hz = await bindFor('HZZZ', { qualifications: ['first-domestic'] });
    jn = await bindFor('JNXC');
    unsubmitted = await bindFor('HZZZ', { qualifications: ['first-domestic'] });
    await submit(hz, 'enterprise');
    await submit(jn, 'otherEnterprise');
    for (const [name, prefix] of [['jinan', '3701'], ['qingdao', '3702']] as const) {
      const org = await t.http.post('/v1/organisations').set(as('platformAdmin')).send({ code: `SD-CITY-${prefix}`, kind: 'authority', name: `${prefix} 工信局（测试）`, level: 'city', regionPrefixes: [prefix], programmes: ['SD-FIRST-SET'] });
      expect(org.status, JSON.stringify(org.body)).to.equal(201);
      made[name] = (await t.http.post(`/v1/organisations/${org.body.id}/api-keys`).set(as('platformAdmin')).send({ userName: `${prefix} 审核`, role: 'authority-officer' })).body.apiKey;
    }
  });
  const listAs = async (apiKey: string, query = '') => (await t.http.get(`/v1/subsidy-applications${query}`).set(bearer(apiKey))).body as { items: Row[] };

  it('has the departments of the shipped first-set programmes, each with its level, regions and programmes', async () => {
    const me = await t.http.get('/v1/me').set(as('provincialAuthority'));
    expect(me.body).to.include({ role: 'authority-officer', organisationKind: 'authority', organisationCode: 'ZJ-EIT' });
    expect(me.body.authority).to.deep.equal({ level: 'provincial', regionPrefixes: ['33'], programmes: ['ZJ-FIRST-SET'] });
    const central = await t.http.get(`/v1/organisations/${t.organisations.MIIT}`).set(as('platformAdmin'));
    expect(central.body).to.include({ kind: 'authority', level: 'central' });
    expect(central.body.regionPrefixes).to.deep.equal([]);
    expect(jn.subsidies.map((s) => s.programme)).to.include.members(['CN-FIRST-SET', 'SD-FIRST-SET', 'SD-JINAN-TOPUP']);
  });

  it('shows each department exactly its programmes × regions, with the enterprise, policy, amounts and papers', async () => {
    const expectIds = (rows: Row[], ids: string[]) => expect(idsOf(rows)).to.deep.equal([...ids].sort());
    expectIds((await list('authority')).items, [appId(hz, 'CN-FIRST-SET'), appId(jn, 'CN-FIRST-SET')]);
    expectIds((await list('provincialAuthority')).items, [appId(hz, 'ZJ-FIRST-SET')]);
    expectIds((await list('otherProvincialAuthority')).items, [appId(jn, 'SD-FIRST-SET')]);
    // Jinan's top-up is nothing on this policy (the stacked layers already reach the premium): no application to it.
    expect(applied(jn, 'SD-JINAN-TOPUP')).to.equal(0);
    expectIds((await list('cityAuthority')).items, []);
    expectIds((await listAs(made.jinan)).items, [appId(jn, 'SD-FIRST-SET')]);
    expectIds((await listAs(made.qingdao)).items, []);
    // A platform admin reads every submitted application; the unsubmitted policy is in no list.
    const all = (await list('platformAdmin', '?limit=200')).items;
    expect(all.map((r) => r.policyNumber)).to.not.include(unsubmitted.policyNumber);
    expect(all.length).to.equal(hz.subsidies.filter((s) => s.amountFen > 0).length + jn.subsidies.filter((s) => s.amountFen > 0).length);
    const [zj] = (await list('provincialAuthority')).items;
    expect(zj).to.include({ enterpriseName: '杭州智造装备有限公司', regionCode: '330106', policyNumber: hz.policyNumber, expectedFen: applied(hz, 'ZJ-FIRST-SET'), appliedFen: applied(hz, 'ZJ-FIRST-SET'), status: 'submitted' });
    expect(zj!.papers.length).to.be.greaterThan(0);
  });

  it('narrows by programme, region and status inside the scope, and finds nothing outside it', async () => {
    expect(idsOf((await list('authority', '?region=33')).items)).to.deep.equal([appId(hz, 'CN-FIRST-SET')]);
    expect(idsOf((await list('authority', '?region=370102')).items)).to.deep.equal([appId(jn, 'CN-FIRST-SET')]);
    expect((await list('authority', '?programme=SD-FIRST-SET')).items).to.deep.equal([]);
    expect((await list('provincialAuthority', '?region=37')).items).to.deep.equal([]);
    expect((await list('provincialAuthority', '?programme=CN-FIRST-SET')).items).to.deep.equal([]);
    expect(idsOf((await listAs(made.jinan, '?region=37')).items)).to.deep.equal([appId(jn, 'SD-FIRST-SET')]);
    expect(idsOf((await listAs(made.jinan, '?region=370102')).items)).to.deep.equal([appId(jn, 'SD-FIRST-SET')]);
    expect((await listAs(made.jinan, '?region=3702')).items).to.deep.equal([]);
    expect((await listAs(made.qingdao, '?region=37')).items).to.deep.equal([]);
    expect(idsOf((await list('otherProvincialAuthority', '?status=submitted')).items)).to.deep.equal([appId(jn, 'SD-FIRST-SET')]);
    expect((await list('otherProvincialAuthority', '?status=granted')).items).to.deep.equal([]);
    const paged = await list('authority', '?limit=1');
    expect(paged.items.length).to.equal(1);
    expect(paged.total).to.equal(2);
    const rest = await list('authority', `?limit=1&after=${paged.next!}`);
    expect(idsOf([...paged.items, ...rest.items])).to.deep.equal([appId(hz, 'CN-FIRST-SET'), appId(jn, 'CN-FIRST-SET')].sort());
    expect(rest.next).to.equal(undefined);
  });

  it('answers 404 for an application outside the department (by id, its PDF and policy schedule), and for one not submitted', async () => {
    const cases: [keyof typeof t.keys, string][] = [
      ['provincialAuthority', appId(jn, 'SD-FIRST-SET')], ['provincialAuthority', appId(hz, 'CN-FIRST-SET')], ['otherProvincialAuthority', appId(hz, 'ZJ-FIRST-SET')],
      ['authority', appId(hz, 'ZJ-FIRST-SET')], ['cityAuthority', appId(jn, 'SD-FIRST-SET')], ['cityAuthority', appId(jn, 'SD-JINAN-TOPUP')], ['provincialAuthority', appId(unsubmitted, 'ZJ-FIRST-SET')],
      ['provincialAuthority', `${'0'.repeat(24)}-ZJ-FIRST-SET`],
    ];
    for (const [key, id] of cases) {
      for (const path of [`/v1/subsidy-applications/${id}`, `/v1/subsidy-applications/${id}/policy-schedule`]) expect((await t.http.get(path).set(as(key))).status, `${key} ${path}`).to.equal(404);
      const [policyId, programme] = [id.slice(0, 24), id.slice(25)];
      expect((await t.http.get(`/v1/policies/${policyId}/subsidy-applications/${programme}/pdf`).set(as(key))).status, `${key} pdf ${id}`).to.equal(404);
      expect((await decide(id, { outcome: 'refused', reason: '越权' }, key)).status, `${key} decides ${id}`).to.equal(404);
    }
    // Its own: the application, its PDF and the policy schedule; the policy itself stays unseen.
    const own = appId(hz, 'ZJ-FIRST-SET');
    expect((await t.http.get(`/v1/subsidy-applications/${own}`).set(as('provincialAuthority'))).status).to.equal(200);
    const pdf = await t.http.get(`/v1/policies/${hz.id}/subsidy-applications/ZJ-FIRST-SET/pdf`).set(as('provincialAuthority'));
    expect([pdf.status, pdf.headers['content-type']]).to.deep.equal([200, 'application/pdf']);
    const schedule = await t.http.get(`/v1/subsidy-applications/${own}/policy-schedule`).set(as('provincialAuthority'));
    expect([schedule.status, schedule.headers['content-type']]).to.deep.equal([200, 'application/pdf']);
    expect((await t.http.get(`/v1/policies/${hz.id}`).set(as('provincialAuthority'))).status).to.equal(404);
    expect((await t.http.get(`/v1/policies/${hz.id}/pdf`).set(as('provincialAuthority'))).status).to.equal(404);
    expect((await t.http.get('/v1/policies').set(as('provincialAuthority'))).body.items).to.deep.equal([]);
    expect((await t.http.get('/v1/quotes').set(as('provincialAuthority'))).body.items).to.deep.equal([]);
  });

  it('refuses a refusal without a reason and a grant above the amount applied for (400, naming the field); the enterprise and broker cannot decide (403)', async () => {
    const id = appId(jn, 'SD-FIRST-SET');
    const noReason = await decide(id, { outcome: 'refused' }, 'otherProvincialAuthority');
    expect(noReason.status).to.equal(400);
    expect(noReason.body.error.details[0]).to.include({ path: 'body.reason' });
    const blank = await decide(id, { outcome: 'refused', reason: '   ' }, 'otherProvincialAuthority');
    expect(blank.status).to.equal(400);
    const tooMuch = await decide(id, { outcome: 'granted', grantedFen: applied(jn, 'SD-FIRST-SET') + 1 }, 'otherProvincialAuthority');
    expect(tooMuch.status).to.equal(400);
    expect(tooMuch.body.error.details[0].path).to.equal('body.grantedFen');
    expect(tooMuch.body.error.details[0].message).to.include(`must be <= ${applied(jn, 'SD-FIRST-SET')}`);
    expect((await decide(id, { outcome: 'granted' }, 'otherProvincialAuthority')).body.error.details[0].path).to.equal('body.grantedFen');
    for (const key of ['otherEnterprise', 'broker', 'platformAdmin', 'insurerAdmin'] as const) expect((await decide(id, { outcome: 'refused', reason: 'x' }, key)).status, key).to.equal(403);
    for (const body of [{ status: 'granted', grantedFen: 1 }, { status: 'refused', reason: 'x' }]) {
      for (const key of ['otherEnterprise', 'broker'] as const) expect((await t.http.post(`/v1/policies/${jn.id}/subsidy-applications/SD-FIRST-SET/status`).set(as(key)).send(body)).status, `${key} ${body.status}`).to.equal(403);
    }
    expect((await t.http.get(`/v1/subsidy-applications/${id}`).set(as('otherProvincialAuthority'))).body.status).to.equal('submitted');
  });

  it('decides exactly once under 20 concurrent decisions: one 201, nineteen 409, one audit entry, one ledger adjustment', async () => {
    const id = appId(jn, 'CN-FIRST-SET');
    const expected = applied(jn, 'CN-FIRST-SET');
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => decide(id, { outcome: 'granted', grantedFen: expected - i }, 'authority')));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).to.deep.equal([201, ...Array<number>(19).fill(409)]);
    const winner = answers.find((a) => a.status === 201)!.body as { grantedFen: number };
    expect(await AuditEntryModel.countDocuments({ entityId: jn.id, action: 'subsidy.granted' })).to.equal(1);
    // The ledger counts the grant once: the Jinan enterprise's only CN-FIRST-SET policy so far, as granted.
    expect((await subsidiesRecorded(t.organisations.JNXC!, today().slice(0, 4))).find((r) => r.programme === 'CN-FIRST-SET')!.amountFen).to.equal(winner.grantedFen);
    const stored = await SubsidyApplicationStepModel.findById(`${jn.id}:CN-FIRST-SET:outcome`).lean();
    expect(stored).to.include({ status: 'granted', amountFen: winner.grantedFen, recordedBy: 'authority' });
    const seen = await t.http.get(`/v1/subsidy-applications/${id}`).set(as('authority'));
    expect(seen.body).to.include({ status: 'granted', grantedFen: winner.grantedFen, decidedBy: 'authority' });
    expect(idsOf((await list('authority', '?status=granted')).items)).to.deep.equal([id]);
    expect(idsOf((await list('authority', '?status=submitted')).items)).to.deep.equal([appId(hz, 'CN-FIRST-SET')]);
  });

  it('a smaller grant frees the annual cap of the next quote by exactly the difference, to the fen', async () => {
    const capBefore = await capOnNextQuote();
    const id = appId(jn, 'SD-FIRST-SET');
    const expected = applied(jn, 'SD-FIRST-SET');
    const res = await decide(id, { outcome: 'granted', grantedFen: expected - 98_765, on: today(), reference: '鲁工信〔2026〕7号' }, 'otherProvincialAuthority');
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ status: 'granted', grantedFen: expected - 98_765, countedFen: expected - 98_765 });
    expect(await capOnNextQuote()).to.equal(capBefore + 98_765);
    const year = await t.http.get(`/v1/subsidies/years/${today().slice(0, 4)}`).set(as('otherEnterprise'));
    const row = year.body.rows.find((r: { programme: string }) => r.programme === 'SD-FIRST-SET');
    expect(row).to.include({ grantedFen: expected - 98_765, countedFen: expected - 98_765 });
  });

  it('lets the enterprise withdraw before a decision (freeing the cap), after which no department decides', async () => {
    const policy = await bindFor('JNXC');
    await submit(policy, 'otherEnterprise');
    const capBefore = await capOnNextQuote();
    const withdrawn = await t.http.post(`/v1/policies/${policy.id}/subsidy-applications/SD-FIRST-SET/status`).set(as('broker')).send({ status: 'withdrawn' });
    expect(withdrawn.status, JSON.stringify(withdrawn.body)).to.equal(200);
    expect(withdrawn.body).to.include({ status: 'withdrawn', countedFen: 0 });
    expect(await capOnNextQuote()).to.equal(capBefore + applied(policy, 'SD-FIRST-SET'));
    expect((await decide(appId(policy, 'SD-FIRST-SET'), { outcome: 'granted', grantedFen: 1 }, 'otherProvincialAuthority')).status).to.equal(409);
    expect(idsOf((await list('otherProvincialAuthority', '?status=withdrawn')).items)).to.deep.equal([appId(policy, 'SD-FIRST-SET')]);
  });

  it('lets a platform admin create a department, refusing one that does not say what it covers', async () => {
    const create = (body: Record<string, unknown>) => t.http.post('/v1/organisations').set(as('platformAdmin')).send(body);
    const noLevel = await create({ code: 'AUTH-1', kind: 'authority', name: '某部门', programmes: ['QZ-IP'] });
    expect([noLevel.status, noLevel.body.error.details[0].path]).to.deep.equal([400, 'body.level']);
    const noRegion = await create({ code: 'AUTH-2', kind: 'authority', name: '某部门', level: 'city', programmes: ['QZ-IP'] });
    expect([noRegion.status, noRegion.body.error.details[0].path]).to.deep.equal([400, 'body.regionPrefixes']);
    const centralWithRegion = await create({ code: 'AUTH-3', kind: 'authority', name: '某部门', level: 'central', regionPrefixes: ['35'], programmes: ['QZ-IP'] });
    expect([centralWithRegion.status, centralWithRegion.body.error.details[0].path]).to.deep.equal([400, 'body.regionPrefixes']);
    const notAuthority = await create({ code: 'AUTH-4', kind: 'broker', name: '某经纪', programmes: ['QZ-IP'] });
    expect([notAuthority.status, notAuthority.body.error.details[0].path]).to.deep.equal([400, 'body.programmes']);
    expect((await create({ code: 'AUTH-5', kind: 'authority', name: '某部门', level: 'city', regionPrefixes: ['3'], programmes: ['QZ-IP'] })).status).to.equal(400);
    const made = await create({ code: 'QZ-AMR', kind: 'authority', name: '泉州市市场监督管理局', level: 'city', regionPrefixes: ['3505'], programmes: ['QZ-IP'] });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    expect(made.body).to.include({ kind: 'authority', level: 'city' });
    const key = await t.http.post(`/v1/organisations/${made.body.id}/api-keys`).set(as('platformAdmin')).send({ userName: '泉州审核', role: 'authority-officer' });
    expect(key.status).to.equal(201);
    expect((await t.http.get('/v1/subsidy-applications').set(bearer(key.body.apiKey))).body.items).to.deep.equal([]);
    expect((await t.http.post(`/v1/organisations/${made.body.id}/api-keys`).set(as('platformAdmin')).send({ userName: 'x', role: 'broker' })).status).to.equal(400);
  });

  it('migrates outcomes recorded before the departments decided: marked as the enterprise\'s, listed for their departments, once', async () => {
    // An application of a data folder from before #27: submitted and granted by the enterprise itself, in no department's list.
    const policy = await bindFor('HZZZ', { qualifications: ['first-domestic'] });
    const now = new Date();
    const by = { keyId: 'old', userName: '陈财务', organisationId: t.organisations.HZZZ };
    const base = { policyId: policy.id, programme: 'ZJ-FIRST-SET', enterpriseId: t.organisations.HZZZ, on: today(), at: now, by };
    await SubsidyApplicationStepModel.collection.insertMany([
      { _id: `${policy.id}:ZJ-FIRST-SET:submitted`, ...base, status: 'submitted', amountFen: applied(policy, 'ZJ-FIRST-SET') },
      { _id: `${policy.id}:ZJ-FIRST-SET:outcome`, ...base, status: 'granted', amountFen: applied(policy, 'ZJ-FIRST-SET') - 100 },
    ] as never[]);
    const id = appId(policy, 'ZJ-FIRST-SET');
    expect(idsOf((await list('provincialAuthority', '?limit=200')).items)).to.not.include(id);
    const first = await inTestService(() => t.services.subsidies.migrateDepartments());
    expect(first.markedAsEnterprise).to.equal(1);
    expect(first.listed).to.be.greaterThan(0);
    expect(await SubsidyApplicationStepModel.findById(`${policy.id}:ZJ-FIRST-SET:outcome`).lean()).to.include({ recordedBy: 'enterprise' });
    // The submission records the region its lists hold it under.
    expect(await SubsidyApplicationStepModel.findById(`${policy.id}:ZJ-FIRST-SET:submitted`).lean()).to.include({ regionCode: '330106' });
    // The departments' own decisions are never re-marked.
    expect(await SubsidyApplicationStepModel.countDocuments({ recordedBy: 'authority' })).to.be.greaterThan(0);
    const seen = await t.http.get(`/v1/subsidy-applications/${id}`).set(as('provincialAuthority'));
    expect(seen.body).to.include({ status: 'granted', decidedBy: 'enterprise' });
    expect(idsOf((await list('provincialAuthority', '?status=granted')).items)).to.include(id);
    const own = await t.http.get(`/v1/policies/${policy.id}/subsidy-applications`).set(as('enterprise'));
    expect(own.body.items.find((i: { programme: string }) => i.programme === 'ZJ-FIRST-SET')).to.include({ decidedBy: 'enterprise' });
    const entries = await applicationLists.model.countDocuments({});
    const second = await inTestService(() => t.services.subsidies.migrateDepartments());
    expect(second.markedAsEnterprise).to.equal(0);
    expect(await applicationLists.model.countDocuments({})).to.equal(entries);
  });

  it('keeps an application with the department of the region it was submitted from when the enterprise moves (by id, list, and a retried submission)', async () => {
    const policy = await bindFor('JNXC');
    await submit(policy, 'otherEnterprise'); // from Jinan (370102): the Jinan city department's
    const id = appId(policy, 'SD-FIRST-SET');
    const organisations = mongoose.connection.collection('organisations');
    const jnxc = new mongoose.Types.ObjectId(t.organisations.JNXC);
    await organisations.updateOne({ _id: jnxc }, { $set: { regionCode: '370202' } }); // moves to Qingdao
    // A fresh service (its kept organisations empty) reads the enterprise's new region.
    const fresh = createServices(t.config, pino({ level: 'silent' }));
    try {
      const [jinan, qingdao, enterprise] = await fresh.scope.run(() => Promise.all([made.jinan, made.qingdao, t.keys.otherEnterprise].map(resolveApiKey)));
      expect(await fresh.scope.run(() => findEnterpriseById(t.organisations.JNXC!))).to.include({ regionCode: '370202' });
      // A retried submission appends nothing to the new region's lists.
      const retried = await fresh.subsidies.recordApplicationStatus(enterprise!, policy.id, 'SD-FIRST-SET', { status: 'submitted' });
      expect(retried.changed).to.equal(false);
      expect(await fresh.subsidies.getReviewedApplication(jinan!, id)).to.include({ id, regionCode: '370102', status: 'submitted' });
      let refused: unknown;
      await fresh.subsidies.getReviewedApplication(qingdao!, id).catch((err: unknown) => { refused = err; });
      expect(refused).to.include({ kind: 'not_found' });
      expect((await fresh.subsidies.listReviewedApplications(jinan!, { limit: 200 })).items.map((r) => r.id)).to.include(id);
      expect((await fresh.subsidies.listReviewedApplications(qingdao!, { limit: 200 })).items.map((r) => r.id)).to.not.include(id);
      expect(await applicationLists.model.countDocuments(entriesOf({ pattern: '[^#]*3702[^#]*' }))).to.equal(0);
    } finally {
      await organisations.updateOne({ _id: jnxc }, { $set: { regionCode: '370102' } });
      await fresh.close();
    }
  });
});
