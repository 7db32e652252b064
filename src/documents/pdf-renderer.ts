// Pooled headless-Chromium PDF renderer.
//
// One browser process, a small pool of reused pages (sized to the cores by default), a bounded
// wait queue, a deadline per render, and lazy relaunch when the browser dies. Every page runs with
// JavaScript disabled and request interception that only lets `data:` and `about:blank` through;
// the browser itself is additionally pointed at a dead proxy so nothing can reach the network even
// if interception were bypassed. See docs/pdf.md.
//
// This file composes the parts: render-queue.ts (permits and the bounded wait queue),
// chromium-browser.ts (launch, relaunch after a crash, close), page-pool.ts (warm, reused and
// recycled pages) and the pure pre- and post-processing in print-html.ts and pdf-bytes.ts.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createBrowserSupervisor, browserGone, fontConfigId, type BrowserSupervisor } from './chromium-browser.ts';
import { createPagePool, type PagePool, type Slot } from './page-pool.ts';
import { setPdfInfoDates } from './pdf-bytes.ts';
import { errMessage, PdfRenderError, type PdfRenderErrorCode } from './pdf-render-error.ts';
import { withScreenHidden, withTitle } from './print-html.ts';
import { createRenderQueue, type QueueWaiter, type RenderQueue } from './render-queue.ts';

export { PdfRenderError, type PdfRenderErrorCode } from './pdf-render-error.ts';

/** Structural logger type so that a pino logger fits without importing pino here. */
export interface RendererLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface PdfRendererOptions {
  /** Chromium binary. Default: /usr/bin/chromium-headless-shell. Callers read CHROME_PATH and pass it here. */
  executablePath?: string;
  /** Number of reused pages = maximum concurrent renders. Default: os.availableParallelism(). */
  poolSize?: number;
  /** Renders allowed to wait for a page when all are busy; beyond that renderPdf rejects with 'queue_full'. Default 100. */
  maxQueue?: number;
  /** Deadline per render (queue wait + lazy launch + setContent + printToPDF). Default 30 000 ms. */
  defaultTimeoutMs?: number;
  /** A page is closed and replaced after this many renders (bounds renderer-process memory). Default 500; 0 = never. */
  recyclePageAfter?: number;
  /** Extra Chromium command-line flags, appended to the defaults. */
  extraArgs?: string[];
  /** Tagged (accessible) PDF. Default false: ~10% faster and byte-stable; see docs/pdf.md. */
  tagged?: boolean;
  /**
   * fontconfig file for Chromium (FONTCONFIG_FILE). Default: the one scripts/setup.mjs generates
   * (.cache/fonts/fonts.conf: the system fonts plus the document font) when it exists; null = the
   * system configuration. See docs/pdf.md ("Fonts").
   */
  fontConfigFile?: string | null;
  /**
   * Hide the document on screen (`@media screen { html { display: none } }`) so that Chromium
   * does not lay out, paint and rasterise it for the viewport before printing; the PDF is
   * unchanged. Default true.
   */
  skipScreenRendering?: boolean;
  /**
   * Open the pool's pages with `enableBeginFrameControl` (headless shell): their compositor makes
   * no frames unless asked, and printing needs none, so the GPU process and the renderer's
   * compositor stay idle. Falls back to ordinary pages if the browser refuses. Default true.
   */
  beginFrameControl?: boolean;
  logger?: RendererLogger;
  /** Told of every render: its duration from the call to the bytes, and 'ok' or the error code (metrics). */
  onRender?: (seconds: number, outcome: string) => void;
  /** Told how long each render waited for a permit and a page (metrics). */
  onPoolWait?: (seconds: number) => void;
}

