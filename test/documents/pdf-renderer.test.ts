// Real Chromium, real poppler: nothing is mocked here.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { createPdfRenderer, PdfRenderError } from '../../src/documents/pdf-renderer.ts';
import type { PdfRenderer } from '../../src/documents/pdf-renderer.ts';
import { extractPdfText, listPdfFonts, parsePdffonts, pdfInfo } from '../../src/documents/pdf-inspect.ts';
import { isAlive, processTree } from '../../src/documents/proc-tree.ts';
import { useListeningServer } from '../support/listening-server.ts';

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
    assert.ok(err instanceof PdfRenderError);
    if (code) assert.equal((err as PdfRenderError).code, code);
    return err as PdfRenderError;
  }
  return assert.fail('expected the render to reject');
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
      assert.equal(isPdf(pdf), true);
      const info = await pdfInfo(pdf);
      assert.equal(info.Pages, '1');
      assert.match(info['Page size'] ?? '', /\(A4\)/);
      assert.equal(info.JavaScript, 'no');
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
        assert.ok(text.includes(s), s);
      }
      assert.match(text, /\b1\s*\/\s*1\b/);
    });

    it('embeds every font, none of them Type 3, and uses WenQuanYi Zen Hei for CJK', async () => {
      const fonts = await listPdfFonts(pdf);
      assert.ok(fonts.length > 0);
      for (const f of fonts) {
        assert.equal(f.embedded, true, `${f.name} embedded`);
        assert.doesNotMatch(f.type, /Type 3/, f.name);
      }
      assert.equal(fonts.some((f) => /WenQuanYiZenHei/.test(f.name)), true);
    });

    it('sets the PDF title from the title option, escaped', async () => {
      const out = await renderer.renderPdf(FIXTURE, { title: '保单 Policy <P-1> & co' });
      assert.equal((await pdfInfo(out)).Title, '保单 Policy <P-1> & co');
    });

    it('is byte-identical across renders, pages and seconds when metadataDate is fixed', async () => {
      const metadataDate = new Date('2025-03-18T08:00:00Z');
      const [a, b] = await Promise.all([
        renderer.renderPdf(FIXTURE, { footerTemplate: FOOTER, metadataDate }),
        renderer.renderPdf(FIXTURE, { footerTemplate: FOOTER, metadataDate }),
      ]);
      await new Promise((r) => setTimeout(r, 1100));
      const c = await renderer.renderPdf(FIXTURE, { footerTemplate: FOOTER, metadataDate });
      assert.equal(a.equals(b), true);
      assert.equal(a.equals(c), true);
      assert.equal((await pdfInfo(a)).CreationDate, '2025-03-18T08:00:00Z');
    });

    it('without metadataDate differs only in the CreationDate/ModDate stamps', async () => {
      const a = await renderer.renderPdf(FIXTURE);
      await new Promise((r) => setTimeout(r, 1100));
      const b = await renderer.renderPdf(FIXTURE);
      assert.equal(a.equals(b), false);
      const strip = (buf: Buffer) => buf.toString('latin1').replace(/\/(CreationDate|ModDate) \(D:[^)]*\)/g, '');
      assert.equal(strip(a), strip(b));
    });

    it('prints the same bytes whether or not the document is hidden on screen (skipScreenRendering)', async () => {
      const metadataDate = new Date('2025-03-18T08:00:00Z');
      const shown = createPdfRenderer({ executablePath, poolSize: 1, skipScreenRendering: false });
      try {
        const [hidden, visible] = await Promise.all([
          renderer.renderPdf(FIXTURE, { footerTemplate: FOOTER, metadataDate }),
          shown.renderPdf(FIXTURE, { footerTemplate: FOOTER, metadataDate }),
        ]);
        assert.equal(hidden.equals(visible), true);
      } finally {
        await shown.close();
      }
    });

    it('runs 20 parallel renders on a pool of 2, reusing the pages', async () => {
      const before = renderer.stats();
      const out = await Promise.all(Array.from({ length: 20 }, () => renderer.renderPdf(FIXTURE, { footerTemplate: FOOTER })));
      assert.equal(out.every(isPdf), true);
      const after = renderer.stats();
      assert.equal(after.renders - before.renders, 20);
      assert.ok(after.pagesCreated <= 2);
      assert.ok(after.pagesOpen <= 2);
      assert.equal(after.launches, 1);
      assert.equal(after.beginFrameControl, true, 'pages without a compositor frame loop');
      assert.equal(after.busy, 0);
      assert.equal(after.queued, 0);
    });
  });

  describe('security walls', () => {
    const listener = useListeningServer();

    function hostileHtml(): string {
      const base = `http://127.0.0.1:${listener.port}`;
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
      listener.reset();
      const pdf = await renderer.renderPdf(hostileHtml(), { timeoutMs: 15_000 });
      await new Promise((r) => setTimeout(r, 300));
      const text = await extractPdfText(pdf);
      assert.ok(text.includes('BEFORE-MARKER'), 'BEFORE-MARKER');
      assert.ok(text.includes('AFTER-MARKER'), 'AFTER-MARKER');
      assert.ok(!text.includes('SCRIPT-RAN'));
      assert.deepEqual(listener.hits, [], 'HTTP requests received');
      assert.equal(listener.connections(), 0, 'TCP connections received');
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
      assert.match(argv[0] ?? '', /chrom/);
      assert.equal(argv.some((a) => a.startsWith('--type=')), false);
    });

    it('a browser killed mid-render gives PdfRenderError(browser_crashed); the next render relaunches and succeeds', async () => {
      await renderer.warmUp();
      const pid = renderer.stats().browserPid;
      assert.equal(typeof pid, 'number');
      const inFlight = [renderer.renderPdf(bigHtml(4000)), renderer.renderPdf(bigHtml(4000))];
      await new Promise((r) => setTimeout(r, 150));
      process.kill(pid!, 'SIGKILL');
      const results = await Promise.allSettled(inFlight);
      for (const r of results) {
        assert.equal(r.status, 'rejected');
        const err = (r as PromiseRejectedResult).reason as PdfRenderError;
        assert.ok(err instanceof PdfRenderError);
        assert.equal(err.code, 'browser_crashed');
      }
      const pdf = await renderer.renderPdf(FIXTURE);
      assert.equal(isPdf(pdf), true);
      const s = renderer.stats();
      assert.equal(s.launches, 2);
      assert.notEqual(s.browserPid, pid);
      assert.equal(s.failures.browser_crashed, 2);
    });

    it('a browser that died while idle is relaunched on the next render', async () => {
      await renderer.warmUp();
      const pid = renderer.stats().browserPid!;
      process.kill(pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 200));
      const pdf = await renderer.renderPdf(FIXTURE);
      assert.equal(isPdf(pdf), true);
      assert.equal(renderer.stats().launches, 2);
    });

    it('a render over its deadline gives PdfRenderError(timeout), the page is replaced and the pool keeps working', async () => {
      await renderer.warmUp();
      const err = await expectRenderError(renderer.renderPdf(bigHtml(4000), { timeoutMs: 100 }), 'timeout');
      assert.match(err.message, /100 ms/);
      assert.equal(renderer.stats().pagesDiscarded, 1);
      const out = await Promise.all([renderer.renderPdf(FIXTURE), renderer.renderPdf(FIXTURE), renderer.renderPdf(FIXTURE)]);
      assert.equal(out.every(isPdf), true);
      const s = renderer.stats();
      assert.equal(s.failures.timeout, 1);
      assert.equal(s.busy, 0);
      assert.equal(s.launches, 1);
    });

    it('a render waiting in the queue past its deadline times out and leaves the queue', async () => {
      const small = createPdfRenderer({ executablePath, poolSize: 1 });
      try {
        await small.warmUp();
        const long = small.renderPdf(bigHtml(1500));
        const queued = small.renderPdf(FIXTURE, { timeoutMs: 50 });
        await expectRenderError(queued, 'timeout');
        assert.equal(small.stats().queued, 0);
        assert.equal(isPdf(await long), true);
        assert.equal(isPdf(await small.renderPdf(FIXTURE)), true);
        assert.equal(small.stats().busy, 0);
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
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 3);
        assert.deepEqual(rejected.map((r) => (r.reason as PdfRenderError).code), ['queue_full', 'queue_full']);
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
      assert.ok(tree.length > 1); // browser + zygote/renderer/utility children
      await renderer.close();
      await new Promise((r) => setTimeout(r, 200));
      assert.deepEqual(tree.filter(isAlive), [], 'processes still alive');
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
      assert.deepEqual(parsePdffonts(out), [
        { name: 'AAAAAA+WenQuanYiZenHei', type: 'CID TrueType', encoding: 'Identity-H', embedded: true, subset: true, unicode: true, objectId: '4  0' },
        { name: '[none]', type: 'Type 3', encoding: 'Custom', embedded: false, subset: false, unicode: false, objectId: '12  0' },
      ]);
    });
  });
});
