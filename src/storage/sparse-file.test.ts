import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { requireTool } from '../../test/nbd/tools.js';
import { extentsFromMap, fileExtents, readPieces, ZERO_RUN_MAX_BYTES, type Piece } from './sparse-file.js';

const MiB = 1024 * 1024;
const entry = (start: number, length: number, data: boolean) => ({ start, length, data, zero: !data });

describe('extentsFromMap', () => {
  it('cuts the map at the file size (qemu rounds it up to 512 bytes) and merges neighbours of a kind', () => {
    expect(extentsFromMap([entry(0, 4096, true), entry(4096, 4096, true), entry(8192, 1000448 - 8192, false)], 1000001)).toEqual([
      { offset: 0, length: 8192, data: true },
      { offset: 8192, length: 1000001 - 8192, data: false },
    ]);
  });

  it('counts what the map leaves out, and a range that is neither data nor known zero, as data', () => {
    expect(extentsFromMap([entry(4096, 4096, false), { start: 8192, length: 4096, data: false, zero: false }], 20000)).toEqual([
      { offset: 0, length: 4096, data: true },
      { offset: 4096, length: 4096, data: false },
      { offset: 8192, length: 20000 - 8192, data: true },
    ]);
    expect(extentsFromMap([], 0)).toEqual([]);
  });
});

describe('fileExtents and readPieces on a real sparse file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamer-sparse-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the data and yields the holes as zero runs; the pieces are the file', async () => {
    requireTool('qemu-img', 'qemu-utils');
    const path = join(dir, 'sparse.raw');
    const size = 100 * MiB + 777;
    execFileSync('truncate', ['-s', String(size), path]);
    const fd = openSync(path, 'r+');
    try {
      writeSync(fd, Buffer.alloc(3 * MiB + 5, 0xa1), 0, 3 * MiB + 5, 40 * MiB);
      writeSync(fd, Buffer.from('the tail'), 0, 8, size - 8);
    } finally {
      closeSync(fd);
    }
    const extents = await fileExtents(path, size);
    // holes at the start and around the data, block-aligned by the filesystem
    expect(extents[0]).toMatchObject({ offset: 0, data: false });
    expect(extents.filter((e) => e.data).reduce((n, e) => n + e.length, 0)).toBeLessThan(5 * MiB);
    expect(extents.reduce((n, e) => n + e.length, 0)).toBe(size);

    const readFd = openSync(path, 'r');
    const pieces: Piece[] = [];
    try {
      for await (const piece of readPieces(readFd, extents, { chunkBytes: MiB })) pieces.push(piece);
    } finally {
      closeSync(readFd);
    }
    const runs = pieces.filter((p): p is { zeroBytes: number } => !Buffer.isBuffer(p));
    expect(runs.every((r) => r.zeroBytes <= ZERO_RUN_MAX_BYTES)).toBe(true);
    expect(runs.reduce((n, r) => n + r.zeroBytes, 0)).toBeGreaterThan(95 * MiB);
    const whole = Buffer.concat(pieces.map((p) => (Buffer.isBuffer(p) ? p : Buffer.alloc(p.zeroBytes))));
    expect(whole.equals(readFileSync(path))).toBe(true);
  });

  it('reports the whole file as data when qemu-img cannot map it', async () => {
    expect(await fileExtents(join(dir, 'missing.raw'), 12345)).toEqual([{ offset: 0, length: 12345, data: true }]);
  });
});
