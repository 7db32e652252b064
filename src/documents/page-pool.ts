// The renderer's reused pages: each page belongs to one browser generation, runs with JavaScript
// disabled and request interception that only lets `data:` and `about:blank` through, and is
// closed and replaced after `recycleAfter` renders, after an error, or when its browser died.
import type { CDPSession, HTTPRequest, Page } from 'puppeteer-core';
import { openFrameControlledPage, type BrowserGen, type BrowserSupervisor } from './chromium-browser.ts';
import { errMessage } from './pdf-render-error.ts';
import type { RendererLogger } from './pdf-renderer.ts';

export interface Slot {
  gen: BrowserGen;
  page: Page;
  cdp: CDPSession;
  renders: number;
  broken: boolean;
}

export interface PagePoolStats {
  /** New pages are opened with begin-frame control (false if disabled or the browser refused it). */
  beginFrameControl: boolean;
  pagesOpen: number;
  pagesIdle: number;
  pagesCreated: number;
  pagesDiscarded: number;
  pagesRecycled: number;
}

export interface PagePool {
  /** An idle page of the live browser, or a new one (launching the browser if needed). */
  acquire(): Promise<Slot>;
  /** Back to the idle pages, or closed when broken, of an old browser, or due for recycling. */
  release(slot: Slot): void;
  /** Closes a page and forgets it. */
  discard(slot: Slot, recycled?: boolean): void;
  /** Opens pages until there are poolSize. */
  fill(): Promise<void>;
  /** Forgets the pages of a browser that died. */
  dropBrowser(gen: BrowserGen): void;
  /** Forgets every page (the renderer is closing) and returns the browsers they belonged to. */
  drain(): Set<BrowserGen>;
  stats(): PagePoolStats;
}

export interface PagePoolOptions {
  browsers: BrowserSupervisor;
  poolSize: number;
  /** 0 = never recycle. */
  recycleAfter: number;
  beginFrameControl: boolean;
  isClosed(): boolean;
  log?: RendererLogger | undefined;
}

/** A pool of at most poolSize pages, created on demand and reused across renders. */
export function createPagePool(o: PagePoolOptions): PagePool {
  let beginFrameControl = o.beginFrameControl;
  let pageSerial = 0;
  const idle: Slot[] = [];
  const open = new Set<Slot>();
  const counters = { pagesCreated: 0, pagesDiscarded: 0, pagesRecycled: 0 };

  async function newPage(gen: BrowserGen): Promise<Page> {
    if (!beginFrameControl) return gen.browser.newPage();
    try {
      return await openFrameControlledPage(gen, `about:blank#pdf-page-${gen.id}-${++pageSerial}`);
    } catch (err) {
      if (gen.dead || !gen.browser.connected) throw err;
      beginFrameControl = false;
      o.log?.warn({ err: errMessage(err) }, 'pdf renderer: pages without begin-frame control (the browser refused it)');
      return gen.browser.newPage();
    }
  }

  async function createSlot(gen: BrowserGen): Promise<Slot> {
    const slot = await lockDown(gen, await newPage(gen));
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

  async function acquire(): Promise<Slot> {
    const gen = await o.browsers.ensure();
    for (;;) {
      const slot = idle.pop();
      if (!slot) break;
      if (slot.gen === gen && !slot.broken && !slot.page.isClosed()) return slot;
      discard(slot);
    }
    return createSlot(gen);
  }

  function release(slot: Slot): void {
    if (o.isClosed() || slot.broken || slot.gen.dead || slot.gen !== o.browsers.current() || slot.page.isClosed()) {
      discard(slot);
    } else if (o.recycleAfter > 0 && slot.renders >= o.recycleAfter) {
      discard(slot, true);
    } else {
      idle.push(slot);
    }
  }

  async function fill(): Promise<void> {
    const gen = await o.browsers.ensure();
    const missing = o.poolSize - open.size;
    const created = await Promise.all(Array.from({ length: Math.max(0, missing) }, () => createSlot(gen)));
    for (const s of created) release(s);
  }

  function dropBrowser(gen: BrowserGen): void {
    for (let i = idle.length - 1; i >= 0; i--) {
      if (idle[i]!.gen === gen) idle.splice(i, 1);
    }
    for (const slot of open) if (slot.gen === gen) open.delete(slot);
  }

  function drain(): Set<BrowserGen> {
    const gens = new Set([...open].map((slot) => slot.gen));
    idle.length = 0;
    open.clear();
    return gens;
  }

  const stats = (): PagePoolStats => ({ beginFrameControl, pagesOpen: open.size, pagesIdle: idle.length, ...counters });
  return { acquire, release, discard, fill, dropBrowser, drain, stats };
}

/** JavaScript off, every request but `data:` and `about:blank` blocked, crash noticed, CDP session for printing. */
async function lockDown(gen: BrowserGen, page: Page): Promise<Slot> {
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
  return slot;
}

function onRequest(req: HTTPRequest): void {
  const url = req.url();
  if (url.startsWith('data:') || url === 'about:blank') void req.continue().catch(() => undefined);
  else void req.abort('blockedbyclient').catch(() => undefined);
}
