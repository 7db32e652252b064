// Issue #28, the broker's quote form keeps what was typed (real Chromium): switching language
// mid-quote keeps every field; a per-event limit above the aggregate limit (as the product
// declares its limits) is marked at the per-event field live, and on calculate with every field
// kept, in the reader's language.
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { useBrowserApp } from '../support/browser-app.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;

declare const document: { querySelector(selector: string): { textContent: string | null } | null; querySelectorAll(selector: string): ArrayLike<{ name: string; value: string; type: string; checked: boolean }> };
type InputLike = { value: string };

describe('The quote form keeps its input (issue #28, real Chromium)', function () {
  this.timeout(180_000);
  const t = useBrowserApp();

  async function filledForm(lang: 'zh-CN' | 'en' = 'zh-CN'): Promise<Page> {
    const page = await t.newPage(1366);
    await t.signIn(page, t.keys.broker);
    await page.goto(`${t.base}/catalogue/${PRODUCT}/quote?lang=${lang}`);
    await page.select('[name="enterpriseId"]', t.organisations.HZZZ!);
    for (const [key, value] of Object.entries(vector.inputs)) {
      if (Array.isArray(value)) {
        for (const [itemKey, itemValue] of Object.entries(value[0] as object)) await setValue(page, `[name="inputs.${key}[0].${itemKey}"]`, String(itemValue));
        continue;
      }
      await setValue(page, `[name="inputs.${key}"]`, String(value));
    }
    await page.click('input[name="enterprise.qualifications"][value="first-domestic"]');
    return page;
  }

  async function setValue(page: Page, selector: string, value: string): Promise<void> {
    if ((await page.$eval(selector, (el) => el.tagName)) === 'SELECT') { await page.select(selector, value); return; }
    await page.$eval(selector, (el) => ((el as unknown as InputLike).value = ''));
    await page.type(selector, value);
  }

  /** Every named control of the form: name → value (checkboxes and radios only when checked). */
  const formValues = (page: Page) => page.evaluate(() => {
    const out: Record<string, string[]> = {};
    for (const c of Array.from(document.querySelectorAll('#quote-form [name]'))) {
      if (['_csrf', 'idempotencyKey', '_switchLang'].includes(c.name)) continue;
      if ((c.type === 'checkbox' || c.type === 'radio') && !c.checked) continue;
      (out[c.name] ??= []).push(c.value);
    }
    return out;
  });

  it('switching language mid-quote keeps every field, both ways', async () => {
    const page = await filledForm();
    await setValue(page, '[name="inputs.perEventThirdPartyLimit"]', '123');
    const before = await formValues(page);
    expect(before['inputs.perEventThirdPartyLimit']).to.deep.equal(['123']);
    await Promise.all([page.waitForNavigation(), page.click('[data-lang-switch]')]);
    expect(await page.$eval('html', (el) => el.getAttribute('lang'))).to.equal('en');
    // Every field as typed (the priced form may add the coefficient picks, empty).
    const kept = (after: Record<string, string[]>) => Object.fromEntries(Object.keys(before).map((k) => [k, after[k]]));
    expect(kept(await formValues(page))).to.deep.equal(before);
    expect(await page.$('#form-errors')).to.equal(null);
    await t.shot(page, '28-broker-form-after-language-switch');
    await Promise.all([page.waitForNavigation(), page.click('[data-lang-switch]')]);
    expect(await page.$eval('html', (el) => el.getAttribute('lang'))).to.equal('zh-CN');
    expect(kept(await formValues(page))).to.deep.equal(before);
  });

  for (const lang of ['zh-CN', 'en'] as const) {
    it(`${lang}: a per-event limit above the aggregate limit is marked at its field live and on calculate, every field kept`, async () => {
      const page = await filledForm(lang);
      const aggregate = Number(vector.inputs.aggregateLimit);
      await setValue(page, '[name="inputs.perEventEquipmentLimit"]', String(aggregate + 1));
      const errorOf = '[data-field="inputs.perEventEquipmentLimit"] .field-error';
      const expected = lang === 'en' ? 'must not exceed' : '不得高于';
      await page.waitForFunction((sel, text) => (document.querySelector(sel)?.textContent ?? '').includes(text), { timeout: 15_000 }, errorOf, expected);
      const before = await formValues(page);
      await Promise.all([page.waitForNavigation(), page.click('#calculate')]);
      expect(await page.$eval(errorOf, (el) => el.textContent ?? '')).to.include(expected);
      expect(await page.$('.result')).to.equal(null);
      expect(await formValues(page)).to.deep.equal(before);
      await t.shot(page, `28-broker-limit-check-${lang}`);
    });
  }
});
