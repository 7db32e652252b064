// Four-eyes publishing on the workbench (issue #28), in real Chromium: the insurer admin who edited
// a draft submits it and is shown it awaits a second admin (no publish button); the second admin
// sees who submitted it and when, approves and schedules it; the history names both steps. A
// platform admin sees the state but no publish button. zh-CN and en, 1366 and 390 px.
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { addDays } from '../../src/rating/index.ts';
import { SCREENSHOTS, useBrowserApp } from '../support/browser-app.ts';
import { today } from '../support/china-date.ts';
import { chineseRuns, englishWords } from '../support/page-language.ts';
import { bearer } from '../support/test-app.ts';

type InputLike = { value: string };
declare const document: { documentElement: { scrollWidth: number } };

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const COMBINATIONS = [['zh-CN', 1366], ['en', 390], ['en', 1366], ['zh-CN', 390]] as const;

describe('Four-eyes publishing on the workbench (#28, real Chromium)', function () {
  this.timeout(240_000);
  const t = useBrowserApp();

  async function signedIn(key: string, width: number): Promise<Page> {
    const page = await t.newPage(width);
    await t.signIn(page, key);
    return page;
  }
  const textOf = (page: Page, selector: string) => page.$eval(selector, (el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim());
  /** The approval panel, in the page's language only, and the page no wider than the viewport. */
  async function checkPanel(page: Page, lang: 'zh-CN' | 'en'): Promise<string> {
    const text = await textOf(page, '#approval');
    if (lang === 'zh-CN') expect(englishWords(text), text).to.deep.equal([]);
    else expect(chineseRuns(text), text).to.deep.equal([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(page.viewport()!.width);
    return text;
  }
  async function cloneDraft(): Promise<{ version: string; url: string }> {
    const res = await t.http.post(`/v1/products/${PRODUCT}/versions`).set(bearer(t.keys.insurerAdmin)).send({ cloneFrom: '2025.1' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return { version: res.body.version as string, url: `${t.base}/products/${PRODUCT}/versions/${encodeURIComponent(res.body.version as string)}` };
  }

  COMBINATIONS.forEach(([lang, width], i) => {
    it(`submits as the insurer admin and publishes as the second admin (${lang}, ${width} px)`, async () => {
      const { version, url } = await cloneDraft();
      const maker = await signedIn(t.keys.insurerAdmin, width);
      await maker.goto(`${url}?lang=${lang}`);
      expect(await maker.$eval('#approval', (el) => el.getAttribute('data-approval'))).to.equal('not-submitted');
      expect(await maker.$('#publish-form'), 'no publish before a submission').to.equal(null);
      await checkPanel(maker, lang);
      await Promise.all([maker.waitForNavigation(), maker.click('#submit-approval')]);
      expect(await maker.$eval('#approval', (el) => el.getAttribute('data-approval'))).to.equal('submitted');
      const awaiting = await checkPanel(maker, lang);
      expect(awaiting).to.include('王产品').and.include(lang === 'zh-CN' ? '等待另一位管理员复核发布' : 'awaiting a second admin');
      expect(awaiting).to.include(lang === 'zh-CN' ? '您是提交人，不能自行发布' : 'You submitted it, so you cannot publish it');
      expect(await maker.$('#publish-form'), 'the submitter gets no publish button').to.equal(null);
      expect(await maker.$('#submit-approval')).to.equal(null);
      await t.shot(maker, `28-four-eyes-awaiting-${lang}-${width}`);
      const awaitingLabel = lang === 'zh-CN' ? '草稿 · 待复核' : 'awaiting a second admin';
      expect(await textOf(maker, '[data-status]')).to.include(awaitingLabel);
      await maker.goto(`${t.base}/products/${PRODUCT}?lang=${lang}`);
      const rows = await maker.$$eval('tbody tr', (trs) => trs.map((tr) => (tr.textContent ?? '').replace(/\s+/g, ' ')));
      expect(rows.find((r) => r.includes(version)), rows.join('\n')).to.include(awaitingLabel);
      await maker.close();

      const checker = await signedIn(t.keys.secondInsurerAdmin, width);
      await checker.goto(`${url}?lang=${lang}`);
      const turn = await checkPanel(checker, lang);
      expect(turn).to.match(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/).and.include(lang === 'zh-CN' ? '请核对本版本后复核发布' : 'approve and publish it');
      expect(await textOf(checker, '#publish')).to.equal(lang === 'zh-CN' ? '复核并发布' : 'Approve and publish');
      await t.shot(checker, `28-four-eyes-second-admin-${lang}-${width}`);
      if (i === 0) await (await checker.$('#approval'))!.screenshot({ path: `${SCREENSHOTS}/28-four-eyes-approval-panel.png` });
      const from = addDays(today(), 400 + i * 7);
      await checker.$eval('#publish-effective-from', (el, value) => ((el as unknown as InputLike).value = value), from);
      await Promise.all([checker.waitForNavigation(), checker.click('#publish')]);
      expect(await textOf(checker, '.notice')).to.equal(lang === 'zh-CN' ? '已发布。' : 'Published.');
      expect(await checker.$('#approval'), 'no panel on a published version').to.equal(null);
      const history = await textOf(checker, '#history');
      expect(history).to.include(lang === 'zh-CN' ? '提交审批' : 'Submitted for approval').and.include(lang === 'zh-CN' ? '复核批准' : 'Approved (second admin)').and.include('周复核');
      await checker.close();
      const stored = await t.http.get(`/v1/products/${PRODUCT}/versions/${version}`).set(bearer(t.keys.insurerAdmin));
      expect(stored.body).to.include({ status: 'published', effectiveFrom: from });
    });
  });

  it('shows a platform admin the state but no publish button, and asks again after an edit', async () => {
    const { version, url } = await cloneDraft();
    expect((await t.http.post(`/v1/products/${PRODUCT}/versions/${version}/submit`).set(bearer(t.keys.insurerAdmin))).status).to.equal(200);
    const platform = await signedIn(t.keys.platformAdmin, 1366);
    await platform.goto(`${url}?lang=zh-CN`);
    expect(await checkPanel(platform, 'zh-CN')).to.include('只有保险公司自己的管理员可以复核发布');
    expect(await platform.$('#publish-form')).to.equal(null);
    await platform.close();
    const draft = (await t.http.get(`/v1/products/${PRODUCT}/versions/${version}`).set(bearer(t.keys.insurerAdmin))).body.definition;
    expect((await t.http.put(`/v1/products/${PRODUCT}/versions/${version}`).set(bearer(t.keys.insurerAdmin)).send({ definition: { ...draft, validityDays: draft.validityDays + 1 } })).status).to.equal(200);
    const checker = await signedIn(t.keys.secondInsurerAdmin, 390);
    await checker.goto(`${url}?lang=en`);
    expect(await checker.$eval('#approval', (el) => el.getAttribute('data-approval'))).to.equal('changed-since-submission');
    expect(await checkPanel(checker, 'en')).to.include('The draft changed after it was submitted; submit it again.');
    expect(await textOf(checker, '#submit-approval')).to.equal('Submit again');
    expect(await checker.$('#publish-form')).to.equal(null);
    await checker.close();
  });
});
