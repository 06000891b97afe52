// A real appliance on 127.0.0.1 (plain HTTP) serving the web UI, and Debian's Chromium driven by
// playwright-core. Fails with the package name when chromium is missing.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { serveAppliance, type RunningAppliance } from '../../src/appliance.js';
import { registerUi } from '../../src/ui/index.js';

export const ADMIN_PASSWORD = 'admin-password-1';
export const CHROMIUM = '/usr/bin/chromium';
/**
 * Where screenshots go: docs/screenshots/ when UPDATE_SCREENSHOTS=1 (then commit them), else a temporary
 * folder, so an ordinary test run leaves the work tree clean.
 */
export const SCREENSHOTS = process.env['UPDATE_SCREENSHOTS'] === '1' ? join(import.meta.dirname, '..', '..', 'docs', 'screenshots') : join(tmpdir(), 'streamer-ui-screenshots');

// Runs in the page: controls a screen reader could not name (no label, aria-label(ledby) or text).
const UNLABELLED_CONTROLS = `[...document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href]')]
  .filter((el) => !(el.labels?.length > 0 || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.textContent.trim() !== ''))
  .map((el) => el.outerHTML.slice(0, 120))`;

/** `unzip -l` of a zip file (Debian package unzip), to check what the UI downloaded with a real client. */
export async function listZip(path: string): Promise<string> {
  try {
    return (await promisify(execFile)('unzip', ['-l', path])).stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('Cannot list the downloaded zip: unzip is missing (apt-get install unzip)');
    throw error;
  }
}

export interface UiHarness {
  running: RunningAppliance;
  baseUrl: string;
  browser: Browser;
  page: Page;
  /** `METHOD /rest/path` of every mounted API route (from /rest/openapi.json). */
  routes: Set<string>;
  /** Uncaught exceptions in the page, in order. */
  pageErrors: string[];
  /** Form controls without an accessible name, found on each page `shot` saved (`page: control`). */
  unlabelled: string[];
  /** Every text the page put in its live region (#live), in order, across navigations. */
  announcements(): Promise<string[]>;
  /** Saves a 1366×768 screenshot of the page as docs/screenshots/<name>.png. */
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Mounted API routes of a fresh appliance, as `GET /rest/golden-images/{id}` strings. */
export async function mountedRoutes(running: RunningAppliance): Promise<Set<string>> {
  const response = await fetch(`${running.server.url}/rest/openapi.json`);
  const doc = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
  const routes = new Set<string>();
  for (const [path, methods] of Object.entries(doc.paths)) for (const method of Object.keys(methods)) routes.add(`${method.toUpperCase()} ${path}`);
  return routes;
}

/**
 * Starts a fresh appliance (no browser), hands it to `inspect`, and stops it: for deciding, before the
 * tests are declared, which steps the appliance can serve.
 */
export async function withProbeAppliance<T>(inspect: (running: RunningAppliance) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), 'streamer-ui-probe-'));
  const running = await serveAppliance({ dataDir, host: '127.0.0.1', port: 0, http: true, logger: pino({ level: 'silent' }), adminPassword: ADMIN_PASSWORD });
  try {
    return await inspect(running);
  } finally {
    await running.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function startUiHarness(): Promise<UiHarness> {
  if (!existsSync(CHROMIUM)) throw new Error(`Cannot run the UI tests: ${CHROMIUM} is missing (apt-get install chromium)`);
  const dataDir = await mkdtemp(join(tmpdir(), 'streamer-ui-'));
  const running = await serveAppliance({ dataDir, host: '127.0.0.1', port: 0, http: true, logger: pino({ level: 'silent' }), adminPassword: ADMIN_PASSWORD });
  // Until the appliance mounts the UI itself (createApp's `extra`), the test registers it; before any
  // request, so Hono can still add routes, and harmless once wired (the first matching handler answers).
  registerUi(running.appliance.app);
  const routes = await mountedRoutes(running);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  // Records what the live region says, for tests to check what a screen reader would have heard.
  await page.addInitScript(`window.__announcements = [];
    new MutationObserver(() => {
      const text = document.getElementById('live')?.textContent ?? '';
      if (text !== '') window.__announcements.push(text);
    }).observe(document, { subtree: true, childList: true, characterData: true });`);
  const pageErrors: string[] = [];
  const unlabelled: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await mkdir(SCREENSHOTS, { recursive: true });
  return {
    running,
    baseUrl: running.server.url,
    browser,
    page,
    routes,
    pageErrors,
    unlabelled,
    async announcements() {
      return page.evaluate<string[]>('window.__announcements');
    },
    async shot(name) {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
      const found = await page.evaluate<string[]>(UNLABELLED_CONTROLS);
      unlabelled.push(...found.map((control) => `${name}: ${control}`));
    },
    async close() {
      await browser.close();
      await running.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
