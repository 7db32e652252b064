// Issue #28, the broker's quote and policy pages in real Chromium: English pages name the
// enterprise in English and say amounts one way; the cover shows the beneficiary the broker typed
// (as the PDF prints it); a declined quote shows no premium, pool shares or own liability; the
// quote list keeps quote numbers whole at 390 px.
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { useBrowserApp } from '../support/browser-app.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { checkPageAt } from '../support/page-language.ts';
import { bearer } from '../support/test-app.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;
const BENEFICIARY = '杭州地铁集团有限公司';
// Entered data may be in either script: the equipment the broker typed and the beneficiary.
const ENTERED = ['中文', '张经纪', '李核保', '孙共保', '赵产品', '土压平衡盾构机', '盾构机', BENEFICIARY];

declare const document: { body: { innerText: string }; querySelectorAll(selector: string): ArrayLike<{ getBoundingClientRect(): { height: number }; textContent: string | null }> };

describe('Brokers’ quote and policy pages (issue #28, real Chromium)', function () {
  this.timeout(180_000);
  const t = useBrowserApp();
  let quote: { id: string; quoteNumber: string };
  let policy: { id: string };
  let declined: { id: string };

  before(async () => {
    quote = (await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: { ...vector.inputs, beneficiaryName: BENEFICIARY }, startDate: today() })).body as typeof quote;
    policy = (await t.http.post(`/v1/quotes/${quote.id}/bind`).set(bearer(t.keys.broker))).body as typeof policy;
    const referred = { ...vector.inputs, aggregateLimit: Number(vector.inputs.contractAmount) / 2 };
    declined = (await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: referred, startDate: today() })).body as typeof declined;
    expect((await t.http.post(`/v1/quotes/${declined.id}/decline`).set(bearer(t.keys.underwriter)).send({ reason: '累计限额不足，不予承保' })).status).to.equal(200);
  });

  async function signedIn(key: string): Promise<Page> {
    const page = await t.newPage(1366);
    await t.signIn(page, key);
    return page;
  }
  const mainText = (page: Page) => page.$eval('main', (el) => (el as unknown as { innerText: string }).innerText);

  it('the cover names the beneficiary the broker typed', async () => {
    const page = await signedIn(t.keys.broker);
    await page.goto(`${t.base}/quotes/${quote.id}?lang=zh-CN`);
    const cover = await page.$eval('.cover', (el) => el.textContent ?? '');
    expect(cover).to.include(BENEFICIARY).and.not.include('装备用户');
  });

  it('English pages: the enterprise by its English name, amounts said one way, no Chinese but entered data', async () => {
    const page = await signedIn(t.keys.broker);
    for (const url of [`/quotes/${quote.id}`, `/policies/${policy.id}`, '/quotes', '/policies']) {
      const text = await checkPageAt(page, t.base, url, 'en', 1366, [...ENTERED, '累计限额不足，不予承保']);
      expect(text, url).not.to.include('10k yuan');
      if (url.startsWith('/quotes/') || url.startsWith('/policies/')) expect(text, url).to.include('Hangzhou Smart Equipment Co., Ltd.');
    }
  });

  it('a declined quote shows no premium, no pool shares, no own liability; the list shows no premium for it', async () => {
    for (const key of [t.keys.broker, t.keys.otherInsurerAdmin]) {
      const page = await signedIn(key);
      await page.goto(`${t.base}/quotes/${declined.id}?lang=zh-CN`);
      const text = await mainText(page);
      expect(await page.$('[data-amount="gross"]')).to.equal(null);
      expect(await page.$('#my-share')).to.equal(null);
      expect(text).not.to.include('本方承担限额').and.not.include('共保').and.not.include('保费（含增值税）');
      expect(text).to.include('已拒保');
      await page.goto(`${t.base}/quotes?lang=zh-CN`);
      const row = await page.$eval(`a[href="/quotes/${declined.id}"]`, (a) => (a.closest('tr')?.textContent ?? ''));
      expect(row).not.to.match(/¥/);
    }
  });

  it('at 390 px the quote list keeps each quote number on one line', async () => {
    const page = await signedIn(t.keys.broker);
    for (const lang of ['zh-CN', 'en'] as const) await checkPageAt(page, t.base, '/quotes', lang, 390, [...ENTERED, '杭州智造装备有限公司']);
    const heights = await page.evaluate(() => Array.from(document.querySelectorAll('table.list tbody th a')).map((a) => a.getBoundingClientRect().height));
    expect(heights.length).to.be.greaterThan(0);
    expect(Math.max(...heights)).to.be.below(30);
    await t.shot(page, '28-broker-quotes-390');
  });
});