export interface RenderPdfOptions {
  /** Overrides PdfRendererOptions.defaultTimeoutMs for this render. */
  timeoutMs?: number;
  /** Puppeteer/Chromium header template (classes date, title, url, pageNumber, totalPages). */
  headerTemplate?: string;
  /** Footer template, e.g. `<span class="pageNumber"></span> / <span class="totalPages"></span>`. */
  footerTemplate?: string;
  /** Document title (PDF /Title); replaces or inserts the <title> of the HTML. */
  title?: string;
  /**
   * Fixed CreationDate/ModDate written into the PDF info dictionary. With it, the same HTML renders
   * to byte-identical PDFs (Chromium otherwise stamps the wall clock, to the second).
   */
  metadataDate?: Date;
}

export interface PdfRendererStats {
  launches: number;
  /** The fontconfig file Chromium was started with (null: the system configuration). */
  fontConfigFile: string | null;
  /** New pages are opened with begin-frame control (false if disabled or the browser refused it). */
  beginFrameControl: boolean;
  browserConnected: boolean;
  /** pid of the Chromium browser process (not of a wrapper script), for monitoring and tests. */
  browserPid: number | null;
  poolSize: number;
  pagesOpen: number;
  pagesIdle: number;
  busy: number;
  queued: number;
  pagesCreated: number;
  pagesDiscarded: number;
  pagesRecycled: number;
  renders: number;
  failures: Record<PdfRenderErrorCode, number>;
}

export interface PdfRenderer {
  renderPdf(html: string, options?: RenderPdfOptions): Promise<Buffer>;
  /** Launch the browser and open all pages now instead of on the first render. */
  warmUp(): Promise<void>;
  /**
   * The Chromium version string (launches the browser if needed), followed by ` fonts <id>` when a
   * fontconfig file is used (the id changes whenever the generated document font does); part of
   * document cache keys, since either changes the bytes of a PDF.
   */
  browserVersion(): Promise<string>;
  close(): Promise<void>;
  stats(): PdfRendererStats;
}

export const DEFAULT_CHROME_PATH = '/usr/bin/chromium-headless-shell';

/** Written by scripts/setup.mjs (scripts/document-font.mjs): system fonts + "WenQuanYi Zen Hei Docs". */
export const GENERATED_FONTCONFIG_FILE = path.resolve(import.meta.dirname, '../../.cache/fonts/fonts.conf');

/** The fontconfig file used when none is given: the generated one if set-up has written it. */
export function defaultFontConfigFile(): string | null {
  return existsSync(GENERATED_FONTCONFIG_FILE) ? GENERATED_FONTCONFIG_FILE : null;
}

export const DEFAULT_CHROME_ARGS: readonly string[] = [
  '--no-sandbox', // we run as root in a container
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--mute-audio',
  // Third wall: every http(s)/ws request, loopback included, goes to a proxy that is not there.
  '--proxy-server=http://127.0.0.1:9',
  '--proxy-bypass-list=<-loopback>',
];

// A4 in inches, as puppeteer's `format: 'A4'`.
const A4_WIDTH_IN = 8.27;
const A4_HEIGHT_IN = 11.7;
const EMPTY_TEMPLATE = '<span></span>';

interface PrintSettings {
  tagged: boolean;
  skipScreen: boolean;
}

/** The parts a render goes through, and the tallies it updates. */
interface RenderParts {
  queue: RenderQueue;
  pool: PagePool;
  browsers: BrowserSupervisor;
  isClosed(): boolean;
  print: PrintSettings;
  tally: { renders: number; failures: Record<PdfRenderErrorCode, number> };
  observe: Pick<PdfRendererOptions, 'onRender' | 'onPoolWait'>;
}

/** Where one render stands, so that a deadline can give back what it holds. */
interface RenderCtx {
  timedOut: boolean;
  hasPermit: boolean;
  waiter: QueueWaiter | null;
  slot: Slot | null;
}

