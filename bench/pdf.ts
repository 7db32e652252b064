// PDF renderer benchmark: launch-per-request baseline vs the pooled renderer on the same 1-page A4
// quotation, then a long pooled run watching memory (Node RSS + the browser's whole process tree).
//
//   npm run bench:pdf
//   env: CHROME_PATH, PDF_BENCH_DOCS (5000), PDF_BENCH_LAUNCH (20), PDF_BENCH_POOL (cores),
//        PDF_BENCH_CONCURRENCY (pool size), PDF_BENCH_WARMUP (200), PDF_BENCH_RECYCLE (renderer default)
//
// Ends with exactly one summary line:
//   pdf: p50 <ms> ms, <n> docs/s, <x>x launch-per-request, rss +<p>%
import { readFileSync } from 'node:fs';
import os from 'node:os';
import puppeteer from 'puppeteer-core';
import { createPdfRenderer, DEFAULT_CHROME_ARGS, DEFAULT_CHROME_PATH } from '../src/documents/pdf-renderer.ts';
import { processTree, treeRssBytes } from '../src/documents/proc-tree.ts';

const int = (name: string, dflt: number): number => {
  const v = process.env[name];
  return v ? Number.parseInt(v, 10) : dflt;
};

const executablePath = process.env.CHROME_PATH || DEFAULT_CHROME_PATH;
const DOCS = int('PDF_BENCH_DOCS', 5000);
const LAUNCH_ITER = int('PDF_BENCH_LAUNCH', 20);
const POOL = int('PDF_BENCH_POOL', os.availableParallelism());
const CONCURRENCY = int('PDF_BENCH_CONCURRENCY', POOL);
const WARMUP = int('PDF_BENCH_WARMUP', 200);
const CSS_FOOTER_DOCS = int('PDF_BENCH_CSS_FOOTER', 400);
const RECYCLE = process.env.PDF_BENCH_RECYCLE ? int('PDF_BENCH_RECYCLE', 0) : undefined;

const html = readFileSync(new URL('./fixtures/quote-sample.html', import.meta.url), 'utf8');
// Same page number footer drawn by a CSS @page margin box instead of Chromium's footerTemplate
// (context line only; the headline figures use footerTemplate as the templates will).
const htmlCssFooter = html.replace(
  '</style>',
  '@page { @bottom-center { content: counter(page) " / " counter(pages); font-family: "WenQuanYi Zen Hei", sans-serif; font-size: 8pt; color: #555; } }</style>',
);
const footerTemplate =
  '<div style="font-size:8pt;width:100%;text-align:center;"><span class="pageNumber"></span> / <span class="totalPages"></span></div>';

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);

/** Baseline: what a naive service does per request. */
async function launchPerRequest(iterations: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    const browser = await puppeteer.launch({ executablePath, headless: 'shell', args: [...DEFAULT_CHROME_ARGS] });
    try {
      const page = await browser.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true, displayHeaderFooter: true, headerTemplate: '<span></span>', footerTemplate });
    } finally {
      await browser.close();
    }
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  console.log(
    `pdf bench: ${os.availableParallelism()} cores, pool ${POOL}, concurrency ${CONCURRENCY}, ${DOCS} docs, Chromium ${executablePath}`,
  );

  const base = await launchPerRequest(LAUNCH_ITER);
  const baseP50 = pct(base, 50);
  console.log(`launch-per-request: ${LAUNCH_ITER} docs, p50 ${baseP50.toFixed(1)} ms, p95 ${pct(base, 95).toFixed(1)} ms`);

  const renderer = createPdfRenderer({ executablePath, poolSize: POOL, maxQueue: CONCURRENCY, ...(RECYCLE !== undefined ? { recyclePageAfter: RECYCLE } : {}) });
  const tWarm = performance.now();
  await renderer.warmUp();
  console.log(`pool warm-up (launch + ${POOL} pages): ${(performance.now() - tWarm).toFixed(0)} ms`);

  const launcherPid = (): number => {
    // processTree of the browser pid covers renderers/zygotes/utility processes; the wrapper shell
    // (if any) is tiny, so the browser process tree is what we measure.
    const pid = renderer.stats().browserPid;
    if (pid === null) throw new Error('browser not running');
    return pid;
  };
  const totalRss = () => process.memoryUsage.rss() + treeRssBytes(launcherPid());

  const latencies: number[] = new Array<number>(DOCS);
  let next = 0;
  let done = 0;
  let rssWarm = 0;
  let tWarmDone = 0;
  let rssMax = 0;
  const samples: string[] = [];
  const t0 = performance.now();

  async function worker(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= DOCS) return;
      const t = performance.now();
      const pdf = await renderer.renderPdf(html, { footerTemplate });
      latencies[i] = performance.now() - t;
      if (pdf.length < 1000) throw new Error('suspiciously small PDF');
      done++;
      if (done === WARMUP) {
        rssWarm = totalRss();
        tWarmDone = performance.now();
      }
      if (done % 500 === 0) {
        const rss = totalRss();
        rssMax = Math.max(rssMax, rss);
        samples.push(`${done}:${mb(rss)}`);
      }
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
  const tEnd = performance.now();
  const rssEnd = totalRss();
  const stats = renderer.stats();
  const procs = processTree(launcherPid()).length;

  // Context: the same quotation with the footer as a CSS margin box, same pool and concurrency.
  let cssLine = '';
  if (CSS_FOOTER_DOCS > 0) {
    const css: number[] = [];
    let k = 0;
    const tc = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (k++ < CSS_FOOTER_DOCS) {
          const t = performance.now();
          await renderer.renderPdf(htmlCssFooter);
          css.push(performance.now() - t);
        }
      }),
    );
    css.sort((a, b) => a - b);
    cssLine = `context: footer as CSS @page margin box instead of footerTemplate: ${css.length} docs, p50 ${pct(css, 50).toFixed(1)} ms, ${(css.length / ((performance.now() - tc) / 1000)).toFixed(0)} docs/s`;
  }
  await renderer.close();

  const measured = latencies.slice(WARMUP).sort((a, b) => a - b);
  const p50 = pct(measured, 50);
  const docsPerSec = (DOCS - WARMUP) / ((tEnd - tWarmDone) / 1000);
  const speedup = baseP50 / p50;
  const growth = ((rssEnd - rssWarm) / rssWarm) * 100;

  console.log(
    `pool: ${DOCS} docs in ${((tEnd - t0) / 1000).toFixed(1)} s; after the first ${WARMUP}: p50 ${p50.toFixed(1)} ms, p95 ${pct(measured, 95).toFixed(1)} ms, p99 ${pct(measured, 99).toFixed(1)} ms, max ${measured[measured.length - 1]!.toFixed(1)} ms`,
  );
  console.log(
    `pool stats: launches ${stats.launches}, pages created ${stats.pagesCreated}, recycled ${stats.pagesRecycled}, discarded ${stats.pagesDiscarded}, failures ${Object.values(stats.failures).reduce((a, b) => a + b, 0)}, browser processes ${procs}`,
  );
  console.log(`rss (node + browser tree, MB) after ${WARMUP}: ${mb(rssWarm)}, end: ${mb(rssEnd)}, max sampled: ${mb(rssMax)}; samples ${samples.join(' ')}`);
  if (cssLine) console.log(cssLine);
  console.log(
    `pdf: p50 ${p50.toFixed(1)} ms, ${docsPerSec.toFixed(0)} docs/s, ${speedup.toFixed(1)}x launch-per-request, rss ${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
