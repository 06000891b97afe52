// Upload, download, log and extract through the CLI against real golden-image and bundle routes.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startCliHarness, type CliHarness } from './harness.js';

let h: CliHarness;

beforeAll(async () => {
  h = await startCliHarness({ files: true });
  expect((await h.cli(['login', '--url', h.url, '--password', ADMIN_PASSWORD])).code).toBe(0);
});
afterAll(async () => {
  await h.close();
});

describe('golden images', () => {
  it('uploads a file streamed as multipart, downloads it back, prints its log', async () => {
    const image = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < image.length; i += 4096) image.write(`block ${i}`, i);
    await writeFile(join(h.dir, 'base-os.raw'), image);
    const up = await h.cli(['golden-images', 'upload', join(h.dir, 'base-os.raw'), '--description', 'Base OS']);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('Uploaded golden image "base-os"');
    const got = JSON.parse((await h.cli(['golden-images', 'get', 'base-os', '--json'])).stdout) as { size: number; description: string };
    expect(got).toMatchObject({ size: image.length, description: 'Base OS' });

    const dest = join(h.dir, 'back.bin');
    const down = await h.cli(['golden-images', 'download', 'base-os', '-o', dest]);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain(`(${image.length} bytes)`);
    expect((await readFile(dest)).equals(image)).toBe(true);

    const log = await h.cli(['golden-images', 'log', 'base-os']);
    expect(log.code, log.stderr).toBe(0);
    expect(log.stdout.length).toBeGreaterThan(0);
  });

  it('a duplicate name is refused before the upload (exit 4); a missing file exits 6', async () => {
    const dup = await h.cli(['golden-images', 'upload', join(h.dir, 'base-os.raw')]);
    expect(dup.code).toBe(4);
    const missing = await h.cli(['golden-images', 'upload', join(h.dir, 'nope.raw')]);
    expect(missing.code).toBe(6);
    expect(missing.stderr).toContain('nope.raw');
  });
});

describe('artifact bundles', () => {
  it('creates, downloads, uploads and extracts a bundle', async () => {
    expect((await h.cli(['plan-scripts', 'create', '--name', 'motd', '--type', 'deploy', '--set', 'content=echo hi'])).code).toBe(0);
    const ps = JSON.parse((await h.cli(['plan-scripts', 'get', 'motd', '--json'])).stdout) as { uri: string };
    const create = await h.cli(['artifact-bundles', 'create', '--name', 'kit', '--set', `planScripts=[{"resourceUri":"${ps.uri}","readOnly":false}]`]);
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toMatch(/^kit\s+1\s/m);

    const zip = join(h.dir, 'kit-copy.zip');
    const down = await h.cli(['artifact-bundles', 'download', 'kit', '-o', zip]);
    expect(down.code, down.stderr).toBe(0);
    expect((await readFile(zip)).subarray(0, 2).toString()).toBe('PK');

    expect((await h.cli(['plan-scripts', 'delete', 'motd'])).code).toBe(0);
    const up = await h.cli(['artifact-bundles', 'upload', zip]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toContain('Uploaded artifact bundle "kit-copy"');
    const extract = await h.cli(['artifact-bundles', 'extract', 'kit-copy']);
    expect(extract.code, extract.stderr).toBe(0);
    const back = JSON.parse((await h.cli(['plan-scripts', 'get', 'motd', '--json'])).stdout) as { content: string };
    expect(back.content).toBe('echo hi');
  });

  it('downloading a bundle that does not exist exits 3 and leaves no file', async () => {
    const run = await h.cli(['artifact-bundles', 'download', 'ghost', '-o', join(h.dir, 'ghost.zip')]);
    expect(run.code).toBe(3);
    await expect(readFile(join(h.dir, 'ghost.zip'))).rejects.toThrow();
  });
});
