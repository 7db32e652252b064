// The insurer's workbench, second round (issue #28), in real Chromium: labels that state a rate
// cannot go stale, grid and publish problems in the reader's language at the right row and field,
// the publish date offered from tomorrow. zh-CN and en, 1366 and 390 px.
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { Page } from 'puppeteer-core';
import { extractPdfText } from '../../src/documents/pdf-inspect.ts';
import { addDays, compileProduct, type ProductDefinition } from '../../src/rating/index.ts';
import { SCREENSHOTS, useBrowserApp } from '../support/browser-app.ts';
import { today } from '../support/china-date.ts';
import { publishAs } from '../support/publish-as.ts';
import { bearer } from '../support/test-app.ts';

type InputLike = { value: string };
interface ElementLike { tagName: string; id: string; classList: Iterable<string>; getBoundingClientRect(): { right: number }; closest(selector: string): unknown }
declare const document: { documentElement: { scrollWidth: number }; querySelectorAll(selector: string): Iterable<ElementLike> };

const PRODUCT = 'FIRST-SET-EQUIPMENT';
const englishWords = (text: string) => (text.replaceAll('{rate}', ' ').match(/[A-Za-z][A-Za-z-]*/g) ?? []).filter((w) => w.length > 1);
const chineseRuns = (text: string) => text.match(/[\u3400-\u9fff\uff08\uff09\u3001\uff1b\uff1a\uff0c\u3002\u201c\u201d]+/g) ?? [];

