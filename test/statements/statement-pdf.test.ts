// Issue #28: the pool statement PDF laid out for paper — A4 landscape, every word inside the page,
// the members' columns continued on pages of their own with the header repeated on every page,
// names (not codes) in both languages. Read back with poppler (pdfinfo, pdftotext -bbox) from a
// real render; the pages are kept as PNGs in test-artifacts/screenshots for docs/web.md.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { publishShippedProducts, shippedVectors } from '../support/catalogue-fixtures.ts';
import { SCREENSHOTS } from '../support/browser-app.ts';
import { today } from '../support/china-date.ts';
import { bearer, useTestApp } from '../support/test-app.ts';

const run = promisify(execFile);
const PRODUCT = 'FIRST-SET-EQUIPMENT';
const vector = shippedVectors('first-set-equipment.json').find((v) => v.expected.decision === 'quoted' && !v.picks)!;
const POLICIES = 36; // more than one landscape page of rows

interface Word { page: number; text: string; xMax: number; yMax: number }
interface PdfLayout { width: number; height: number; pages: string[]; words: Word[] }

/** Page size, each page's text and every word's box, from poppler. */
async function layout(pdf: Buffer, keepAs?: string): Promise<PdfLayout> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'statement-'));
  try {
    const file = path.join(dir, 's.pdf');
    await writeFile(file, pdf);
    const info = (await run('pdfinfo', [file])).stdout;
    const [, w, h] = /Page size:\s+([\d.]+) x ([\d.]+)/.exec(info)!;
    const count = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    const pages: string[] = [];
    for (let n = 1; n <= count; n++) pages.push((await run('pdftotext', ['-enc', 'UTF-8', '-f', String(n), '-l', String(n), file, '-'])).stdout);
    const html = (await run('pdftotext', ['-enc', 'UTF-8', '-bbox', file, '-'], { maxBuffer: 64 * 1024 * 1024 })).stdout;
    const words: Word[] = [];
    let page = 0;
    for (const line of html.split('\n')) {
      if (line.includes('<page ')) page += 1;
      const m = /<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/.exec(line);
      if (m) words.push({ page, xMax: Number(m[1]), yMax: Number(m[2]), text: m[3]! });
    }
    if (keepAs) {
      await mkdir(SCREENSHOTS, { recursive: true });
      await run('pdftoppm', ['-png', '-r', '70', '-f', '1', '-l', String(Math.min(count, 4)), file, path.join(SCREENSHOTS, keepAs)]);
    }
    return { width: Number(w), height: Number(h), pages, words };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const binary = (res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

describe('The pool statement PDF laid out for paper (issue #28)', function () {
  this.timeout(300_000);
  const t = useTestApp();

  before(async () => {
    await publishShippedProducts();
    for (let i = 0; i < POLICIES; i++) {
      const quote = (await t.http.post('/v1/quotes').set(bearer(t.keys.broker)).send({ productCode: PRODUCT, enterpriseId: t.organisations.HZZZ, inputs: vector.inputs, startDate: today() })).body as { id: string };
      expect((await t.http.post(`/v1/quotes/${quote.id}/bind`).set(bearer(t.keys.broker))).status).to.equal(201);
    }
  });

  const statementPdf = async (lang: 'zh-CN' | 'en') => {
    const res = await t.http.get(`/v1/pools/statement?format=pdf&lang=${lang}`).set(bearer(t.keys.otherInsurerAdmin)).buffer(true).parse(binary as never);
    expect(res.status).to.equal(200);
    return res.body as Buffer;
  };

  for (const lang of ['zh-CN', 'en'] as const) {
    it(`${lang}: landscape, nothing past the page edge, every member's columns on continuation pages under a repeated header`, async () => {
      const pdf = await layout(await statementPdf(lang), `pool-statement-${lang}`);
      expect(pdf.width, 'landscape').to.be.greaterThan(pdf.height);
      const outside = pdf.words.filter((w) => w.xMax > pdf.width - 14 || w.yMax > pdf.height);
      expect(outside.map((w) => `p${w.page} ${w.text} @${w.xMax}`), 'words past the page edge').to.deep.equal([]);

      const members = lang === 'en' ? ['Kechuang Property & Casualty (demo)', 'Hengtai Technology Insurance (demo)', 'Zhongxin Technology Insurance (demo)'] : ['科创财产保险股份有限公司（演示）', '恒泰科技保险股份有限公司（演示）', '中鑫科技保险股份有限公司（演示）'];
      const squash = (s: string) => s.replace(/\s+/g, '');
      const all = squash(pdf.pages.join('\n'));
      for (const m of members) expect(all, `member ${m}`).to.include(squash(m));
      // Rows run over more than one page, and the member columns over pages of their own: every page with a policy row has the header.
      const header = lang === 'en' ? 'Policy number' : '保单号';
      const rowPages = pdf.pages.filter((p) => /P\d{4}[A-Z0-9]{6,}/.test(p));
      expect(rowPages.length, 'pages with rows').to.be.at.least(4);
      for (const p of rowPages) expect(p, 'header repeated').to.include(header);
      // The members' parts start on a page of their own, after the policies.
      const parts = lang === 'en' ? 'Each member’s part' : '各成员份额';
      const firstPartPage = pdf.pages.findIndex((p) => p.includes(parts));
      expect(firstPartPage, 'members\' parts on a later page').to.be.greaterThan(0);
      expect(pdf.pages.slice(firstPartPage).filter((p) => /P\d{4}[A-Z0-9]{6,}/.test(p)).length, 'members\' parts over pages').to.be.at.least(2);

      for (const code of ['KCIC', 'HTIC', 'ZXIC', PRODUCT, 'first-set-equipment', 'follower', 'lead ']) expect(pdf.pages.join('\n'), `code ${code}`).not.to.include(code);
      if (lang === 'en') {
        // The insured enterprise by its English name too: nothing is Chinese.
        const chinese = all.match(/[\u3400-\u9fff]+/g) ?? [];
        expect(all).to.include(squash('Hangzhou Smart Equipment Co., Ltd.'));
        expect(chinese, 'Chinese in the English statement').to.deep.equal([]);
      } else {
        expect(all).to.include('首台（套）重大技术装备保险').and.include('跟随');
      }
    });
  }
});
