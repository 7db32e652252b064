import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { publishShippedProducts } from './catalogue-fixtures.ts';
import { useTestApp, type TestApp } from './test-app.ts';

/** Where the browser tests leave their screenshots (and the documents they download). */
export const SCREENSHOTS = 'test-artifacts/screenshots';

export interface ServedApp extends TestApp {
  /** The app's address on a free loopback port, e.g. `http://127.0.0.1:40123`. */
  base: string;
}

export interface BrowserApp extends ServedApp {
  browser: Browser;
  /** A page in a fresh browser profile (own cookies), `width` × 900. */
  newPage(width?: number): Promise<Page>;
  /** Signs the page in with an API key through the sign-in form and waits for the page that follows. */
  signIn(page: Page, key: string): Promise<void>;
  /** A full-page screenshot to test-artifacts/screenshots/<name>.png. */
  shot(page: Page, name: string): Promise<unknown>;
}

/** Publishes the shipped products and starts the app on a free loopback port, filling in `base`. */
async function serve(served: ServedApp): Promise<Server> {
  await publishShippedProducts();
  const server = served.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  served.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return server;
}

const closeServer = (server: Server | undefined) => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));

/**
 * The composed test app (useTestApp) with the shipped products published, listening on a free
 * loopback port for clients outside the process. Call inside a describe; `base` fills in `before`.
 */
export function useServedApp(): ServedApp {
  const served = useTestApp() as ServedApp;
  let server: Server | undefined;
  before(async () => {
    server = await serve(served);
  });
  after(() => closeServer(server));
  return served;
}

/**
 * useServedApp plus a headless Chromium (puppeteer-core, 'shell' mode, the binary in CHROME_PATH)
 * that opens the pages; closes the browser, then the server, in `after`. Call inside a describe;
 * fills in `before`.
 */
export function useBrowserApp(): BrowserApp {
  const app = useTestApp() as BrowserApp;
  let server: Server | undefined;
  before(async () => {
    server = await serve(app);
    await mkdir(SCREENSHOTS, { recursive: true });
    app.browser = await puppeteer.launch({
      executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium-headless-shell',
      headless: 'shell',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  after(async () => {
    await app.browser?.close();
    await closeServer(server);
  });
  app.newPage = async (width = 1280) => {
    const page = await (await app.browser.createBrowserContext()).newPage();
    await page.setViewport({ width, height: 900 });
    return page;
  };
  app.signIn = async (page, key) => {
    await page.goto(`${app.base}/sign-in`);
    await page.type('#apiKey', key);
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  };
  app.shot = (page, name) => page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
  return app;
}

/** Records page errors and Content-Security-Policy refusals on the page's console. */
export function recordCspProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused/.test(msg.text())) problems.push(msg.text());
  });
  return problems;
}
