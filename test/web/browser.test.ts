// The pages in a real headless Chromium against the running app on a real database.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { addDays } from '../../src/rating/calendar.ts';
import { formatYuan } from '../../src/web/web-forms.ts';
import { recordCspProblems, useBrowserApp } from '../support/browser-app.ts';
import { shippedVectors, type ShippedVector } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer } from '../support/test-app.ts';

// The few DOM globals the in-page callbacks use: the project compiles without lib.dom.
type InputLike = { value: string; type: string };
declare const document: {
  getElementById(id: string): { getAttribute(name: string): string | null; textContent: string | null } | null;
  querySelector(selector: string): unknown;
  activeElement: { className: string } | null;
};
declare function getComputedStyle(element: unknown): { outlineStyle: string };

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;

describe('Web pages in headless Chromium', function () {
  this.timeout(120_000);
  const t = useBrowserApp();

  /** A fresh browser profile (own cookies) signed in with a key; CSP violations and page errors fail the test. */
  async function signedIn(key: string): Promise<Page> {
    const page = await t.newPage();
    (page as Page & { problems?: string[] }).problems = recordCspProblems(page);
    await t.signIn(page, key);
    expect(page.url(), await page.$eval("main", (el) => el.textContent ?? "")).not.to.include("/sign-in");
    return page;
  }

  const problemsOf = (page: Page) => (page as Page & { problems?: string[] }).problems ?? [];
  const shot = t.shot;
  const textOf = (page: Page, selector: string) => page.$eval(selector, (el) => (el.textContent ?? '').trim());

  async function setValue(page: Page, name: string, value: string): Promise<void> {
    const selector = `[name="${name}"]`;
    const tag = await page.$eval(selector, (el) => el.tagName);
    if (tag === 'SELECT') await page.select(selector, value);
    else {
      await page.$eval(selector, (el) => ((el as unknown as InputLike).value = ''));
      await page.type(selector, value);
    }
  }

  /** Fills the quote form like a person: the enterprise, then every input of the vector (list items added with the button). */
  async function fillQuoteForm(page: Page, inputs: ShippedVector['inputs']): Promise<void> {
    await page.select('[name="enterpriseId"]', t.organisations.HZZZ!);
    for (const [key, value] of Object.entries(inputs)) {
      if (!Array.isArray(value)) {
        await setValue(page, `inputs.${key}`, String(value));
        continue;
      }
      for (let i = 0; i < value.length; i++) {
        if (!(await page.$(`[name="inputs.${key}[${i}].${Object.keys(value[i] as object)[0]}"]`))) await page.click(`[data-list="inputs.${key}"] > [data-add-item]`);
        for (const [itemKey, itemValue] of Object.entries(value[i] as object)) await setValue(page, `inputs.${key}[${i}].${itemKey}`, String(itemValue));
      }
    }
  }

  async function apiPreview(inputs: Record<string, unknown>) {
    const res = await t.http.post('/v1/pricing/preview').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs, startDate: today() });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as { grossPremiumFen: number; subsidies: { totalFen: number }; expectedNetCostFen: number };
  }

  async function pdfFromPage(page: Page, url: string) {
    return page.evaluate(async (href) => {
      const res = await fetch(href, { credentials: 'same-origin' });
      const bytes = new Uint8Array(await res.arrayBuffer());
      return { status: res.status, type: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), head: String.fromCharCode(...bytes.slice(0, 5)), size: bytes.length };
    }, url);
  }

  it('broker: catalogue → product → form → live preview equal to the API → result → save → PDF → bind', async () => {
    const page = await signedIn(t.keys.broker);
    expect(page.url()).to.equal(`${t.base}/catalogue`);
    await shot(page, '01-broker-catalogue');
    await Promise.all([page.waitForNavigation(), page.click(`a[href="/catalogue/${PRODUCT}"]`)]);
    expect(await textOf(page, 'h1')).to.equal('首台（套）重大技术装备综合保险');
    await shot(page, '02-broker-product');
    await Promise.all([page.waitForNavigation(), page.click(`a[href="/catalogue/${PRODUCT}/quote"]`)]);
    expect(await page.$$eval('input, select, textarea', (els) => els.filter((el) => (el as unknown as InputLike).type !== 'hidden' && !(el.closest('template'))).every((el) => {
      const id = el.id;
      return Boolean(id && document.querySelector(`label[for="${id}"]`));
    }))).to.equal(true);

    // The equipment list: add an item and remove it again (names stay numbered from 0).
    await page.click('[data-list="inputs.equipment"] > [data-add-item]');
    expect(await page.$('[name="inputs.equipment[1].name"]')).not.to.equal(null);
    await page.click('[data-list="inputs.equipment"] .list-items [data-item]:last-child [data-remove-item]');
    expect(await page.$('[name="inputs.equipment[1].name"]')).to.equal(null);

    await fillQuoteForm(page, vector.inputs);
    const expected = await apiPreview(vector.inputs);
    expect(expected.grossPremiumFen).to.equal(vector.expected.grossPremiumFen);
    await page.waitForFunction((fen) => document.getElementById('live-preview')?.getAttribute('data-fen') === String(fen), { timeout: 10_000 }, expected.grossPremiumFen);
    expect(await textOf(page, '[data-preview="gross"]')).to.equal(formatYuan(expected.grossPremiumFen));
    expect(await textOf(page, '[data-preview="subsidy"]')).to.equal(formatYuan(expected.subsidies.totalFen));
    // The header and the live preview name the version that prices the start date (#28).
    expect(await textOf(page, '#form-version')).to.include('适用版本 2025.1');
    expect(await textOf(page, '[data-preview="version"]')).to.equal('2025.1');
    await shot(page, '03-broker-quote-form-live-preview');

    await Promise.all([page.waitForNavigation(), page.click('#calculate')]);
    expect(await page.$eval('[data-amount="gross"]', (el) => el.getAttribute('data-fen'))).to.equal(String(expected.grossPremiumFen));
    expect(await textOf(page, '[data-amount="gross"]')).to.equal(formatYuan(expected.grossPremiumFen));
    expect(await textOf(page, '[data-amount="net-cost"]')).to.equal(formatYuan(expected.expectedNetCostFen));
    expect(await textOf(page, '.subsidy-box h3')).to.equal('预计可申请补贴');
    expect(await page.$$eval('.worksheet tbody tr', (rows) => rows.length)).to.be.at.least(8);
    expect(await page.$$eval('.result table', (tables) => tables.some((t) => t.textContent?.includes('共保份额')))).to.equal(true);
    await shot(page, '04-broker-quote-result');

    await Promise.all([page.waitForNavigation(), page.click('#save-quote')]);
    expect(page.url()).to.match(/\/quotes\/[0-9a-f]{24}$/);
    const quoteId = page.url().split('/').pop()!;
    expect(await page.$eval('[data-status]', (el) => el.getAttribute('data-status'))).to.equal('quoted');
    expect(await page.$eval('[data-amount="gross"]', (el) => el.getAttribute('data-fen'))).to.equal(String(expected.grossPremiumFen));
    await shot(page, '05-broker-saved-quote');

    const pdf = await pdfFromPage(page, `/quotes/${quoteId}/pdf?pdfLang=zh-CN`);
    expect(pdf.status, JSON.stringify(pdf)).to.equal(200);
    expect(pdf.type).to.equal('application/pdf');
    expect(pdf.head).to.equal('%PDF-');
    expect(pdf.disposition).to.match(/^attachment;/);

    await Promise.all([page.waitForNavigation(), page.click('#bind')]);
    expect(page.url()).to.match(/\/policies\/[0-9a-f]{24}$/);
    expect(await textOf(page, 'h1')).to.match(/^保单号 P\d{4}/);
    await shot(page, '06-broker-policy');
    expect(problemsOf(page)).to.deep.equal([]);
  });

  it('broker: inline validation errors, from the browser\'s constraints and from the server at their field', async () => {
    const page = await signedIn(t.keys.broker);
    await page.goto(`${t.base}/catalogue/${PRODUCT}/quote`);
    await fillQuoteForm(page, { ...vector.inputs, userOrder: 0 });
    await page.click('#calculate');
    // userOrder has min=1: the browser refuses to submit and the page shows the message inline.
    await page.waitForFunction(() => (document.getElementById('f-inputs-userOrder-error')?.textContent ?? '') !== '');
    expect(page.url()).to.equal(`${t.base}/catalogue/${PRODUCT}/quote`);
    expect(await page.$eval('#f-inputs-userOrder', (el) => el.getAttribute('aria-invalid'))).to.equal('true');
    await shot(page, '07-broker-client-validation');

    // Seven decimals pass the HTML constraints (step=any) but not the engine: the server names the field.
    await setValue(page, 'inputs.userOrder', '1');
    await setValue(page, 'inputs.contractAmount', '1000.0000001');
    await Promise.all([page.waitForNavigation(), page.click('#calculate')]);
    expect(await textOf(page, '#f-inputs-contractAmount-error')).to.include('最多 6 位小数');
    expect(await page.$eval('#f-inputs-contractAmount', (el) => (el as unknown as InputLike).value)).to.equal('1000.0000001');
    expect(await page.$eval('#f-inputs-contractAmount', (el) => el.getAttribute('aria-invalid'))).to.equal('true');
    expect(await page.$('#form-errors')).not.to.equal(null);
    // Everything else the broker typed is still there.
    expect(await page.$eval('[name="inputs.equipment[0].model"]', (el) => (el as unknown as InputLike).value)).to.equal(String((vector.inputs.equipment as { model: string }[])[0]!.model));
    await shot(page, '08-broker-server-validation');
    expect(problemsOf(page)).to.deep.equal([]);
  });

  it('underwriter: referral queue, approve with picks inside the filed ranges, decline with a reason', async () => {
    const referredInputs = { ...vector.inputs, aggregateLimit: Number(vector.inputs.contractAmount) / 2 };
    const create = () => t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: referredInputs, startDate: today() });
    const first = (await create()).body as { id: string; quoteNumber: string; status: string };
    const second = (await create()).body as { id: string; quoteNumber: string };
    expect(first.status).to.equal('referred');

    const page = await signedIn(t.keys.underwriter);
    expect(page.url()).to.equal(`${t.base}/referrals`);
    expect(await page.$$eval('table.list tbody tr', (rows) => rows.length)).to.equal(2);
    await shot(page, '09-underwriter-referrals');
    await Promise.all([page.waitForNavigation(), page.click(`a[href="/quotes/${first.id}"]`)]);
    expect(await textOf(page, '.state-label')).to.include('需人工核保');

    const worksheet = ((await t.http.get(`/v1/quotes/${first.id}`).set(bearer(t.keys.underwriter))).body as { result: { worksheet: { step: string; filedRange?: { min: string; max: string } }[] } }).result.worksheet;
    const lossRatio = worksheet.find((w) => w.step === 'lossRatio' && w.filedRange)!;
    expect(await page.$eval('[name="picks.lossRatio"]', (el) => [el.getAttribute('min'), el.getAttribute('max')])).to.deep.equal([lossRatio.filedRange!.min, lossRatio.filedRange!.max]);
    await shot(page, '10-underwriter-referred-quote');

    // Above the filed maximum: the browser blocks it inline.
    await setValue(page, 'picks.lossRatio', String(Number(lossRatio.filedRange!.max) + 1));
    await page.click('#approve');
    await page.waitForFunction(() => (document.getElementById('f-picks-lossRatio-error')?.textContent ?? '') !== '');
    await setValue(page, 'picks.lossRatio', lossRatio.filedRange!.max);
    await setValue(page, 'note', '赔付率按上限');
    await Promise.all([page.waitForNavigation(), page.click('#approve')]);
    expect(await page.$eval('[data-status]', (el) => el.getAttribute('data-status'))).to.equal('approved');
    expect(await page.$eval('tr[data-step="lossRatio"]', (el) => el.textContent)).to.include(lossRatio.filedRange!.max);
    await shot(page, '11-underwriter-approved');

    await page.goto(`${t.base}/quotes/${second.id}`);
    await page.type('#decline-reason', '累计限额不足，不予承保');
    await Promise.all([page.waitForNavigation(), page.click('#decline')]);
    expect(await page.$eval('[data-status]', (el) => el.getAttribute('data-status'))).to.equal('declined');
    expect(await textOf(page, '.state')).to.include('累计限额不足');
    expect(problemsOf(page)).to.deep.equal([]);
  });

  it('enterprise: my quotes and policies, and the policy PDF downloads', async () => {
    const quote = (await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: vector.inputs, startDate: today() })).body as { id: string };
    const policy = (await t.http.post(`/v1/quotes/${quote.id}/bind`).set(bearer(t.keys.broker))).body as { id: string; policyNumber: string };
    expect(policy.policyNumber).to.be.a('string');

    const page = await signedIn(t.keys.enterprise);
    expect(page.url()).to.equal(`${t.base}/quotes`);
    expect(await page.$$eval('table.list tbody tr', (rows) => rows.length)).to.be.at.least(1);
    await shot(page, '12-enterprise-quotes');
    await Promise.all([page.waitForNavigation(), page.click('nav a[href="/policies"]')]);
    expect(await textOf(page, 'table.list')).to.include(policy.policyNumber);
    await shot(page, '13-enterprise-policies');
    await Promise.all([page.waitForNavigation(), page.click(`a[href="/policies/${policy.id}"]`)]);
    await shot(page, '14-enterprise-policy');
    const pdf = await pdfFromPage(page, `/policies/${policy.id}/pdf?pdfLang=en`);
    expect(pdf.status, JSON.stringify(pdf)).to.equal(200);
    expect(pdf.head).to.equal('%PDF-');
    expect(pdf.size).to.be.greaterThan(1000);
    // Another enterprise's policy is not there for this session.
    const other = await signedIn(t.keys.otherEnterprise);
    expect((await pdfFromPage(other, `/policies/${policy.id}/pdf`)).status).to.equal(404);
    expect(problemsOf(page)).to.deep.equal([]);
  });

  it('switches language: labels from the message table, product names from the product', async () => {
    const page = await signedIn(t.keys.broker);
    expect(await page.$eval('html', (el) => el.lang)).to.equal('zh-CN');
    expect(await textOf(page, 'h1')).to.equal('产品目录');
    await Promise.all([page.waitForNavigation(), page.click('[data-lang-switch]')]);
    expect(await page.$eval('html', (el) => el.lang)).to.equal('en');
    expect(await textOf(page, 'h1')).to.equal('Catalogue');
    expect(await textOf(page, `a[href="/catalogue/${PRODUCT}"]`)).to.match(/first-set|major technical equipment/i);
    await shot(page, '15-catalogue-english');
    await page.goto(`${t.base}/catalogue/${PRODUCT}/quote`);
    expect(await textOf(page, 'label[for="f-inputs-contractAmount"]')).to.include('Equipment contract amount');
    await shot(page, '16-quote-form-english');
    await Promise.all([page.waitForNavigation(), page.click('[data-lang-switch]')]);
    expect(await page.$eval('html', (el) => el.lang)).to.equal('zh-CN');
  });

  it('keyboard: skip link first, visible focus, and the sign-in form works without a mouse', async () => {
    const context = await t.browser.createBrowserContext();
    const page = await context.newPage();
    await page.goto(`${t.base}/sign-in`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).to.equal('skip');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle);
    expect(outline).not.to.equal('none');
    await page.focus('#apiKey');
    await page.keyboard.type(t.keys.insurerAdmin);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    expect(page.url()).to.equal(`${t.base}/products`);
    await shot(page, '17-insurer-products');
    await Promise.all([page.waitForNavigation(), page.click(`a[href="/products/${PRODUCT}"]`)]);
    await shot(page, '18-insurer-versions');
    await Promise.all([page.waitForNavigation(), page.click('[data-clone="2025.1"]')]);
    expect(page.url()).to.match(/\/versions\/2025\.2$/);
    await Promise.all([page.waitForNavigation(), page.click('#run-vectors')]);
    expect(await page.$$eval('#vector-results tr.ok', (items) => items.length)).to.equal(shippedVectors('first-set-equipment.json').length);
    await shot(page, '19-insurer-draft-vectors');
    await page.goto(`${t.base}/products/${PRODUCT}/diff?from=2025.1&to=2025.2`);
    expect(await textOf(page, 'table.diff')).to.match(/版本号|Version number/);
    await shot(page, '20-insurer-diff');
  });

  describe('insurer workbench: a rate revision as tables (#14)', () => {
    let page: Page;
    let draftUrl: string;
    const inThirtyDays = () => addDays(today(), 30);
    const cell = (name: string) => `[name="${name}"]`;

    before(async () => {
      // A small book on the version in force: three quotes in the loss-ratio band the revision touches, two outside it.
      for (const lossRatio of [75, 80, 85, 30, 10]) {
        const res = await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: { ...vector.inputs, lossRatio }, startDate: today() });
        expect(res.status, JSON.stringify(res.body)).to.equal(201);
      }
      page = await signedIn(t.keys.insurerAdmin);
    });

    it('clones the version in force, edits a filed range in a grid, imports a CSV, sees a two-cell diff, runs the vectors and the impact', async () => {
      await page.goto(`${t.base}/products/${PRODUCT}`);
      await Promise.all([page.waitForNavigation(), page.click('[data-clone="2025.1"]')]);
      draftUrl = page.url();
      expect(draftUrl).to.match(/\/versions\/2025\.\d+$/);
      await shot(page, '21-insurer-version-tables');

      // A bad edit: band (60, 90] overlaps (50, 70]; refused on its cell, the draft unchanged.
      await Promise.all([page.waitForNavigation(), page.click('tr[data-table="step.lossRatio"] th a')]);
      await setValue(page, 'r3.lower', '60');
      await Promise.all([page.waitForNavigation(), page.click('#save-table')]);
      expect(await page.$eval(cell('r3.lower'), (el) => el.getAttribute('aria-invalid'))).to.equal('true');
      expect(await textOf(page, '#cell-3-lower-error')).to.match(/与第 3 行的区间重叠|Overlaps the band of row 3/);
      await shot(page, '22-insurer-grid-error-on-cell');
      await page.goto(`${draftUrl}/tables/step.lossRatio`);
      expect(await page.$eval(cell('r3.lower'), (el) => (el as unknown as InputLike).value)).to.equal('70');

      // The good edit: the filed range of (70, 90] widens to 1.4–2.0.
      await setValue(page, 'r3.range.max', '2.0');
      await Promise.all([page.waitForNavigation(), page.click('#save-table')]);
      expect(await page.$('.notice')).not.to.equal(null);
      await shot(page, '23-insurer-grid-saved');

      // The short-period scale: export it as CSV, change 7 months to 72%, import the file.
      await page.goto(`${draftUrl}/tables/period.scale`);
      const csv = await page.evaluate(async (href) => (await fetch(href, { credentials: 'same-origin' })).text(), `${draftUrl}/tables/period.scale/export?format=csv`);
      expect(csv).to.include('保险期间（月）,年保费比例（%）').and.include('7,70');
      const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'scale-')), 'period-scale.csv');
      await writeFile(file, csv.replace('7,70', '7,72'));
      const input = await page.$('#import-file');
      await (input as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(file);
      await Promise.all([page.waitForNavigation(), page.click('#import-submit')]);
      expect(await page.$eval(cell('r6.percent'), (el) => (el as unknown as InputLike).value)).to.equal('72');
      await shot(page, '24-insurer-csv-imported');

      // The diff against the version in force: exactly those two cells.
      await page.goto(draftUrl);
      await Promise.all([page.waitForNavigation(), page.click('#compare')]);
      expect(page.url()).to.include('from=2025.1');
      expect(await page.$$eval('td.changed', (cells) => cells.map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim()))).to.deep.equal(['1.8 2.0', '70 72']);
      expect(await page.$$eval('section.table-diff', (s) => s.map((x) => x.getAttribute('data-table')))).to.deep.equal(['step.lossRatio', 'period.scale']);
      await shot(page, '25-insurer-diff-tables');

      // The vectors still pass; the impact analysis shows its histogram and the movers, each linking to its quote.
      await page.goto(draftUrl);
      await Promise.all([page.waitForNavigation(), page.click('#run-vectors')]);
      expect(await page.$$eval('#vector-results tr.ok', (items) => items.length)).to.equal(shippedVectors('first-set-equipment.json').length);
      await page.click('#run-impact');
      await page.waitForSelector('#impact-result svg.histogram-svg rect.bar', { timeout: 60_000 });
      const bars = await page.$$eval('#impact-result [data-book="quotes"] rect.bar', (rects) => rects.map((r) => Number(r.getAttribute('data-count'))));
      expect(bars.reduce((a, b) => a + b, 0)).to.be.at.least(5);
      expect(bars.filter((n) => n > 0).length).to.be.at.least(2);
      const movers = await page.$$eval('#impact-result [data-book="quotes"] table.movers a', (links) => links.map((a) => a.getAttribute('href')));
      expect(movers.length).to.be.at.least(3);
      expect(movers[0]).to.match(/^\/quotes\/[0-9a-f]{24}$/);
      await shot(page, '26-insurer-impact');
      expect(problemsOf(page)).to.deep.equal([]);
    });

    it('publishes the revision from a date 30 days ahead (submitted by the admin, approved by a second admin): today\'s version stays in force, the new one is scheduled', async () => {
      const version = draftUrl.split('/').pop()!;
      const from = inThirtyDays();
      await page.goto(draftUrl);
      // Four-eyes (#28): the admin who edited the draft submits it; the publish form is not theirs.
      expect(await page.$('#publish-form')).to.equal(null);
      await Promise.all([page.waitForNavigation(), page.click('#submit-approval')]);
      expect(await textOf(page, '#approval-state')).to.include('王产品').and.include('等待另一位管理员复核发布');
      expect(await page.$('#publish-form')).to.equal(null);
      const checker = await signedIn(t.keys.secondInsurerAdmin);
      await checker.goto(draftUrl);
      // The timeline (#14, first part): the publish form takes the first day the version applies.
      await checker.$eval('form[action$="/publish"] input[type="date"]', (el, value) => ((el as unknown as InputLike).value = value), from);
      await Promise.all([checker.waitForNavigation(), checker.click('#publish')]);
      await shot(checker, '27-insurer-published-scheduled');
      expect(problemsOf(checker)).to.deep.equal([]);
      await checker.close();
      await page.goto(`${t.base}/products/${PRODUCT}`);
      const rows = await page.$$eval('tbody tr', (trs) => trs.map((tr) => (tr.textContent ?? '').replace(/\s+/g, ' ')));
      expect(rows.find((r) => r.includes('2025.1'))).to.match(/已发布|生效/);
      expect(rows.find((r) => r.includes(version))).to.include(from);
      await shot(page, '28-insurer-versions-scheduled');
      const catalogue = await t.http.get(`/v1/catalogue/${PRODUCT}`).set(bearer(t.keys.broker));
      expect(JSON.stringify(catalogue.body)).to.include(version).and.include(from);
      const priced = async (startDate: string) => (await t.http.post('/v1/pricing/preview').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: vector.inputs, startDate })).body.productVersion as string;
      expect(await priced(today())).to.equal('2025.1');
      expect(await priced(from)).to.equal(version);
    });
  });
});
