import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { listAuditEntries } from '../../src/audit/audit-log.ts';
import { PublicationModel, ProductVersionModel } from '../../src/catalogue/catalogue-model.ts';
import { announceCatalogueChange, CatalogueRevisionModel } from '../../src/catalogue/catalogue-cache.ts';
import { findEffectiveVersion } from '../../src/catalogue/rating-lookups.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { acceptPoolShares } from '../support/pool-consent.ts';
import { publishAs } from '../support/publish-as.ts';

type Definition = Record<string, unknown> & { code: string; version: string; insurer: string; effectiveFrom: string; effectiveTo?: string; testVectors: { name: string; expected: { grossPremiumFen?: number } }[] };

/** The shipped 首台（套） product, re-coded so this file owns it. */
function sampleDefinition(overrides: Partial<Definition> = {}): Definition {
  const file = readdirSync('products').filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(`products/${f}`, 'utf8')) as Definition & { line: string })
    .find((d) => d.line === 'first-set-equipment');
  if (!file) throw new Error('products/ has no first-set-equipment product');
  return { ...structuredClone(file), code: 'TEST-EQUIP', insurer: 'KCIC', version: '1.0', effectiveFrom: '2025-01-01', ...overrides } as Definition;
}

describe('Catalogue: product lifecycle', () => {
  const t = useTestApp();
  const admin = () => bearer(t.keys.insurerAdmin);

  it('creates, edits, tests, publishes, freezes, clones, diffs and retires a product', async () => {
    const created = await t.http.post('/v1/products').set(admin()).send({ definition: sampleDefinition() });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body).to.include({ productCode: 'TEST-EQUIP', version: '1.0', status: 'draft' });
    await acceptPoolShares(t, 'TEST-EQUIP'); // the shipped pool names HTIC and ZXIC
    expect(created.body.compileErrors).to.deep.equal([]);

    const edited = sampleDefinition({ effectiveTo: '2025-12-31' });
    const put = await t.http.put('/v1/products/TEST-EQUIP/versions/1.0').set(admin()).send({ definition: edited });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    expect(put.body.effectiveTo).to.equal('2025-12-31');

    const tested = await t.http.post('/v1/products/TEST-EQUIP/versions/1.0/test').set(admin());
    expect(tested.status).to.equal(200);
    expect(tested.body.passed).to.equal(true);
    expect(tested.body.vectors.length).to.be.at.least(5);

    const published = await publishAs(t.http, t.keys, 'TEST-EQUIP', '1.0');
    expect(published.status, JSON.stringify(published.body)).to.equal(200);
    expect(published.body.status).to.equal('published');

    const frozen = await t.http.put('/v1/products/TEST-EQUIP/versions/1.0').set(admin()).send({ definition: edited });
    expect(frozen.status).to.equal(409);
    expect(frozen.body.error.code).to.equal('conflict');

    const clone = await t.http.post('/v1/products/TEST-EQUIP/versions').set(admin()).send({ cloneFrom: '1.0' });
    expect(clone.status, JSON.stringify(clone.body)).to.equal(201);
    expect(clone.body).to.include({ version: '1.1', status: 'draft' });

    const changed = { ...clone.body.definition, vatRatePercent: '6', effectiveFrom: '2026-01-01', effectiveTo: undefined };
    changed.name = { zh: '首台（套）重大技术装备保险（2026版）', en: 'First-set equipment insurance (2026)' };
    expect((await t.http.put('/v1/products/TEST-EQUIP/versions/1.1').set(admin()).send({ definition: changed })).status).to.equal(200);
    const diff = await t.http.get('/v1/products/TEST-EQUIP/diff?from=1.0&to=1.1').set(admin());
    expect(diff.status).to.equal(200);
    const paths = diff.body.changes.map((c: { path: string }) => c.path);
    expect(paths).to.include.members(['version', 'effectiveFrom', 'effectiveTo', 'name.zh', 'name.en']);
    expect(diff.body.changes.find((c: { path: string }) => c.path === 'name.en')).to.include({ change: 'changed', area: 'texts', to: 'First-set equipment insurance (2026)' });

    expect((await publishAs(t.http, t.keys, 'TEST-EQUIP', '1.1')).status).to.equal(200);
    const versions = await t.http.get('/v1/products/TEST-EQUIP/versions').set(admin());
    expect(versions.body.items.map((v: { version: string; status: string }) => `${v.version}:${v.status}`)).to.have.members(['1.0:published', '1.1:published']);

    const retired = await t.http.post('/v1/products/TEST-EQUIP/versions/1.0/retire').set(admin());
    expect(retired.body.status).to.equal('retired');
    expect((await t.http.post('/v1/products/TEST-EQUIP/versions/1.0/retire').set(admin())).status).to.equal(409);
  });

  it('hides an insurer\'s products and drafts from another insurer (404) and refuses brokers (403)', async () => {
    for (const path of ['/v1/products/TEST-EQUIP/versions', '/v1/products/TEST-EQUIP/versions/1.1', '/v1/products/TEST-EQUIP/diff?from=1.0&to=1.1']) {
      const res = await t.http.get(path).set(bearer(t.keys.otherInsurerAdmin));
      expect(res.status, path).to.equal(404);
    }
    const publish = await t.http.post('/v1/products/TEST-EQUIP/versions/1.1/retire').set(bearer(t.keys.otherInsurerAdmin));
    expect(publish.status).to.equal(404);
    expect((await t.http.get('/v1/products/TEST-EQUIP/versions').set(bearer(t.keys.broker))).status).to.equal(403);
    const foreign = await t.http.post('/v1/products').set(bearer(t.keys.otherInsurerAdmin)).send({ definition: sampleDefinition({ code: 'OTHER-EQUIP' }) });
    expect(foreign.status).to.equal(400);
    expect(foreign.body.error.details[0].path).to.equal('body.definition.insurer');
  });

  it('names the path inside the definition when it is malformed', async () => {
    const bad = sampleDefinition({ code: 'BAD-EQUIP' }) as Record<string, unknown>;
    bad.vatRatePercent = 'six';
    delete bad.plan;
    const res = await t.http.post('/v1/products').set(admin()).send({ definition: bad });
    expect(res.status).to.equal(400);
    const paths = res.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).to.include.members(['body.definition.vatRatePercent', 'body.definition.plan']);
    const dollar = sampleDefinition({ code: 'DOLLAR-EQUIP' }) as Record<string, unknown>;
    (dollar.testVectors as Record<string, unknown>[])[0]!.inputs = { $where: 'sleep(1000)' };
    const res2 = await t.http.post('/v1/products').set(admin()).send({ definition: dollar });
    expect(res2.status).to.equal(400);
    expect(res2.body.error.details[0].path).to.equal('body.definition.testVectors[0].inputs.$where');
  });

  it('refuses to submit a draft whose vector fails, naming the vector (so it never reaches a second admin)', async () => {
    const definition = sampleDefinition({ code: 'FAIL-EQUIP' });
    const vector = definition.testVectors.find((v) => v.expected.grossPremiumFen !== undefined)!;
    vector.expected.grossPremiumFen = vector.expected.grossPremiumFen! + 1;
    expect((await t.http.post('/v1/products').set(admin()).send({ definition })).status).to.equal(201);
    const res = await t.http.post('/v1/products/FAIL-EQUIP/versions/1.0/submit').set(admin());
    expect(res.status).to.equal(400);
    expect(res.body.error.message).to.contain(vector.name);
    expect(res.body.error.details[0].path).to.equal(`definition.testVectors[name=${vector.name}]`);
    expect((await ProductVersionModel.findOne({ productCode: 'FAIL-EQUIP' }).lean())!.status).to.equal('draft');
  });

  it('publishes one draft exactly once under concurrent publishes', async () => {
    expect((await t.http.post('/v1/products').set(admin()).send({ definition: sampleDefinition({ code: 'RACE-EQUIP' }) })).status).to.equal(201);
    await acceptPoolShares(t, 'RACE-EQUIP');
    expect((await t.http.post('/v1/products/RACE-EQUIP/versions/1.0/submit').set(admin())).status).to.equal(200);
    const results = await Promise.all(Array.from({ length: 8 }, () => t.http.post('/v1/products/RACE-EQUIP/versions/1.0/publish').set(bearer(t.keys.secondInsurerAdmin))));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).to.have.length(1);
    expect(statuses.filter((s) => s === 409)).to.have.length(7);
    expect(await PublicationModel.countDocuments({ productCode: 'RACE-EQUIP' })).to.equal(1);
  });

  it('picks the published version in force on a date, and lists it in the catalogue', async () => {
    expect((await findEffectiveVersion('TEST-EQUIP', '2026-03-01')).version).to.equal('1.1');
    let error: unknown;
    try {
      await findEffectiveVersion('TEST-EQUIP', '2025-06-01'); // 1.0 was retired
    } catch (err) {
      error = err;
    }
    expect((error as { kind?: string }).kind).to.equal('conflict');
    const catalogue = await t.http.get('/v1/catalogue?date=2026-03-01&lang=en').set(bearer(t.keys.broker));
    const entry = catalogue.body.items.find((i: { code: string }) => i.code === 'TEST-EQUIP');
    expect(entry).to.include({ version: '1.1', title: 'First-set equipment insurance (2026)' });
    expect(entry.insurer.code).to.equal('KCIC');
    const none = await t.http.get('/v1/catalogue?date=2024-06-01').set(bearer(t.keys.enterprise));
    expect(none.body.items.map((i: { code: string }) => i.code)).not.to.include('TEST-EQUIP');
    const detail = await t.http.get('/v1/catalogue/TEST-EQUIP?date=2026-03-01').set(bearer(t.keys.enterprise));
    expect(detail.status).to.equal(200);
    expect(detail.body.form).to.be.ok;
    expect(detail.body.coverages.length).to.be.at.least(1);
  });

  it('sees a retirement made by another instance once that instance announces it, without a restart', async () => {
    expect((await findEffectiveVersion('TEST-EQUIP', '2026-03-02')).version).to.equal('1.1'); // now cached here
    // Another instance retires 1.1: its own writes, which this process's cache knows nothing of.
    await ProductVersionModel.updateOne({ productCode: 'TEST-EQUIP', version: '1.1' }, { $set: { status: 'retired', retiredAt: new Date() } });
    expect((await findEffectiveVersion('TEST-EQUIP', '2026-03-02')).version, 'cached until announced').to.equal('1.1');
    await CatalogueRevisionModel.updateOne({ _id: 'catalogue' }, { $set: { token: 'changed-elsewhere', changedAt: new Date() } }, { upsert: true });
    // This instance checks the token at most every 0.5 s in the background; within 2.5 s it has.
    const deadline = Date.now() + 2500;
    let error: unknown;
    while (Date.now() < deadline && !error) {
      await findEffectiveVersion('TEST-EQUIP', '2026-03-02').catch((err: unknown) => (error = err));
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((error as { kind?: string } | undefined)?.kind, 'no version in force once 1.1 is retired').to.equal('conflict');
    await ProductVersionModel.updateOne({ productCode: 'TEST-EQUIP', version: '1.1' }, { $set: { status: 'published' }, $unset: { retiredAt: 1 } });
    await announceCatalogueChange();
    expect((await findEffectiveVersion('TEST-EQUIP', '2026-03-02')).version).to.equal('1.1');
  });

  it('records every change in the audit log', async () => {
    // Each version's trail, newest first, merged by time (the trails are kept per record).
    const trails = await Promise.all(['TEST-EQUIP@1.0', 'TEST-EQUIP@1.1'].map((id) => listAuditEntries({ role: 'system', organisationId: '' }, 'productVersion', id)));
    const entries = trails.flat().sort((a, b) => b.at.localeCompare(a.at));
    const actions = entries.map((e) => `${e.action}`).reverse();
    expect(actions).to.deep.equal(['version.create', 'version.update', 'version.submit', 'version.publish', 'version.approve', 'version.create', 'version.update', 'version.submit', 'version.publish', 'version.approve', 'version.retire']);
    const approval = entries.find((e) => e.action === 'version.approve')!;
    expect(approval.actor.userName).to.equal('周复核');
    expect(approval.summary).to.contain('submitted by 王产品');
    const edit = entries.find((e) => e.action === 'version.update')!;
    expect(edit.actor.role).to.equal('insurer-admin');
    expect(edit.changes!.map((c) => c.path)).to.include('name.en');
  });
});
