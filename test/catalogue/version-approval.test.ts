import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { listAuditEntries } from '../../src/audit/audit-log.ts';
import { ProductVersionModel } from '../../src/catalogue/catalogue-model.ts';
import { addDays, chinaDate } from '../../src/rating/index.ts';
import { acceptPoolShares } from '../support/pool-consent.ts';
import { issueSecondAdmin, publishAs } from '../support/publish-as.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

type Definition = Record<string, unknown> & { code: string; version: string; effectiveFrom: string; name: { zh: string; en: string } };

function definitionOf(code: string): Definition {
  const file = readdirSync('products').filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(`products/${f}`, 'utf8')) as Definition & { line: string })
    .find((d) => d.line === 'first-set-equipment')!;
  return { ...structuredClone(file), code, insurer: 'KCIC', version: '1.0', effectiveFrom: '2025-01-01' };
}

describe('Catalogue: four-eyes publishing (maker–checker)', () => {
  const t = useTestApp();
  const maker = () => bearer(t.keys.insurerAdmin);
  const checker = () => bearer(t.keys.secondInsurerAdmin);
  const path = (code: string, action = '') => `/v1/products/${code}/versions/1.0${action}`;
  const fourEyes = (res: { status: number; body: { error?: { code: string; details: { path: string; message: string }[] } } }) => {
    expect(res.status, JSON.stringify(res.body)).to.equal(409);
    expect(res.body.error!.code).to.equal('conflict');
    expect(res.body.error!.details[0]!.path).to.equal('version');
    expect(res.body.error!.details[0]!.message).to.match(/\(four-eyes\)$/);
    return res.body.error!.details[0]!.message;
  };

  async function draft(code: string): Promise<void> {
    expect((await t.http.post('/v1/products').set(maker()).send({ definition: definitionOf(code) })).status).to.equal(201);
    await acceptPoolShares(t, code);
  }

  it('refuses to publish a draft nobody submitted (409 four-eyes), whoever asks', async () => {
    await draft('EYES-A');
    for (const key of [t.keys.insurerAdmin, t.keys.secondInsurerAdmin, t.keys.platformAdmin]) {
      expect(fourEyes(await t.http.post(path('EYES-A', '/publish')).set(bearer(key)))).to.contain('submitted for approval');
    }
    expect((await t.http.get(path('EYES-A', '/approval')).set(checker())).body).to.deep.include({ state: 'not-submitted', callerMayPublish: false });
    expect((await ProductVersionModel.findOne({ productCode: 'EYES-A' }).lean())!.status).to.equal('draft');
  });

  it('refuses the submitter (409 four-eyes, naming them) and publishes as the second admin, with submission and approval in the audit', async () => {
    await draft('EYES-B');
    const submitted = await t.http.post(path('EYES-B', '/submit')).set(maker());
    expect(submitted.status, JSON.stringify(submitted.body)).to.equal(200);
    expect(submitted.body).to.deep.include({ state: 'submitted', submittedBy: '王产品', callerMayPublish: false });
    expect((await t.http.get(path('EYES-B', '/approval')).set(checker())).body).to.include({ state: 'submitted', callerMayPublish: true });
    expect(fourEyes(await t.http.post(path('EYES-B', '/publish')).set(maker()))).to.contain('other than its submitter 王产品');
    const tomorrow = addDays(chinaDate(new Date()), 1);
    const published = await t.http.post(path('EYES-B', '/publish')).set(checker()).send({ effectiveFrom: tomorrow });
    expect(published.status, JSON.stringify(published.body)).to.equal(200);
    expect(published.body).to.include({ status: 'published', effectiveFrom: tomorrow });
    expect((await t.http.get(path('EYES-B', '/approval')).set(maker())).body).to.include({ state: 'published', callerMayPublish: false });
    const entries = await listAuditEntries({ role: 'system', organisationId: '' }, 'productVersion', 'EYES-B@1.0');
    const byAction = Object.fromEntries(entries.map((e) => [e.action, e.actor.userName]));
    expect(byAction).to.include({ 'version.submit': '王产品', 'version.publish': '周复核', 'version.approve': '周复核' });
  });

  it('voids a submission when the draft changes after it (409 four-eyes until submitted again)', async () => {
    await draft('EYES-C');
    expect((await t.http.post(path('EYES-C', '/submit')).set(maker())).status).to.equal(200);
    const edited = { ...definitionOf('EYES-C'), name: { zh: '改过的名称', en: 'Edited after submission' } };
    expect((await t.http.put(path('EYES-C')).set(maker()).send({ definition: edited })).status).to.equal(200);
    expect((await t.http.get(path('EYES-C', '/approval')).set(checker())).body).to.include({ state: 'changed-since-submission', callerMayPublish: false });
    expect(fourEyes(await t.http.post(path('EYES-C', '/publish')).set(checker()))).to.contain('changed since it was submitted');
    expect((await publishAs(t.http, t.keys, 'EYES-C', '1.0')).status).to.equal(200);
  });

  it('lets a platform admin submit on the insurer\'s behalf but never approve; another insurer\'s admin sees nothing (404)', async () => {
    await draft('EYES-D');
    expect((await t.http.post(path('EYES-D', '/submit')).set(bearer(t.keys.platformAdmin))).status).to.equal(200);
    expect(fourEyes(await t.http.post(path('EYES-D', '/publish')).set(bearer(t.keys.platformAdmin)))).to.contain("an admin of the product's insurer");
    expect((await t.http.post(path('EYES-D', '/publish')).set(bearer(t.keys.otherInsurerAdmin))).status).to.equal(404);
    expect((await t.http.post(path('EYES-D', '/submit')).set(bearer(t.keys.underwriter))).status).to.equal(403);
    expect((await t.http.post(path('EYES-D', '/publish')).set(maker())).status).to.equal(200);
  });

  it('counts a new key of the submitter (same name) as the submitter', async () => {
    await draft('EYES-E');
    expect((await t.http.post(path('EYES-E', '/submit')).set(maker())).status).to.equal(200);
    const rotated = await issueSecondAdmin(t.http, t.keys.insurerAdmin, t.organisations.KCIC!, '王产品');
    fourEyes(await t.http.post(path('EYES-E', '/publish')).set(bearer(rotated)));
  });

  it('refuses to submit a published version (409)', async () => {
    expect((await t.http.post(path('EYES-B', '/submit')).set(maker())).status).to.equal(409);
  });
});
