// `streamer golden-images import FILE` against a real appliance: raw and qcow2 (made by qemu-img) files
// read where the appliance runs, the task's progress bar on a terminal, refusals (the appliance's own
// files among them), and a damaged file.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/index.js';
import { requireTool } from '../nbd/tools.js';
import { ADMIN_PASSWORD, startCliHarness, type CliHarness, type CliRun } from './harness.js';

let h: CliHarness;
let files: string;
let raw: Buffer;

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  requireTool('qemu-img', 'qemu-utils');
  requireTool('unzip', 'unzip');
  requireTool('nbdcopy', 'libnbd-bin');
  h = await startCliHarness();
  expect((await h.cli(['login', '--url', h.url, '--password', ADMIN_PASSWORD])).code).toBe(0);
  files = join(h.dir, 'images');
  mkdirSync(files);
  raw = Buffer.alloc(12 * 1024 * 1024 + 512);
  for (let at = 0; at < raw.length; at += 4096) if ((at >> 20) % 2 === 0) raw.write(`block ${at} of base-os`, at);
  writeFileSync(join(files, 'base-os.raw'), raw);
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', join(files, 'base-os.raw'), join(files, 'base-os.qcow2')]);
});
afterAll(async () => {
  await h?.close();
});

/** Runs the CLI with stderr looking like a terminal, where the progress bar is drawn. */
async function cliOnTerminal(args: string[]): Promise<CliRun> {
  const stdout = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
  const stderr = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const stdin = new PassThrough();
  stdin.end();
  const code = await runCli(args, { io: { stdout, stderr, stdin, env: { STREAMER_CONFIG: h.config, HOME: h.dir } }, serve: () => Promise.reject(new Error('not in this test')) });
  return { code, stdout: out, stderr: err };
}

/** The golden image as the API shows it. */
async function image(name: string): Promise<{ id: string; name: string; description: string | null; size: number; checkSum: string; format: string }> {
  const got = await h.cli(['golden-images', 'get', name, '--json']);
  expect(got.code, got.stderr).toBe(0);
  return JSON.parse(got.stdout) as never;
}

/** Downloads the image through the CLI and returns the raw disk inside HPE's zip. */
async function downloadedDisk(name: string): Promise<Buffer> {
  const zip = join(h.dir, `${name}.zip`);
  const down = await h.cli(['golden-images', 'download', name, '-o', zip]);
  expect(down.code, down.stderr).toBe(0);
  return execFileSync('unzip', ['-p', zip], { maxBuffer: 64 * 1024 * 1024 });
}

