// Issue #26, endorsements on the policy page in real Chromium: the broker previews a change (names,
// money with its unit), sees a refused date at its field in the page's language, confirms, and the
// enterprise sees the endorsement listed with its 批单 links, and no form.
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { useBrowserApp } from '../support/browser-app.ts';
import { today } from '../support/china-date.ts';
import { addDays } from '../../src/rating/calendar.ts';
import { bearer } from '../support/test-app.ts';

type InputLike = { value: string };

describe('Endorsements on the policy page (issue #26, real Chromium)', function () {
  this.timeout(180_000);
  const t = useBrowserApp();
  let policy: { id: string; policyNumber: string; startDate: string; endDate: string };

  before(async () => {
    const quote = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({
      productCode: 'RD-EQUIPMENT-PROPERTY', enterpriseId: t.organisations.HZZZ, startDate: today(),
      inputs: { equipmentName: '透射电子显微镜', replacementValue: 900, perEventLimit: 100 }, enterprise: { qualifications: ['provincial-tech-insurance-pilot'] },
    });
    expect(quote.status, JSON.stringify(quote.body)).to.equal(201);
    policy = (await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(bearer(t.keys.broker))).body as typeof policy;
  });

  async function fill(page: Page, values: Record<string, string>): Promise<void> {
    for (const [name, value] of Object.entries(values)) {
      await page.$eval(`#endorse-form [name="${name}"]`, (el, v) => { (el as unknown as InputLike).value = v as string; }, value);
    }
  }

  for (const lang of ['zh-CN', 'en'] as const) {
    it(`${lang}: the broker previews (a date outside the period refused at its field), then confirms`, async () => {
      const page = await t.newPage(1366);
      await t.signIn(page, t.keys.broker);
      await page.goto(`${t.base}/policies/${policy.id}?lang=${lang}`);
      await fill(page, { in_replacementValue: lang === 'en' ? '1200' : '1050', effectiveDate: addDays(policy.endDate, 1), reason: '增加设备' });
      await Promise.all([page.waitForNavigation(), page.click('#endorse-preview-button')]);
      const dateError = await page.$eval('[data-error-for="effectiveDate"]', (el) => el.textContent ?? '');
      expect(dateError.length).to.be.above(0);
      expect(await page.$eval('#endorse-form [name="in_replacementValue"]', (el) => (el as unknown as InputLike).value)).to.equal(lang === 'en' ? '1200' : '1050');
      await fill(page, { effectiveDate: addDays(policy.startDate, 100) });
      await Promise.all([page.waitForNavigation(), page.click('#endorse-preview-button')]);
      const preview = await page.$eval('#endorse-preview', (el) => el.textContent ?? '');
      expect(preview).to.include(lang === 'en' ? 'Charged ¥' : '加收 ¥');
      expect(preview).to.include(lang === 'en' ? 'Tech insurance subsidy' : '科技保险保费补贴');
      await t.shot(page, `26-endorsement-preview-${lang}`);
      await Promise.all([page.waitForNavigation(), page.click('#endorse-confirm-button')]);
      const rows = await page.$$eval('#endorsements tr[data-number]', (els) => els.map((el) => el.getAttribute('data-number')));
      expect(rows.at(-1)).to.equal(`${policy.policyNumber}-E0${lang === 'en' ? 2 : 1}`);
    });
  }

  it('the enterprise sees the endorsements and their 批单 links, and no form', async () => {
    const page = await t.newPage(390);
    await t.signIn(page, t.keys.enterprise);
    await page.goto(`${t.base}/policies/${policy.id}?lang=zh-CN`);
    expect(await page.$$eval('#endorsements tr[data-number]', (els) => els.length)).to.equal(2);
    expect(await page.$('#endorse-form')).to.equal(null);
    const href = await page.$eval('#endorsements a.download-endorsement', (el) => el.getAttribute('href') ?? '');
    expect(href).to.equal(`/policies/${policy.id}/endorsements/1/pdf?pdfLang=zh-CN`);
    const pdf = await t.http.get(`/v1/policies/${policy.id}/endorsements/1/pdf`).set(bearer(t.keys.enterprise));
    expect(pdf.status).to.equal(200);
    await t.shot(page, '26-endorsements-enterprise-390');
  });
});
