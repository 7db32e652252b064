// #26 in real Chromium: the broker renews a policy from its due-for-renewal list, the lead
// insurer's underwriter records a claim on the policy page, the enterprise sees it. Screenshots
// for docs/web.md (docs/images/web-26-*).
import { expect } from 'chai';
import { addDays } from '../../src/rating/calendar.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { recordCspProblems, useBrowserApp } from '../support/browser-app.ts';
import { bearer } from '../support/test-app.ts';

const POOL = 'FIRST-SET-EQUIPMENT';
const inputs = shippedVectors('first-set-equipment.json').filter((v) => v.expected.decision === 'quoted' && !v.picks)[0]!.inputs;

describe('Browser: due for renewal, renew, record a claim (#26)', function () {
  this.timeout(180_000);
  const t = useBrowserApp();
  let policy: { id: string; policyNumber: string; endDate: string };

  before(async () => {
    const quote = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: POOL, enterpriseId: t.organisations.HZZZ, inputs, startDate: today(), endDate: addDays(today(), 40) });
    policy = (await t.http.post(`/v1/quotes/${quote.body.id}/bind`).set(bearer(t.keys.broker))).body;
  });

  it('lets the underwriter record a claim through the policy page\'s form, and the enterprise read it', async () => {
    const page = await t.newPage();
    const problems = recordCspProblems(page);
    await t.signIn(page, t.keys.underwriter);
    await page.goto(`${t.base}/policies/${policy.id}?lang=zh-CN`);
    await page.$eval('input[name="lossDate"]', (el, v) => { (el as unknown as { value: string }).value = v; }, today());
    await page.$eval('input[name="paidOn"]', (el, v) => { (el as unknown as { value: string }).value = v; }, today());
    await page.type('input[name="paidYuan"]', '10000.01');
    await page.type('input[name="description"]', '主轴断裂，停机维修');
    await Promise.all([page.waitForNavigation(), page.click('#claim-form button[type="submit"]')]);
    expect(await page.$eval('[data-amount="claims-paid"]', (el) => el.textContent)).to.include('10,000.01');
    await (await page.$('#claims'))!.screenshot({ path: 'docs/images/web-26-claims-zh.png' });
    const enterprise = await t.newPage();
    await t.signIn(enterprise, t.keys.enterprise);
    await enterprise.goto(`${t.base}/policies/${policy.id}?lang=en`);
    const row = await enterprise.$eval('#claims tbody tr', (el) => el.textContent ?? '');
    expect(row).to.include('10,000.01').and.include('主轴断裂');
    expect(await enterprise.$('#claim-form')).to.equal(null);
    expect(problems).to.deep.equal([]);
  });

  it('lets the broker renew from the due list and shows the renewal quote with its derived inputs', async () => {
    const page = await t.newPage();
    const problems = recordCspProblems(page);
    await t.signIn(page, t.keys.broker);
    await page.goto(`${t.base}/policies/due?lang=zh-CN`);
    expect(await page.$(`tr[data-policy="${policy.id}"]`)).to.not.equal(null);
    await t.shot(page, 'web-26-due-zh');
    await page.screenshot({ path: 'docs/images/web-26-due-zh.png' });
    await Promise.all([page.waitForNavigation(), page.click(`tr[data-policy="${policy.id}"] .renew-form button`)]);
    expect(page.url()).to.match(/\/quotes\/[0-9a-f]{24}$/);
    const derived = await page.$$eval('#renewal-inputs dd', (els) => els.map((el) => el.textContent ?? ''));
    expect(derived[0]).to.include('连续投保第 2 年');
    await (await page.$('#renewal-inputs'))!.screenshot({ path: 'docs/images/web-26-renewal-quote-zh.png' });
    expect(problems).to.deep.equal([]);
  });
});
