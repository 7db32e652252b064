// Real Chromium, real poppler: nothing is mocked here.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createPdfRenderer, PdfRenderError, withTitle } from '../../src/documents/pdf-renderer.ts';
import type { PdfRenderer } from '../../src/documents/pdf-renderer.ts';
import { extractPdfText, listPdfFonts, parsePdffonts, pdfInfo } from '../../src/documents/pdf-inspect.ts';
import { isAlive, processTree } from '../../src/documents/proc-tree.ts';

const FIXTURE = readFileSync(new URL('../../bench/fixtures/quote-sample.html', import.meta.url), 'utf8');
const FOOTER =
  '<div style="font-size:8pt;width:100%;text-align:center;"><span class="pageNumber"></span> / <span class="totalPages"></span></div>';
const executablePath = process.env.CHROME_PATH || undefined;

/** A document big enough to keep Chromium busy for a while (hundreds of ms to seconds). */
function bigHtml(rows: number): string {
  const tr = Array.from({ length: rows }, (_, i) => `<tr><td>第 ${i} 行 row ${i}</td><td>${(i * 1234.5).toFixed(2)}</td></tr>`).join('');
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><style>body{font-family:"WenQuanYi Zen Hei",sans-serif}</style></head><body><table>${tr}</table></body></html>`;
}

async function expectRenderError(p: Promise<unknown>, code?: string): Promise<PdfRenderError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(PdfRenderError);
    if (code) expect((err as PdfRenderError).code).to.equal(code);
    return err as PdfRenderError;
  }
  expect.fail('expected the render to reject');
}

function isPdf(buf: Buffer): boolean {
  return buf.subarray(0, 5).toString('latin1') === '%PDF-';
}

describe('documents/pdf-renderer', function () {
  this.timeout(60_000);

  describe('rendering the sample quotation', () => {
    let renderer: PdfRenderer;
    let pdf: Buffer;

    before(async () => {
      renderer = createPdfRenderer({ executablePath, poolSize: 2 });
      pdf = await renderer.renderPdf(FIXTURE, { footerTemplate: FOOTER });
    });
    after(() => renderer.close());

    it('produces a one-page A4 PDF', async () => {
      expect(isPdf(pdf)).to.equal(true);
      const info = await pdfInfo(pdf);
      expect(info.Pages).to.equal('1');
      expect(info['Page size']).to.match(/\(A4\)/);
      expect(info.JavaScript).to.equal('no');
    });

    it('contains the Chinese and English text, the numbers and the page x / y footer', async () => {
      const text = await extractPdfText(pdf);
      for (const s of [
        '科技保险报价单',
        'Technology Insurance Quotation',
        '深圳市星河智能科技有限公司',
        '网络安全保险',
        'Cyber Security',
        'Q-2025-000123',
        '5,000,000.00',
        '22,500.00',
        '0.45%',
        '75,000.00',
        '合计保费',
        'Total Premium',
      ]) {
        expect(text, s).to.include(s);
      }
      expect(text).to.match(/\b1\s*\/\s*1\b/);
    });

    it('embeds every font, none of them Type 3, and uses WenQuanYi Zen Hei for CJK', async () => {
      const fonts = await listPdfFonts(pdf);
      expect(fonts.length).to.be.greaterThan(0);
      for (const f of fonts) {
        expect(f.embedded, `${f.name} embedded`).to.equal(true);
        expect(f.type, f.name).to.not.match(/Type 3/);
      }
      expect(fonts.some((f) => /WenQuanYiZenHei/.test(f.name))).to.equal(true);
    });

    it('sets the PDF title from the title option, escaped', async () => {
      const out = await renderer.renderPdf(FIXTURE, { title: '保单 Policy <P-1> & co' });
      expect((await pdfInfo(out)).Title).to.equal('保单 Policy <P-1> & co');
    });

    it('is byte-identical across renders, pages and seconds when metadataDate is fixed', async () => {
      const metadataDate = new Date('2025-03-18T08:00:00Z');
      const [a, b] = await Promise.all([
        renderer.renderPdf(FIXTURE, { footerTemplate: FOOTER, metadataDate }),
        renderer.renderPdf(FIXTURE, { footerTemplate: FOOTER, metadataDate }),
      ]);
      await new Promise((r) => setTimeout(r, 1100));
      const c = await renderer.renderPdf(FIXTURE, { footerTemplate: FOOTER, metadataDate });
      expect(a.equals(b)).to.equal(true);
      expect(a.equals(c)).to.equal(true);
      expect((await pdfInfo(a)).CreationDate).to.equal('2025-03-18T08:00:00Z');
    });

    it('without metadataDate differs only in the CreationDate/ModDate stamps', async () => {
      const a = await renderer.renderPdf(FIXTURE);
      await new Promise((r) => setTimeout(r, 1100));
      const b = await renderer.renderPdf(FIXTURE);
      expect(a.equals(b)).to.equal(false);
      const strip = (buf: Buffer) => buf.toString('latin1').replace(/\/(CreationDate|ModDate) \(D:[^)]*\)/g, '');
      expect(strip(a)).to.equal(strip(b));
    });

    it('runs 20 parallel renders on a pool of 2, reusing the pages', async () => {
      const before = renderer.stats();
      const out = await Promise.all(Array.from({ length: 20 }, () => renderer.renderPdf(FIXTURE, { footerTemplate: FOOTER })));
      expect(out.every(isPdf)).to.equal(true);
      const after = renderer.stats();
      expect(after.renders - before.renders).to.equal(20);
      expect(after.pagesCreated).to.be.at.most(2);
      expect(after.pagesOpen).to.be.at.most(2);
      expect(after.launches).to.equal(1);
      expect(after.busy).to.equal(0);
      expect(after.queued).to.equal(0);
    });
  });

  describe('security walls', () => {
    let server: http.Server;
    let port: number;
    const hits: string[] = [];
    let connections = 0;

    before(async () => {
      server = http.createServer((req, res) => {
        hits.push(req.url ?? '');
        res.end('x');
      });
      server.on('connection', () => connections++);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((r) => server.close(() => r())));

    function hostileHtml(): string {
      const base = `http://127.0.0.1:${port}`;
      // Raw HTML on purpose: templates escape user text, the renderer is the second wall.
      return `<!DOCTYPE html><html><head><meta charset="utf-8">
        <link rel="stylesheet" href="${base}/style.css">
        <style>@import url("${base}/import.css"); body { background: url("${base}/bg.png"); }</style>
        </head><body>
        <p>BEFORE-MARKER</p>
        <img src="${base}/x">
        <img src="data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7">
        <iframe src="${base}/frame"></iframe>
        <script>document.body.insertAdjacentText('beforeend', 'SCRIPT-RAN'); new Image().src = '${base}/from-script';</script>
        <script src="${base}/external.js"></script>
        <p>AFTER-MARKER</p>
        </body></html>`;
    }

    async function expectNoTraffic(renderer: PdfRenderer): Promise<void> {
      hits.length = 0;
      connections = 0;
      const pdf = await renderer.renderPdf(hostileHtml(), { timeoutMs: 15_000 });
      await new Promise((r) => setTimeout(r, 300));
      const text = await extractPdfText(pdf);
      expect(text).to.include('BEFORE-MARKER');
      expect(text).to.include('AFTER-MARKER');
      expect(text).to.not.include('SCRIPT-RAN');
      expect(hits, 'HTTP requests received').to.deep.equal([]);
      expect(connections, 'TCP connections received').to.equal(0);
    }

    it('no request reaches a listening local server and <script> does not run', async () => {
      const renderer = createPdfRenderer({ executablePath, poolSize: 1 });
      try {
        await expectNoTraffic(renderer);
      } finally {
        await renderer.close();
      }
    });

    it('request interception alone blocks the requests (dead-proxy wall switched off)', async () => {
      // The last --proxy-server wins: this renderer talks to the network directly, so only the
      // interception (and JS off) stand between the HTML and the local server.
      const renderer = createPdfRenderer({ executablePath, poolSize: 1, extraArgs: ['--proxy-server=direct://'] });
      try {
        await expectNoTraffic(renderer);
      } finally {
        await renderer.close();
      }
    });
  });

  describe('failures', () => {
    let renderer: PdfRenderer;
    beforeEach(() => {
      renderer = createPdfRenderer({ executablePath, poolSize: 2 });
    });
    afterEach(() => renderer.close());

    it('reports the pid of the Chromium browser process itself, not of a wrapper script', async () => {
      await renderer.warmUp();
      const pid = renderer.stats().browserPid!;
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(argv[0]).to.match(/chrom/);
      expect(argv.some((a) => a.startsWith('--type='))).to.equal(false);
    });

    it('a browser killed mid-render gives PdfRenderError(browser_crashed); the next render relaunches and succeeds', async () => {
      await renderer.warmUp();
      const pid = renderer.stats().browserPid;
      expect(pid).to.be.a('number');
      const inFlight = [renderer.renderPdf(bigHtml(4000)), renderer.renderPdf(bigHtml(4000))];
      await new Promise((r) => setTimeout(r, 150));
      process.kill(pid!, 'SIGKILL');
      const results = await Promise.allSettled(inFlight);
      for (const r of results) {
        expect(r.status).to.equal('rejected');
        const err = (r as PromiseRejectedResult).reason as PdfRenderError;
        expect(err).to.be.instanceOf(PdfRenderError);
        expect(err.code).to.equal('browser_crashed');
      }
      const pdf = await renderer.renderPdf(FIXTURE);
      expect(isPdf(pdf)).to.equal(true);
      const s = renderer.stats();
      expect(s.launches).to.equal(2);
      expect(s.browserPid).to.not.equal(pid);
      expect(s.failures.browser_crashed).to.equal(2);
    });

    it('a browser that died while idle is relaunched on the next render', async () => {
      await renderer.warmUp();
      const pid = renderer.stats().browserPid!;
      process.kill(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      const pdf = await renderer.renderPdf(FIXTURE);
      expect(isPdf(pdf)).to.equal(true);
      expect(renderer.stats().launches).to.equal(2);
    });

    it('a render over its deadline gives PdfRenderError(timeout), the page is replaced and the pool keeps working', async () => {
      await renderer.warmUp();
      const err = await expectRenderError(renderer.renderPdf(bigHtml(4000), { timeoutMs: 100 }), 'timeout');
      expect(err.message).to.match(/100 ms/);
      expect(renderer.stats().pagesDiscarded).to.equal(1);
      const out = await Promise.all([renderer.renderPdf(FIXTURE), renderer.renderPdf(FIXTURE), renderer.renderPdf(FIXTURE)]);
      expect(out.every(isPdf)).to.equal(true);
      const s = renderer.stats();
      expect(s.failures.timeout).to.equal(1);
      expect(s.busy).to.equal(0);
      expect(s.launches).to.equal(1);
    });

    it('a render waiting in the queue past its deadline times out and leaves the queue', async () => {
      const small = createPdfRenderer({ executablePath, poolSize: 1 });
      try {
        await small.warmUp();
        const long = small.renderPdf(bigHtml(1500));
        const queued = small.renderPdf(FIXTURE, { timeoutMs: 50 });
        await expectRenderError(queued, 'timeout');
        expect(small.stats().queued).to.equal(0);
        expect(isPdf(await long)).to.equal(true);
        expect(isPdf(await small.renderPdf(FIXTURE))).to.equal(true);
        expect(small.stats().busy).to.equal(0);
      } finally {
        await small.close();
      }
    });

    it('rejects with queue_full beyond maxQueue waiting renders', async () => {
      const small = createPdfRenderer({ executablePath, poolSize: 1, maxQueue: 2 });
      try {
        await small.warmUp();
        const results = await Promise.allSettled(Array.from({ length: 5 }, () => small.renderPdf(FIXTURE)));
        const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
        expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(3);
        expect(rejected.map((r) => (r.reason as PdfRenderError).code)).to.deep.equal(['queue_full', 'queue_full']);
      } finally {
        await small.close();
      }
    });

    it('a missing browser binary gives PdfRenderError(launch_failed)', async () => {
      const broken = createPdfRenderer({ executablePath: '/nonexistent/chromium' });
      try {
        await expectRenderError(broken.renderPdf(FIXTURE), 'launch_failed');
      } finally {
        await broken.close();
      }
    });
  });

  describe('close()', () => {
    it('leaves no Chromium process behind and rejects later renders with code closed', async () => {
      const renderer = createPdfRenderer({ executablePath, poolSize: 2 });
      await renderer.renderPdf(FIXTURE);
      const pid = renderer.stats().browserPid!;
      const tree = processTree(pid);
      expect(tree.length).to.be.greaterThan(1); // browser + zygote/renderer/utility children
      await renderer.close();
      await new Promise((r) => setTimeout(r, 200));
      expect(tree.filter(isAlive), 'processes still alive').to.deep.equal([]);
      await expectRenderError(renderer.renderPdf(FIXTURE), 'closed');
    });

    it('rejects renders that are queued when close() is called', async () => {
      const renderer = createPdfRenderer({ executablePath, poolSize: 1 });
      await renderer.warmUp();
      const running = expectRenderError(renderer.renderPdf(bigHtml(1500)), 'closed');
      const queued = expectRenderError(renderer.renderPdf(FIXTURE), 'closed');
      await new Promise((r) => setTimeout(r, 20));
      await renderer.close();
      await queued;
      await running;
    });
  });

  describe('helpers', () => {
    it('parsePdffonts reads names and types with spaces', () => {
      const out = [
        'name                                 type              encoding         emb sub uni object ID',
        '------------------------------------ ----------------- ---------------- --- --- --- ---------',
        'AAAAAA+WenQuanYiZenHei               CID TrueType      Identity-H       yes yes yes      4  0',
        '[none]                               Type 3            Custom           no  no  no      12  0',
        '',
      ].join('\n');
      expect(parsePdffonts(out)).to.deep.equal([
        { name: 'AAAAAA+WenQuanYiZenHei', type: 'CID TrueType', encoding: 'Identity-H', embedded: true, subset: true, unicode: true, objectId: '4  0' },
        { name: '[none]', type: 'Type 3', encoding: 'Custom', embedded: false, subset: false, unicode: false, objectId: '12  0' },
      ]);
    });

    it('withTitle replaces or inserts an escaped <title>', () => {
      expect(withTitle('<html><head><title>old</title></head></html>', 'a<b')).to.equal('<html><head><title>a&#60;b</title></head></html>');
      expect(withTitle('<html><head lang="zh"></head></html>', 'T')).to.equal('<html><head lang="zh"><title>T</title></head></html>');
      expect(withTitle('<p>x</p>', 'T')).to.equal('<title>T</title><p>x</p>');
    });
  });
});
