// Cancellation (退保) on the policy page (#26, HTTP pages): the broker previews (a mistyped date
// first: back at its field, 400), confirms; then the panel shows what was kept and refunded, in
// Chinese and English, and nobody gets the form again; the enterprise reads it, without a form.
import { expect } from 'chai';
import supertest from 'supertest';
import { formatYuan } from '../../src/i18n/format.ts';
import { publishShippedProducts } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const section = (html: string) => /<section class="cancellation"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';

describe('Cancellation on the policy page (#26, HTTP)', function () {
  this.timeout(180_000);
  const t = useTestApp();
  let policy: { id: string; policyNumber: string; grossPremiumFen: number };
  const year = Number(today().slice(0, 4)) + 1;

  async function signIn(key: string, lang: 'zh-CN' | 'en' = 'zh-CN') {
    const agent = supertest.agent(t.app);
    expect((await agent.post('/sign-in').type('form').send({ apiKey: key })).status).to.equal(303);
    await agent.get(`/policies?lang=${lang}`);
    return agent;
  }

  before(async () => {
    await publishShippedProducts();
    const quote = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({
      productCode: 'RD-EQUIPMENT-PROPERTY', enterpriseId: t.organisations.HZZZ, startDate: `${year}-01-01`, endDate: `${year}-12-31`,
      inputs: { equipmentName: '透射电子显微镜', replacementValue: 900, perEventLimit: 100 }, enterprise: { qualifications: ['provincial-tech-insurance-pilot'] },
    });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    policy = (await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(bearer(t.keys.broker))).body as typeof policy;
    expect((await t.http.post(`/v1/policies/${policy.id}/payments`).set(bearer(t.keys.insurerAdmin)).send({ amountFen: policy.grossPremiumFen, receivedOn: today(), reference: 'PAGE-CXL-1' })).status).to.equal(201);
  });

  it('previews, refuses a mistyped date at its field, confirms; then shows the cancellation in both languages without a form', async () => {
    const agent = await signIn(t.keys.broker);
    const page = await agent.get(`/policies/${policy.id}`);
    expect(section(page.text)).to.include('id="cancel-form"').and.not.include('cancel-confirm-button');
    const csrf = csrfOf(page.text);
    const bad = await agent.post(`/policies/${policy.id}/cancel/preview`).type('form').send({ _csrf: csrf, effectiveDate: `${year}-02-30`, initiatedBy: 'policyholder', reason: '企业停产' });
    expect(bad.status).to.equal(400);
    expect(section(bad.text)).to.match(/data-error-for="effectiveDate"/).and.include('value="企业停产"');
    const preview = await agent.post(`/policies/${policy.id}/cancel/preview`).type('form').send({ _csrf: csrf, effectiveDate: `${year}-05-10`, initiatedBy: 'policyholder', reason: '企业停产' });
    expect(preview.status).to.equal(200);
    const shown = section(preview.text);
    expect(shown).to.include('id="cancel-preview"').and.include('cancel-confirm-button').and.include(formatYuan(1_800_000)).and.include('按短期费率 50%');
    const done = await agent.post(`/policies/${policy.id}/cancel`).type('form').send({ _csrf: csrf, effectiveDate: `${year}-05-10`, initiatedBy: 'policyholder', reason: '企业停产' });
    expect(done.status).to.equal(303);
    const after = section((await agent.get(`/policies/${policy.id}`)).text);
    expect(after).to.include(`本保单已于 ${year}-05-10 起退保（${policy.policyNumber}-C）`).and.not.include('id="cancel-form"');
    const en = section((await (await signIn(t.keys.enterprise, 'en')).get(`/policies/${policy.id}`)).text);
    expect(en).to.include(`This policy is cancelled from ${year}-05-10`).and.include('short-period scale 50% (5 months elapsed)').and.include(formatYuan(1_800_000)).and.not.include('id="cancel-form"');
  });

  it('gives the enterprise no form and refuses its post (403)', async () => {
    const agent = await signIn(t.keys.enterprise);
    const page = await agent.get(`/policies/${policy.id}`);
    expect(section(page.text)).to.not.include('id="cancel-form"');
    const res = await agent.post(`/policies/${policy.id}/cancel/preview`).type('form').send({ _csrf: csrfOf(page.text), effectiveDate: `${year}-05-10`, initiatedBy: 'policyholder', reason: 'x' });
    expect(res.status).to.equal(403);
  });
});
