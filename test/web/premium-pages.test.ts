// #26 Premium received on the policy page (HTTP, supertest): received and outstanding premium,
// the instalments and payments for everyone who sees the policy; the payment form for the lead
// insurer's staff only, its errors at their fields in the reader's language with the input kept;
// the subsidy panel offers a submission once the premium is received in full.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import supertest from 'supertest';
import { formatYuan } from '../../src/i18n/format.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { publishAs } from '../support/publish-as.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const INSTALMENTS = 'KCIC-INSTALMENTS';
const shipped = JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as Record<string, unknown> & { version: string };
const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;
const csrfOf = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
const section = (html: string) => /<section class="premium"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';

describe('Premium received on the policy page (#26, HTTP)', function () {
  this.timeout(180_000);
  const t = useTestApp();
  let policy: { id: string; policyNumber: string; grossPremiumFen: number };

  async function signIn(key: string, lang: 'zh-CN' | 'en' = 'zh-CN') {
    const agent = supertest.agent(t.app);
    expect((await agent.post('/sign-in').type('form').send({ apiKey: key })).status).to.equal(303);
    await agent.get(`/policies?lang=${lang}`);
    return agent;
  }

  before(async () => {
    await publishShippedProducts();
    const withInstalments = { ...structuredClone(shipped), code: INSTALMENTS, instalments: [{ dueOffsetDays: 0, percent: '50' }, { dueOffsetMonths: 6, percent: '50' }] };
    delete (withInstalments as Record<string, unknown>).coInsurance;
    expect((await t.http.post('/v1/products').set(bearer(t.keys.insurerAdmin)).send({ definition: withInstalments })).status).to.equal(201);
    expect((await publishAs(t.http, t.keys, INSTALMENTS, shipped.version)).status).to.equal(200);
    const quote = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: INSTALMENTS, enterpriseId: t.organisations.HZZZ, inputs: structuredClone(vector.inputs), startDate: today(), enterprise: { qualifications: ['first-domestic'] } });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    policy = (await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(bearer(t.keys.broker))).body as typeof policy;
  });

  it('shows the insurer\'s staff the premium, the instalments and a form; a mistyped amount comes back at its field with the input kept (zh-CN and en)', async () => {
    for (const lang of ['zh-CN', 'en'] as const) {
      const agent = await signIn(t.keys.insurerAdmin, lang);
      const page = await agent.get(`/policies/${policy.id}`);
      expect(page.status).to.equal(200);
      const panel = section(page.text);
      expect(panel).to.include(lang === 'en' ? 'Premium received' : '保费收取').and.include(formatYuan(policy.grossPremiumFen)).and.include('id="payment-form"');
      expect(panel).to.include(`data-instalment="1" data-status="unpaid"`).and.include(`data-instalment="2" data-status="unpaid"`);
      expect(panel).to.include(lang === 'en' ? 'Instalment schedule' : '分期缴费计划');
      const bad = await agent.post(`/policies/${policy.id}/payments`).type('form').send({ _csrf: csrfOf(page.text), amountYuan: '12,34x', receivedOn: today(), reference: `TYPO-${lang}` });
      expect(bad.status).to.equal(400);
      const again = section(bad.text);
      expect(again).to.include('value="12,34x"').and.include(`value="TYPO-${lang}"`).and.include('aria-invalid="true"');
      expect(again).to.include(lang === 'en' ? 'The amount is not valid' : '金额格式不正确');
    }
  });

  it('records a payment through the form, refuses more than is outstanding and a reused reference in the reader\'s language, and lists the payment', async () => {
    const agent = await signIn(t.keys.underwriter, 'en');
    const csrf = csrfOf((await agent.get(`/policies/${policy.id}`)).text);
    const half = Math.floor(policy.grossPremiumFen / 2);
    const ok = await agent.post(`/policies/${policy.id}/payments`).type('form').send({ _csrf: csrf, amountYuan: (half / 100).toFixed(2), receivedOn: today(), reference: 'FORM-1' });
    expect(ok.status, ok.text).to.equal(303);
    expect(ok.headers.location).to.equal(`/policies/${policy.id}#premium`);
    const over = await agent.post(`/policies/${policy.id}/payments`).type('form').send({ _csrf: csrf, amountYuan: (policy.grossPremiumFen / 100).toFixed(2), receivedOn: today(), reference: 'FORM-2' });
    expect(over.status).to.equal(400);
    expect(section(over.text)).to.include(`The amount cannot exceed the premium outstanding, ${formatYuan(policy.grossPremiumFen - half)}`);
    const reused = await agent.post(`/policies/${policy.id}/payments`).type('form').send({ _csrf: csrf, amountYuan: '1.00', receivedOn: today(), reference: 'FORM-1' });
    expect(section(reused.text)).to.include('This payment reference was already recorded for a different payment');
    const future = await agent.post(`/policies/${policy.id}/payments`).type('form').send({ _csrf: csrf, amountYuan: '1.00', receivedOn: '2999-01-01', reference: 'FORM-3' });
    expect(section(future.text)).to.include('The day received cannot be after today');

    const enterprise = await signIn(t.keys.enterprise);
    const seen = section((await enterprise.get(`/policies/${policy.id}`)).text);
    expect(seen).to.include('data-reference="FORM-1"').and.include(formatYuan(half)).and.include(`data-fen="${policy.grossPremiumFen - half}"`).and.include('李核保');
    expect(seen).not.to.include('payment-form');
    // The enterprise cannot post the form (the page's access: the lead insurer's staff).
    const posted = await enterprise.post(`/policies/${policy.id}/payments`).type('form').send({ _csrf: csrfOf((await enterprise.get(`/policies/${policy.id}`)).text), amountYuan: '1.00', receivedOn: today(), reference: 'ENT-1' });
    expect(posted.status).to.equal(403);
  });

  it('tells the enterprise the subsidy application waits for the premium, and offers the submission once it is received in full', async () => {
    const enterprise = await signIn(t.keys.enterprise, 'en');
    const before = (await enterprise.get(`/policies/${policy.id}`)).text;
    expect(before).to.include('id="subsidy-awaiting-premium"').and.not.include('submit-form');
    const premium = (await t.http.get(`/v1/policies/${policy.id}/payments`).set(bearer(t.keys.insurerAdmin))).body as { premiumOutstandingFen: number };
    expect((await t.http.post(`/v1/policies/${policy.id}/payments`).set(bearer(t.keys.insurerAdmin)).send({ amountFen: premium.premiumOutstandingFen, receivedOn: today(), reference: 'REST' })).status).to.equal(201);
    const after = (await enterprise.get(`/policies/${policy.id}`)).text;
    expect(after).to.include('submit-form').and.not.include('id="subsidy-awaiting-premium"');
    expect(section(after)).to.include('id="premium-full"').and.include('data-instalment="2" data-status="paid"');
  });
});
