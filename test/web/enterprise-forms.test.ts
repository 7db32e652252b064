// Issue #28, enterprises in real Chromium: a mistyped grant amount comes back with the error at
// the amount's field and the input kept (zh-CN and en) — since #27 on the decision form of the
// department that grants it, the enterprise no longer records outcomes — and the subsidy year
// names its programmes (English names on English pages) and reads at 390 px.
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { useBrowserApp } from '../support/browser-app.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { payInFull } from '../support/premium.ts';
import { checkPageAt } from '../support/page-language.ts';
import { bearer } from '../support/test-app.ts';

const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;
type InputLike = { value: string; removeAttribute(name: string): void };

describe('Enterprises’ forms and subsidy year (issue #28, real Chromium)', function () {
  this.timeout(180_000);
  const t = useBrowserApp();
  let policy: { id: string; policyNumber: string };

  before(async () => {
    const quote = (await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: t.organisations.HZZZ, inputs: vector.inputs, startDate: today(), enterprise: { qualifications: ['first-domestic'] } })).body as { id: string };
    policy = (await t.http.post(`/v1/quotes/${quote.id}/bind`).set(bearer(t.keys.broker))).body as typeof policy;
    await payInFull(t.http, t.keys.insurerAdmin, policy.id); // submitted on premium received in full (#26)
    const submitted = await t.http.post(`/v1/policies/${policy.id}/subsidy-applications/CN-FIRST-SET/status`).set(bearer(t.keys.enterprise)).send({ status: 'submitted' });
    expect(submitted.status, JSON.stringify(submitted.body)).to.be.within(200, 201);
  });

  async function department(): Promise<Page> {
    const page = await t.newPage(1366);
    await t.signIn(page, t.keys.authority);
    return page;
  }
  async function enterprise(): Promise<Page> {
    const page = await t.newPage(1366);
    await t.signIn(page, t.keys.enterprise);
    return page;
  }
  const form = '#grant-form';

  async function sendGrant(page: Page, amount: string): Promise<void> {
    await page.$eval(`${form} input[name="grantedYuan"]`, (el) => { const input = el as unknown as InputLike; input.removeAttribute('pattern'); input.value = ''; });
    await page.type(`${form} input[name="grantedYuan"]`, amount);
    await Promise.all([page.waitForNavigation(), page.click(`${form} button[type="submit"]`)]);
  }

  for (const lang of ['zh-CN', 'en'] as const) {
    it(`${lang}: a mistyped grant amount is marked at its field and the input kept; more than applied for says so`, async () => {
      const page = await department();
      await page.goto(`${t.base}/applications/${policy.id}-CN-FIRST-SET?lang=${lang}`);
      await sendGrant(page, '12345.678');
      expect(await page.$eval('#policy-number', (el) => el.textContent)).to.equal(policy.policyNumber);
      expect(await page.$eval(`${form} input[name="grantedYuan"]`, (el) => (el as unknown as InputLike).value)).to.equal('12345.678');
      expect(await page.$eval(`${form} input[name="grantedYuan"]`, (el) => el.getAttribute('aria-invalid'))).to.equal('true');
      const error = await page.$eval(`${form} [data-error-for="grantedYuan"]`, (el) => el.textContent ?? '');
      expect(error).to.include(lang === 'en' ? 'The amount is not valid' : '金额格式不正确');
      await t.shot(page, `28-enterprise-grant-error-${lang}`);

      await sendGrant(page, '99999999.00');
      expect(await page.$eval(`${form} input[name="grantedYuan"]`, (el) => (el as unknown as InputLike).value)).to.equal('99999999.00');
      expect(await page.$eval(`${form} [data-error-for="grantedYuan"]`, (el) => el.textContent ?? '')).to.include(lang === 'en' ? 'cannot exceed the' : '不能超过申请金额');
      // The language switch of the page that came back opens the application, not the form's target.
      expect(await page.$eval('[data-lang-switch]', (el) => el.getAttribute('href') ?? '')).to.match(new RegExp(`^/applications/${policy.id}-CN-FIRST-SET\\?lang=`));
    });
  }

  it('the subsidy year names its programmes in the reader’s language and reads at 390 px', async () => {
    const page = await enterprise();
    const zh = await checkPageAt(page, t.base, '/subsidies', 'zh-CN', 1366);
    expect(zh).not.to.match(/CN-FIRST-SET|ZJ-FIRST-SET/);
    expect(zh).to.include('首台（套）重大技术装备保险补偿（中央）');
    const en = await checkPageAt(page, t.base, '/subsidies', 'en', 1366);
    expect(en).not.to.match(/CN-FIRST-SET|ZJ-FIRST-SET/);
    await t.shot(page, '28-enterprise-subsidy-year-en');
    for (const lang of ['zh-CN', 'en'] as const) await checkPageAt(page, t.base, '/subsidies', lang, 390);
    // Readable at 390 px: each programme row is one block per cell (no column narrower than a word).
    const narrowest = await page.$$eval('table.subsidy-year td, table.subsidy-year th', (cells) => Math.min(...cells.map((c) => (c as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width).filter((w) => w > 0)));
    expect(narrowest).to.be.at.least(200);
    await t.shot(page, '28-enterprise-subsidy-year-390');
  });
});
