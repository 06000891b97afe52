// A real appliance served over HTTP on 127.0.0.1 (NBD on a free port) and a small REST client for it,
// for end-to-end tests that drive the API as HPE's clients do.
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { expect } from 'vitest';
import { serveAppliance, type RunningAppliance, type ServeOptions } from '../../src/appliance.js';

export const ADMIN_PASSWORD = 'admin-password-1';

export function requireTool(tool: string, debianPackage: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`This test needs "${tool}": install the Debian package ${debianPackage}`);
  }
}

/** A whole-disk ext4 image of `sizeMiB` at `path` holding `files` (guest path → content), made with mkfs.ext4 -d. */
export async function makeExtImage(path: string, files: Record<string, string>, sizeMiB = 32): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'streamer-ext-tree-'));
  try {
    for (const [file, content] of Object.entries(files)) {
      await mkdir(dirname(join(root, file)), { recursive: true });
      await writeFile(join(root, file), content);
    }
    execFileSync('truncate', ['-s', `${sizeMiB}M`, path]);
    execFileSync('mkfs.ext4', ['-q', '-F', '-d', root, path], { stdio: 'ignore' });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export interface Reply {
  status: number;
  body: any;
}

export interface ServedAppliance {
  running: RunningAppliance;
  base: string;
  /** What every call sends: the API version and the administrator's session. */
  headers: Record<string, string>;
  call(method: string, path: string, body?: unknown): Promise<Reply>;
  text(path: string): Promise<string>;
  bytes(path: string): Promise<Buffer>;
  /** Polls the task of a 202 reply until it is final. */
  finished(reply: Reply, timeoutMs?: number): Promise<any>;
  /** POSTs, expects the task to complete, returns the resource. */
  created(path: string, body: unknown): Promise<any>;
  uploadGoldenImage(name: string, file: string): Promise<any>;
  /** Copies an OS volume out over NBD (asynchronously: the appliance runs in this process). */
  readVolume(osVolumeUri: string, out: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startServedAppliance(dataDir: string, options: Partial<ServeOptions> = {}): Promise<ServedAppliance> {
  const running = await serveAppliance({ dataDir, host: '127.0.0.1', port: 0, http: true, nbd: { host: '127.0.0.1', port: 0 }, logger: pino({ level: 'silent' }), adminPassword: ADMIN_PASSWORD, ...options });
  const base = `http://127.0.0.1:${running.server.port}`;
  const login = await fetch(`${base}/rest/login-sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userName: 'Administrator', password: ADMIN_PASSWORD }) });
  const session = ((await login.json()) as { sessionID: string }).sessionID;
  const headers = { 'x-api-version': '2000', auth: session };

  const served: ServedAppliance = {
    running,
    base,
    headers,
    async call(method, path, body) {
      const response = await fetch(`${base}${path}`, { method, headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = text;
      }
      return { status: response.status, body: parsed };
    },
    async text(path) {
      return (await fetch(`${base}${path}`, { headers })).text();
    },
    async bytes(path) {
      return Buffer.from(await (await fetch(`${base}${path}`, { headers })).arrayBuffer());
    },
    async finished(reply, timeoutMs = 120_000) {
      expect(reply.status, JSON.stringify(reply.body)).toBe(202);
      let task = reply.body;
      const until = Date.now() + timeoutMs;
      while (!['Completed', 'Error', 'Warning', 'Terminated'].includes(task.taskState) && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 100));
        task = (await served.call('GET', task.uri)).body;
      }
      return task;
    },
    async created(path, body) {
      const task = await served.finished(await served.call('POST', path, body));
      expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
      return (await served.call('GET', task.associatedResource.resourceUri)).body;
    },
    async uploadGoldenImage(name, file) {
      const form = new FormData();
      form.append('file', new Blob([await readFile(file)]), file.split('/').pop());
      const upload = await fetch(`${base}/rest/golden-images?name=${encodeURIComponent(name)}`, { method: 'POST', headers, body: form });
      const task = await served.finished({ status: upload.status, body: await upload.json() });
      expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
      return (await served.call('GET', task.associatedResource.resourceUri)).body;
    },
    async readVolume(osVolumeUri, out) {
      const storage = (await served.call('GET', `${osVolumeUri}/storage`)).body;
      await promisify(execFile)('nbdcopy', [storage.exportUri, out]);
    },
    stop: () => running.stop(),
  };
  return served;
}

