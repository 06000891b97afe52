// The golden-image page against the real golden-image routes and domain (multipart parser, upload task,
// records, archive, zip download), composed here because the appliance does not mount them yet. Only the
// volume store behind the GoldenImageBytes port is a stand-in (a file per image), since it does not exist yet.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts } from '../../src/accounts/index.js';
import { createApp } from '../../src/api/app.js';
import { registerApplianceRoutes } from '../../src/api/routes/appliance.js';
import { registerGoldenImageRoutes } from '../../src/api/routes/golden-images.js';
import { registerTaskRoutes } from '../../src/api/routes/tasks.js';
import { listen, type HttpServerHandle } from '../../src/api/server.js';
import { GoldenImages, type GoldenImageBytes } from '../../src/artifacts/golden-images.js';
import { openSqliteStore, type Store } from '../../src/db/index.js';
import { TaskEngine, activeStates, type Task } from '../../src/tasks/index.js';
import { registerUi } from '../../src/ui/index.js';
import { ADMIN_PASSWORD, CHROMIUM, SCREENSHOTS, listZip } from './harness.js';

/** Stand-in volume store: one raw file per image. */
function fileBytes(dir: string): GoldenImageBytes {
  return {
    async importImage(source: Readable, options) {
      const imageId = randomUUID();
      const hash = createHash('sha256');
      let sizeBytes = 0;
      const count = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          sizeBytes += chunk.length;
          hash.update(chunk);
          options.onProgress?.(sizeBytes);
          done(null, chunk);
        },
      });
      await pipeline(source, count, createWriteStream(join(dir, imageId)), ...(options.signal === undefined ? [] : [{ signal: options.signal }]));
      return { imageId, sizeBytes, sha256: hash.digest('hex'), format: 'raw' };
    },
    deleteImage: (imageId) => rm(join(dir, imageId), { force: true }),
    exportZip(imageId) {
      const zip = new yazl.ZipFile();
      zip.addReadStream(createReadStream(join(dir, imageId)), imageId);
      zip.end();
      return Promise.resolve(zip.outputStream as Readable);
    },
    dependents: () => Promise.resolve(0),
    allocation: async (imageId) => {
      const st = await stat(join(dir, imageId));
      return { provisionedBytes: st.size, allocatedBytes: st.blocks * 512 };
    },
  };
}

let dataDir: string;
let store: Store;
let tasks: TaskEngine;
let server: HttpServerHandle;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'streamer-ui-gi-'));
  await mkdir(join(dataDir, 'images'));
  store = await openSqliteStore(join(dataDir, 'streamer.db'));
  tasks = new TaskEngine({ repository: store.taskDocuments<Task>(activeStates), limits: {}, onError: () => undefined });
  const accounts = new Accounts(store, 3600_000);
  await accounts.ensureAdministrator(ADMIN_PASSWORD);
  const goldenImages = new GoldenImages(store, fileBytes(join(dataDir, 'images')));
  const { app } = createApp({
    logger: pino({ level: 'silent' }), version: 'test', jsonLimitBytes: 1024 * 1024,
    authenticate: (sessionId) => accounts.authenticate(sessionId),
    register: (router) => {
      registerApplianceRoutes(router, { accounts, tasks });
      registerTaskRoutes(router, tasks);
      registerGoldenImageRoutes(router, { goldenImages, tasks, deploymentPlansUsing: () => Promise.resolve([]), dataDir });
    },
    extra: (hono) => registerUi(hono),
  });
  server = await listen(app, { host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await (await browser.newContext({ viewport: { width: 1366, height: 768 }, acceptDownloads: true })).newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${server.url}/login`);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await tasks?.close();
  await store?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('golden images in the browser', () => {
  it('uploads a raw image with a progress bar, watches the task, and opens the new image', async () => {
    const raw = join(dataDir, 'disk.img');
    const bytes = Buffer.alloc(24 * 1024 * 1024);
    bytes.write('STREAMER UI TEST IMAGE', 1024 * 1024);
    await writeFile(raw, bytes);
    // Progress values as the page shows them, recorded in the page.
    await page.goto(`${server.url}/golden-images`);
    await page.getByRole('heading', { name: 'Golden images' }).waitFor();
    await page.evaluate(`window.__progress = [];
      new MutationObserver(() => { const bar = document.querySelector('.upload-form [role=progressbar]'); if (bar) window.__progress.push(Number(bar.getAttribute('aria-valuenow'))); })
        .observe(document.querySelector('main'), { subtree: true, attributes: true, attributeFilter: ['aria-valuenow'] });`);
    await page.getByLabel(/Image file/).setInputFiles(raw);
    await page.getByLabel('Name', { exact: true }).fill('ui-test-image');
    await page.getByLabel('Description').fill('Made by the UI test');
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByRole('heading', { name: 'Golden image ui-test-image' }).waitFor({ timeout: 60_000 });
    // Client-side navigation keeps the document, so the record of the bar survives it.
    const progress = await page.evaluate<number[]>('window.__progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[progress.length - 1]).toBe(100);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    const properties = (await page.locator('.properties').textContent()) ?? '';
    expect(properties).toContain(`${bytes.length} bytes`);
    expect(properties).toContain(createHash('sha256').update(bytes).digest('hex'));
    expect(await page.locator('pre.log').textContent()).toMatch(/imported raw image: 25165824 bytes/);
    await page.screenshot({ path: join(SCREENSHOTS, 'golden-image-uploaded.png') });
  }, 90_000);

  it('downloads the image as HPE\'s zip of one raw disk', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('ui-test-image.zip');
    const saved = join(dataDir, 'downloaded.zip');
    await download.saveAs(saved);
    expect((await readFile(saved)).subarray(0, 2).toString()).toBe('PK');
    const stdout = await listZip(saved);
    expect(stdout).toMatch(/25165824\s+\S+\s+\S+\s+[0-9a-f-]{36}/);
  });

  it('lists the image, and refuses a second upload under the same name with the appliance message', async () => {
    await page.getByRole('link', { name: '← All golden images' }).click();
    await page.getByRole('cell', { name: 'ui-test-image' }).waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'golden-images.png') });
    await page.getByLabel(/Image file/).setInputFiles(join(dataDir, 'disk.img'));
    await page.getByLabel('Name', { exact: true }).fill('ui-test-image');
    await page.getByRole('button', { name: 'Upload' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Cannot upload golden image "ui-test-image": a golden image with this name already exists/);
  });
});
