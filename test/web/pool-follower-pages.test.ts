// Issue #28, pool followers in real Chromium: the quote and policy links of a follower open the
// pages (not "not found"), the pool page links each policy, a follower's insurer with no products
// sees no underwriting or product pages in its navigation, and the statement names products,
// lines and members in the reader's language.
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { useBrowserApp } from '../support/browser-app.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { checkPageAt } from '../support/page-language.ts';
import { bearer } from '../support/test-app.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT'; // KCIC lead 40%, HTIC 30%, ZXIC 30%
const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;

declare const document: { body: { innerText: string } };

describe('Pool followers’ pages (issue #28, real Chromium)', function () {
  this.timeout(180_000);
  const t = useBrowserApp();
  let policy: { id: string; quoteId: string; quoteNumber: string; policyNumber: string };

  before(async () => {
    const quote = (await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: vector.inputs, startDate: today() })).body as { id: string };
    policy = (await t.http.post(`/v1/quotes/${quote.id}/bind`).set(bearer(t.keys.broker))).body as typeof policy;
  });

  async function signedIn(key: string): Promise<Page> {
    const page = await t.newPage();
    await t.signIn(page, key);
    return page;
  }
  const bodyText = (page: Page) => page.evaluate(() => document.body.innerText);

  const download = (page: Page, href: string) => page.evaluate(async (url) => {
    const res = await fetch(url, { credentials: 'same-origin' });
    return { status: res.status, text: await res.text() };
  }, href);

  for (const who of ['otherInsurerAdmin', 'poolInsurerAdmin'] as const) {
    it(`${who}: the quote links of /quotes and of the policy page open the quote; /pools links the policy`, async () => {
      const page = await signedIn(t.keys[who]);
      await page.goto(`${t.base}/quotes`);
      const link = await page.$(`a[href="/quotes/${policy.quoteId}"]`);
      expect(link, 'the quote is listed with its link').not.to.equal(null);
      await Promise.all([page.waitForNavigation(), link!.click()]);
      expect(await page.title()).to.include(policy.quoteNumber);
      expect(await bodyText(page)).not.to.include('未找到');

      await page.goto(`${t.base}/policies/${policy.id}`);
      await Promise.all([page.waitForNavigation(), page.click(`a[href="/quotes/${policy.quoteId}"]`)]);
      expect(await page.title()).to.include(policy.quoteNumber);

      await page.goto(`${t.base}/pools`);
      await Promise.all([page.waitForNavigation(), page.click(`#pool-business a[href="/policies/${policy.id}"]`)]);
      expect(await page.title()).to.include(policy.policyNumber);
    });
  }

  it('a follower whose insurer has no products sees neither 待核保 nor 产品管理; the lead still does', async () => {
    const follower = await signedIn(t.keys.otherInsurerAdmin);
    await follower.goto(`${t.base}/pools`);
    const nav = await follower.$$eval('nav a', (links) => links.map((a) => a.getAttribute('href')));
    expect(nav).to.include('/pools').and.not.include('/referrals').and.not.include('/products');
    const lead = await signedIn(t.keys.insurerAdmin);
    await lead.goto(`${t.base}/pools`);
    expect(await lead.$$eval('nav a', (links) => links.map((a) => a.getAttribute('href')))).to.include('/referrals').and.include('/products');
  });

  it('the statement CSV names the line and product; the English statement names members in English with English role words', async () => {
    const page = await signedIn(t.keys.otherInsurerAdmin);
    await page.goto(`${t.base}/pools`);
    const zh = await download(page, await page.$eval('#download-statement-csv', (el) => el.getAttribute('href') ?? ''));
    expect(zh.status).to.equal(200);
    const row = zh.text.split('\n').find((l) => l.startsWith(policy.policyNumber))!;
    expect(row).to.include('首台（套）重大技术装备保险').and.include('跟随');
    expect(zh.text).not.to.include('first-set-equipment').and.not.to.include(PRODUCT);

    await page.goto(`${t.base}/pools?lang=en`);
    const en = await download(page, await page.$eval('#download-statement-csv', (el) => el.getAttribute('href') ?? ''));
    expect(en.text).to.include('Pool member: Hengtai Technology Insurance (demo)').and.include('Kechuang Property & Casualty (demo)').and.include('First-set major equipment');
    // The insured enterprise by its English name too: nothing is Chinese.
    expect(en.text.match(/[\u3400-\u9fff]+/g) ?? [], en.text).to.deep.equal([]);
    expect(en.text).to.include('Hangzhou Smart Equipment Co., Ltd.');
    expect(en.text).not.to.include('follower').and.not.include('：');
    expect(en.text).to.include('Follower');
  });

  it('/pools, the policy and the quote pages of a follower: one language, no overflow, at 1366 and 390 px', async () => {
    const page = await signedIn(t.keys.otherInsurerAdmin);
    for (const url of ['/pools', `/policies/${policy.id}`, `/quotes/${policy.quoteId}`, '/quotes']) {
      for (const lang of ['zh-CN', 'en'] as const) for (const width of [1366, 390]) await checkPageAt(page, t.base, url, lang, width);
    }
    await page.setViewport({ width: 1366, height: 900 });
    await page.goto(`${t.base}/pools?lang=en`);
    await t.shot(page, '28-follower-pools-en');
  });
});