export function createPdfRenderer(options: PdfRendererOptions = {}): PdfRenderer {
  const poolSize = Math.max(1, options.poolSize ?? os.availableParallelism());
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
  const fontConfigFile = options.fontConfigFile === undefined ? defaultFontConfigFile() : options.fontConfigFile;
  const log = options.logger;
  let closed = false;
  const isClosed = () => closed;
  // The supervisor tells the pool when a browser died; the pool asks it for the live browser.
  const browsers = createBrowserSupervisor({
    settings: { executablePath: options.executablePath ?? DEFAULT_CHROME_PATH, args: [...DEFAULT_CHROME_ARGS, ...(options.extraArgs ?? [])], fontConfigFile },
    isClosed,
    onDead: (gen) => pool.dropBrowser(gen),
    poolSize,
    log,
  });
  const pool = createPagePool({ browsers, poolSize, recycleAfter: options.recyclePageAfter ?? 500, beginFrameControl: options.beginFrameControl ?? true, isClosed, log });
  const queue = createRenderQueue(poolSize, Math.max(0, options.maxQueue ?? 100));
  const print = { tagged: options.tagged ?? false, skipScreen: options.skipScreenRendering ?? true };
  const observe = { onRender: options.onRender, onPoolWait: options.onPoolWait };
  const parts: RenderParts = { queue, pool, browsers, isClosed, print, tally: { renders: 0, failures: noFailures() }, observe };

  async function renderPdf(html: string, opts: RenderPdfOptions = {}): Promise<Buffer> {
    if (closed) {
      parts.tally.failures.closed++;
      throw new PdfRenderError('closed', 'PDF renderer is closed');
    }
    return renderWithDeadline(parts, html, opts, opts.timeoutMs ?? defaultTimeoutMs);
  }

  async function warmUp(): Promise<void> {
    if (closed) throw new PdfRenderError('closed', 'PDF renderer is closed');
    await pool.fill();
  }

  let version: string | undefined;
  async function browserVersion(): Promise<string> {
    if (version) return version;
    if (closed) throw new PdfRenderError('closed', 'PDF renderer is closed');
    const gen = await browsers.ensure();
    try {
      version = (await gen.browser.version()) + (fontConfigFile ? ` fonts ${fontConfigId(fontConfigFile)}` : '');
    } catch (err) {
      throw await classifyError(parts, err, null);
    }
    return version;
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    queue.rejectAll(() => new PdfRenderError('closed', 'PDF renderer was closed'));
    await browsers.close(() => pool.drain());
  }

  function stats(): PdfRendererStats {
    const current = browsers.current();
    return {
      launches: browsers.launches(),
      fontConfigFile,
      browserConnected: !!current && current.browser.connected,
      browserPid: current?.browserPid ?? null,
      poolSize,
      ...pool.stats(),
      busy: queue.busy(),
      queued: queue.queued(),
      renders: parts.tally.renders,
      failures: { ...parts.tally.failures },
    };
  }

  return { renderPdf, warmUp, browserVersion, close, stats };
}

function noFailures(): Record<PdfRenderErrorCode, number> {
  return { timeout: 0, browser_crashed: 0, render_failed: 0, launch_failed: 0, queue_full: 0, closed: 0 };
}

