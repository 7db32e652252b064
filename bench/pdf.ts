// PDF renderer benchmark: launch-per-request baseline vs the pooled renderer on the real quotation
// template (templates/documents/quote.hbs, zh-CN) filled from a 首台（套） quote rated by the pure
// engine (bench/fixtures/sample-quote.ts, no database), then a long pooled run watching memory
// (Node RSS + the browser's whole process tree). The page x / y footer is the template's CSS
// margin box, so no footerTemplate is passed. Both sides use the same fonts (the generated
// fontconfig file with the document font, when set-up has written it). Besides wall-clock figures
// it prints the CPU time per document of Node and of each kind of Chromium process, which is what
// bounds docs/s on a shared machine.
//
//   npm run bench:pdf
//   env: CHROME_PATH, PDF_BENCH_DOCS (5000), PDF_BENCH_LAUNCH (20), PDF_BENCH_POOL (cores),
//        PDF_BENCH_CONCURRENCY (pool size), PDF_BENCH_WARMUP (200), PDF_BENCH_RECYCLE (renderer default)
//
// In order, on the same quotation HTML: launch-per-request; a plain puppeteer-core loop (one
// browser, as many warm pages as the pool, setContent + page.pdf with the same paper options and
// puppeteer's defaults otherwise, no pooling logic: the best this stack does without our work);
// then the service's renderer one render at a time, as launch-per-request runs (PDF_BENCH_SEQ
// renders after 20 of warm-up): the p50 a lone request sees; then PDF_BENCH_DOCS pooled renders at
// the pool's concurrency watching RSS (docs/s, the pool's p50 under load, CPU per document).
//   env also: PDF_BENCH_BARE (docs of the plain loop after its warm-up, 600), PDF_BENCH_SEQ (200)
//
// Ends with exactly one summary line:
//   pdf: p50 <ms> ms, <n> docs/s, <x>x launch-per-request, <y>% of bare chromium, rss +<p>%
// p50 and x compare latencies at the same load as the baseline (one render at a time; the pool's
// p50 at full concurrency is printed above it), docs/s and y compare the pooled throughput with the
// plain loop at the same concurrency.
import os from 'node:os';
import puppeteer from 'puppeteer-core';
import { createPdfRenderer, DEFAULT_CHROME_ARGS, DEFAULT_CHROME_PATH, defaultFontConfigFile } from '../src/documents/pdf-renderer.ts';
import { compileDocumentTemplates } from '../src/documents/document-templates.ts';
import { readFileSync } from 'node:fs';
import { processTree, treeRssBytes } from '../src/documents/proc-tree.ts';
import { sampleQuoteSource } from './fixtures/sample-quote.ts';

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
const CONTEXT_DOCS = int('PDF_BENCH_CONTEXT', 400);
const BARE_DOCS = int('PDF_BENCH_BARE', 600);
const SEQ_DOCS = int('PDF_BENCH_SEQ', 200);
const RECYCLE = process.env.PDF_BENCH_RECYCLE ? int('PDF_BENCH_RECYCLE', 0) : undefined;

const templates = compileDocumentTemplates();
const tHtml = performance.now();
const html = templates.renderHtml(templates.view(sampleQuoteSource(), 'zh-CN'));
const htmlMs = performance.now() - tHtml;
// Context line: the English variant of the same quotation.
const htmlEn = templates.renderHtml(templates.view(sampleQuoteSource(), 'en'));
const metadataDate = new Date('2025-06-01T02:00:00Z');
const fontConfigFile = defaultFontConfigFile();

/**
 * CPU time (ms) of the browser's processes by Chromium process type (browser, renderer,
 * gpu-process, …), counting processes that have exited since (recycled pages' renderers) with the
 * last value seen: call sample() often enough (every few renders) and total() at the end.
 */
function chromiumCpu(rootPid: () => number) {
  const seen = new Map<number, { type: string; ms: number }>();
  const tick = 1000 / 100; // USER_HZ
  const sample = (): void => {
    for (const pid of processTree(rootPid())) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const type = seen.get(pid)?.type ?? /--type=([a-z-]+)/.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))?.[1] ?? 'browser';
        seen.set(pid, { type, ms: (Number(f[11]) + Number(f[12])) * tick });
      } catch {
        // exited: keep the last value
      }
    }
  };
  const total = (): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const { type, ms } of seen.values()) out[type] = (out[type] ?? 0) + ms;
    return out;
  };
  return { sample, total };
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);

