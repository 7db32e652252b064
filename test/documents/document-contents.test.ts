// What the quotation and the policy schedule say, end to end: a 首台（套） quote (a co-insurance
// pool) referred, approved with a note and new picks, bound; its schedule read back with pdftotext
// page by page (real database, real Chromium, real poppler). Set DOCUMENT_SAMPLES_DIR to keep the
// PDFs (docs/documents.md's images are rendered from them with pdftoppm).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import type { Response } from 'supertest';
import { extractPdfText } from '../../src/documents/pdf-inspect.ts';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { bearer, useTestApp } from '../support/test-app.ts';
import { today } from '../support/china-date.ts';

const run = promisify(execFile);
const PRODUCT = 'FIRST-SET-EQUIPMENT';
const referredVector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'referred')!;
const BENEFICIARY = '杭州地铁集团有限公司';
const NOTE = '累计赔偿限额须于保险期间开始后三个月内提高至合同金额';
const POOL = ['科创财产保险股份有限公司（演示）', '恒泰科技保险股份有限公司（演示）', '中鑫科技保险股份有限公司（演示）'];
const POOL_EN = ['Kechuang Property & Casualty (demo)', 'Hengtai Technology Insurance (demo)', 'Zhongxin Technology Insurance (demo)'];
const squash = (s: string) => s.replace(/\s+/g, '');

