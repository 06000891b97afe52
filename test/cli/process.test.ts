// The real `streamer` process (dist build) against an HTTPS appliance with a self-signed certificate.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/cli/index.js';
import { ADMIN_PASSWORD, startCliHarness, type CliHarness } from './harness.js';

let h: CliHarness;

beforeAll(async () => {
  h = await startCliHarness({ https: true });
  await writeFile(join(h.dir, 'partition.txt'), 'add-drive /dev/sda\nrun\n');
}, 60_000);
afterAll(async () => {
  await h.close();
});

describe('streamer as a process over HTTPS', () => {
  it('a wrong password exits 5', async () => {
    const run = await h.process(['login', '--url', h.url, '--user', 'Administrator', '--password', 'not-it']);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('Cannot log in');
  });

  it('logs in to a loopback address with a warning about the self-signed certificate', async () => {
    const run = await h.process(['login', '--url', h.url, '--user', 'Administrator'], { env: { STREAMER_PASSWORD: ADMIN_PASSWORD } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('without verification (loopback address)');
    expect(run.stdout).toContain(`Logged in to ${h.url}`);
  });

  it('creates, lists, gets, and watches the create task', async () => {
    const create = await h.process(['plan-scripts', 'create', '--name', 'disk', '--type', 'general', '--content-file', join(h.dir, 'partition.txt'), '--no-wait']);
    expect(create.code, create.stderr).toBe(0);
    const taskUri = create.stdout.trim();
    const watch = await h.process(['tasks', 'watch', taskUri]);
    expect(watch.code, watch.stderr).toBe(0);
    expect(watch.stdout).toContain('Completed');

    const list = await h.process(['plan-scripts', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject({ total: 1, members: [{ name: 'disk', planType: 'general' }] });
    const get = await h.process(['plan-scripts', 'get', 'disk']);
    expect(get.code).toBe(0);
    expect(get.stdout).toContain('add-drive /dev/sda');
  });

  it('exit codes: unknown resource 2, missing 3, conflict 4', async () => {
    expect((await h.process(['widgets', 'list'])).code).toBe(2);
    expect((await h.process(['build-plans', 'get', 'missing'])).code).toBe(3);
    expect((await h.process(['build-plans', 'create', '--name', 'bp', '--type', 'deploy', '--step', 'disk'])).code).toBe(0);
    const conflict = await h.process(['plan-scripts', 'delete', 'disk']);
    expect(conflict.code).toBe(4);
    expect(conflict.stderr).toContain('"bp"');
  });

  it('a client that verifies certificates refuses the self-signed one (exit kind unavailable)', async () => {
    const client = new ApiClient({ url: h.url, insecure: false });
    await expect(client.request('GET', '/rest/version')).rejects.toMatchObject({ kind: 'unavailable', code: 'CLI_TLS_UNTRUSTED' });
    const insecure = new ApiClient({ url: h.url, insecure: true });
    expect((await insecure.request('GET', '/rest/version')).status).toBe(200);
  });
});
