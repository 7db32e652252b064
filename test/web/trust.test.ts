// Issue #15 in real Chromium: the pages say what a quote or policy is now, in the reader's
// language, with names not codes, Beijing times, no offer for a declined quote, no overflow at
// 390 px, an HTML 404, and a quote form whose live preview never fails or logs an error.
import { expect } from 'chai';
import type { Page } from 'puppeteer-core';
import { useBrowserApp } from '../support/browser-app.ts';
import { shippedVectors } from '../support/catalogue-fixtures.ts';
import { today } from '../support/china-date.ts';
import { bearer } from '../support/test-app.ts';

declare const document: {
  body: { innerText: string };
  documentElement: { scrollWidth: number };
  querySelector(selector: string): unknown;
};
type InputLike = { value: string };

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;
const referredInputs = { ...vector.inputs, aggregateLimit: Number(vector.inputs.contractAmount) / 2 };

// Proper names and entered data may be in either script; everything else is in the page's language.
const NAMES = ['杭州智造装备有限公司', '济南新材科技有限公司', '张经纪', '李核保', '陈财务', '王产品', '中文', '3.1.2 盾构机', '土压平衡盾构机', '赔付率按上限', '累计限额不足，不予承保'];
const ENGLISH_ALLOWED = new Set(['PDF', 'VAT', 'English', 'ZTE6250']);
const ISO_Z = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z/;

function englishWords(text: string): string[] {
  let rest = text;
  for (const name of NAMES) rest = rest.split(name).join(' ');
  // Identifiers (quote and policy numbers, versions) are letters with digits: not words.
  return (rest.match(/[A-Za-z][A-Za-z0-9-]*/g) ?? []).filter((w) => !ENGLISH_ALLOWED.has(w) && !/\d/.test(w) && w.length > 1);
}

function chineseRuns(text: string): string[] {
  let rest = text;
  for (const name of NAMES) rest = rest.split(name).join(' ');
  return rest.match(/[\u3400-\u9fff\uff08\uff09\u3001\uff1b\uff1a]+/g) ?? [];
}

