// Issue #27: the insurer's tech-insurance report page in a real headless Chromium — reached from
// the navigation, the period picked, the table's total the API's, zh-CN and en, the XLSX and PDF
// downloads; a pool follower sees only its own share; a broker is refused.
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { formatYuan } from '../../src/web/web-forms.ts';
import { useBrowserApp } from '../support/browser-app.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer } from '../support/test-app.ts';

const vectorOf = (file: string) => shippedVectors(file).find((v) => v.expected.decision === 'quoted' && !v.picks)!;
const half = (date: string) => `${date.slice(0, 4)}H${date.slice(5, 7) <= '06' ? 1 : 2}`;

describe('The insurer\'s tech-insurance report page in headless Chromium (#27)', function () {
  this.timeout(300_000);
  const t = useBrowserApp();

  before(async () => {
    for (const [productCode, file, enterprise] of [['FIRST-SET-EQUIPMENT', 'first-set-equipment.json', 'HZZZ'], ['RD-EQUIPMENT-PROPERTY', 'rd-equipment-property.json', 'JNXC'], ['RD-EQUIPMENT-PROPERTY', 'rd-equipment-property.json', 'HZZZ']] as const) {
      const quote = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode, enterpriseId: t.organisations[enterprise], inputs: vectorOf(file).inputs, startDate: today() });
      expect((await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(bearer(t.keys.broker))).status).to.equal(201);
    }
  });

  async function signedIn(key: string): Promise<Page> {
    const page = await t.newPage(1400);
    await t.signIn(page, key);
    return page;
  }

  const download = (page: Page, href: string) => page.evaluate(async (url) => {
    const res = await fetch(url, { credentials: 'same-origin' });
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), head: String.fromCharCode(...bytes.slice(0, 5)), size: bytes.length };
  }, href);

  it('shows the lead its report for the period picked, with the API\'s totals, in Chinese and English, and downloads it', async () => {
    const period = half(today());
    const api = (await t.http.get(`/v1/reports/tech-insurance?period=${period}`).set(bearer(t.keys.insurerAdmin))).body;
    const page = await signedIn(t.keys.insurerAdmin);
    await page.goto(`${t.base}/catalogue?lang=zh-CN`);
    await Promise.all([page.waitForNavigation(), page.click('nav a[href="/reports/tech-insurance"]')]);
    expect(await page.$eval('#period', (el) => (el as unknown as { value: string }).value)).to.equal(period);
    const table = await page.$eval('#tech-insurance-report', (el) => el.textContent ?? '');
    expect(table).to.include('浙江省').and.include('山东省').and.include('共保业务（本方份额）').and.include('独家承保').and.include('重点研发设备财产保险');
    expect(await page.$eval('[data-amount="gross-total"]', (el) => (el.textContent ?? '').trim())).to.equal(formatYuan(api.totals.grossPremiumFen));
    expect(await page.$eval('main', (el) => el.textContent ?? '')).to.not.include('退保与赔款数据尚未记录'); // refunds and claims are read from the policies' records (#26)
    await t.shot(page, '60-tech-insurance-report-zh');

    // Another period: the whole year (the same policies, as they were all issued this half).
    await page.select('#period', period.slice(0, 4));
    await Promise.all([page.waitForNavigation(), page.click('#report-period button[type="submit"]')]);
    expect(page.url()).to.include(`period=${period.slice(0, 4)}`);
    expect(await page.$eval('[data-amount="gross-total"]', (el) => (el.textContent ?? '').trim())).to.equal(formatYuan(api.totals.grossPremiumFen));

    const xlsx = await download(page, await page.$eval('#download-report-xlsx', (el) => el.getAttribute('href') ?? ''));
    expect(xlsx.status).to.equal(200);
    expect(xlsx.type).to.match(/spreadsheetml/);
    expect(xlsx.disposition).to.include(`tech-insurance-report-KCIC-${period.slice(0, 4)}.xlsx`);
    expect(xlsx.head.slice(0, 2)).to.equal('PK');
    const pdf = await download(page, await page.$eval('#download-report-pdf', (el) => el.getAttribute('href') ?? ''));
    expect(pdf.status).to.equal(200);
    expect(pdf.head).to.equal('%PDF-');

    await page.goto(`${t.base}/reports/tech-insurance?period=${period}&lang=en`);
    const english = await page.$eval('main', (el) => el.textContent ?? '');
    expect(english).to.include('Tech insurance report').and.include('Zhejiang').and.include('Own share of pool business').and.include('Sole business').and.include('Gross premium written');
    expect(english).to.not.include('浙江省');
    await t.shot(page, '61-tech-insurance-report-en');
  });

  it('shows a pool follower its own share only, and refuses a broker', async () => {
    const period = half(today());
    const api = (await t.http.get(`/v1/reports/tech-insurance?period=${period}`).set(bearer(t.keys.otherInsurerAdmin))).body;
    const page = await signedIn(t.keys.otherInsurerAdmin);
    await page.goto(`${t.base}/reports/tech-insurance?lang=zh-CN`);
    const table = await page.$eval('#tech-insurance-report', (el) => el.textContent ?? '');
    expect(table).to.include('共保业务（本方份额）').and.not.include('独家承保');
    expect(await page.$eval('[data-amount="gross-total"]', (el) => (el.textContent ?? '').trim())).to.equal(formatYuan(api.totals.grossPremiumFen));
    const broker = await signedIn(t.keys.broker);
    expect(await broker.$$('nav a[href="/reports/tech-insurance"]')).to.have.length(0);
    const refused = await broker.goto(`${t.base}/reports/tech-insurance`);
    expect(refused?.status()).to.equal(403);
  });

  it('lets a platform admin pick the insurer, then shows that insurer\'s report', async () => {
    const period = half(today());
    const api = (await t.http.get(`/v1/reports/tech-insurance?period=${period}&insurer=ZXIC`).set(bearer(t.keys.platformAdmin))).body;
    const page = await signedIn(t.keys.platformAdmin);
    await page.goto(`${t.base}/reports/tech-insurance?lang=zh-CN`);
    expect(await page.$('#tech-insurance-report')).to.equal(null);
    const options = await page.$$eval('#insurer option', (els) => els.map((el) => el.textContent ?? ''));
    expect(options).to.include('中鑫科技保险股份有限公司（演示）');
    await page.select('#insurer', 'ZXIC');
    await Promise.all([page.waitForNavigation(), page.click('#report-period button[type="submit"]')]);
    expect(await page.$eval('main', (el) => el.textContent ?? '')).to.include('中鑫科技保险股份有限公司（演示）');
    expect(await page.$eval('[data-amount="gross-total"]', (el) => (el.textContent ?? '').trim())).to.equal(formatYuan(api.totals.grossPremiumFen));
  });
});

