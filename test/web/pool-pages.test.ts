// A pool follower's pages in a real headless Chromium: the pool page with its share of each
// policy, the policy page with its share, and the statement downloads (CSV and PDF).
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { formatYuan } from '../../src/web/web-forms.ts';
import { useBrowserApp } from '../support/browser-app.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer } from '../support/test-app.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT'; // KCIC lead 40%, HTIC 30%, ZXIC 30%
const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;

describe('Pool pages in headless Chromium', function () {
  this.timeout(180_000);
  const t = useBrowserApp();

  async function signedIn(key: string): Promise<Page> {
    const page = await t.newPage();
    await t.signIn(page, key);
    return page;
  }

  const download = (page: Page, href: string) => page.evaluate(async (url) => {
    const res = await fetch(url, { credentials: 'same-origin' });
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), text: new TextDecoder().decode(bytes), head: String.fromCharCode(...bytes.slice(0, 5)), size: bytes.length };
  }, href);

  it('shows a follower its pool business with its share, and downloads its statement', async () => {
    const policy = await (async () => {
      const quote = (await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: vector.inputs, startDate: today() })).body as { id: string };
      return (await t.http.post(`/v1/quotes/${quote.id}/bind`).set(bearer(t.keys.broker))).body as { id: string; policyNumber: string; poolShares: { insurer: string; grossPremiumFen: number }[] };
    })();
    const htic = policy.poolShares.find((s) => s.insurer === 'HTIC')!;

    const page = await signedIn(t.keys.otherInsurerAdmin);
    await Promise.all([page.waitForNavigation(), page.click('nav a[href="/pools"]')]);
    const table = await page.$eval('#pool-business', (el) => el.textContent ?? '');
    expect(table).to.include(policy.policyNumber).and.include(formatYuan(htic.grossPremiumFen));
    expect(await page.$eval('main', (el) => el.textContent ?? '')).to.include('科创财产保险股份有限公司（演示）').and.include('中鑫科技保险股份有限公司（演示）');
    await t.shot(page, '20-follower-pool-page');

    const csvHref = await page.$eval('#download-statement-csv', (el) => el.getAttribute('href') ?? '');
    const csv = await download(page, csvHref);
    expect(csv.status).to.equal(200);
    expect(csv.type).to.match(/^text\/csv/);
    expect(csv.disposition).to.match(/filename="pool-statement-HTIC-/);
    expect(csv.text).to.include(policy.policyNumber).and.include((htic.grossPremiumFen / 100).toFixed(2));
    const pdf = await download(page, await page.$eval('#download-statement-pdf', (el) => el.getAttribute('href') ?? ''));
    expect(pdf.status, pdf.text.slice(0, 200)).to.equal(200);
    expect(pdf.head).to.equal('%PDF-');

    // The policy page shows the follower's share, read-only.
    await page.goto(`${t.base}/policies/${policy.id}`);
    expect(await page.$eval('[data-amount="my-gross"]', (el) => (el.textContent ?? '').trim())).to.equal(formatYuan(htic.grossPremiumFen));
    await t.shot(page, '21-follower-policy-share');
  });
});