describe('Pages people can trust (issue #15, real Chromium)', function () {
  this.timeout(180_000);
  const t = useBrowserApp();

  /** A signed-in page that records console errors, page errors, failed requests and responses >= 400. */
  async function signedIn(key: string, width = 1280): Promise<Page & { problems: string[] }> {
    const page = (await t.newPage(width)) as Page & { problems: string[] };
    page.problems = [];
    page.on('pageerror', (err) => page.problems.push(`pageerror ${String(err)}`));
    page.on('console', (msg) => { if (msg.type() === 'error') page.problems.push(`console ${msg.text()}`); });
    page.on('requestfailed', (req) => page.problems.push(`requestfailed ${req.url()}`));
    page.on('response', (res) => { if (res.status() >= 400) page.problems.push(`${res.status()} ${res.url()}`); });
    await t.signIn(page, key);
    return page;
  }

  const bodyText = (page: Page) => page.evaluate(() => document.body.innerText);
  const shot = t.shot;

  /** The checks every main page passes: its language only, no ISO instants, no overflow at 390 px. */
  async function checkPage(page: Page, url: string, lang: 'zh-CN' | 'en'): Promise<void> {
    await page.goto(`${t.base}${url}${url.includes('?') ? '&' : '?'}lang=${lang}`);
    const text = await bodyText(page);
    expect(text, `${url}: ISO instant`).not.to.match(ISO_Z);
    expect(text, `${url}: Infinity`).not.to.include('Infinity');
    if (lang === 'zh-CN') expect(englishWords(text), `${url}: English in a zh-CN page`).to.deep.equal([]);
    else expect(chineseRuns(text), `${url}: Chinese in an en page`).to.deep.equal([]);
    for (const code of ['FIRST-SET-EQUIPMENT', 'KCIC', 'HTIC', 'ZXIC', '(broker)', 'first-set-equipment']) expect(text, `${url}: code ${code}`).not.to.include(code);
  }

  async function fitsAt390(page: Page, url: string): Promise<void> {
    await page.setViewport({ width: 390, height: 844 });
    await page.goto(`${t.base}${url}`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `${url} at 390 px`).to.be.at.most(390);
  }

  it('fills the form field by field with no console error and no failed request; subsidy facts let the Zhejiang programme apply', async () => {
    const page = await signedIn(t.keys.broker);
    await page.goto(`${t.base}/catalogue/${PRODUCT}/quote`);
    // The either-or deductible pair is marked and says so in the reader's language.
    expect(await page.$eval('label[for="f-inputs-deductibleAmount"]', (el) => el.textContent ?? '')).to.include('*');
    expect(await page.$eval('[data-field="inputs.deductibleRate"] .either-or', (el) => el.textContent ?? '')).to.include('至少填写一项');
    await page.select('[name="enterpriseId"]', t.organisations.HZZZ!);
    for (const [key, value] of Object.entries(vector.inputs)) {
      if (Array.isArray(value)) {
        for (const [itemKey, itemValue] of Object.entries(value[0] as object)) {
          await page.$eval(`[name="inputs.${key}[0].${itemKey}"]`, (el) => ((el as unknown as InputLike).value = ''));
          await page.type(`[name="inputs.${key}[0].${itemKey}"]`, String(itemValue), { delay: 5 });
        }
        continue;
      }
      const selector = `[name="inputs.${key}"]`;
      if ((await page.$eval(selector, (el) => el.tagName)) === 'SELECT') await page.select(selector, String(value));
      else {
        await page.$eval(selector, (el) => ((el as unknown as InputLike).value = ''));
        await page.type(selector, String(value), { delay: 5 });
      }
    }
    await page.waitForFunction(() => Boolean(document.querySelector('#live-preview[data-fen]')), { timeout: 15_000 });
    // The Zhejiang programme asks for a first-set qualification: ticking it makes the layer apply.
    await page.click('input[name="enterprise.qualifications"][value="first-domestic"]');
    await Promise.all([page.waitForNavigation(), page.click('#calculate')]);
    const box = await page.$eval('.subsidy-box', (el) => (el as unknown as { innerText: string }).innerText);
    expect(box).to.include('浙江省首台（套）保险补偿');
    expect(box).not.to.match(/¥0\.00/);
    expect(box).to.include('未触及');
    await shot(page, '21-broker-subsidy-facts');
    expect(page.problems).to.deep.equal([]);
  });

  it('after approval and after binding the banner states the new state, with who decided and the note', async () => {
    const quote = (await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: referredInputs, startDate: today() })).body as { id: string; status: string };
    expect(quote.status).to.equal('referred');
    const uw = await signedIn(t.keys.underwriter);
    await uw.goto(`${t.base}/quotes/${quote.id}`);
    // The referral puts the figures the rule read beside its reason.
    const rules = await uw.$eval('.rules', (el) => (el as unknown as { innerText: string }).innerText);
    expect(rules).to.include('累计赔偿限额低于装备价值');
    expect(rules).to.include('500 万元');
    expect(rules).to.include('0.5');
    await shot(uw, '22-underwriter-referral-figures');
    await uw.type('#approve-note', '赔付率按上限');
    await Promise.all([uw.waitForNavigation(), uw.click('#approve')]);
    const approved = await bodyText(uw);
    expect(await uw.$eval('[data-state]', (el) => el.getAttribute('data-state'))).to.equal('approved');
    expect(approved).to.include('核保通过');
    expect(approved).not.to.include('需人工核保');
    expect(approved).to.include('赔付率按上限');
    expect(approved).to.match(/李核保（科创财产保险股份有限公司（演示））于 \d{4}-\d{2}-\d{2} \d{2}:\d{2} 北京时间 决定/);
    await shot(uw, '23-underwriter-approved-banner');

    const broker = await signedIn(t.keys.broker);
    await broker.goto(`${t.base}/quotes/${quote.id}`);
    await Promise.all([broker.waitForNavigation(), broker.click('#bind')]);
    const policy = await bodyText(broker);
    expect(await broker.$eval('[data-state]', (el) => el.getAttribute('data-state'))).to.equal('bound');
    expect(policy).to.include('已投保出单');
    expect(policy).not.to.include('需人工核保');
    expect(policy).to.include('赔付率按上限');
    expect(policy).to.include('土压平衡盾构机');
    await shot(broker, '24-broker-bound-policy');
    expect([...uw.problems, ...broker.problems]).to.deep.equal([]);
  });

  it('a declined quote offers no quotation PDF and no subsidy, and says why', async () => {
    const quote = (await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: referredInputs, startDate: today() })).body as { id: string };
    expect((await t.http.post(`/v1/quotes/${quote.id}/decline`).set(bearer(t.keys.underwriter)).send({ reason: '累计限额不足，不予承保' })).status).to.equal(200);
    const page = await signedIn(t.keys.broker);
    await page.goto(`${t.base}/quotes/${quote.id}`);
    const text = await bodyText(page);
    expect(await page.$eval('[data-state]', (el) => el.getAttribute('data-state'))).to.equal('declined');
    expect(text).to.include('累计限额不足，不予承保');
    expect(text).not.to.include('需人工核保');
    expect(await page.$('#download-pdf')).to.equal(null);
    expect(await page.$('.subsidy-box')).to.equal(null);
    expect(text).not.to.include('有效期至');
    expect(text).not.to.include('预计可申请补贴');
    await shot(page, '25-broker-declined-quote');
    const pdf = await t.http.get(`/v1/quotes/${quote.id}/pdf`).set(bearer(t.keys.broker));
    expect(pdf.status).to.equal(409);
  });

  it('main pages: their language only, no ISO instants, names not codes, no overflow at 390 px; an unknown path answers HTML', async () => {
    const quote = (await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: vector.inputs, startDate: today() })).body as { id: string };
    const policy = (await t.http.post(`/v1/quotes/${quote.id}/bind`).set(bearer(t.keys.broker))).body as { id: string };
    const broker = await signedIn(t.keys.broker);
    const pages = ['/catalogue', `/catalogue/${PRODUCT}`, `/catalogue/${PRODUCT}/quote`, '/quotes', `/quotes/${quote.id}`, '/policies', `/policies/${policy.id}`];
    for (const url of pages) for (const lang of ['zh-CN', 'en'] as const) await checkPage(broker, url, lang);
    await broker.goto(`${t.base}/quotes?lang=zh-CN`);
    for (const url of pages) await fitsAt390(broker, url);
    await shot(broker, '26-policy-390px');
    const enterprise = await signedIn(t.keys.enterprise);
    expect(await enterprise.$('nav a[href="/catalogue"]')).not.to.equal(null);
    // An unknown web path answers an HTML page; the API keeps JSON.
    const missing = await enterprise.goto(`${t.base}/no-such-page`);
    expect(missing?.status()).to.equal(404);
    expect(missing?.headers()['content-type']).to.match(/^text\/html/);
    expect(await bodyText(enterprise)).to.include('未找到');
    const api = await t.http.get('/v1/no-such-thing').set(bearer(t.keys.broker));
    expect(api.status).to.equal(404);
    expect(api.type).to.equal('application/json');
    // The 403 page prints its message once.
    const forbidden = await enterprise.goto(`${t.base}/referrals`);
    expect(forbidden?.status()).to.equal(403);
    const text = await bodyText(enterprise);
    expect(text.split('您的角色无权执行此操作').length - 1).to.equal(1);
  });
});