function binary(res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

/** The text of each page, via `pdftotext -f N -l N`. */
async function pageTexts(pdf: Buffer): Promise<string[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'doc-pages-'));
  try {
    const file = path.join(dir, 'd.pdf');
    await writeFile(file, pdf);
    const pages = Number(/Pages:\s+(\d+)/.exec((await run('pdfinfo', [file])).stdout)![1]);
    const texts: string[] = [];
    for (let n = 1; n <= pages; n++) texts.push((await run('pdftotext', ['-enc', 'UTF-8', '-f', String(n), '-l', String(n), file, '-'])).stdout);
    return texts;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Latin words left once the allowed ones are taken out (zh-CN documents). */
function englishWords(text: string, allowed: string[]): string[] {
  let rest = text;
  for (const a of allowed) rest = rest.split(a).join(' ');
  return rest.match(/[A-Za-z]{2,}/g) ?? [];
}

/** Chinese characters left once the allowed names are taken out (en documents). */
function chineseLeft(text: string, allowed: string[]): string[] {
  let rest = squash(text);
  for (const a of allowed) rest = rest.split(squash(a)).join(' ');
  return rest.match(/[\u3400-\u9fff\uff08\uff09\u3001-\u3011]+/g) ?? [];
}

describe('documents: what the quotation and the policy schedule say', function () {
  this.timeout(120_000);
  const t = useTestApp();
  const as = (key: keyof typeof t.keys) => bearer(t.keys[key]);
  const getPdf = (p: string, key: keyof typeof t.keys = 'broker'): Promise<Response> =>
    t.http.get(p).set(as(key)).buffer(true).parse(binary as never) as unknown as Promise<Response>;
  const samples = process.env.DOCUMENT_SAMPLES_DIR;
  const keep = async (name: string, pdf: Buffer) => {
    if (!samples) return;
    await mkdir(samples, { recursive: true });
    await writeFile(path.join(samples, name), pdf);
  };

  async function referredQuote(): Promise<{ id: string; quoteNumber: string }> {
    const inputs = { ...structuredClone(referredVector.inputs), beneficiaryName: BENEFICIARY };
    const res = await t.http.post('/v1/quotes').set(as('broker')).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs, startDate: today() });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.status).to.equal('referred');
    return res.body as { id: string; quoteNumber: string };
  }

  let quote: { id: string; quoteNumber: string };
  let policy: { id: string; policyNumber: string };
  let zh: Buffer;
  let en: Buffer;
  let approvedQuotePdf: Buffer;

  before(async () => {
    await publishShippedProducts();
    quote = await referredQuote();
    const approved = await t.http.post(`/v1/quotes/${quote.id}/approve`).set(as('underwriter')).send({ picks: { qualityManagement: '0.9' }, note: NOTE });
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    approvedQuotePdf = (await getPdf(`/v1/quotes/${quote.id}/pdf`)).body as Buffer;
    await keep('quotation-zh.pdf', approvedQuotePdf);
    await keep('quotation-en.pdf', (await getPdf(`/v1/quotes/${quote.id}/pdf?lang=en`)).body as Buffer);
    const bound = await t.http.post(`/v1/quotes/${quote.id}/bind`).set(as('broker'));
    expect(bound.status, JSON.stringify(bound.body)).to.equal(201);
    policy = bound.body as typeof policy;
    zh = (await getPdf(`/v1/policies/${policy.id}/pdf`)).body as Buffer;
    en = (await getPdf(`/v1/policies/${policy.id}/pdf?lang=en`)).body as Buffer;
    await keep('policy-zh.pdf', zh);
    await keep('policy-en.pdf', en);
  });

  it('the zh-CN schedule shows 特别约定, 核保意见 with the note, 缴费, 客服电话, the beneficiary and every co-insurer by name', async () => {
    const text = squash(await extractPdfText(zh));
    for (const s of ['特别约定', '核保意见', squash(NOTE), '缴费方式', '缴费期限', '客服电话', '400-820-0101', '争议处理', '仲裁', BENEFICIARY, '已签发生效', '李核保', '北京时间', '备案范围', ...POOL]) {
      expect(text, s).to.contain(squash(s));
    }
    expect(text).not.to.contain('报备区间');
    expect(text).not.to.contain('periodMonths');
    expect(text).to.contain(squash('保险期间（月）：12 个月'));
    expect(text).to.contain(squash('质量管理体系')); // the changed pick is named by its step label
  });

  it('the co-insurance table header is on the page where its rows are', async () => {
    const pages = (await pageTexts(zh)).map(squash);
    const rowsOn = pages.findIndex((p) => p.includes(squash(POOL[2]!)));
    expect(rowsOn, 'a page with the pool rows').to.be.greaterThan(-1);
    expect(pages[rowsOn]).to.contain('共保体份额');
    expect(pages[rowsOn]).to.contain(squash('保费（含税，元）'));
    for (const name of POOL) expect(pages[rowsOn], name).to.contain(squash(name));
  });

  it('the approved quotation states the approval, who decided and when, and the note', async () => {
    const text = squash(await extractPdfText(approvedQuotePdf));
    for (const s of ['人工核保通过（可出单）', '核保人：李核保', '北京时间', squash(NOTE), '特别约定', BENEFICIARY]) expect(text, s).to.contain(squash(s));
    expect(text).not.to.contain('需人工核保');
    expect(text).not.to.contain('待人工核保');
  });

  it('the zh-CN documents have no English words outside the allowlist, the en ones no Chinese outside names; no ISO timestamps', async () => {
    const model = String((referredVector.inputs.equipment as { model: string }[])[0]!.model);
    const zhAllowed = [policy.policyNumber, quote.quoteNumber, '91330106MA2H7K3Q0L', model, 'PDF', 'VAT', 'CNY'];
    for (const pdf of [zh, approvedQuotePdf]) {
      const text = await extractPdfText(pdf);
      expect(englishWords(text, zhAllowed)).to.deep.equal([]);
      expect(text).not.to.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    }
    // Legal Chinese names printed beside the English ones, people's names, and what people typed:
    // the underwriter's note, the beneficiary (no English name), the catalogue entry and equipment.
    const enAllowed = [...POOL, '杭州智造装备有限公司', '明信保险经纪有限公司（演示）', '李核保', '张经纪', NOTE, BENEFICIARY, String(referredVector.inputs.catalogueEntry), ...(referredVector.inputs.equipment as { name: string }[]).map((e) => e.name)];
    const enText = await extractPdfText(en);
    expect(chineseLeft(enText, enAllowed)).to.deep.equal([]);
    for (const name of POOL_EN) expect(squash(enText), name).to.contain(squash(name));
    for (const s of ['Special conditions', 'Underwriting opinion', 'Customer service', 'Premium payment', 'Dispute resolution', 'Beijing time']) expect(enText, s).to.contain(s);
    expect(enText).not.to.match(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
  });

  it('a declined quote has no quotation: 409 with a clear message', async () => {
    const declined = await referredQuote();
    const res = await t.http.post(`/v1/quotes/${declined.id}/decline`).set(as('underwriter')).send({ reason: '累计赔偿限额不足' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const pdf = await t.http.get(`/v1/quotes/${declined.id}/pdf`).set(as('broker'));
    expect(pdf.status).to.equal(409);
    expect(pdf.body.error.code).to.equal('conflict');
    expect(pdf.body.error.message).to.match(/declined.*not an offer/);
  });
});