/** One render under a deadline that covers the queue wait, a lazy launch and the printing. */
async function renderWithDeadline(p: RenderParts, html: string, opts: RenderPdfOptions, timeoutMs: number): Promise<Buffer> {
  const ctx: RenderCtx = { timedOut: false, hasPermit: false, waiter: null, slot: null };
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ctx.timedOut = true;
      reject(new PdfRenderError('timeout', `PDF render did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  const work = runRender(p, ctx, html, opts);
  try {
    const pdf = await Promise.race([work, deadline]);
    p.tally.renders++;
    p.observe.onRender?.(seconds(), 'ok');
    return pdf;
  } catch (e) {
    const err = await classifyError(p, e, ctx.slot);
    p.tally.failures[err.code]++;
    p.observe.onRender?.(seconds(), err.code);
    if (ctx.slot) ctx.slot.broken = true; // a page that erred is closed and replaced
    throw err;
  } finally {
    clearTimeout(timer);
    if (ctx.timedOut) {
      // Leave the queue if still waiting; drop the page (closing it makes the abandoned work settle)
      // and give the permit back now rather than trusting a possibly hung page to ever answer.
      // Anything the abandoned work acquires later (a page, a late permit) is released when it settles.
      if (ctx.waiter && !ctx.hasPermit) p.queue.cancel(ctx.waiter);
      finishRender(p, ctx);
      work.then(
        () => finishRender(p, ctx),
        () => finishRender(p, ctx),
      );
    } else {
      finishRender(p, ctx);
    }
  }
}

async function runRender(p: RenderParts, ctx: RenderCtx, html: string, opts: RenderPdfOptions): Promise<Buffer> {
  const started = performance.now();
  const waiter = p.queue.acquire();
  if (waiter) {
    ctx.waiter = waiter;
    await waiter.promise;
  }
  ctx.hasPermit = true;
  if (ctx.timedOut) throw new PdfRenderError('timeout', 'abandoned after timeout');
  ctx.slot = await p.pool.acquire();
  p.observe.onPoolWait?.((performance.now() - started) / 1000);
  if (ctx.timedOut) throw new PdfRenderError('timeout', 'abandoned after timeout');
  return printPdf(ctx.slot, html, opts, p.print);
}

/** Gives back the page (dropped after a timeout) and the permit a render holds. */
function finishRender(p: RenderParts, ctx: RenderCtx): void {
  if (ctx.slot) {
    if (ctx.timedOut) p.pool.discard(ctx.slot);
    else p.pool.release(ctx.slot);
    ctx.slot = null;
  }
  if (ctx.hasPermit) {
    ctx.hasPermit = false;
    p.queue.release();
  }
}

async function printPdf(slot: Slot, html: string, opts: RenderPdfOptions, print: PrintSettings): Promise<Buffer> {
  slot.renders++;
  const titled = opts.title === undefined ? html : withTitle(html, opts.title);
  const doc = print.skipScreen ? withScreenHidden(titled) : titled;
  await slot.page.setContent(doc, { waitUntil: 'load', timeout: 0 });
  const displayHeaderFooter = opts.headerTemplate !== undefined || opts.footerTemplate !== undefined;
  // Page.printToPDF directly with base64 transfer: puppeteer's page.pdf() streams the result
  // through IO.read round trips, which costs ~10 ms per document here.
  const res = await slot.cdp.send('Page.printToPDF', {
    printBackground: true,
    preferCSSPageSize: true,
    paperWidth: A4_WIDTH_IN,
    paperHeight: A4_HEIGHT_IN,
    displayHeaderFooter,
    headerTemplate: displayHeaderFooter ? (opts.headerTemplate ?? EMPTY_TEMPLATE) : undefined,
    footerTemplate: displayHeaderFooter ? (opts.footerTemplate ?? EMPTY_TEMPLATE) : undefined,
    generateTaggedPDF: print.tagged,
    generateDocumentOutline: false,
    transferMode: 'ReturnAsBase64',
  });
  const pdf = Buffer.from(res.data, 'base64');
  if (opts.metadataDate) setPdfInfoDates(pdf, opts.metadataDate);
  return pdf;
}

/** Any failure as a PdfRenderError; a browser found gone is marked dead so the next render relaunches. */
async function classifyError(p: RenderParts, err: unknown, slot: Slot | null): Promise<PdfRenderError> {
  if (err instanceof PdfRenderError) return err;
  if (p.isClosed()) return new PdfRenderError('closed', 'PDF renderer was closed during the render', { cause: err });
  const gen = slot?.gen ?? p.browsers.current();
  // A protocol error can surface a moment before the disconnect/exit is observable: look again shortly.
  if (gen && !browserGone(gen)) await new Promise((r) => setTimeout(r, 50));
  if (gen && browserGone(gen)) {
    p.browsers.markDead(gen);
    return new PdfRenderError('browser_crashed', `browser crashed or disconnected during the render: ${errMessage(err)}`, { cause: err });
  }
  return new PdfRenderError('render_failed', `PDF render failed: ${errMessage(err)}`, { cause: err });
}