const BAR = /\[[#.]{30}\]\s+\d+%/;

describe('streamer golden-images import', () => {
  it('imports a raw file given by a relative path, named after the file, and prints the image', async () => {
    const path = relative(process.cwd(), join(files, 'base-os.raw'));
    expect(path.startsWith('/')).toBe(false);
    const run = await h.cli(['golden-images', 'import', path, '--description', 'Base OS']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Imported golden image "base-os"');
    expect(run.stdout).toMatch(new RegExp(`^base-os\\s+${raw.length}\\s`, 'm'));
    expect(run.stderr).toBe(''); // not a terminal: no progress bar
    expect(await image('base-os')).toMatchObject({ description: 'Base OS', size: raw.length, checkSum: sha256(raw), format: 'raw' });
    expect((await downloadedDisk('base-os')).equals(raw)).toBe(true);
  });

  it('imports a qcow2 made by qemu-img with a progress bar on a terminal; --json prints the image', async () => {
    const run = await cliOnTerminal(['golden-images', 'import', join(files, 'base-os.qcow2'), '--name', 'base-os-q']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(BAR);
    expect(run.stderr.endsWith('\r\u001b[2K')).toBe(true); // the bar is erased before the result is printed
    expect(run.stdout).toContain('Imported golden image "base-os-q"');
    const got = await image('base-os-q');
    expect(got).toMatchObject({ size: raw.length, checkSum: sha256(readFileSync(join(files, 'base-os.qcow2'))), format: 'qcow2' });
    expect((await downloadedDisk('base-os-q')).equals(raw)).toBe(true);

    const quiet = await cliOnTerminal(['golden-images', 'import', join(files, 'base-os.raw'), '--name', 'base-os-quiet', '--no-progress', '--json']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(JSON.parse(quiet.stdout)).toMatchObject({ name: 'base-os-quiet', size: raw.length, checkSum: sha256(raw) });
  });

  it('storage shows the bytes an image holds and its read-only NBD export, which serves the imported bytes', async () => {
    const run = await h.cli(['golden-images', 'storage', 'base-os']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^provisionedCapacity\\s+${raw.length}$`, 'm'));
    const uri = /^exportUri\s+(nbd:\/\/\S+)$/m.exec(run.stdout)?.[1];
    expect(uri).toMatch(/^nbd:\/\/127\.0\.0\.1:\d+\/golden-[0-9a-f]{32}$/);
    const copy = join(h.dir, 'base-os-over-nbd.raw');
    // asynchronous: the appliance runs in this process
    await promisify(execFile)('nbdcopy', [uri as string, copy]);
    expect(readFileSync(copy).equals(raw)).toBe(true);

    const json = await h.cli(['golden-images', 'storage', 'base-os', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ type: 'GoldenImageStorage', readOnly: true, exportUri: uri });
    const missing = await h.cli(['golden-images', 'storage', 'no-such-image']);
    expect(missing.code).toBe(3);
  });

  it('--no-wait prints the task URI; tasks watch follows it to the end', async () => {
    const run = await h.cli(['golden-images', 'import', join(files, 'base-os.raw'), '--name', 'base-os-later', '--no-wait']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\/rest\/tasks\/\S+$/);
    const watch = await h.cli(['tasks', 'watch', run.stdout.trim(), '--interval', '100']);
    expect(watch.code, watch.stderr).toBe(0);
    expect(watch.stdout).toContain('Completed (base-os-later)');
    expect((await image('base-os-later')).checkSum).toBe(sha256(raw));
  });

  it('a missing file or a directory exits 6 naming the path; a taken name exits 4', async () => {
    const missing = await h.cli(['golden-images', 'import', join(files, 'nope.raw')]);
    expect(missing.code).toBe(6);
    expect(missing.stderr).toContain(`"${join(files, 'nope.raw')}": no such file on the appliance's machine`);
    expect(missing.stderr).toContain('→ ');
    const directory = await h.cli(['golden-images', 'import', files, '--name', 'a directory']);
    expect(directory.code).toBe(6);
    expect(directory.stderr).toContain(`"${files}": it is a directory`);
    const taken = await h.cli(['golden-images', 'import', join(files, 'base-os.raw')]);
    expect(taken.code).toBe(4);
  });

  it('a file of the appliance\'s data directory, even through a symlink, exits 6 saying why and what to do', async () => {
    const database = join(h.dir, 'data', 'streamer.db');
    symlinkSync(database, join(files, 'db-link.raw'));
    for (const path of [database, join(files, 'db-link.raw')]) {
      const run = await h.cli(['golden-images', 'import', path, '--name', 'appliance database']);
      expect(run.code).toBe(6);
      expect(run.stderr).toContain(`"${path}": the file is inside the appliance's data directory "${join(h.dir, 'data')}"`);
      expect(run.stderr).toContain('→ Import an image file kept outside the data directory');
    }
    expect((await h.cli(['golden-images', 'get', 'appliance database'])).code).toBe(3);
  });

  it('a user who is not an infrastructure administrator is refused (exit 5)', async () => {
    expect((await h.cli(['users', 'create', '--name', 'softy', '--password', 'softy-pass-1', '--role', 'Software administrator'])).code).toBe(0);
    const config = { STREAMER_CONFIG: join(h.dir, 'softy.json') };
    expect((await h.cli(['login', '--url', h.url, '--user', 'softy', '--password', 'softy-pass-1'], { env: config })).code).toBe(0);
    const run = await h.cli(['golden-images', 'import', join(files, 'base-os.raw'), '--name', 'by softy'], { env: config });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('"Software administrator"');
    expect((await h.cli(['golden-images', 'get', 'by softy'])).code).toBe(3);
  });

  it('a damaged qcow2 fails the task (exit 8) and leaves no golden image', async () => {
    // garbage over the L1 table (its offset is in the header, QCOW2 spec: bytes 40-47): qemu-img info
    // still reads the header, the conversion fails on the first L2 table
    const damaged = Buffer.from(readFileSync(join(files, 'base-os.qcow2')));
    damaged.fill(0xee, Number(damaged.readBigUInt64BE(40)), Number(damaged.readBigUInt64BE(40)) + 64);
    writeFileSync(join(files, 'damaged.qcow2'), damaged);
    const run = await h.cli(['golden-images', 'import', join(files, 'damaged.qcow2')]);
    expect(run.code).toBe(8);
    expect(run.stderr).toContain('qemu-img');
    expect((await h.cli(['golden-images', 'get', 'damaged'])).code).toBe(3);
    const list = await h.cli(['golden-images', 'list', '--json']);
    expect((JSON.parse(list.stdout) as { members: { name: string }[] }).members.map((m) => m.name).sort()).toEqual(['base-os', 'base-os-later', 'base-os-q', 'base-os-quiet']);
  });
});