describe('Insurer workbench, second round (#28, real Chromium)', function () {
  this.timeout(180_000);
  const t = useBrowserApp();
  const admin = () => bearer(t.keys.insurerAdmin);

  async function signedIn(width = 1366, key = t.keys.insurerAdmin): Promise<Page> {
    const page = await t.newPage(width);
    await t.signIn(page, key);
    return page;
  }
  async function clone(): Promise<{ version: string; url: string }> {
    const res = await t.http.post(`/v1/products/${PRODUCT}/versions`).set(admin()).send({ cloneFrom: '2025.1' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return { version: res.body.version as string, url: `${t.base}/products/${PRODUCT}/versions/${encodeURIComponent(res.body.version as string)}` };
  }
  async function setValue(page: Page, name: string, value: string): Promise<void> {
    await page.$eval(`[name="${name}"]`, (el, v) => ((el as unknown as InputLike).value = v), value);
  }
  const textOf = (page: Page, selector: string) => page.$eval(selector, (el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim());
  const save = (page: Page) => Promise.all([page.waitForNavigation(), page.click('#save-table')]);
  const fits = async (page: Page) => {
    const width = page.viewport()!.width;
    // On failure, name the elements that reach past the viewport.
    const wide = await page.evaluate((w) => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > w + 1 && !e.closest('.table-scroll')).slice(0, 5).map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${[...e.classList].join('.')} ${Math.round(e.getBoundingClientRect().right)}px`), width);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), wide.join('; ')).to.be.at.most(width);
  };

  it('refuses a rate change that leaves its label stating the old rate, at the label, in the reader\'s language', async () => {
    const { version, url } = await clone();
    for (const [lang, width] of [['zh-CN', 1366], ['en', 390]] as const) {
      const page = await signedIn(width);
      await page.goto(`${url}/tables/sections?lang=${lang}`);
      await setValue(page, 'r0.ratePercent', '2.3');
      await save(page);
      const zh = await textOf(page, '#cell-0-label-zh-error');
      const en = await textOf(page, '#cell-0-label-en-error');
      for (const message of [zh, en]) expect(message).to.include('2.1%').and.include('2.3%').and.include('{rate}');
      if (lang === 'zh-CN') {
        expect(zh).to.include('标签写的是 2.1%');
        expect(englishWords(zh + en + await textOf(page, '#table-problems'))).to.deep.equal([]);
      } else {
        expect(en).to.include('The label states 2.1% but the rate is 2.3%');
        expect(chineseRuns(zh + en + await textOf(page, '#table-problems'))).to.deep.equal([]);
      }
      expect(await page.$eval('[name="r0.label.zh"]', (el) => el.getAttribute('aria-invalid'))).to.equal('true');
      await fits(page);
      await t.shot(page, `28-stale-label-refused-${lang}-${width}`);
      await page.close();
    }
    const stored = await t.http.get(`/v1/products/${PRODUCT}/versions/${version}`).set(admin());
    expect(stored.body.definition.plan.sections[0].ratePercent).to.equal('2.1');
  });

  it('fills {rate} from the rate in the quote worksheet, the diff and the filing PDF', async () => {
    const { version, url } = await clone();
    const page = await signedIn();
    await page.goto(`${url}/tables/sections?lang=zh-CN`);
    await setValue(page, 'r0.ratePercent', '2.3');
    await setValue(page, 'r0.label.zh', '基准保费：合同金额 × {rate}%');
    await setValue(page, 'r0.label.en', 'Base premium: contract amount × {rate}%');
    await save(page);
    expect(await page.$('.notice')).not.to.equal(null);
    expect(await page.$('.field-error')).to.equal(null);

    const stored = (await t.http.get(`/v1/products/${PRODUCT}/versions/${version}`).set(admin())).body.definition as ProductDefinition;
    expect(stored.plan.sections[0]!.label.zh).to.equal('基准保费：合同金额 × {rate}%');
    expect(compileProduct(stored).sections[0]!.label).to.deep.equal({ zh: '基准保费：合同金额 × 2.3%', en: 'Base premium: contract amount × 2.3%' });

    // The history says what changed, cell by cell, in the reader's language (not "修改草稿: 1 change(s)").
    for (const [lang, expected] of [['zh-CN', '分项基准费率 · 第 1 行（main） · 基准费率（%）：2.1 → 2.3'], ['en', ' · Row 1 (main) · Base rate (%): 2.1 → 2.3']] as const) {
      await page.goto(`${url}?lang=${lang}`);
      const first = await page.$eval('#history tbody tr', (tr) => ({ what: tr.querySelector('td:nth-child(3)')?.firstChild?.textContent ?? '', title: tr.querySelector('td:nth-child(3)')?.getAttribute('title') ?? '', changes: [...tr.querySelectorAll('ul.changes li')].map((li) => li.textContent ?? '') }));
      expect(first.what).to.equal(lang === 'en' ? 'Edited the draft' : '修改草稿');
      expect(first.changes.some((c) => c.endsWith(expected)), JSON.stringify(first.changes)).to.equal(true);
      expect(first.changes.some((c) => c.includes('基准保费：合同金额 × 2.1% → 基准保费：合同金额 × {rate}%'))).to.equal(true);
      if (lang === 'zh-CN') expect(first.title).to.equal('');
      await (await page.$('#history'))!.screenshot({ path: `${SCREENSHOTS}/28-history-cells-${lang}-1366.png` });
    }

    // A yes/no edit: [0,500] (500,1000] becomes [0,500) [500,1000].
    await page.goto(`${url}/tables/step.transactionAmount?lang=zh-CN`);
    await setValue(page, 'r0.upperInclusive', 'false');
    await setValue(page, 'r1.lowerInclusive', 'true');
    await save(page);
    expect(await page.$('.field-error')).to.equal(null);

    await page.goto(`${t.base}/products/${PRODUCT}/diff?from=2025.1&to=${version}&lang=zh-CN`);
    // Names, not keys: rows by their label, coverages and quantities by name, 是/否, the version number by name.
    const diffText = await textOf(page, 'main');
    expect(diffText).not.to.match(/\b(true|false|identity|changed|quality|contractAmount)\b/);
    expect(await page.$$eval('section.table-diff[data-table="step.transactionAmount"] td.changed', (cells) => cells.map((c) => (c.textContent ?? '').trim()))).to.deep.equal(['是 否', '否 是']);
    expect(await page.$eval('section.table-diff[data-table="sections"] tbody th', (th) => th.textContent)).to.equal('基准保费：合同金额 × 2.3%');
    expect(await page.$eval('table.diff tr[data-path="version"]', (tr) => [...tr.children].map((c) => c.textContent))).to.deep.equal(['版本号', '版本信息', '修改', '2025.1', version]);
    await t.shot(page, '28-diff-names-zh-CN-1366');
    const changed = await page.$$eval('section.table-diff[data-table="sections"] td.changed', (cells) => cells.map((c) => (c.textContent ?? '').replace(/\s+/g, ' ').trim()));
    expect(changed).to.deep.equal(['基准保费：合同金额 × 2.1% 基准保费：合同金额 × 2.3%', 'Base premium: contract amount × 2.1% Base premium: contract amount × 2.3%', '2.1 2.3']);

    const base64 = await page.evaluate(async (href) => {
      const bytes = new Uint8Array(await (await fetch(href, { credentials: 'same-origin' })).arrayBuffer());
      let s = '';
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    }, `${url}/filing.pdf`);
    const text = (await extractPdfText(Buffer.from(base64, 'base64'))).replace(/\s+/g, ' ');
    expect(text).to.include('合同金额 × 2.3%');
    expect(text).not.to.include('{rate}').and.not.to.include('× 2.1%');
    await page.close();
  });

  it('names the overlapped row as the grid numbers it, in zh-CN and en, at 1366 and 390 px', async () => {
    const { url } = await clone();
    for (const [lang, width, expected] of [['zh-CN', 1366, '与第 3 行的区间重叠'], ['en', 390, 'Overlaps the band of row 3']] as const) {
      const page = await signedIn(width);
      await page.goto(`${url}/tables/step.lossRatio?lang=${lang}`);
      await setValue(page, 'r3.lower', '60');
      await save(page);
      expect(await textOf(page, '#cell-3-lower-error')).to.equal(expected);
      await fits(page);
      await t.shot(page, `28-grid-overlap-${lang}-${width}`);
      await page.close();
    }
  });

  it('offers tomorrow as the publish date and answers a clash at the date field in the reader\'s language', async () => {
    const { version, url } = await clone();
    // Four-eyes: the admin submits, the second admin (who gets the publish form) publishes.
    expect((await t.http.post(`/v1/products/${PRODUCT}/versions/${version}/submit`).set(admin())).status).to.equal(200);
    for (const [lang, width, expected] of [['zh-CN', 1366, '与已发布的版本 2025.1 的适用期间冲突'], ['en', 390, 'Clashes with the dates of published version 2025.1']] as const) {
      const page = await signedIn(width, t.keys.secondInsurerAdmin);
      await page.goto(`${url}?lang=${lang}`);
      expect(await page.$eval('#publish-effective-from', (el) => (el as unknown as InputLike).value)).to.equal(addDays(today(), 1));
      // The draft's own first day, the day the version in force took effect: a clash.
      await page.$eval('#publish-effective-from', (el) => ((el as unknown as InputLike).value = '2025-01-01'));
      page.once('dialog', (dialog) => void dialog.accept());
      await Promise.all([page.waitForNavigation(), page.click('#publish')]);
      const error = await textOf(page, '#publish-effective-from-error');
      expect(error).to.include(expected);
      expect(await page.$('#definition-errors')).to.equal(null);
      expect(await page.$eval('#publish-effective-from', (el) => el.getAttribute('aria-invalid'))).to.equal('true');
      if (lang === 'zh-CN') expect(englishWords(error)).to.deep.equal([]);
      else expect(chineseRuns(error)).to.deep.equal([]);
      await fits(page);
      await t.shot(page, `28-publish-clash-${lang}-${width}`);
      await (await page.$('#publish-form'))!.screenshot({ path: `${SCREENSHOTS}/28-publish-clash-${lang}-${width}-field.png` });
      await page.close();
    }
  });

  it('vectors step: old and new premium in 元 with the difference after a rate change, accepted as the new expectations in one audited step', async () => {
    const { version, url } = await clone();
    const draft = (await t.http.get(`/v1/products/${PRODUCT}/versions/${version}`).set(admin())).body.definition as ProductDefinition;
    draft.plan.sections[0]!.ratePercent = '2.3';
    draft.plan.sections[0]!.label = { zh: '基准保费：合同金额 × {rate}%', en: 'Base premium: contract amount × {rate}%' };
    expect((await t.http.put(`/v1/products/${PRODUCT}/versions/${version}`).set(admin()).send({ definition: draft })).status).to.equal(200);
    // Vectors that price something (a declined one prices nothing, so a rate change leaves it at 0).
    const quoted = draft.testVectors.filter((v) => ((v.expected as { grossPremiumFen?: number }).grossPremiumFen ?? 0) > 0);
    const fen = (text: string) => Math.round(Number(text.replace(/[^0-9.-]/g, '')) * 100);

    for (const [lang, width] of [['en', 390], ['zh-CN', 1366]] as const) {
      const page = await signedIn(width);
      await page.goto(`${url}?lang=${lang}`);
      await Promise.all([page.waitForNavigation(), page.click('#run-vectors')]);
      const rows = await page.$$eval('#vector-results tbody tr', (trs) => trs.map((tr) => ({
        name: tr.getAttribute('data-vector'), ok: tr.className === 'ok',
        expected: tr.querySelector('[data-expected]')?.textContent ?? '', actual: tr.querySelector('[data-actual]')?.textContent ?? '', difference: tr.querySelector('[data-difference]')?.textContent ?? '',
      })));
      expect(rows.filter((r) => !r.ok).length).to.be.at.least(quoted.length);
      for (const vector of quoted) {
        const row = rows.find((r) => r.name === vector.name)!;
        expect(row.expected).to.match(/^¥[\d,]+\.\d{2}$/);
        expect(fen(row.expected)).to.equal((vector.expected as { grossPremiumFen: number }).grossPremiumFen);
        expect(row.difference).to.match(/^\+¥[\d,]+\.\d{2}$/);
        expect(fen(row.actual) - fen(row.expected)).to.equal(fen(row.difference));
      }
      // Everything but the vectors' own names (product texts) is in the page's language.
      const step = (await page.$$eval('#vector-results h2, #vector-results thead, #vector-results tbody td, #accept-vectors-form', (els) => els.map((e) => e.textContent ?? ''))).join(' ');
      if (lang === 'zh-CN') {
        expect(step).to.include('设为新的预期');
        expect(englishWords(step)).to.deep.equal([]);
      } else expect(chineseRuns(step)).to.deep.equal([]);
      await fits(page);
      await t.shot(page, `28-vectors-step-${lang}-${width}`);
      await (await page.$('#vector-results'))!.screenshot({ path: `${SCREENSHOTS}/28-vectors-step-${lang}-${width}-panel.png` });
      if (lang === 'en') { await page.close(); continue; }

      await Promise.all([page.waitForNavigation(), page.click('#accept-vectors')]);
      expect(await textOf(page, '.notice')).to.include('设为新的预期');
      expect(await page.$$eval('#vector-results tbody tr.bad', (trs) => trs.length)).to.equal(0);
      expect(await page.$('#accept-vectors')).to.equal(null);
      const whats = await page.$$eval('#history tbody tr td:nth-child(3)', (tds) => tds.map((td) => td.firstChild?.textContent));
      expect(whats[0]).to.equal('采纳测试用例结果为预期');
      const moved = await page.$$eval('#history tbody tr:first-child ul.changes li', (lis) => lis.map((li) => li.textContent ?? ''));
      const firstVector = rows.find((r) => r.name === quoted[0]!.name)!;
      expect(moved.some((line) => line.startsWith('测试用例 · 第 1 行') && line.endsWith(`${fen(firstVector.expected)} → ${fen(firstVector.actual)}`)), JSON.stringify(moved)).to.equal(true);
      const stored = (await t.http.get(`/v1/products/${PRODUCT}/versions/${version}`).set(admin())).body.definition as ProductDefinition;
      const first = rows.find((r) => r.name === quoted[0]!.name)!;
      expect((stored.testVectors.find((v) => v.name === quoted[0]!.name)!.expected as { grossPremiumFen: number }).grossPremiumFen).to.equal(fen(first.actual));
      await t.shot(page, '28-vectors-accepted-zh-CN-1366');
      await page.close();
    }
  });

  it('refuses to accept vector results on a draft changed since they were shown', async () => {
    const { url } = await clone();
    const page = await signedIn();
    await page.goto(url);
    const csrf = await page.$eval('input[name="_csrf"]', (el) => (el as unknown as InputLike).value);
    const status = await page.evaluate(async (href, token) => (await fetch(href, { method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(token)}&seen=stale` })).status, `${url}/accept-vectors`, csrf);
    expect(status).to.equal(409);
    await page.close();
  });

  it('versions timeline: from and until of each version, the one in force today and the scheduled one marked; compare defaults to the version in force', async () => {
    const takeOver = addDays(today(), 30);
    const scheduled = await clone();
    const definition = (await t.http.get(`/v1/products/${PRODUCT}/versions/${scheduled.version}`).set(admin())).body.definition as ProductDefinition;
    expect((await t.http.put(`/v1/products/${PRODUCT}/versions/${scheduled.version}`).set(admin()).send({ definition: { ...definition, effectiveFrom: takeOver } })).status).to.equal(200);
    const published = await publishAs(t.http, t.keys, PRODUCT, scheduled.version, { body: {} });
    expect(published.status, JSON.stringify(published.body)).to.equal(200);
    const draft = await clone();
    for (const [lang, width] of [['zh-CN', 1366], ['en', 390]] as const) {
      const page = await signedIn(width);
      await page.goto(`${t.base}/products/${PRODUCT}?lang=${lang}`);
      const row = (version: string) => page.$eval(`tr[data-version="${version}"]`, (tr) => ({
        inForce: tr.hasAttribute('data-in-force'), scheduled: tr.hasAttribute('data-scheduled-row'),
        from: tr.querySelector('[data-from]')?.textContent ?? '', until: tr.querySelector('[data-until]')?.textContent ?? '', marker: tr.querySelector('[data-marker]')?.textContent ?? '',
      }));
      expect(await row('2025.1')).to.deep.equal({ inForce: true, scheduled: false, from: '2025-01-01', until: addDays(takeOver, -1), marker: lang === 'en' ? 'In force today' : '今日现行' });
      expect(await row(scheduled.version)).to.deep.equal({ inForce: false, scheduled: true, from: takeOver, until: lang === 'en' ? 'Open (until a new version takes over)' : '未定（直至新版本接替）', marker: lang === 'en' ? `Scheduled: takes over on ${takeOver}` : `已排期：${takeOver} 起接替` });
      expect((await row(draft.version)).inForce).to.equal(false);
      expect(await page.$eval('#diff-from', (el) => (el as unknown as InputLike).value)).to.equal('2025.1');
      expect(await page.$eval('#diff-to', (el) => (el as unknown as InputLike).value)).to.equal(draft.version);
      const table = await textOf(page, 'table.list');
      if (lang === 'zh-CN') expect(englishWords(table)).to.deep.equal([]);
      else expect(chineseRuns(table)).to.deep.equal([]);
      await fits(page);
      await t.shot(page, `28-versions-timeline-${lang}-${width}`);
      // The draft's own compare form starts from the version in force, not the newest published one.
      await page.goto(`${draft.url}?lang=${lang}`);
      expect(await page.$eval('#compare-from', (el) => (el as unknown as InputLike).value)).to.equal('2025.1');
      await page.close();
    }
  });

  async function pdfText(page: Page, href: string): Promise<string> {
    const base64 = await page.evaluate(async (url) => {
      const bytes = new Uint8Array(await (await fetch(url, { credentials: 'same-origin' })).arrayBuffer());
      let out = '';
      for (const b of bytes) out += String.fromCharCode(b);
      return btoa(out);
    }, href);
    return (await extractPdfText(Buffer.from(base64, 'base64'))).replace(/\s+/g, ' ');
  }

  it('filing PDF: no internal note, a draft has no period yet, the filing reference and date recorded on a version print on it', async () => {
    const page = await signedIn();
    const published = `${t.base}/products/${PRODUCT}/versions/2025.1`;
    await page.goto(`${published}?lang=zh-CN`);
    await page.type('#filing-reference', '科创财险〔2025〕备 17 号');
    await page.$eval('#filed-on', (el) => ((el as unknown as InputLike).value = '2024-12-20'));
    await Promise.all([page.waitForNavigation(), page.click('#save-filing-record')]);
    expect(await textOf(page, '.notice')).to.equal('备案信息已保存。');
    expect(await page.$eval('#filing-reference', (el) => (el as unknown as InputLike).value)).to.equal('科创财险〔2025〕备 17 号');
    expect(await page.$$eval('#history tbody tr td:nth-child(3)', (tds) => tds.map((td) => td.firstChild?.textContent))).to.include('登记备案信息');
    expect(await page.$$eval('#history tbody tr:first-child ul.changes li', (lis) => lis.map((li) => li.textContent))).to.deep.equal(['备案号：— → 科创财险〔2025〕备 17 号', '备案日期：— → 2024-12-20']);
    await t.shot(page, '28-filing-record-zh-CN-1366');
    const text = await pdfText(page, `${published}/filing.pdf`);
    expect(text).to.include('备案号: 科创财险〔2025〕备 17 号').and.include('备案日期: 2024-12-20').and.include('适用期间: 2025-01-01 起');
    expect(text).not.to.match(/Filed rate table|restated|tariffs\.md/);

    const draft = await clone();
    const draftText = await pdfText(page, `${draft.url}/filing.pdf`);
    expect(draftText).to.include('适用期间: 未定（草稿，发布时确定）').and.not.include('2025-01-01 起');
    expect(draftText).not.to.include('备案号');

    // A reference over 64 characters is refused at its field, in the page's language.
    await page.goto(`${draft.url}?lang=en`);
    await page.$eval('#filing-reference', (el) => { el.removeAttribute('maxlength'); (el as unknown as InputLike).value = 'X'.repeat(65); });
    await Promise.all([page.waitForNavigation(), page.click('#save-filing-record')]);
    expect(await textOf(page, '#filing-reference-error')).to.equal('At most 64 characters');
    await page.close();
  });

  it('spreadsheets for people: sheet names and headers in the reader\'s language, 是/否, keys hidden; an export imported back changes nothing', async () => {
    const { version, url } = await clone();
    const page = await signedIn();
    await page.goto(`${url}?lang=zh-CN`);
    const bytes = Buffer.from(await page.evaluate(async (href) => {
      const b = new Uint8Array(await (await fetch(href, { credentials: 'same-origin' })).arrayBuffer());
      let out = '';
      for (const x of b) out += String.fromCharCode(x);
      return btoa(out);
    }, `${url}/export`), 'base64');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as never);
    const sheet = workbook.getWorksheet('交易金额系数')!;
    expect(sheet, workbook.worksheets.map((w) => w.name).join(',')).not.to.equal(undefined);
    expect(sheet.getRow(1).values).to.include('下限').and.include('含下限');
    expect(sheet.getRow(2).hidden).to.equal(true);
    expect(sheet.getRow(2).values).to.include('lower').and.include('lowerInclusive');
    const inclusive = (sheet.getRow(2).values as string[]).indexOf('lowerInclusive');
    expect(sheet.getRow(3).getCell(inclusive).value).to.equal('是');
    expect(sheet.getRow(4).getCell(inclusive).value).to.equal('否');
    expect(workbook.getWorksheet('_keys')!.state).to.equal('hidden');
    for (const ws of workbook.worksheets.filter((w) => w.name !== '_keys')) expect(ws.name, 'sheet names in Chinese').to.match(/[\u3400-\u9fff]/);

    // The round trip: the workbook imported back as it is leaves the definition identical.
    const before = (await t.http.get(`/v1/products/${PRODUCT}/versions/${version}`).set(admin())).body.definition as unknown;
    const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'wb-')), 'version.xlsx');
    await writeFile(file, bytes);
    await (await page.$('#workbook-file') as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(file);
    await Promise.all([page.waitForNavigation(), page.click('#import-workbook-form button[type="submit"]')]);
    expect(await textOf(page, '.notice')).to.not.equal('');
    expect((await t.http.get(`/v1/products/${PRODUCT}/versions/${version}`).set(admin())).body.definition).to.deep.equal(before);

    // A CSV in English headers with Yes/No, edited and imported: the edit lands, the rest unchanged.
    await page.goto(`${url}/tables/step.transactionAmount?lang=en`);
    const csv = await page.evaluate(async (href) => (await fetch(href, { credentials: 'same-origin' })).text(), `${url}/tables/step.transactionAmount/export?format=csv&lang=en`);
    expect(csv).not.to.match(/\b(true|false)\b/);
    const [header, first, ...rest] = csv.replace(/^\uFEFF/, '').trimEnd().split(/\r?\n/);
    expect(header).not.to.include('lowerInclusive');
    const csvFile = path.join(path.dirname(file), 'bands.csv');
    await writeFile(csvFile, [header, first!.replace(',3.00,', ',3.10,'), ...rest].join('\r\n'));
    await (await page.$('#import-file') as unknown as { uploadFile(p: string): Promise<void> }).uploadFile(csvFile);
    await Promise.all([page.waitForNavigation(), page.click('#import-submit')]);
    expect(await page.$('#table-problems')).to.equal(null);
    const after = (await t.http.get(`/v1/products/${PRODUCT}/versions/${version}`).set(admin())).body.definition as ProductDefinition;
    const step = after.plan.steps.find((x) => x.key === 'transactionAmount') as unknown as { rows: { range: { max: string }; lowerInclusive?: boolean }[] };
    expect(step.rows[0]!.range.max).to.equal('3.10');
    expect(step.rows[0]!.lowerInclusive).to.equal(true);
    expect(step.rows[1]!.lowerInclusive).to.equal(false);
    await page.close();
  });
});
