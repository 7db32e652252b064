// Pool invitations in a real headless Chromium: the member's admin accepts, declines and leaves
// its shares on /pools/invitations (names, not codes; zh-CN and en), and the product workbench
// shows the lead's draft each member's consent and invites a declined member again.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { Page } from 'puppeteer-core';
import { useBrowserApp } from '../support/browser-app.ts';
import { bearer } from '../support/test-app.ts';

const CODE = 'CONSENT-PAGES';
const definition: Record<string, unknown> = { ...JSON.parse(readFileSync('products/first-set-equipment.json', 'utf8')) as Record<string, unknown>, code: CODE };
definition.coInsurance = { members: [{ insurer: 'KCIC', role: 'lead', sharePercent: '40' }, { insurer: 'HTIC', role: 'follower', sharePercent: '30' }, { insurer: 'ZXIC', role: 'follower', sharePercent: '30' }] };
const version = String(definition.version);

describe('Pool invitation pages in headless Chromium', function () {
  this.timeout(180_000);
  const t = useBrowserApp();

  async function signedIn(key: string): Promise<Page> {
    const page = await t.newPage();
    await t.signIn(page, key);
    return page;
  }
  const text = (page: Page, selector: string) => page.$eval(selector, (el) => el.textContent ?? '');
  const consent = (page: Page) => page.$$eval('#pool-consent tbody tr', (rows) => rows.map((r) => [r.querySelector('th')?.textContent ?? '', r.getAttribute('data-consent')]));

  before(async () => {
    const res = await t.http.post('/v1/products').set(bearer(t.keys.insurerAdmin)).send({ definition });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
  });

  it('shows the lead\'s draft each member\'s consent by name', async () => {
    const page = await signedIn(t.keys.insurerAdmin);
    await page.goto(`${t.base}/products/${CODE}/versions/${version}`);
    expect(await consent(page)).to.deep.equal([
      ['科创财产保险股份有限公司（演示）', 'own'], ['恒泰科技保险股份有限公司（演示）', 'pending'], ['中鑫科技保险股份有限公司（演示）', 'pending'],
    ]);
    expect(await text(page, '#pool-consent')).to.include('待接受');
    await page.close();
  });

  it('lets the member\'s admin accept its share from the invitations page, then offers to leave', async () => {
    const page = await signedIn(t.keys.otherInsurerAdmin);
    await Promise.all([page.waitForNavigation(), page.click('nav a[href="/pools/invitations"]')]);
    const row = `#invitations-received tr[data-invitation][data-status="pending"]`;
    const rowText = await text(page, row);
    expect(rowText).to.include('科创财产保险股份有限公司（演示）').and.include('30%').and.include('共保').and.not.include('KCIC');
    await t.shot(page, '22-pool-invitation-pending');
    await Promise.all([page.waitForNavigation(), page.click(`${row} button[data-accept]`)]);
    expect(await text(page, '#invitation-notice')).to.include('已接受').and.include('30%');
    expect(await page.$$eval('#invitations-received tr[data-status="accepted"] button[data-leave]', (b) => b.length)).to.be.greaterThan(0);
    // The same page in English names the insurer in English.
    await page.goto(`${t.base}/pools/invitations?lang=en`);
    expect(await text(page, '#invitations-received')).to.include('Kechuang Property & Casualty (demo)').and.include('Accepted');
    await page.close();
  });

  it('lets the other member decline, and the lead invite it again from the workbench', async () => {
    const zxic = await signedIn(t.keys.poolInsurerAdmin);
    await zxic.goto(`${t.base}/pools/invitations`);
    const row = `#invitations-received tr[data-status="pending"]`;
    await Promise.all([zxic.waitForNavigation(), zxic.click(`${row} button[data-decline]`)]);
    expect(await text(zxic, '#invitation-notice')).to.include('已拒绝');
    await zxic.close();

    const lead = await signedIn(t.keys.insurerAdmin);
    await lead.goto(`${t.base}/products/${CODE}/versions/${version}`);
    expect((await consent(lead)).map(([, status]) => status)).to.deep.equal(['own', 'accepted', 'declined']);
    await t.shot(lead, '23-workbench-pool-consent');
    await Promise.all([lead.waitForNavigation(), lead.click('#invite-pool')]);
    expect((await consent(lead)).map(([, status]) => status)).to.deep.equal(['own', 'accepted', 'pending']);
    // The lead sees what it sent, by member name.
    await lead.goto(`${t.base}/pools/invitations`);
    expect(await text(lead, '#invitations-sent')).to.include('中鑫科技保险股份有限公司（演示）').and.include('待接受');
    await lead.close();
  });

  it('speaks the page\'s language only, names no codes, shows no ISO instants and fits 390 px', async () => {
    const page = await signedIn(t.keys.otherInsurerAdmin);
    for (const lang of ['zh-CN', 'en'] as const) {
      await page.goto(`${t.base}/pools/invitations?lang=${lang}`);
      const body = await page.$eval('body', (el) => (el as unknown as { innerText: string }).innerText);
      for (const code of ['KCIC', 'HTIC', 'ZXIC', CODE, 'FIRST-SET-EQUIPMENT', 'follower', 'pending', 'accepted']) expect(body, `${lang}: ${code}`).not.to.include(code);
      expect(body).not.to.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
      if (lang === 'en') expect(body.match(/[\u3400-\u9fff]+/g) ?? []).to.have.members(['赵产品', '中文']); // the user's name, the language switch
      else expect((body.match(/[A-Za-z][A-Za-z-]*/g) ?? []).filter((w) => w !== 'English' && w.length > 1)).to.deep.equal([]);
    }
    await page.setViewport({ width: 390, height: 844 });
    await page.goto(`${t.base}/pools/invitations?lang=zh-CN`);
    expect(await page.$eval('html', (el) => el.scrollWidth)).to.be.at.most(390);
    await page.close();
  });
});
