// Issue #27, "Pages": a department's qualification lists in a real headless Chromium — the
// Zhejiang department uploads a CSV, sees what it changes before anything is stored, confirms it
// and sees the version; a second upload's preview names the enterprise whose validity changed and
// the one removed; a bad file is refused at the file field naming row, column and rule in Chinese
// and English with the chosen kind kept, a file over the size limit before it is read; a confirmed
// preview cannot be stored twice; a broker is refused.
import { expect } from 'chai';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HTTPResponse, Page } from 'puppeteer-core';
import supertest from 'supertest';
import { useBrowserApp } from '../support/browser-app.ts';
import { today } from '../support/china-date.ts';
import { bearer } from '../support/test-app.ts';

const HZZZ = '91330106MA2H7K3Q0L'; // the demo enterprise 杭州智造装备有限公司 (registered)
const OTHER_A = '91330100MA27ABCD1X';
const OTHER_B = '91330200MA2CDEFG2Y';
const HEADER = '统一社会信用代码,证书编号,有效期起,有效期止';

describe('A department\'s qualification-list pages in headless Chromium (#27)', function () {
  this.timeout(300_000);
  const t = useBrowserApp();
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ql-pages-'));
  });

  const file = async (name: string, lines: string[]) => {
    const path = join(dir, name);
    await writeFile(path, `${lines.join('\n')}\n`);
    return path;
  };

  const text = (page: Page, selector: string) => page.$eval(selector, (el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim());

  /** Picks the kind and the file on /qualification-lists and asks for the preview; the preview's (or refusal's) response. */
  async function preview(page: Page, kind: string, path: string): Promise<HTTPResponse | null> {
    await page.select('#ql-kind', kind);
    const input = (await page.$('#ql-file')) as unknown as { uploadFile(p: string): Promise<void> };
    await input.uploadFile(path);
    const [res] = await Promise.all([page.waitForNavigation(), page.click('#ql-preview')]);
    return res;
  }

  const confirm = async (page: Page) => (await Promise.all([page.waitForNavigation(), page.click('#ql-confirm')]))[0];
  const stored = async () => (await t.http.get('/v1/qualification-lists').set(bearer(t.keys.provincialAuthority))).body.items as { id: string; kind: string; rowCount: number; date: string }[];

  it('previews a first upload (every enterprise added, by name), stores nothing until confirmed, then shows the version', async () => {
    const page = await t.newPage(1300);
    await t.signIn(page, t.keys.provincialAuthority);
    await page.goto(`${t.base}/applications?lang=zh-CN`);
    await Promise.all([page.waitForNavigation(), page.click('nav a[href="/qualification-lists"]')]);
    expect(await text(page, '#ql-none')).to.equal('尚未上传名单。');

    const first = await file('first.csv', [HEADER, `${HZZZ},GR202433000123,2024-12-01,2027-11-30`, `${OTHER_A},GR202433000456,2025-01-01,2027-12-31`, `${OTHER_B},GR202433000789,2024-06-01,2027-05-31`]);
    const res = await preview(page, 'high-tech', first);
    expect(res?.status()).to.equal(200);
    expect(await text(page, 'h1')).to.equal('变更预览：高新技术企业名单');
    expect(await text(page, '#ql-summary')).to.equal('共 3 行：新增 3 家，移除 0 家，有效期或级别变更 0 家，未变 0 家。');
    expect(await text(page, '#ql-against')).to.include('首次上传');
    expect(await text(page, `#ql-added tr[data-code="${HZZZ}"]`)).to.include('杭州智造装备有限公司').and.include('2024-12-01 至 2027-11-30');
    expect(await text(page, `#ql-added tr[data-code="${OTHER_A}"]`)).to.include('未在本平台登记');
    expect(await page.$('#ql-removed')).to.equal(null);
    await t.shot(page, '66-qualification-preview-zh');
    expect(await stored(), 'a preview stores nothing').to.have.length(0);

    const posted = await page.$$eval('#ql-confirm-form input[type="hidden"]', (inputs) => inputs.map((i) => [i.getAttribute('name') ?? '', i.getAttribute('value') ?? ''] as [string, string]));
    const done = await confirm(page);
    expect(done?.status()).to.equal(200);
    expect(page.url()).to.match(/\/qualification-lists\/[0-9a-f]{24}\?stored=1$/);
    expect(await text(page, '#ql-stored')).to.equal('已保存新版本（3 行）。');
    expect(await page.$$eval('#ql-rows tbody tr', (rows) => rows.length)).to.equal(3);
    expect(await text(page, '#ql-rows thead')).to.include('证书编号').and.include('有效期止');
    const versions = await stored();
    expect(versions.map((v) => ({ kind: v.kind, rowCount: v.rowCount, date: v.date }))).to.deep.equal([{ kind: 'high-tech', rowCount: 3, date: today() }]);

    // The same preview confirmed again (a second click, a resent form): nothing more is stored.
    const again = await page.evaluate(async (fields) => {
      const res = await fetch('/qualification-lists/confirm', { method: 'POST', credentials: 'same-origin', body: new URLSearchParams(fields) });
      return { status: res.status, text: await res.text() };
    }, posted);
    expect(again.status).to.equal(409);
    expect(again.text).to.include('请重新上传文件');
    expect(await stored()).to.have.length(1);
    await page.close();
  });

  it('previews a second upload naming the enterprise whose validity changed and the one removed, in both languages, and lists the versions newest first', async () => {
    const page = await t.newPage(1300);
    await t.signIn(page, t.keys.provincialAuthority);
    await page.goto(`${t.base}/qualification-lists?lang=zh-CN`);
    const second = await file('second.csv', [HEADER, `${HZZZ},GR202433000123,2024-12-01,2026-06-30`, `${OTHER_A},GR202433000456,2025-01-01,2027-12-31`]);
    expect((await preview(page, 'high-tech', second))?.status()).to.equal(200);
    expect(await text(page, '#ql-summary')).to.equal('共 2 行：新增 0 家，移除 1 家，有效期或级别变更 1 家，未变 1 家。');
    expect(await text(page, '#ql-against')).to.equal(`与 ${today()} 版（3 行）相比。`);
    const changed = await text(page, `#ql-changed tr[data-code="${HZZZ}"]`);
    expect(changed).to.include('杭州智造装备有限公司').and.include('2024-12-01 至 2027-11-30').and.include('2024-12-01 至 2026-06-30');
    expect(await page.$$eval('#ql-changed tbody tr', (rows) => rows.length)).to.equal(1);
    expect(await text(page, '#ql-removed')).to.include(OTHER_B);
    expect(await page.$$eval('#ql-removed tbody tr', (rows) => rows.length)).to.equal(1);
    expect(await page.$('#ql-added')).to.equal(null);
    await t.shot(page, '67-qualification-preview-changes-zh');

    // The language switch re-reads the page: an English preview of the same file.
    await page.goto(`${t.base}/qualification-lists?lang=en`);
    expect((await preview(page, 'high-tech', second))?.status()).to.equal(200);
    expect(await text(page, '#ql-summary')).to.equal('2 rows: 0 added, 1 removed, 1 with a changed validity or level, 1 unchanged.');
    expect(await text(page, `#ql-changed tr[data-code="${HZZZ}"]`)).to.include('Hangzhou Smart Equipment Co., Ltd.').and.include('2024-12-01 to 2026-06-30');
    expect(await text(page, 'main')).to.include('Enterprises removed (1)').and.include('Validity or level changed (1)');
    expect(await text(page, '#ql-removed')).to.include('(not registered on this platform)');
    await t.shot(page, '68-qualification-preview-changes-en');

    // The newest preview (the English page's) is the one stored.
    expect((await confirm(page))?.status()).to.equal(200);
    await page.goto(`${t.base}/qualification-lists?lang=zh-CN`);
    const rows = await page.$$eval('#ql-versions tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => (c.textContent ?? '').trim())));
    expect(rows.map((r) => [r[0], r[1], r[3]])).to.deep.equal([['高新技术企业名单', today(), '2'], ['高新技术企业名单', today(), '3']]);
    await t.shot(page, '69-qualification-lists-zh');
    const versions = await stored();
    expect(versions.map((v) => v.rowCount)).to.deep.equal([2, 3]);
    const newest = (await t.http.get(`/v1/qualification-lists/${versions[0]!.id}`).set(bearer(t.keys.provincialAuthority))).body;
    expect(newest.rows.find((r: { creditCode: string }) => r.creditCode === HZZZ).validTo).to.equal('2026-06-30');
    await page.close();
  });

  it('refuses a bad file at the file field naming row, column and rule, in Chinese and English, keeping the chosen kind', async () => {
    const page = await t.newPage(1300);
    await t.signIn(page, t.keys.provincialAuthority);
    const bad = await file('bad.csv', ['统一社会信用代码,有效期起,有效期止', `${HZZZ},2025-01-01,2026-13-01`, '9133-BAD,2025-01-01,2026-12-31']);
    await page.goto(`${t.base}/qualification-lists?lang=zh-CN`);
    const res = await preview(page, 'specialised', bad);
    expect(res?.status()).to.equal(400);
    const zh = await text(page, '#ql-file-error');
    expect(zh).to.include('文件未通过检查，未保存任何内容')
      .and.include('第 2 行，C 列（有效期止）：须为日期 YYYY-MM-DD')
      .and.include('第 3 行，A 列（统一社会信用代码）：须为 18 位统一社会信用代码');
    expect(await page.$eval('#ql-kind', (el) => (el as unknown as { value: string }).value)).to.equal('specialised');
    expect(await page.$eval('#ql-file', (el) => el.getAttribute('aria-invalid'))).to.equal('true');
    await t.shot(page, '70-qualification-bad-file-zh');

    await page.goto(`${t.base}/qualification-lists?lang=en`);
    expect((await preview(page, 'specialised', bad))?.status()).to.equal(400);
    const en = await text(page, '#ql-file-error');
    expect(en).to.include('The file was not accepted; nothing was stored')
      .and.include('Row 2, column C (Valid to): must be a date YYYY-MM-DD')
      .and.include('Row 3, column A (Credit code): must be an 18-character unified social credit code');
    expect(en).to.not.match(/[\u3400-\u9fff]/);
    expect(await page.$eval('#ql-kind', (el) => (el as unknown as { value: string }).value)).to.equal('specialised');
    await t.shot(page, '71-qualification-bad-file-en');
    expect((await stored()).filter((v) => v.kind === 'specialised')).to.have.length(0);
    await page.close();
  });

  it('refuses a file over SHEET_MAX_BYTES as it streams in (413), at the file field with the kind kept, storing nothing', async () => {
    const agent = supertest.agent(t.app);
    expect((await agent.post('/sign-in').type('form').send({ apiKey: t.keys.provincialAuthority })).status).to.equal(303);
    const form = await agent.get('/qualification-lists?lang=en');
    const token = /name="_csrf" value="([^"]+)"/.exec(form.text)?.[1] ?? '';
    const oversized = Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.alloc(5 * 1024 * 1024 + 1, 'x')]);
    const res = await agent.post('/qualification-lists/preview?lang=en').field('_csrf', token).field('kind', 'first-set-catalogue').attach('file', oversized, { filename: 'big.csv', contentType: 'text/csv' });
    expect(res.status).to.equal(413);
    expect(res.text).to.include('The file is larger than 5 MB and was not read (maxBytes).');
    expect(res.text).to.match(/<option value="first-set-catalogue" selected>/);
    expect((await stored()).filter((v) => v.kind === 'first-set-catalogue')).to.have.length(0);
  });

  it('pages a long version\'s rows 50 at a time, with the count and previous/next links', async () => {
    const codes = Array.from({ length: 120 }, (_, i) => `91330100MA${String(i).padStart(8, '0')}`);
    const csv = ['creditCode,certificateNumber,validFrom,validTo', ...codes.map((c, i) => `${c},GR${i},2026-01-01,2030-12-31`)].join('\n');
    const uploaded = await t.http.post('/v1/qualification-lists?kind=high-tech').set(bearer(t.keys.provincialAuthority)).set('Content-Type', 'text/csv').send(csv);
    expect(uploaded.status, JSON.stringify(uploaded.body)).to.equal(201);
    const page = await t.newPage(1200);
    await t.signIn(page, t.keys.provincialAuthority);
    await page.goto(`${t.base}/qualification-lists/${uploaded.body.id}`);
    expect(await text(page, '#ql-shown')).to.equal('第 1–50 行，共 120 行');
    expect(await page.$('#ql-previous')).to.equal(null);
    await Promise.all([page.waitForNavigation(), page.click('#ql-next')]);
    expect(page.url()).to.equal(`${t.base}/qualification-lists/${uploaded.body.id}?offset=50`);
    await Promise.all([page.waitForNavigation(), page.click('#ql-next')]);
    expect(await text(page, '#ql-shown')).to.equal('第 101–120 行，共 120 行');
    expect(await page.$$eval('#ql-rows tbody tr', (rows) => rows.length)).to.equal(20);
    expect(await page.$('#ql-next')).to.equal(null);
    await Promise.all([page.waitForNavigation(), page.click('#ql-previous')]);
    expect(await text(page, '#ql-shown')).to.equal('第 51–100 行，共 120 行');
    await page.close();
  });

  it('refuses a broker (403)', async () => {
    const page = await t.newPage(1200);
    await t.signIn(page, t.keys.broker);
    const res = await page.goto(`${t.base}/qualification-lists`);
    expect(res?.status()).to.equal(403);
    expect(await page.$('#ql-upload')).to.equal(null);
    await page.close();
  });
});
