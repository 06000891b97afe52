// registerUi over a real socket: the shell and assets at `/`, client routes fall back to index.html,
// `/rest/*` is never shadowed, missing assets are 404, paths cannot climb out of the UI folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveAppliance, type RunningAppliance } from '../../src/appliance.js';
import { registerUi } from '../../src/ui/index.js';

let running: RunningAppliance;
let dataDir: string;
let base: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'streamer-ui-serve-'));
  running = await serveAppliance({ dataDir, host: '127.0.0.1', port: 0, http: true, logger: pino({ level: 'silent' }), adminPassword: 'admin-password-1' });
  registerUi(running.appliance.app);
  base = running.server.url;
});

afterAll(async () => {
  await running.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('registerUi', () => {
  it('serves the shell at / with a content security policy that allows only local resources', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/js/main.js">');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('serves scripts and styles with their types', async () => {
    const js = await fetch(`${base}/js/main.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(await js.text()).toContain('new Router');
    expect((await fetch(`${base}/app.css`)).headers.get('content-type')).toContain('text/css');
  });

  it('answers a client route such as /plan-scripts/abc with the shell', async () => {
    const response = await fetch(`${base}/plan-scripts/abc`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('id="main"');
  });

  it('leaves /rest to the API: known routes answer JSON, unknown ones the API 404 body', async () => {
    const version = await fetch(`${base}/rest/version`);
    expect(await version.json()).toHaveProperty('currentVersion');
    const missing = await fetch(`${base}/rest/no-such-thing`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { errorCode: string }).errorCode).toBe('RESOURCE_NOT_FOUND');
  });

  it('answers 404 for a missing asset instead of the shell', async () => {
    expect((await fetch(`${base}/js/nope.js`)).status).toBe(404);
  });

  it('does not serve files outside the UI folder', async () => {
    for (const path of ['/%2e%2e/index.ts', '/..%2f..%2fpackage.json', '/js/%2e%2e/%2e%2e/%2e%2e/%2e%2e/package.json']) {
      const response = await fetch(`${base}${path}`);
      const text = await response.text();
      expect(text).not.toContain('"dependencies"');
      expect(text).not.toContain('registerUi');
    }
  });
});
