// The Chromium browser behind the PDF renderer. A browser "generation" is one launched process:
// after a crash the next render launches a new generation, and pages of the old one are dropped.
// The supervisor keeps at most one live generation and launches lazily, once however many ask.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import type { Browser, CDPSession, Page } from 'puppeteer-core';
import { errMessage, PdfRenderError } from './pdf-render-error.ts';
import type { RendererLogger } from './pdf-renderer.ts';
import { chromiumMainPid, processTree } from './proc-tree.ts';

export interface BrowserGen {
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

export interface LaunchSettings {
  executablePath: string;
  args: string[];
  fontConfigFile: string | null;
}

export interface BrowserSupervisor {
  /** The live generation, launching one when there is none (PdfRenderError 'launch_failed' / 'closed'). */
  ensure(): Promise<BrowserGen>;
  current(): BrowserGen | null;
  /** Forgets a generation that died (onDead drops its pages); the next ensure() relaunches. */
  markDead(gen: BrowserGen): void;
  /** Closes the live generation, one being launched and those `more` returns (asked after the launch settled). */
  close(more: () => Iterable<BrowserGen>): Promise<void>;
  launches(): number;
}

export interface SupervisorOptions {
  settings: LaunchSettings;
  /** True once the renderer is closed: a launch that finishes then is closed again at once. */
  isClosed(): boolean;
  onDead(gen: BrowserGen): void;
  poolSize: number;
  log?: RendererLogger | undefined;
}

/** One live browser generation at a time, launched on demand and relaunched after a crash. */
export function createBrowserSupervisor(o: SupervisorOptions): BrowserSupervisor {
  let genCounter = 0;
  let launches = 0;
  let current: BrowserGen | null = null;
  let launching: Promise<BrowserGen> | null = null;

  function markDead(gen: BrowserGen): void {
    if (gen.dead) return;
    gen.dead = true;
    if (current === gen) current = null;
    o.onDead(gen);
  }

  async function launch(): Promise<BrowserGen> {
    const browser = await launchChromium(o.settings);
    const gen = generationOf(++genCounter, browser);
    launches++;
    gen.browser.on('disconnected', () => {
      if (!gen.dead && !o.isClosed()) o.log?.warn({ gen: gen.id, pid: gen.browserPid }, 'pdf renderer: browser disconnected; will relaunch on next render');
      markDead(gen);
    });
    o.log?.info({ gen: gen.id, pid: gen.browserPid, poolSize: o.poolSize, fontConfigFile: o.settings.fontConfigFile }, 'pdf renderer: browser launched');
    return gen;
  }

  async function ensure(): Promise<BrowserGen> {
    if (current && !current.dead && current.browser.connected) return current;
    if (current) markDead(current);
    launching ??= launch().then(
      (gen) => {
        launching = null;
        if (o.isClosed()) {
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
    return launching;
  }

  async function close(more: () => Iterable<BrowserGen>): Promise<void> {
    const gens = new Set<BrowserGen>();
    if (current) gens.add(current);
    if (launching) {
      try {
        gens.add(await launching);
      } catch {
        // launch failed or was turned into 'closed'; ensure() closes the browser itself then
      }
    }
    for (const gen of more()) gens.add(gen);
    current = null;
    await Promise.all([...gens].map((g) => closeBrowser(g)));
  }

  return { ensure, current: () => current, markDead, close, launches: () => launches };
}

async function launchChromium(s: LaunchSettings): Promise<Browser> {
  try {
    return await puppeteer.launch({
      executablePath: s.executablePath,
      headless: 'shell',
      pipe: true,
      args: s.args,
      ...(s.fontConfigFile ? { env: { ...process.env, FONTCONFIG_FILE: s.fontConfigFile } } : {}),
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
  } catch (err) {
    throw new PdfRenderError('launch_failed', `could not launch Chromium at ${s.executablePath}: ${errMessage(err)}`, { cause: err });
  }
}

function generationOf(id: number, browser: Browser): BrowserGen {
  const launcherPid = browser.process()?.pid ?? null;
  return { id, browser, session: null, dead: false, launcherPid, browserPid: findBrowserPid(launcherPid) };
}

/** True when the generation is dead, disconnected, or its process has exited. */
export function browserGone(gen: BrowserGen): boolean {
  const proc = gen.browser.process();
  return gen.dead || !gen.browser.connected || (proc != null && (proc.exitCode !== null || proc.signalCode !== null));
}

/**
 * Opens a page with `enableBeginFrameControl`: its compositor makes no frames unless asked.
 * The marker URL (unique per page) identifies the new target through puppeteer's public API.
 */
export async function openFrameControlledPage(gen: BrowserGen, marker: string): Promise<Page> {
  gen.session ??= gen.browser.target().createCDPSession();
  const session = await gen.session;
  const found = gen.browser.waitForTarget((t) => t.url() === marker, { timeout: 10_000 });
  await session.send('Target.createTarget', { url: marker, enableBeginFrameControl: true });
  const page = await (await found).page();
  if (!page) throw new Error('the new target has no page');
  return page;
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
export function fontConfigId(file: string): string {
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
