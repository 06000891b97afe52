import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultUiRoot, registerUi } from './index.js';

let root: string;
let app: Hono;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'streamer-ui-root-'));
  await mkdir(join(root, 'js'));
  await writeFile(join(root, 'index.html'), '<!doctype html><title>shell</title>');
  await writeFile(join(root, 'js', 'a.js'), 'export const a = 1;');
  app = new Hono({ strict: false });
  app.get('/rest/version', (c) => c.json({ currentVersion: 1 }));
  registerUi(app, { root });
  app.notFound((c) => c.json({ errorCode: 'RESOURCE_NOT_FOUND' }, 404));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('registerUi', () => {
  it('finds the browser files of the source tree by default', () => {
    expect(existsSync(join(defaultUiRoot(), 'index.html'))).toBe(true);
    expect(existsSync(join(defaultUiRoot(), 'js', 'main.js'))).toBe(true);
  });

  it('serves files from the given root with their type and no-cache', async () => {
    const response = await app.request('/js/a.js');
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toBe('export const a = 1;');
  });

  it('answers any other page path with the shell, a HEAD without a body', async () => {
    expect(await (await app.request('/server-profiles/new?template=x')).text()).toContain('<title>shell</title>');
    const head = await app.request('/tasks', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('leaves routes registered before it, and unknown /rest paths, to the app', async () => {
    expect(await (await app.request('/rest/version')).json()).toEqual({ currentVersion: 1 });
    const missing = await app.request('/rest/nope');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ errorCode: 'RESOURCE_NOT_FOUND' });
  });
});
