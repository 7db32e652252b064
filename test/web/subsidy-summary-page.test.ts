// Issue #27, "Summaries for departments": the department's summary page in a real headless
// Chromium — reached from the department's navigation, the table's total the API's, the period and
// programme picked, zh-CN and en, the CSV, XLSX and PDF downloads; a broker is refused.
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { formatYuan } from '../../src/web/web-forms.ts';
import { addDays } from '../../src/rating/calendar.ts';
import { useBrowserApp } from '../support/browser-app.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { payInFull } from '../support/premium.ts';
import { bearer } from '../support/test-app.ts';

const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;

describe('The department\'s summary page in headless Chromium (#27)', function () {
  this.timeout(300_000);
  const t = useBrowserApp();

  before(async () => {
    for (const enterprise of ['HZZZ', 'JNXC'] as const) {
      const quote = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: t.organisations[enterprise], inputs: structuredClone(vector.inputs), startDate: today(), enterprise: enterprise === 'HZZZ' ? { qualifications: ['first-domestic'] } : {} });
      const bound = await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(bearer(t.keys.broker));
      expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
      await payInFull(t.http, t.keys.insurerAdmin, bound.body.id as string);
      const submitted = await t.http.post(`/v1/policies/${bound.body.id}/subsidy-applications/CN-FIRST-SET/status`).set(bearer(t.keys.broker)).send({ status: 'submitted' });
      expect(submitted.status, JSON.stringify(submitted.body)).to.equal(200);
      if (enterprise === 'HZZZ') {
        const decided = await t.http.post(`/v1/subsidy-applications/${bound.body.id}-CN-FIRST-SET/decision`).set(bearer(t.keys.authority)).send({ outcome: 'granted', grantedFen: 100_000 });
        expect(decided.status, JSON.stringify(decided.body)).to.equal(201);
      }
    }
  });

  const download = (page: Page, href: string) => page.evaluate(async (url) => {
    const res = await fetch(url, { credentials: 'same-origin' });
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get('content-type'), head: String.fromCharCode(...bytes.slice(0, 5)), text: new TextDecoder().decode(bytes) };
  }, href);

  it('shows the department its summary with the API\'s totals, in Chinese and English, and downloads it', async () => {
    const api = (await t.http.get('/v1/subsidies/summary').set(bearer(t.keys.authority))).body;
    expect(api.totals).to.include({ applications: 2, granted: 1, grantedFen: 100_000, pending: 1 });
    const page = await t.newPage(1400);
    await t.signIn(page, t.keys.authority);
    await page.goto(`${t.base}/applications?lang=zh-CN`);
    await Promise.all([page.waitForNavigation(), page.click('nav a[href="/subsidy-summary"]')]);
    const table = await page.$eval('#subsidy-summary', (el) => el.textContent ?? '');
    expect(table).to.include('浙江省').and.include('山东省').and.include('首台（套）重大技术装备保险补偿（中央）');
    expect(await page.$eval('[data-amount="applied-total"]', (el) => (el.textContent ?? '').trim())).to.equal(formatYuan(api.totals.appliedFen));
    await t.shot(page, '64-subsidy-summary-zh');

    for (const [format, check] of [['csv', (r: { text: string }) => expect(r.text).to.include('合计')], ['xlsx', (r: { head: string }) => expect(r.head.slice(0, 2)).to.equal('PK')], ['pdf', (r: { head: string }) => expect(r.head).to.equal('%PDF-')]] as const) {
      const file = await download(page, await page.$eval(`#download-summary-${format}`, (el) => el.getAttribute('href') ?? ''));
      expect(file.status, format).to.equal(200);
      check(file as never);
    }

    // A period before today: nothing submitted then.
    await page.$eval('#from', (el, v) => { (el as unknown as { value: string }).value = v; }, addDays(today(), -30));
    await page.$eval('#to', (el, v) => { (el as unknown as { value: string }).value = v; }, addDays(today(), -1));
    await Promise.all([page.waitForNavigation(), page.click('#summary-period button[type="submit"]')]);
    expect(await page.$('#subsidy-summary')).to.equal(null);
    expect(await page.$eval('main', (el) => el.textContent ?? '')).to.include('本期没有提交的申请');

    await page.goto(`${t.base}/subsidy-summary?lang=en`);
    const english = await page.$eval('main', (el) => el.textContent ?? '');
    expect(english).to.include('Subsidy applications: summary').and.include('Zhejiang').and.include('Shandong').and.include('Applied for');
    expect(english).to.not.include('浙江省');
    await t.shot(page, '65-subsidy-summary-en');
    await page.close();
  });

  it('refuses a broker', async () => {
    const page = await t.newPage(1200);
    await t.signIn(page, t.keys.broker);
    const res = await page.goto(`${t.base}/subsidy-summary`);
    expect(res?.status()).to.equal(403);
    await page.close();
  });
});
