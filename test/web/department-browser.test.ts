// The departments' side in a real headless Chromium (#27): the Jinan enterprise submits its
// Shandong application on its policy page, the Shandong department finds it in its queue, opens
// it (the amount defaults to what was applied for), grants a smaller amount, and the enterprise's
// subsidy year and its next quote show the grant (the annual cap left grows by the difference).
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { formatYuan } from '../../src/web/web-forms.ts';
import { recordCspProblems, useBrowserApp } from '../support/browser-app.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer } from '../support/test-app.ts';
import { payInFull } from '../support/premium.ts';

const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;
const SD_CAP = 500_000_000;

describe('Subsidy departments in headless Chromium (#27)', function () {
  this.timeout(180_000);
  const t = useBrowserApp();

  async function signIn(key: string): Promise<{ page: Page; problems: string[] }> {
    const page = await t.newPage();
    const problems = recordCspProblems(page);
    await t.signIn(page, key);
    return { page, problems };
  }
  const quoteFor = async () => (await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: 'FIRST-SET-EQUIPMENT', enterpriseId: t.organisations.JNXC, inputs: vector.inputs, startDate: today() })).body as { id: string };

  it('enterprise submits, the department grants less than applied for, the enterprise\'s year and next quote show it', async () => {
    const policy = (await t.http.post(`/v1/quotes/${(await quoteFor()).id}/bind`).set(bearer(t.keys.broker))).body as { id: string; policyNumber: string; subsidies: { programme: string; amountFen: number }[] };
    await payInFull(t.http, t.keys.insurerAdmin, policy.id); // the submit form shows once the premium is received in full (#26)
    const applied = policy.subsidies.find((s) => s.programme === 'SD-FIRST-SET')!.amountFen;
    const granted = applied - 12_345;

    // The enterprise submits on its policy page: no grant or refusal form is offered to it, only a withdrawal.
    const enterprise = await signIn(t.keys.otherEnterprise);
    await enterprise.page.goto(`${t.base}/policies/${policy.id}`);
    await Promise.all([enterprise.page.waitForNavigation(), enterprise.page.click('#subsidies form.submit-form[action$="/SD-FIRST-SET/status"] button[type="submit"]')]);
    expect(await enterprise.page.$eval('#subsidies tr[data-programme="SD-FIRST-SET"]', (tr) => tr.getAttribute('data-status'))).to.equal('submitted');
    expect(await enterprise.page.$$('#subsidies form.grant-form, #subsidies form.refuse-form')).to.have.length(0);
    expect(await enterprise.page.$$('#subsidies form.withdraw-form[action$="/SD-FIRST-SET/status"]')).to.have.length(1);
    await t.shot(enterprise.page, '36-enterprise-submitted-to-department');

    // The Shandong department lands on its queue, filters it, and opens the application.
    const department = await signIn(t.keys.otherProvincialAuthority);
    expect(new URL(department.page.url()).pathname).to.equal('/applications');
    const row = `#review-queue tr[data-application="${policy.id}-SD-FIRST-SET"]`;
    expect(await department.page.$eval(`${row} td[data-fen]`, (td) => td.textContent)).to.equal(formatYuan(applied));
    expect(await department.page.$eval(row, (tr) => tr.textContent)).to.include('济南新材科技有限公司').and.include(policy.policyNumber).and.include('山东省首台（套）');
    await department.page.select('#review-filters select[name="status"]', 'submitted');
    await department.page.type('#review-filters input[name="region"]', '3701');
    await Promise.all([department.page.waitForNavigation(), department.page.click('#review-filters button[type="submit"]')]);
    expect(await department.page.$$(row)).to.have.length(1);
    // The region by its province's name (a city's code alongside), not a bare code.
    const region = await department.page.$eval(`${row} td[data-region]`, (td) => [td.getAttribute('data-region') ?? '', td.textContent ?? '']);
    expect(region[1]).to.equal(`山东省（${region[0]}）`);
    await t.shot(department.page, '37-department-queue');
    await Promise.all([department.page.waitForNavigation(), department.page.click(`${row} a.review-link`)]);
    expect(await department.page.$eval('#grant-form input[name="grantedYuan"]', (el) => (el as unknown as { value: string }).value)).to.equal((applied / 100).toFixed(2));
    expect(await department.page.$$eval('#papers li', (items) => items.length)).to.be.greaterThan(1);
    const pdf = await department.page.evaluate(async () => {
      const res = await fetch((globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string } } }).document.querySelector('#download-schedule').getAttribute('href'), { credentials: 'same-origin' });
      return { status: res.status, type: res.headers.get('content-type') };
    });
    expect(pdf).to.deep.equal({ status: 200, type: 'application/pdf' });
    await t.shot(department.page, '38-department-application');

    // A refusal without a reason comes back with the error at its field, in the page's language.
    await department.page.goto(`${t.base}/applications/${policy.id}-SD-FIRST-SET?lang=en`);
    await Promise.all([department.page.waitForNavigation(), department.page.click('#refuse-form button[type="submit"]')]);
    expect(await department.page.$eval('#refuse-form [data-error-for="reason"]', (el) => el.textContent)).to.equal('Say why it is refused.');
    await t.shot(department.page, '39-department-refusal-needs-reason-en');

    await department.page.goto(`${t.base}/applications/${policy.id}-SD-FIRST-SET`);
    await department.page.$eval('#grant-form input[name="grantedYuan"]', (el) => { (el as unknown as { value: string }).value = ''; });
    await department.page.type('#grant-form input[name="grantedYuan"]', (granted / 100).toFixed(2));
    await department.page.type('#grant-form input[name="reference"]', '鲁工信补〔2026〕9号');
    await Promise.all([department.page.waitForNavigation(), department.page.click('#grant-form button[type="submit"]')]);
    expect(await department.page.$eval('#application', (el) => el.getAttribute('data-status'))).to.equal('granted');
    expect(await department.page.$eval('#outcome', (el) => el.textContent)).to.include(formatYuan(granted)).and.include('鲁工信补〔2026〕9号');
    expect(await department.page.$$('#grant-form')).to.have.length(0);
    await t.shot(department.page, '40-department-granted');

    // The enterprise's year shows the grant and the cap left; its next quote is rated with that cap.
    await Promise.all([enterprise.page.waitForNavigation(), enterprise.page.click('nav a[href="/subsidies"]')]);
    const year = await enterprise.page.$eval('table.subsidy-year tr[data-programme="SD-FIRST-SET"]', (tr) => tr.textContent);
    expect(year).to.include(formatYuan(granted)).and.include(formatYuan(SD_CAP - granted));
    await t.shot(enterprise.page, '41-enterprise-year-after-grant');
    const next = await quoteFor();
    await enterprise.page.goto(`${t.base}/quotes/${next.id}`);
    expect(await enterprise.page.$eval('table.subsidies', (el) => el.textContent)).to.include(formatYuan(SD_CAP - granted));
    await t.shot(enterprise.page, '42-enterprise-next-quote-cap');
    expect([...enterprise.problems, ...department.problems]).to.deep.equal([]);
  });
});
