// Issue #28, brokers' client directory in real Chromium: /clients lists the firm's clients (the
// same as GET /v1/clients and the quote form's picker), searches by name or credit code, adds an
// enterprise by credit code (a new one needs its name, asked for at its field, input kept), and
// opens one client's quotes, policies and subsidy year (programme names, not codes).
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { useBrowserApp } from '../support/browser-app.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { checkPageAt, PAGE_NAMES } from '../support/page-language.ts';
import { bearer } from '../support/test-app.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;
const NEW_CODE = '91330108MA2K0X7Y4B';
const NEW_NAME = '杭州云栖精密仪器有限公司';

declare const document: { body: { innerText: string } };
type InputLike = { value: string };

describe('Brokers’ client directory (issue #28, real Chromium)', function () {
  this.timeout(180_000);
  const t = useBrowserApp();
  let quote: { id: string; quoteNumber: string };
  let policy: { id: string; policyNumber: string };

  before(async () => {
    quote = (await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: vector.inputs, startDate: today() })).body as typeof quote;
    policy = (await t.http.post(`/v1/quotes/${quote.id}/bind`).set(bearer(t.keys.broker))).body as typeof policy;
  });

  async function broker(): Promise<Page> {
    const page = await t.newPage(1366);
    await t.signIn(page, t.keys.broker);
    return page;
  }
  const bodyText = (page: Page) => page.evaluate(() => document.body.innerText);
  const names = (page: Page) => page.$$eval('#client-list tbody th a', (links) => links.map((a) => (a.textContent ?? '').trim()));

  it('lists the firm’s clients as GET /v1/clients does, and searches by credit code', async () => {
    const page = await broker();
    await Promise.all([page.waitForNavigation(), page.click('nav a[href="/clients"]')]);
    const api = (await t.http.get('/v1/clients').set(bearer(t.keys.broker))).body as { items: { enterprise: { name: string } }[] };
    expect(await names(page)).to.deep.equal(api.items.map((c) => c.enterprise.name));
    await page.type('#f-q', '91370102MA3C8N5R2L');
    await Promise.all([page.waitForNavigation(), page.click('#client-search button')]);
    expect(await names(page)).to.deep.equal(['济南新材科技有限公司']);
    await t.shot(page, '28-broker-clients-search');
  });

  it('adds a new enterprise by credit code: the missing name is marked at its field with the input kept, then it is added and quotable', async () => {
    const page = await broker();
    await page.goto(`${t.base}/clients`);
    await page.type('#f-unifiedSocialCreditCode', NEW_CODE);
    await page.type('#f-regionCode', '330108');
    await Promise.all([page.waitForNavigation(), page.click('#add-client-button')]);
    expect(await page.$eval('[data-field="name"] .field-error', (el) => (el.textContent ?? '').trim())).to.include('请填写中文名称');
    expect(await page.$eval('#f-unifiedSocialCreditCode', (el) => (el as unknown as InputLike).value)).to.equal(NEW_CODE);
    expect(await page.$eval('#f-regionCode', (el) => (el as unknown as InputLike).value)).to.equal('330108');

    await page.type('#f-name', NEW_NAME);
    await Promise.all([page.waitForNavigation(), page.click('#add-client-button')]);
    expect(await page.$eval('#client-notice', (el) => el.textContent ?? '')).to.include(NEW_NAME);
    expect(await names(page)).to.include(NEW_NAME);
    // The quote form's picker offers it, as GET /v1/clients does.
    await page.goto(`${t.base}/catalogue/${PRODUCT}/quote`);
    const options = await page.$$eval('#f-enterpriseId option', (os) => os.map((o) => o.textContent ?? ''));
    expect(options.some((o) => o.includes(NEW_NAME))).to.equal(true);
    const api = (await t.http.get('/v1/clients').set(bearer(t.keys.broker))).body as { items: unknown[] };
    expect(options.length - 1).to.equal(api.items.length);

    // A mistyped credit code is marked at its field, in English on an English page.
    await page.goto(`${t.base}/clients?lang=en`);
    await page.type('#f-unifiedSocialCreditCode', 'abc');
    await page.$eval('#f-unifiedSocialCreditCode', (el) => (el as unknown as { removeAttribute(n: string): void }).removeAttribute('required'));
    await Promise.all([page.waitForNavigation(), page.click('#add-client-button')]);
    expect(await page.$eval('[data-field="unifiedSocialCreditCode"] .field-error', (el) => el.textContent ?? '')).to.include('18-character');
    await page.goto(`${t.base}/clients?lang=zh-CN`);
  });

  it('opens a client with its quotes, policies and subsidy year by programme name', async () => {
    const page = await broker();
    await page.goto(`${t.base}/clients`);
    await Promise.all([page.waitForNavigation(), page.click(`#client-list a[href="/clients/${t.organisations.HZZZ}"]`)]);
    expect(await page.$eval('#client-quotes', (el) => el.textContent ?? '')).to.include(quote.quoteNumber);
    expect(await page.$eval('#client-policies', (el) => el.textContent ?? '')).to.include(policy.policyNumber);
    const subsidies = await page.$eval('#client-subsidies', (el) => el.textContent ?? '');
    expect(subsidies).not.to.match(/CN-[A-Z]/);
    expect(subsidies).to.match(/首台（套）/);
    await t.shot(page, '28-broker-client');
    // Another enterprise (not a client) is not found; an enterprise's own key cannot open the directory.
    await page.goto(`${t.base}/clients/${t.organisations.KCIC}`);
    expect(await bodyText(page)).to.include('未找到');
  });

  it('the directory and a client in zh-CN and en, at 1366 and 390 px: one language, no overflow', async () => {
    const page = await broker();
    const allowed = [...PAGE_NAMES, NEW_NAME, '浙江杭州', '山东济南'];
    for (const url of ['/clients', `/clients/${t.organisations.HZZZ}`, '/quotes']) {
      for (const lang of ['zh-CN', 'en'] as const) for (const width of [1366, 390]) await checkPageAt(page, t.base, url, lang, width, allowed);
    }
    await page.setViewport({ width: 1366, height: 900 });
    await page.goto(`${t.base}/clients?lang=zh-CN`);
    await t.shot(page, '28-broker-clients');
    await page.goto(`${t.base}/clients?lang=en`);
    await t.shot(page, '28-broker-clients-en');
    await page.setViewport({ width: 390, height: 844 });
    await page.goto(`${t.base}/clients/${t.organisations.HZZZ}?lang=zh-CN`);
    await t.shot(page, '28-broker-client-390');
  });
});
