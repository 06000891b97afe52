import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileMapping, fileMappingSupport } from './file-mapping.js';

const dir = mkdtempSync(join(tmpdir(), 'file-mapping-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KiB = 1024;
const GiB = 1024 * 1024 * KiB;

/** Asks the kernel to drop the file's clean pages from the page cache (GNU dd's nocache). */
function dropCache(path: string): void {
  execFileSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
}

function fileWith(name: string, size: number, at: number, data: Buffer): { path: string; fd: number } {
  const path = join(dir, name);
  writeFileSync(path, '');
  truncateSync(path, size);
  const fd = openSync(path, 'r+');
  writeSync(fd, data, 0, data.length, at);
  return { path, fd };
}

describe('FileMapping', () => {
  it('the native addon is built and loads', () => {
    expect(fileMappingSupport.reason).toBeUndefined();
    expect(fileMappingSupport.available).toBe(true);
  });

  it('gives views of cached pages, split where the 1 GiB mapping segments meet', () => {
    const data = Buffer.alloc(64 * KiB);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7 + 3) & 0xff;
    const { fd } = fileWith('segments.raw', 2 * GiB, GiB - 32 * KiB, data);
    const mapping = new FileMapping(fd, 2 * GiB);
    const out: Buffer[] = [];
    expect(mapping.viewsInto(out, GiB - 32 * KiB, 64 * KiB)).toBe(true);
    expect(out.map((b) => b.length)).toEqual([32 * KiB, 32 * KiB]);
    expect(Buffer.concat(out).equals(data)).toBe(true);
    mapping.close();
    closeSync(fd);
  });

  it('refuses pages not in the page cache, leaving `out` as it was, and gives them once read', () => {
    const data = Buffer.alloc(256 * KiB, 0x5a);
    const { path, fd } = fileWith('uncached.raw', 1024 * KiB, 0, data);
    execFileSync('sync');
    const mapping = new FileMapping(fd, 1024 * KiB);
    const out: Buffer[] = [Buffer.from('x')];
    // a hole never read has no pages at all
    expect(mapping.viewsInto(out, 512 * KiB, 4 * KiB)).toBe(false);
    dropCache(path);
    expect(mapping.viewsInto(out, 0, 256 * KiB)).toBe(false);
    expect(out.length).toBe(1);
    readSync(fd, Buffer.alloc(256 * KiB), 0, 256 * KiB, 0);
    expect(mapping.viewsInto(out, 0, 256 * KiB)).toBe(true);
    expect(Buffer.concat(out.slice(1)).equals(data)).toBe(true);
    mapping.close();
    closeSync(fd);
  });

  it('refuses ranges past its size, and close() unmaps at once: earlier views become empty', () => {
    const { fd } = fileWith('close.raw', 64 * KiB, 0, Buffer.alloc(64 * KiB, 1));
    const mapping = new FileMapping(fd, 64 * KiB);
    const out: Buffer[] = [];
    expect(mapping.viewsInto(out, 60 * KiB, 8 * KiB)).toBe(false);
    expect(mapping.viewsInto(out, 0, 0)).toBe(true);
    expect(mapping.viewsInto(out, 0, 64 * KiB)).toBe(true);
    const view = out[0] as Buffer;
    expect(view.length).toBe(64 * KiB);
    mapping.close();
    expect(view.length).toBe(0);
    expect(mapping.viewsInto([], 0, 4 * KiB)).toBe(false);
    closeSync(fd);
  });
});
