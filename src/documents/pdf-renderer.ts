// Pooled headless-Chromium PDF renderer.
//
// One browser process, a small pool of reused pages (sized to the cores by default), a bounded
// wait queue, a deadline per render, and lazy relaunch when the browser dies. Every page runs with
// JavaScript disabled and request interception that only lets `data:` and `about:blank` through;
// the browser itself is additionally pointed at a dead proxy so nothing can reach the network even
// if interception were bypassed. See docs/pdf.md.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import type { Browser, CDPSession, HTTPRequest, Page } from 'puppeteer-core';
import { chromiumMainPid, processTree } from './proc-tree.ts';

export type PdfRenderErrorCode =
  | 'timeout' // the deadline (queue wait + launch + render) passed
  | 'browser_crashed' // the browser disconnected while this render was running
  | 'render_failed' // setContent / printToPDF failed for another reason (page crash, protocol error)
  | 'launch_failed' // Chromium could not be started
  | 'queue_full' // all pages busy and the wait queue is at maxQueue
  | 'closed'; // renderer was closed

export class PdfRenderError extends Error {
  override readonly name = 'PdfRenderError';
  readonly code: PdfRenderErrorCode;
  constructor(code: PdfRenderErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

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

interface BrowserGen {
  id: number;
  browser: Browser;
  /** Browser-level CDP session for Target.createTarget (created on first use). */
  session: Promise<CDPSession> | null;
  dead: boolean;
  /** Process puppeteer spawned (may be a shell wrapper). */
  launcherPid: number | null;
  /** The Chromium browser process itself (child of the wrapper, or the same pid). */
  browserPid: number | null;
}

interface Slot {
  gen: BrowserGen;
  page: Page;
  cdp: CDPSession;
  renders: number;
  broken: boolean;
}

interface Waiter {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: PdfRenderError) => void;
}

interface RenderCtx {
  timedOut: boolean;
  hasPermit: boolean;
  waiter: Waiter | null;
  slot: Slot | null;
}

export function createPdfRenderer(options: PdfRendererOptions = {}): PdfRenderer {
  const executablePath = options.executablePath ?? DEFAULT_CHROME_PATH;
  const poolSize = Math.max(1, options.poolSize ?? os.availableParallelism());
  const maxQueue = Math.max(0, options.maxQueue ?? 100);
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
  const recycleAfter = options.recyclePageAfter ?? 500;
  const tagged = options.tagged ?? false;
  const fontConfigFile = options.fontConfigFile === undefined ? defaultFontConfigFile() : options.fontConfigFile;
  const skipScreen = options.skipScreenRendering ?? true;
  let beginFrameControl = options.beginFrameControl ?? true;
  let pageSerial = 0;
  const args = [...DEFAULT_CHROME_ARGS, ...(options.extraArgs ?? [])];
  const log = options.logger;

  let closed = false;
  let genCounter = 0;
  let current: BrowserGen | null = null;
  let launching: Promise<BrowserGen> | null = null;
  const idle: Slot[] = [];
  const open = new Set<Slot>();
  let permits = poolSize;
  const waiters: Waiter[] = [];

  const counters = {
    launches: 0,
    pagesCreated: 0,
    pagesDiscarded: 0,
    pagesRecycled: 0,
    renders: 0,
  };
  const failures: Record<PdfRenderErrorCode, number> = {
    timeout: 0,
    browser_crashed: 0,
    render_failed: 0,
    launch_failed: 0,
    queue_full: 0,
    closed: 0,
  };

  // ---- permits: at most poolSize renders hold a page at once, the rest wait in a bounded queue ----

  /** Returns null when a permit was taken synchronously, else a queued waiter. */
  function acquirePermit(): Waiter | null {
    if (permits > 0) {
      permits--;
      return null;
    }
    if (waiters.length >= maxQueue) {
      throw new PdfRenderError('queue_full', `PDF renderer queue is full (${maxQueue} waiting)`);
    }
    const waiter = {} as Waiter;
    waiter.promise = new Promise<void>((resolve, reject) => {
      waiter.resolve = resolve;
      waiter.reject = reject;
    });
    waiters.push(waiter);
    return waiter;
  }

  function cancelWaiter(waiter: Waiter): void {
    const i = waiters.indexOf(waiter);
    if (i >= 0) waiters.splice(i, 1);
  }

  function releasePermit(): void {
    const next = waiters.shift();
    if (next) next.resolve(); // hand the permit straight to the next waiter
    else permits++;
  }

  // ---- browser lifecycle ----

  function markDead(gen: BrowserGen): void {
    if (gen.dead) return;
    gen.dead = true;
    if (current === gen) current = null;
    for (let i = idle.length - 1; i >= 0; i--) {
      if (idle[i]!.gen === gen) idle.splice(i, 1);
    }
    for (const slot of open) if (slot.gen === gen) open.delete(slot);
  }

  async function launch(): Promise<BrowserGen> {
    let browser: Browser;
    try {
      browser = await puppeteer.launch({
        executablePath,
        headless: 'shell',
        pipe: true,
        args,
        ...(fontConfigFile ? { env: { ...process.env, FONTCONFIG_FILE: fontConfigFile } } : {}),
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
    } catch (err) {
      throw new PdfRenderError('launch_failed', `could not launch Chromium at ${executablePath}: ${errMessage(err)}`, { cause: err });
    }
    const launcherPid = browser.process()?.pid ?? null;
    const gen: BrowserGen = { id: ++genCounter, browser, session: null, dead: false, launcherPid, browserPid: findBrowserPid(launcherPid) };
    counters.launches++;
    browser.on('disconnected', () => {
      if (!gen.dead && !closed) log?.warn({ gen: gen.id, pid: gen.browserPid }, 'pdf renderer: browser disconnected; will relaunch on next render');
      markDead(gen);
    });
    log?.info({ gen: gen.id, pid: gen.browserPid, poolSize, fontConfigFile }, 'pdf renderer: browser launched');
    return gen;
  }

  async function ensureBrowser(): Promise<BrowserGen> {
    if (current && !current.dead && current.browser.connected) return current;
    if (current) markDead(current);
    if (!launching) {
      launching = launch().then(
        (gen) => {
          launching = null;
          if (closed) {
            void gen.browser.close().catch(() => undefined);
            throw new PdfRenderError('closed', 'PDF renderer was closed');
          }
          current = gen;
          return gen;
        },
        (err: unknown) => {
          launching = null;
          throw err;
        },
      );
    }
    return launching;
  }

  async function newPage(gen: BrowserGen): Promise<Page> {
    if (!beginFrameControl) return gen.browser.newPage();
    // The marker URL identifies the new target through puppeteer's public API.
    const marker = `about:blank#pdf-page-${gen.id}-${++pageSerial}`;
    try {
      gen.session ??= gen.browser.target().createCDPSession();
      const session = await gen.session;
      const found = gen.browser.waitForTarget((t) => t.url() === marker, { timeout: 10_000 });
      await session.send('Target.createTarget', { url: marker, enableBeginFrameControl: true });
      const page = await (await found).page();
      if (!page) throw new Error('the new target has no page');
      return page;
    } catch (err) {
      if (gen.dead || !gen.browser.connected) throw err;
      beginFrameControl = false;
      log?.warn({ err: errMessage(err) }, 'pdf renderer: pages without begin-frame control (the browser refused it)');
      return gen.browser.newPage();
    }
  }

  async function createSlot(gen: BrowserGen): Promise<Slot> {
    const page = await newPage(gen);
    const slot: Slot = { gen, page, cdp: undefined as unknown as CDPSession, renders: 0, broken: false };
    try {
      await page.setJavaScriptEnabled(false);
      await page.setRequestInterception(true);
      page.on('request', onRequest);
      page.on('error', () => {
        slot.broken = true; // renderer process crashed
      });
      slot.cdp = await page.createCDPSession();
      await slot.cdp.send('Page.enable');
    } catch (err) {
      void page.close().catch(() => undefined);
      throw err;
    }
    counters.pagesCreated++;
    open.add(slot);
    return slot;
  }

  function discard(slot: Slot, recycled = false): void {
    if (!open.delete(slot)) return;
    if (recycled) counters.pagesRecycled++;
    else counters.pagesDiscarded++;
    if (!slot.gen.dead) void slot.page.close().catch(() => undefined);
  }

  async function acquireSlot(): Promise<Slot> {
    const gen = await ensureBrowser();
    for (;;) {
      const slot = idle.pop();
      if (!slot) break;
      if (slot.gen === gen && !slot.broken && !slot.page.isClosed()) return slot;
      discard(slot);
    }
    return createSlot(gen);
  }

  function releaseSlot(slot: Slot): void {
    if (closed || slot.broken || slot.gen.dead || slot.gen !== current || slot.page.isClosed()) {
      discard(slot);
    } else if (recycleAfter > 0 && slot.renders >= recycleAfter) {
      discard(slot, true);
    } else {
      idle.push(slot);
    }
  }

  // ---- one render ----

  async function renderOn(slot: Slot, html: string, opts: RenderPdfOptions): Promise<Buffer> {
    slot.renders++;
    const titled = opts.title === undefined ? html : withTitle(html, opts.title);
    const doc = skipScreen ? withScreenHidden(titled) : titled;
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
      generateTaggedPDF: tagged,
      generateDocumentOutline: false,
      transferMode: 'ReturnAsBase64',
    });
    const pdf = Buffer.from(res.data, 'base64');
    if (opts.metadataDate) setPdfInfoDates(pdf, opts.metadataDate);
    return pdf;
  }

  async function classify(err: unknown, slot: Slot | null): Promise<PdfRenderError> {
    if (err instanceof PdfRenderError) return err;
    if (closed) return new PdfRenderError('closed', 'PDF renderer was closed during the render', { cause: err });
    const gen = slot?.gen ?? current;
    const gone = (): boolean => {
      if (!gen) return false;
      const proc = gen.browser.process();
      return gen.dead || !gen.browser.connected || (proc != null && (proc.exitCode !== null || proc.signalCode !== null));
    };
    // A protocol error can surface a moment before the disconnect/exit is observable: look again shortly.
    if (gen && !gone()) await new Promise((r) => setTimeout(r, 50));
    if (gone()) {
      markDead(gen!);
      return new PdfRenderError('browser_crashed', `browser crashed or disconnected during the render: ${errMessage(err)}`, { cause: err });
    }
    return new PdfRenderError('render_failed', `PDF render failed: ${errMessage(err)}`, { cause: err });
  }

  async function run(ctx: RenderCtx, html: string, opts: RenderPdfOptions): Promise<Buffer> {
    const waiter = acquirePermit();
    if (waiter) {
      ctx.waiter = waiter;
      await waiter.promise;
    }
    ctx.hasPermit = true;
    if (ctx.timedOut) throw new PdfRenderError('timeout', 'abandoned after timeout');
    ctx.slot = await acquireSlot();
    if (ctx.timedOut) throw new PdfRenderError('timeout', 'abandoned after timeout');
    return renderOn(ctx.slot, html, opts);
  }

  function finish(ctx: RenderCtx): void {
    if (ctx.slot) {
      if (ctx.timedOut) discard(ctx.slot);
      else releaseSlot(ctx.slot);
      ctx.slot = null;
    }
    if (ctx.hasPermit) {
      ctx.hasPermit = false;
      releasePermit();
    }
  }

  async function renderPdf(html: string, opts: RenderPdfOptions = {}): Promise<Buffer> {
    if (closed) {
      failures.closed++;
      throw new PdfRenderError('closed', 'PDF renderer is closed');
    }
    const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
    const ctx: RenderCtx = { timedOut: false, hasPermit: false, waiter: null, slot: null };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ctx.timedOut = true;
        reject(new PdfRenderError('timeout', `PDF render did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
    });
    const work = run(ctx, html, opts);
    try {
      const pdf = await Promise.race([work, deadline]);
      counters.renders++;
      return pdf;
    } catch (e) {
      const err = await classify(e, ctx.slot);
      failures[err.code]++;
      if (ctx.slot) ctx.slot.broken = true; // a page that erred is closed and replaced
      throw err;
    } finally {
      clearTimeout(timer);
      if (ctx.timedOut) {
        // Leave the queue if still waiting; drop the page (closing it makes the abandoned work settle)
        // and give the permit back now rather than trusting a possibly hung page to ever answer.
        // Anything the abandoned work acquires later (a page, a late permit) is released when it settles.
        if (ctx.waiter && !ctx.hasPermit) cancelWaiter(ctx.waiter);
        finish(ctx);
        work.then(
          () => finish(ctx),
          () => finish(ctx),
        );
      } else {
        finish(ctx);
      }
    }
  }

  async function warmUp(): Promise<void> {
    if (closed) throw new PdfRenderError('closed', 'PDF renderer is closed');
    const gen = await ensureBrowser();
    const missing = poolSize - open.size;
    const created = await Promise.all(Array.from({ length: Math.max(0, missing) }, () => createSlot(gen)));
    for (const s of created) releaseSlot(s);
  }

  let version: string | undefined;
  async function browserVersion(): Promise<string> {
    if (version) return version;
    if (closed) throw new PdfRenderError('closed', 'PDF renderer is closed');
    const gen = await ensureBrowser();
    try {
      version = (await gen.browser.version()) + (fontConfigFile ? ` fonts ${fontConfigId(fontConfigFile)}` : '');
    } catch (err) {
      throw await classify(err, null);
    }
    return version;
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    for (const w of waiters.splice(0)) w.reject(new PdfRenderError('closed', 'PDF renderer was closed'));
    const gens = new Set<BrowserGen>();
    if (current) gens.add(current);
    if (launching) {
      try {
        gens.add(await launching);
      } catch {
        // launch failed or was turned into 'closed'; launch() closes the browser itself then
      }
    }
    for (const slot of open) gens.add(slot.gen);
    idle.length = 0;
    open.clear();
    current = null;
    await Promise.all([...gens].map((g) => closeBrowser(g)));
  }

  async function closeBrowser(gen: BrowserGen): Promise<void> {
    gen.dead = true;
    // SIGKILL the whole tree if a graceful close fails or hangs: killing only the launcher would
    // leave Chromium running when the launcher is a wrapper script.
    const killTree = () => {
      for (const pid of gen.launcherPid ? processTreeSafe(gen.launcherPid) : []) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    };
    const killTimer = setTimeout(killTree, 5_000);
    try {
      await gen.browser.close();
    } catch {
      killTree();
    } finally {
      clearTimeout(killTimer);
    }
  }

  function stats(): PdfRendererStats {
    const idleNow = idle.length;
    return {
      launches: counters.launches,
      fontConfigFile,
      beginFrameControl,
      browserConnected: !!current && current.browser.connected,
      browserPid: current?.browserPid ?? null,
      poolSize,
      pagesOpen: open.size,
      pagesIdle: idleNow,
      busy: poolSize - permits,
      queued: waiters.length,
      pagesCreated: counters.pagesCreated,
      pagesDiscarded: counters.pagesDiscarded,
      pagesRecycled: counters.pagesRecycled,
      renders: counters.renders,
      failures: { ...failures },
    };
  }

  return { renderPdf, warmUp, browserVersion, close, stats };
}

// ---- helpers ----

function onRequest(req: HTTPRequest): void {
  const url = req.url();
  if (url.startsWith('data:') || url === 'about:blank') void req.continue().catch(() => undefined);
  else void req.abort('blockedbyclient').catch(() => undefined);
}

function processTreeSafe(pid: number): number[] {
  try {
    return processTree(pid);
  } catch {
    return [pid]; // no /proc
  }
}

function findBrowserPid(launcherPid: number | null): number | null {
  if (launcherPid === null) return null;
  try {
    return chromiumMainPid(launcherPid) ?? launcherPid;
  } catch {
    return launcherPid;
  }
}

/**
 * A short id of a fontconfig file and of what it adds: its text plus, for the generated one, the
 * stamp scripts/setup.mjs writes beside it (a hash of the generator, the source font and the
 * characters the document font puts first).
 */
function fontConfigId(file: string): string {
  const hash = createHash('sha256');
  for (const f of [file, path.join(path.dirname(file), 'stamp')]) {
    try {
      hash.update(readFileSync(f));
    } catch {
      hash.update('-');
    }
  }
  return hash.digest('hex').slice(0, 12);
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Replace the document's <title> (or insert one) with an escaped title. */
export function withTitle(html: string, title: string): string {
  const tag = `<title>${escapeHtml(title)}</title>`;
  if (/<title[\s>][\s\S]*?<\/title>/i.test(html)) return html.replace(/<title[\s>][\s\S]*?<\/title>/i, tag);
  if (/<head[^>]*>/i.test(html)) return html.replace(/<head[^>]*>/i, (m) => m + tag);
  return tag + html;
}

const SCREEN_HIDDEN = '<style>@media screen{html{display:none!important}}</style>';

/**
 * Adds a screen-only `display: none` for the whole document (at the end of <head>, or first).
 * Printing uses print media, so the PDF is the same; Chromium just skips the viewport's style,
 * layout, paint and raster work that nobody looks at.
 */
export function withScreenHidden(html: string): string {
  const at = html.search(/<\/head\s*>/i);
  return at >= 0 ? html.slice(0, at) + SCREEN_HIDDEN + html.slice(at) : SCREEN_HIDDEN + html;
}

function pdfDate(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}+00'00'`;
}

/**
 * Overwrite /CreationDate and /ModDate in place. Chromium (Skia) writes them as
 * `(D:YYYYMMDDHHmmSS+00'00')`; the replacement has the same length, so xref offsets stay valid.
 */
export function setPdfInfoDates(pdf: Buffer, date: Date): void {
  const value = Buffer.from(pdfDate(date), 'latin1');
  for (const key of ['/CreationDate (', '/ModDate (']) {
    const keyBuf = Buffer.from(key, 'latin1');
    // The info dictionary sits near the end of the file.
    const at = pdf.lastIndexOf(keyBuf);
    if (at < 0) continue;
    const start = at + keyBuf.length;
    const end = pdf.indexOf(0x29 /* ) */, start);
    if (end - start !== value.length) continue; // unexpected format: leave untouched
    value.copy(pdf, start);
  }
}
