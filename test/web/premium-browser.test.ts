// #26 Premium received in real Chromium: the lead insurer's underwriter records a payment through
// the policy page's form (a mistyped amount first: the error at its field, the input kept), the
// enterprise then reads received, outstanding and the instalments in English, and submits its
// subsidy application once the rest is recorded.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Page } from 'puppeteer-core';
import { formatYuan } from '../../src/i18n/format.ts';
import { recordCspProblems, SCREENSHOTS, useBrowserApp } from '../support/browser-app.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { checkPageAt } from '../support/page-language.ts';
import { publishAs } from '../support/publish-as.ts';
import { bearer } from '../support/test-app.ts';

const INSTALMENTS = 'KCIC-INSTALMENTS';
const shipped = JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as Record<string, unknown> & { version: string };
const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;
type InputLike = { value: string };

describe('Premium received on the policy page (#26, real Chromium)', function () {
  this.timeout(180_000);
  const t = useBrowserApp();
  let policy: { id: string; policyNumber: string; grossPremiumFen: number };

  before(async () => {
    const definition = { ...structuredClone(shipped), code: INSTALMENTS, instalments: [{ dueOffsetDays: 0, percent: '40' }, { dueOffsetMonths: 3, percent: '30' }, { dueOffsetMonths: 6, percent: '30' }] };
    delete (definition as Record<string, unknown>).coInsurance;
    expect((await t.http.post('/v1/products').set(bearer(t.keys.insurerAdmin)).send({ definition })).status).to.equal(201);
    expect((await publishAs(t.http, t.keys, INSTALMENTS, shipped.version)).status).to.equal(200);
    const quote = (await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: INSTALMENTS, enterpriseId: t.organisations.HZZZ, inputs: structuredClone(vector.inputs), startDate: today(), enterprise: { qualifications: ['first-domestic'] } })).body as { id: string };
    policy = (await t.http.post(`/v1/quotes/${quote.id}/bind`).set(bearer(t.keys.broker))).body as typeof policy;
  });

  async function signedIn(key: string): Promise<{ page: Page; problems: string[] }> {
    const page = await t.newPage(1366);
    const problems = recordCspProblems(page);
    await t.signIn(page, key);
    return { page, problems };
  }

  async function fill(page: Page, name: string, value: string): Promise<void> {
    await page.$eval(`#payment-form input[name="${name}"]`, (el) => { (el as unknown as InputLike).value = ''; });
    await page.type(`#payment-form input[name="${name}"]`, value);
  }

  it('the underwriter records a payment through the form; a mistyped amount comes back at its field (zh-CN)', async () => {
    const { page, problems } = await signedIn(t.keys.underwriter);
    await page.goto(`${t.base}/policies/${policy.id}?lang=zh-CN`);
    expect(await page.$eval('#premium [data-amount="outstanding"]', (el) => el.textContent)).to.equal(formatYuan(policy.grossPremiumFen));
    await fill(page, 'amountYuan', '1,2a');
    await fill(page, 'reference', 'BROWSER-1');
    await Promise.all([page.waitForNavigation(), page.click('#payment-form button[type="submit"]')]);
    expect(await page.$eval('#payment-form [data-error-for="amountYuan"]', (el) => el.textContent ?? '')).to.include('金额格式不正确');
    expect(await page.$eval('#payment-form input[name="amountYuan"]', (el) => (el as unknown as InputLike).value)).to.equal('1,2a');
    expect(await page.$eval('#payment-form input[name="reference"]', (el) => (el as unknown as InputLike).value)).to.equal('BROWSER-1');
    const first = Math.round(policy.grossPremiumFen * 0.4);
    await fill(page, 'amountYuan', (first / 100).toFixed(2));
    await Promise.all([page.waitForNavigation(), page.click('#payment-form button[type="submit"]')]);
    expect(await page.$eval('#premium [data-amount="received"]', (el) => el.getAttribute('data-fen'))).to.equal(String(first));
    expect(await page.$$eval('#premium tr[data-instalment]', (rows) => rows.map((r) => r.getAttribute('data-status')))).to.deep.equal(['paid', 'unpaid', 'unpaid']);
    expect(await page.$eval('#premium tr[data-reference="BROWSER-1"]', (el) => el.textContent ?? '')).to.include('李核保');
    await t.shot(page, '26-insurer-premium-received');
    await (await page.$('#premium'))!.screenshot({ path: `${SCREENSHOTS}/26-insurer-premium-panel.png` }); // docs/images/web-26-insurer-premium-panel.png
    expect(problems).to.deep.equal([]);
  });

  it('the enterprise reads the premium and instalments in English (390 px), and submits its application once the rest is recorded', async () => {
    const { page, problems } = await signedIn(t.keys.enterprise);
    const text = await checkPageAt(page, t.base, `/policies/${policy.id}`, 'en', 390);
    expect(text).to.include('Premium received').and.include('Instalment schedule').and.include('Unpaid');
    expect(await page.$('#payment-form')).to.equal(null);
    expect(await page.$('#subsidy-awaiting-premium')).not.to.equal(null);
    await page.setViewport({ width: 1366, height: 900 });
    await t.shot(page, '26-enterprise-premium-en');
    await (await page.$('#premium'))!.screenshot({ path: `${SCREENSHOTS}/26-enterprise-premium-panel-en.png` }); // docs/images/web-26-enterprise-premium-panel-en.png
    const rest = (await t.http.get(`/v1/policies/${policy.id}/payments`).set(bearer(t.keys.insurerAdmin))).body as { premiumOutstandingFen: number };
    expect((await t.http.post(`/v1/policies/${policy.id}/payments`).set(bearer(t.keys.insurerAdmin)).send({ amountFen: rest.premiumOutstandingFen, receivedOn: today(), reference: 'BROWSER-REST' })).status).to.equal(201);
    await page.goto(`${t.base}/policies/${policy.id}`);
    expect(await page.$('#premium-full')).not.to.equal(null);
    const row = '#subsidies form[action$="/CN-FIRST-SET/status"]';
    await Promise.all([page.waitForNavigation(), page.click(`${row}.submit-form button[type="submit"]`)]);
    expect(await page.$eval('#subsidies tr[data-programme="CN-FIRST-SET"]', (tr) => tr.getAttribute('data-status'))).to.equal('submitted');
    expect(problems).to.deep.equal([]);
  });
});
