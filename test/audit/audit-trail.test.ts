import { expect } from 'chai';
import { AuditEntryModel, recordAudit } from '../../src/audit/audit-log.ts';
import { changeStoredQuote } from '../support/stored-quotes.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';
import { payInFull } from '../support/premium.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const [baseVector] = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks);

describe('Audit: who did what, with the visibility of the record', () => {
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  let quoteId: string;
  let shippedVersion: string;

  before(async () => {
    await publishShippedProducts();
    const versions = await t.http.get(`/v1/products/${PRODUCT}/versions`).set(as('insurerAdmin'));
    shippedVersion = versions.body.items.find((v: { status: string }) => v.status === 'published').version;
    const quote = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: baseVector!.inputs, startDate: today() });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    quoteId = quote.body.id;
  });

  const trail = (key: keyof typeof t.keys, entity: string, id: string, page = '') => t.http.get(`/v1/audit?entity=${entity}&id=${encodeURIComponent(id)}${page}`).set(as(key));

  it('shows a quote\'s trail to its broker, its insurer and its enterprise, with names instead of codes', async () => {
    for (const key of ['broker', 'insurerAdmin', 'underwriter', 'enterprise', 'platformAdmin'] as const) {
      const res = await trail(key, 'quote', quoteId);
      expect(res.status, key).to.equal(200);
      expect(res.body).to.include({ entity: 'quote', id: quoteId, total: 1 });
      expect(res.body.items[0]).to.deep.include({ action: 'quote.create', actor: { userName: '张经纪', role: 'broker', organisationName: '明信保险经纪有限公司（演示）' } });
    }
  });

  it('reads a quote\'s creation from the quote itself, after the logged entries, and pages across both', async () => {
    const quote = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: baseVector!.inputs, startDate: today() });
    const id = quote.body.id as string;
    expect(await AuditEntryModel.countDocuments({ entityId: id }), 'no audit-log insert for the creation').to.equal(0);
    const broker = { keyId: 'k', userName: '张经纪', role: 'broker', organisationId: t.organisations.MXB };
    for (const [i, action] of ['quote.note-a', 'quote.note-b'].entries()) {
      await recordAudit(broker as never, { action, entityType: 'quote', entityId: id, summary: action }, new Date(Date.now() + (i + 1) * 1000));
    }
    const all = await trail('broker', 'quote', id);
    expect(all.body.total).to.equal(3);
    expect(all.body.items.map((e: { action: string }) => e.action)).to.deep.equal(['quote.note-b', 'quote.note-a', 'quote.create']);
    expect(all.body.items[2].summary).to.equal(`Quote ${quote.body.quoteNumber} for ${quote.body.enterpriseName}: quoted, gross ${quote.body.result.grossPremiumFen} fen.`);
    const pages = await Promise.all([0, 1, 2, 3].map((offset) => trail('broker', 'quote', id, `&limit=1&offset=${offset}`)));
    expect(pages.map((p) => p.body.items.map((e: { action: string }) => e.action))).to.deep.equal([['quote.note-b'], ['quote.note-a'], ['quote.create'], []]);
    expect(pages.every((p) => p.body.total === 3)).to.equal(true);
    const lastTwo = await trail('broker', 'quote', id, '&limit=2&offset=1');
    expect(lastTwo.body.items.map((e: { action: string }) => e.action)).to.deep.equal(['quote.note-a', 'quote.create']);
  });

  it('shows the creation entry of a quote stored before it was carried by the quote, from the audit log, once', async () => {
    const quote = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: baseVector!.inputs, startDate: today() });
    const id = quote.body.id as string;
    await changeStoredQuote(id, {}, ['createdEntry', 'createdBy.role', 'createdBy.organisationId']);
    const broker = { keyId: 'k', userName: '张经纪', role: 'broker', organisationId: t.organisations.MXB };
    await recordAudit(broker as never, { action: 'quote.create', entityType: 'quote', entityId: id, summary: 'as stored before' });
    const res = await trail('broker', 'quote', id);
    expect(res.body.total).to.equal(1);
    expect(res.body.items.map((e: { summary: string }) => e.summary)).to.deep.equal(['as stored before']);
  });

  it('shows the creation entry a quote carried before session 10 (createdEntry) as it was stored', async () => {
    const quote = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: baseVector!.inputs, startDate: today() });
    const id = quote.body.id as string;
    const at = new Date('2026-01-05T02:03:04Z');
    await changeStoredQuote(id, { createdEntry: { at, actor: { keyId: 'old', userName: '旧经纪', role: 'broker', organisationId: t.organisations.MXB }, status: 'referred', grossPremiumFen: 4321 } }, ['createdBy.role', 'createdBy.organisationId']);
    const res = await trail('broker', 'quote', id);
    expect(res.body.total).to.equal(1);
    expect(res.body.items[0]).to.deep.include({ at: at.toISOString(), summary: `Quote ${quote.body.quoteNumber} for ${quote.body.enterpriseName}: referred, gross 4321 fen.` });
    expect(res.body.items[0].actor).to.include({ userName: '旧经纪', role: 'broker' });
  });

  it('names the organisations in English with lang=en', async () => {
    const res = await trail('enterprise', 'quote', quoteId, '&lang=en');
    expect(res.status).to.equal(200);
    expect(res.body.items[0].actor).to.deep.equal({ userName: '张经纪', role: 'broker', organisationName: 'Mingxin Insurance Brokers (demo)' });
  });

  it('hides a quote\'s trail from an insurer outside its pool and another enterprise (404, as the quote itself); a pool follower sees it', async () => {
    // KCIC leads the shipped 首台（套） pool and HTIC follows it, so only an insurer outside the pool is "another insurer".
    const org = await t.http.post('/v1/organisations').set(as('platformAdmin')).send({ code: 'AUDITOUT', kind: 'insurer', name: '局外保险（审计测试）' });
    const outsider = (await t.http.post(`/v1/organisations/${org.body.id}/api-keys`).set(as('platformAdmin')).send({ userName: '局外人', role: 'insurer-admin' })).body.apiKey as string;
    for (const [who, auth] of [['outsider', bearer(outsider)], ['otherEnterprise', as('otherEnterprise')]] as const) {
      expect((await t.http.get(`/v1/audit?entity=quote&id=${quoteId}`).set(auth)).status, who).to.equal(404);
      expect((await t.http.get(`/v1/quotes/${quoteId}`).set(auth)).status, who).to.equal(404);
    }
    expect((await trail('otherInsurerAdmin', 'quote', quoteId)).status, 'pool follower').to.equal(200);
  });

  it('shows a product version\'s trail to its insurer\'s staff only', async () => {
    const own = await trail('underwriter', 'productVersion', `${PRODUCT}@${shippedVersion}`);
    expect(own.status).to.equal(200);
    expect(own.body.items.map((e: { action: string }) => e.action)).to.include.members(['version.create', 'version.publish']);
    for (const key of ['otherInsurerAdmin', 'broker', 'enterprise'] as const) {
      expect((await trail(key, 'productVersion', `${PRODUCT}@${shippedVersion}`)).status, key).to.equal(404);
      expect((await trail(key, 'product', PRODUCT)).status, key).to.equal(404);
    }
    expect((await trail('insurerAdmin', 'productVersion', PRODUCT)).status, 'no @version').to.equal(400);
  });

  it('records a draft\'s creation and each edit, and pages the trail with limit, offset and total', async () => {
    const clone = await t.http.post(`/v1/products/${PRODUCT}/versions`).set(as('insurerAdmin')).send({ cloneFrom: shippedVersion });
    expect(clone.status).to.equal(201);
    const draft = clone.body.definition;
    for (const vat of ['6', '5']) {
      const put = await t.http.put(`/v1/products/${PRODUCT}/versions/${clone.body.version}`).set(as('insurerAdmin')).send({ definition: { ...draft, vatRatePercent: vat } });
      expect(put.status).to.equal(200);
    }
    const id = `${PRODUCT}@${clone.body.version}`;
    const all = await trail('insurerAdmin', 'productVersion', id);
    expect(all.body.items.map((e: { action: string }) => e.action)).to.deep.equal(['version.update', 'version.update', 'version.create']);
    expect(all.body.items[0].actor).to.deep.equal({ userName: '王产品', role: 'insurer-admin', organisationName: '科创财产保险股份有限公司（演示）' });
    expect(all.body.items[0].changes).to.deep.include({ path: 'vatRatePercent', from: '6', to: '5' });
    const page = await trail('insurerAdmin', 'productVersion', id, '&limit=1&offset=1');
    expect(page.body).to.include({ total: 3, limit: 1, offset: 1 });
    expect(page.body.items).to.have.length(1);
    expect(page.body.items[0].summary).to.equal(all.body.items[1].summary);
  });

  it('shows subsidy steps on a policy to the enterprise, its broker and platform admins, never to the insurer\'s staff', async () => {
    const quote = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: baseVector!.inputs, startDate: today() });
    const policy = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(as('broker'));
    expect(policy.status, JSON.stringify(policy.body)).to.equal(201);
    const [programme] = (policy.body.subsidies as { programme: string; amountFen: number }[]).filter((s) => s.amountFen > 0);
    await payInFull(t.http, t.keys.insurerAdmin, policy.body.id as string); // submitted on premium received in full (#26)
    const submitted = await t.http.post(`/v1/policies/${policy.body.id}/subsidy-applications/${programme!.programme}/status`).set(as('enterprise')).send({ status: 'submitted' });
    expect(submitted.status, JSON.stringify(submitted.body)).to.be.within(200, 201);
    const actions = async (key: keyof typeof t.keys) => {
      const res = await trail(key, 'policy', policy.body.id);
      expect(res.status, key).to.equal(200);
      expect(res.body.total, `${key}: the total counts only what the page may show`).to.equal(res.body.items.length);
      return res.body.items.map((e: { action: string }) => e.action) as string[];
    };
    for (const key of ['enterprise', 'broker', 'platformAdmin'] as const) expect(await actions(key), key).to.deep.equal(['subsidy.submitted', 'policy.payment', 'policy.issue']);
    for (const key of ['insurerAdmin', 'underwriter'] as const) expect(await actions(key), key).to.deep.equal(['policy.payment', 'policy.issue']);
  });

  it('walks a long trail by cursor (after) to the quote\'s own creation entry, each entry once, and refuses a cursor it did not give', async () => {
    const quote = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: baseVector!.inputs, startDate: today() });
    const id = quote.body.id as string;
    const broker = { keyId: 'k', userName: '张经纪', role: 'broker', organisationId: t.organisations.MXB };
    // 104 logged entries: more than one sealed chunk (100), and pages of 8 end exactly at the log's end.
    for (let i = 0; i < 104; i++) await recordAudit(broker as never, { action: `quote.note-${i}`, entityType: 'quote', entityId: id, summary: `note ${i}` });
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const res = await trail('broker', 'quote', id, `&limit=8${after ? `&after=${after}` : ''}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      if (!after) expect(res.body.total).to.equal(105);
      seen.push(...res.body.items.map((e: { action: string }) => e.action));
      after = res.body.next;
      pages++;
    } while (after && pages < 30);
    expect(seen).to.deep.equal([...Array.from({ length: 104 }, (_, i) => `quote.note-${103 - i}`), 'quote.create']);
    expect(pages, 'the own entry on a page of its own after 13 full pages').to.equal(14);
    const bad = await trail('broker', 'quote', id, '&after=zzzz');
    expect(bad.status).to.equal(400);
    expect(bad.body.error.details[0].path).to.equal('query.after');
  });

  it('migrates entries stored before the trails (audit.buildLists): each on its record\'s trail once, oldest first, the restricted rule kept', async () => {
    const quote = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: baseVector!.inputs, startDate: today() });
    const policy = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(as('broker'));
    expect(policy.status).to.equal(201);
    const id = policy.body.id as string;
    const actor = { keyId: 'k', userName: '旧数据', role: 'enterprise', organisationId: t.organisations.HZZZ };
    // Stored the old way: in the audit log only, never appended to a trail.
    const t0 = Date.now() + 60_000;
    await AuditEntryModel.insertMany([
      { at: new Date(t0), actor, action: 'subsidy.submitted', entityType: 'policy', entityId: id, summary: 'old submitted' },
      { at: new Date(t0 + 1000), actor, action: 'policy.note', entityType: 'policy', entityId: id, summary: 'old note' },
    ]);
    const before = await trail('enterprise', 'policy', id);
    expect(before.body.items.map((e: { action: string }) => e.action)).to.deep.equal(['policy.issue']);
    for (let run = 0; run < 2; run++) {
      const { entries } = await t.services.audit.buildLists();
      expect(entries).to.be.at.least(3);
    }
    const after = await trail('enterprise', 'policy', id);
    expect(after.body.items.map((e: { action: string }) => e.action), 'each once, newest first').to.deep.equal(['policy.note', 'subsidy.submitted', 'policy.issue']);
    expect(after.body.total).to.equal(3);
    const insurer = await trail('insurerAdmin', 'policy', id);
    expect(insurer.body.items.map((e: { action: string }) => e.action)).to.deep.equal(['policy.note', 'policy.issue']);
    expect(insurer.body.total).to.equal(2);
  });
});
