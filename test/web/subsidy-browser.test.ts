// The subsidy panel of the enterprise's policy page in a real headless Chromium: download an
// application, record its submission through the form, see the department's grant (#27), read the subsidy year.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { yuanDigits as pdfYuan } from '../../src/documents/document-format.ts';
import { extractPdfText } from '../../src/documents/pdf-inspect.ts';
import { formatYuan } from '../../src/web/web-forms.ts';
import { recordCspProblems, SCREENSHOTS, useBrowserApp } from '../support/browser-app.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { payInFull } from '../support/premium.ts';
import { bearer } from '../support/test-app.ts';

declare const document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null };

const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;

describe('Subsidy applications in headless Chromium', function () {
  this.timeout(120_000);
  const t = useBrowserApp();

  async function signIn(key: string): Promise<{ page: Page; problems: string[] }> {
    const page = await t.newPage();
    const problems = recordCspProblems(page);
    await t.signIn(page, key);
    return { page, problems };
  }

  const shot = t.shot;

  it('enterprise: downloads an application from its policy page, submits it, and sees the department\'s grant', async () => {
    const quote = (await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: t.organisations.HZZZ, inputs: vector.inputs, startDate: today(), enterprise: { qualifications: ['first-domestic'] } })).body as { id: string };
    const policy = (await t.http.post(`/v1/quotes/${quote.id}/bind`).set(bearer(t.keys.broker))).body as { id: string; policyNumber: string; subsidies: { programme: string; amountFen: number }[] };
    const central = policy.subsidies.find((s) => s.programme === 'CN-FIRST-SET')!;
    await payInFull(t.http, t.keys.insurerAdmin, policy.id); // the submit form shows once the premium is received in full (#26)

    const { page, problems } = await signIn(t.keys.enterprise);
    await page.goto(`${t.base}/policies/${policy.id}`);
    const rows = await page.$$eval('#subsidies tr[data-programme]', (trs) => trs.map((tr) => [tr.getAttribute('data-programme'), tr.getAttribute('data-status')]));
    expect(rows).to.deep.equal([['CN-FIRST-SET', 'prepared'], ['ZJ-FIRST-SET', 'prepared']]);
    expect(await page.$eval('#subsidies tr[data-programme="CN-FIRST-SET"] td[data-fen]', (td) => td.textContent)).to.equal(formatYuan(central.amountFen));
    await shot(page, '30-enterprise-policy-subsidies');

    // The download link the page shows answers the application PDF for this session.
    const href = await page.evaluate(() => document.querySelector('#subsidies tr[data-programme="CN-FIRST-SET"] a.download-application')!.getAttribute('href'));
    const pdf = await page.evaluate(async (url) => {
      const res = await fetch(url!, { credentials: 'same-origin' });
      const bytes = new Uint8Array(await res.arrayBuffer());
      let binary = '';
      for (const b of bytes) binary += String.fromCharCode(b);
      return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), base64: btoa(binary) };
    }, href);
    expect(pdf.status).to.equal(200);
    expect(pdf.type).to.equal('application/pdf');
    expect(pdf.disposition).to.include(`subsidy-application-CN-FIRST-SET-${policy.policyNumber}.pdf`);
    const bytes = Buffer.from(pdf.base64, 'base64');
    expect((await extractPdfText(bytes)).replace(/\s+/g, ' ')).to.include('91330106MA2H7K3Q0L').and.include(pdfYuan(central.amountFen));
    await writeFile(`${SCREENSHOTS}/31-subsidy-application.pdf`, bytes);
    execFileSync('pdftoppm', ['-png', '-r', '80', `${SCREENSHOTS}/31-subsidy-application.pdf`, `${SCREENSHOTS}/31-subsidy-application`]);

    // Submitted, then granted 1,000.00 less than expected, through the page's forms.
    const row = '#subsidies form[action$="/CN-FIRST-SET/status"]';
    await Promise.all([page.waitForNavigation(), page.click(`${row}.submit-form button[type="submit"]`)]);
    expect(await page.$eval('#subsidies tr[data-programme="CN-FIRST-SET"]', (tr) => tr.getAttribute('data-status'))).to.equal('submitted');
    // The outcome is the department's (#27): the central department grants 1,000.00 less than expected on its page.
    const granted = central.amountFen - 100_000;
    const department = await signIn(t.keys.authority);
    await department.page.goto(`${t.base}/applications/${policy.id}-CN-FIRST-SET`);
    await department.page.$eval('#grant-form input[name="grantedYuan"]', (input) => ((input as unknown as { value: string }).value = ''));
    await department.page.type('#grant-form input[name="grantedYuan"]', (granted / 100).toFixed(2));
    await shot(department.page, '32-department-records-grant');
    await Promise.all([department.page.waitForNavigation(), department.page.click('#grant-form button[type="submit"]')]);
    await page.reload();
    expect(await page.$eval('#subsidies tr[data-programme="CN-FIRST-SET"]', (tr) => tr.getAttribute('data-status'))).to.equal('granted');
    expect(await page.$eval('#subsidies tr[data-programme="CN-FIRST-SET"] .outcome', (el) => el.textContent)).to.include(formatYuan(granted));
    await shot(page, '33-enterprise-grant-recorded');

    const api = await t.http.get(`/v1/policies/${policy.id}/subsidy-applications`).set(bearer(t.keys.enterprise));
    expect(api.body.items[0]).to.include({ programme: 'CN-FIRST-SET', status: 'granted', grantedFen: granted, countedFen: granted });

    await Promise.all([page.waitForNavigation(), page.click('nav a[href="/subsidies"]')]);
    expect(await page.$eval('table.subsidy-year tr[data-programme="CN-FIRST-SET"]', (tr) => tr.textContent)).to.include(formatYuan(granted));
    await shot(page, '34-enterprise-subsidy-year');
    await page.goto(`${t.base}/policies/${policy.id}?lang=en`);
    expect(await page.$eval('#subsidies-heading', (h) => h.textContent)).to.equal('Subsidy applications');
    await shot(page, '35-enterprise-policy-subsidies-en');
    expect([...problems, ...department.problems]).to.deep.equal([]);
  });
});