/** A browser with the renderer's flags and fonts, nothing else. */
const launchBrowser = () =>
  puppeteer.launch({
    executablePath,
    headless: 'shell',
    args: [...DEFAULT_CHROME_ARGS],
    ...(fontConfigFile ? { env: { ...process.env, FONTCONFIG_FILE: fontConfigFile } } : {}),
  });

/** Baseline: what a naive service does per request. */
async function launchPerRequest(iterations: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.setContent(html, { waitUntil: 'load' });
      await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
    } finally {
      await browser.close();
    }
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

/**
 * The plain puppeteer-core loop: one browser, CONCURRENCY warm pages each rendering in a loop,
 * setContent + page.pdf with the renderer's paper options (A4 by inches, backgrounds, CSS page
 * size) and puppeteer's defaults otherwise. Returns docs/s and p50 after a warm-up of 2 per page.
 */
async function bareChromiumLoop(docs: number): Promise<{ docsPerSec: number; p50: number }> {
  const browser = await launchBrowser();
  try {
    const pages = await Promise.all(Array.from({ length: CONCURRENCY }, () => browser.newPage()));
    const render = async (page: (typeof pages)[number]) => {
      await page.setContent(html, { waitUntil: 'load' });
      return page.pdf({ width: '8.27in', height: '11.7in', printBackground: true, preferCSSPageSize: true });
    };
    for (let i = 0; i < 2; i++) await Promise.all(pages.map(render));
    const times: number[] = [];
    let left = docs;
    const t0 = performance.now();
    await Promise.all(pages.map(async (page) => {
      while (left-- > 0) {
        const t = performance.now();
        await render(page);
        times.push(performance.now() - t);
      }
    }));
    const seconds = (performance.now() - t0) / 1000;
    return { docsPerSec: times.length / seconds, p50: pct(times.sort((a, b) => a - b), 50) };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  console.log(
    `pdf bench: ${os.availableParallelism()} cores, pool ${POOL}, concurrency ${CONCURRENCY}, ${DOCS} docs, Chromium ${executablePath}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
  );
  console.log(`quotation: templates ${templates.version}, HTML ${html.length} chars, view + HTML in ${htmlMs.toFixed(1)} ms (first, cold); fonts: ${fontConfigFile ?? 'system fontconfig'}`);

  const base = await launchPerRequest(LAUNCH_ITER);
  const baseP50 = pct(base, 50);
  console.log(`launch-per-request: ${LAUNCH_ITER} docs, p50 ${baseP50.toFixed(1)} ms, p95 ${pct(base, 95).toFixed(1)} ms`);
  const bare = await bareChromiumLoop(BARE_DOCS);
  console.log(`bare chromium loop (one browser, ${CONCURRENCY} pages, setContent + page.pdf): ${BARE_DOCS} docs, p50 ${bare.p50.toFixed(1)} ms, ${bare.docsPerSec.toFixed(0)} docs/s`);

  const renderer = createPdfRenderer({ executablePath, poolSize: POOL, maxQueue: CONCURRENCY, ...(RECYCLE !== undefined ? { recyclePageAfter: RECYCLE } : {}) });
  const tWarm = performance.now();
  await renderer.warmUp();
  const st0 = renderer.stats();
  console.log(`pool warm-up (launch + ${POOL} pages): ${(performance.now() - tWarm).toFixed(0)} ms; begin-frame control ${st0.beginFrameControl ? 'on' : 'off'}`);

  // One render at a time, as launch-per-request runs: the latency a lone request sees.
  for (let i = 0; i < 20; i++) await renderer.renderPdf(html, { metadataDate });
  const alone: number[] = [];
  for (let i = 0; i < SEQ_DOCS; i++) {
    const t = performance.now();
    await renderer.renderPdf(html, { metadataDate });
    alone.push(performance.now() - t);
  }
  alone.sort((a, b) => a - b);
  const aloneP50 = pct(alone, 50);
  console.log(`renderer, one at a time: ${SEQ_DOCS} docs, p50 ${aloneP50.toFixed(1)} ms, p95 ${pct(alone, 95).toFixed(1)} ms`);

  const launcherPid = (): number => {
    // processTree of the browser pid covers renderers/zygotes/utility processes; the wrapper shell
    // (if any) is tiny, so the browser process tree is what we measure.
    const pid = renderer.stats().browserPid;
    if (pid === null) throw new Error('browser not running');
    return pid;
  };
  const totalRss = () => process.memoryUsage.rss() + treeRssBytes(launcherPid());

  const cpu = chromiumCpu(launcherPid);
  const latencies: number[] = new Array<number>(DOCS);
  let next = 0;
  let done = 0;
  let rssWarm = 0;
  let tWarmDone = 0;
  let rssMax = 0;
  let cpuWarm: Record<string, number> = {};
  let nodeCpuWarm = process.cpuUsage();
  const samples: string[] = [];
  const t0 = performance.now();

  async function worker(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= DOCS) return;
      const t = performance.now();
      const pdf = await renderer.renderPdf(html, { metadataDate });
      latencies[i] = performance.now() - t;
      if (pdf.length < 1000) throw new Error('suspiciously small PDF');
      done++;
      if (done === WARMUP) {
        rssWarm = totalRss();
        tWarmDone = performance.now();
        cpu.sample();
        cpuWarm = cpu.total();
        nodeCpuWarm = process.cpuUsage();
      }
      if (done > WARMUP && done % 10 === 0) cpu.sample();
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
  cpu.sample();
  const cpuEnd = cpu.total();
  const nodeCpu = process.cpuUsage(nodeCpuWarm);
  const stats = renderer.stats();
  const procs = processTree(launcherPid()).length;

  // Context: the English variant of the same quotation, same pool and concurrency.
  let contextLine = '';
  if (CONTEXT_DOCS > 0) {
    const en: number[] = [];
    let k = 0;
    const tc = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (k++ < CONTEXT_DOCS) {
          const t = performance.now();
          await renderer.renderPdf(htmlEn, { metadataDate });
          en.push(performance.now() - t);
        }
      }),
    );
    en.sort((a, b) => a - b);
    contextLine = `context: English quotation: ${en.length} docs, p50 ${pct(en, 50).toFixed(1)} ms, ${(en.length / ((performance.now() - tc) / 1000)).toFixed(0)} docs/s`;
  }
  await renderer.close();

  const measured = latencies.slice(WARMUP).sort((a, b) => a - b);
  const p50 = pct(measured, 50);
  const docsPerSec = (DOCS - WARMUP) / ((tEnd - tWarmDone) / 1000);
  const speedup = baseP50 / aloneP50;
  const ofBare = (docsPerSec / bare.docsPerSec) * 100;
  const growth = ((rssEnd - rssWarm) / rssWarm) * 100;

  console.log(
    `pool (concurrency ${CONCURRENCY}): ${DOCS} docs in ${((tEnd - t0) / 1000).toFixed(1)} s; after the first ${WARMUP}: p50 ${p50.toFixed(1)} ms (${(baseP50 / p50).toFixed(1)}x launch-per-request under this load), p95 ${pct(measured, 95).toFixed(1)} ms, p99 ${pct(measured, 99).toFixed(1)} ms, max ${measured[measured.length - 1]!.toFixed(1)} ms`,
  );
  console.log(
    `pool stats: launches ${stats.launches}, pages created ${stats.pagesCreated}, recycled ${stats.pagesRecycled}, discarded ${stats.pagesDiscarded}, failures ${Object.values(stats.failures).reduce((a, b) => a + b, 0)}, browser processes ${procs}`,
  );
  const perDoc = (ms: number) => (ms / (DOCS - WARMUP)).toFixed(1);
  const byType = Object.keys(cpuEnd)
    .filter((k) => cpuEnd[k]! - (cpuWarm[k] ?? 0) > 0)
    .map((k) => `${k} ${perDoc(cpuEnd[k]! - (cpuWarm[k] ?? 0))}`)
    .join(', ');
  console.log(`cpu per doc after the first ${WARMUP} (ms): node ${perDoc((nodeCpu.user + nodeCpu.system) / 1000)}, ${byType}; load average now ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`rss (node + browser tree, MB) after ${WARMUP}: ${mb(rssWarm)}, end: ${mb(rssEnd)}, max sampled: ${mb(rssMax)}; samples ${samples.join(' ')}`);
  if (contextLine) console.log(contextLine);
  console.log(
    `pdf: p50 ${aloneP50.toFixed(1)} ms, ${docsPerSec.toFixed(0)} docs/s, ${speedup.toFixed(1)}x launch-per-request, ${ofBare.toFixed(0)}% of bare chromium, rss ${growth >= 0 ? '+' : ''}${growth.toFixed(1)}%`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
