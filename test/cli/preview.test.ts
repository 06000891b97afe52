// `streamer deployment-plans preview` against a real appliance: the log and the file diffs a server would
// get, a plan that would fail (exit 6, naming the step and line), and attribute arguments without a value.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeExtImage, requireTool } from '../support/served-appliance.js';
import { ADMIN_PASSWORD, startCliHarness, type CliHarness } from './harness.js';

let h: CliHarness;

async function ok(args: string[]): Promise<string> {
  const run = await h.cli(args);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

beforeAll(async () => {
  requireTool('mkfs.ext4', 'e2fsprogs');
  h = await startCliHarness();
  await ok(['login', '--url', h.url, '--password', ADMIN_PASSWORD]);
  const image = join(h.dir, 'golden.img');
  await makeExtImage(image, { 'etc/hostname': 'golden\n', 'etc/motd': 'welcome\n' });
  await ok(['golden-images', 'upload', image, '--name', 'golden']);
  await writeFile(join(h.dir, 'hostname.txt'), 'mount /dev/sda /\nupload -<<END /etc/hostname\n@HostName@\nEND\nwrite /etc/role "@Role:web@"\necho "ImageStreamerLog: hostname is @HostName@"\n');
  await writeFile(join(h.dir, 'broken.txt'), 'mount /dev/sda /\nwrite /etc/first yes\nmkdir /no/such/parent\n');
  for (const [name, file] of [['set-hostname', 'hostname.txt'], ['broken', 'broken.txt']] as const) {
    await ok(['plan-scripts', 'create', '--name', name, '--type', 'deploy', '--content-file', join(h.dir, file)]);
    await ok(['build-plans', 'create', '--name', `${name}-bp`, '--type', 'deploy', '--step', name]);
    await ok(['deployment-plans', 'create', '--name', `${name}-dp`, '--build-plan', `${name}-bp`, '--golden-image', 'golden']);
  }
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('streamer deployment-plans preview', () => {
  it('prints the log and every file that would change, with line diffs', async () => {
    const out = await ok(['deployment-plans', 'preview', 'set-hostname-dp', 'HostName=web01', 'Role=db=primary']);
    expect(out).toContain('  ImageStreamerLog: hostname is web01');
    expect(out).toMatch(/^ {2}modified +\/dev\/sda:\/etc\/hostname \(6 bytes\)$/m);
    expect(out).toContain('    -    1: golden\n    +    1: web01');
    expect(out).toMatch(/^ {2}added +\/dev\/sda:\/etc\/role \(file, 10 bytes\)$/m);
    expect(out).toContain('    +    1: db=primary');
    expect(out).not.toContain('/etc/motd');
  });

  it('lists the files without diffs with --no-diff, and answers the API result with --json', async () => {
    const plain = await ok(['deployment-plans', 'preview', 'set-hostname-dp', 'HostName=web02', '--no-diff']);
    expect(plain).toContain('/dev/sda:/etc/hostname');
    expect(plain).not.toContain('+    1: web02');
    const json = JSON.parse(await ok(['deployment-plans', 'preview', 'set-hostname-dp', 'HostName=web03', '--json'])) as { ok: boolean; changes: { path: string }[] };
    expect(json.ok).toBe(true);
    expect(json.changes.map((c) => c.path).sort()).toEqual(['/dev/sda:/etc/hostname', '/dev/sda:/etc/role']);
  });

  it('exits 6 naming the step, line and cause when a deploy would fail, and still shows what ran', async () => {
    const run = await h.cli(['deployment-plans', 'preview', 'broken-dp']);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain('A deploy with deployment plan "broken-dp" would fail: step "broken", line 3 (mkdir /no/such/parent)');
    expect(run.stdout).toContain('/dev/sda:/etc/first');
  });

  it('refuses an attribute argument without a value (exit 2) before calling the appliance', async () => {
    const run = await h.cli(['deployment-plans', 'preview', 'set-hostname-dp', 'HostName']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"HostName" is not an attribute value: write Name=value');
  });
});
