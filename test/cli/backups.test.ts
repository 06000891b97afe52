// Backups through the CLI against a served appliance: back up, change an artifact, restore, download.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startCliHarness, type CliHarness } from './harness.js';

let h: CliHarness;

beforeAll(async () => {
  h = await startCliHarness();
  expect((await h.cli(['login', '--url', h.url, '--password', ADMIN_PASSWORD])).code).toBe(0);
});
afterAll(async () => {
  await h.close();
});

describe('artifact-bundles backup / restore / download-backup', () => {
  it('restores a plan script changed after the backup, and downloads the backup zip', async () => {
    expect((await h.cli(['plan-scripts', 'create', '--name', 'kept', '--type', 'deploy', '--set', 'content=echo before'])).code).toBe(0);
    const backup = await h.cli(['artifact-bundles', 'backup']);
    expect(backup.code, backup.stderr).toBe(0);
    expect((await h.cli(['plan-scripts', 'update', 'kept', '--set', 'content=echo after'])).code).toBe(0);
    const restore = await h.cli(['bundles', 'restore']); // the short name of artifact-bundles
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain('Completed');
    const script = JSON.parse((await h.cli(['plan-scripts', 'get', 'kept', '--json'])).stdout) as { content: string };
    expect(script.content).toBe('echo before');
    const dest = join(h.dir, 'backup.zip');
    const down = await h.cli(['artifact-bundles', 'download-backup', '-o', dest]);
    expect(down.code, down.stderr).toBe(0);
    expect((await stat(dest)).size).toBeGreaterThan(100);
  });
});
