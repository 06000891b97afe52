// Import of sparse images from files on this machine: a raw file's holes and a qcow2's unallocated
// clusters stay holes in the layer, the checkSum is still the sha256 of every byte, and the import's
// progress follows qemu-img convert -p and the unpacking of a zip. Real files, real qemu-img and zip(1).
import { execFileSync } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskStream, openVolumeStore, type VolumeStore } from '../../src/storage/index.js';
import { requireTool } from '../nbd/tools.js';

const MiB = 1024 * 1024;
const root = mkdtempSync(join(tmpdir(), 'storage-sparse-import-'));
const raw = join(root, 'sparse.raw');
const SIZE = 256 * MiB + 3 * 512 + 100; // not a whole cluster, not even a whole sector
const DATA_BYTES = 6 * MiB + 200;
let store: VolumeStore;

const sha256sum = (path: string): string => execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0] ?? '';
const layers = (): string[] => readdirSync(join(root, 'store', 'layers')).sort();
/** Bytes the layer's data file occupies on disk. */
const allocated = (layer: string): number => statSync(join(root, 'store', 'layers', layer, 'data')).blocks * 512;

beforeAll(async () => {
  requireTool('qemu-img', 'qemu-utils');
  requireTool('sha256sum', 'coreutils');
  requireTool('zip', 'zip');
  // a leading hole, data at unaligned places, long holes, data in the last partial cluster
  execFileSync('truncate', ['-s', String(SIZE), raw]);
  const fd = openSync(raw, 'r+');
  try {
    const data = Buffer.alloc(2 * MiB);
    for (let i = 0; i < data.length; i++) data[i] = (i * 13 + (i >> 9)) & 0xff;
    writeSync(fd, data, 0, data.length, 64 * MiB + 12345);
    writeSync(fd, data, 0, data.length, 150 * MiB);
    writeSync(fd, data, 0, data.length, 200 * MiB - 4096);
    writeSync(fd, data, 0, 200, SIZE - 200);
  } finally {
    closeSync(fd);
  }
  store = await openVolumeStore(join(root, 'store'));
});
afterAll(async () => {
  await store?.close();
  rmSync(root, { recursive: true, force: true });
});

/**
 * Writes the stored image as a raw file and has `qemu-img compare` check it against `source` (which reads
 * past the shorter one's end as zeroes).
 */
async function expectSameAs(imageId: string, source: string): Promise<void> {
  const out = join(root, `${imageId}.raw`);
  await pipeline(diskStream(await store.openDisk(imageId, { readOnly: true })), createWriteStream(out));
  execFileSync('qemu-img', ['compare', '-q', '-f', 'raw', '-F', 'raw', source, out]);
  rmSync(out);
}

describe('sparse import from a file', () => {
  it('a sparse raw file: checkSum of all its bytes, holes left as holes in the layer', async () => {
    const before = layers();
    const reports: [number, number][] = [];
    const imported = await store.importImageFile(raw, { onProgress: (bytesRead, fraction) => reports.push([bytesRead, fraction]) });
    expect(imported).toMatchObject({ format: 'raw', sizeBytes: SIZE, sha256: sha256sum(raw) });
    const [layer] = layers().filter((l) => !before.includes(l));
    expect(layer).toBeDefined();
    // data rounded out to whole 64 KiB clusters, nothing for the holes
    expect(allocated(layer ?? '')).toBeGreaterThanOrEqual(DATA_BYTES);
    expect(allocated(layer ?? '')).toBeLessThan(DATA_BYTES + 2 * MiB);
    await expectSameAs(imported.imageId, raw);
    // every byte counted, holes included; the share done rose with them
    expect(reports.at(-1)?.[0]).toBe(SIZE);
    expect(reports.at(-1)?.[1]).toBe(1);
    expect(new Set(reports.map(([, f]) => f)).size).toBeGreaterThan(10);
  });

  it('a qcow2: qemu-img writes the layer sparse, and its progress lines pass through as the second half', async () => {
    const qcow2 = join(root, 'sparse.qcow2');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
    const before = layers();
    const fractions: number[] = [];
    const imported = await store.importImageFile(qcow2, { onProgress: (_bytesRead, fraction) => fractions.push(fraction) });
    expect(imported).toMatchObject({ format: 'qcow2', sha256: sha256sum(qcow2) });
    // qcow2 sizes are whole sectors: the raw disk ends with the zeroes of its last one
    expect(imported.sizeBytes).toBe(Math.ceil(SIZE / 512) * 512);
    const [layer] = layers().filter((l) => !before.includes(l));
    expect(allocated(layer ?? '')).toBeLessThan(DATA_BYTES + 2 * MiB);
    await expectSameAs(imported.imageId, raw);

    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    const converting = new Set(fractions.filter((f) => f > 0.5 && f < 1));
    expect(converting.size).toBeGreaterThanOrEqual(3);
    expect(fractions.at(-1)).toBe(1);
  });

  it('a zip of a raw disk: unpacking moves the second half', async () => {
    const small = join(root, 'small.raw');
    execFileSync('truncate', ['-s', String(24 * MiB), small]);
    const fd = openSync(small, 'r+');
    try {
      for (let at = 0; at < 24 * MiB; at += 3 * MiB) writeSync(fd, Buffer.from(`data at ${at}`), 0, undefined, at);
    } finally {
      closeSync(fd);
    }
    const zip = join(root, 'small.zip');
    execFileSync('zip', ['-q', '-j', zip, small]);
    const fractions: number[] = [];
    const imported = await store.importImage(createReadStream(zip), { sourceBytes: statSync(zip).size, onProgress: (_bytesRead, fraction) => fractions.push(fraction) });
    expect(imported).toMatchObject({ format: 'zip', sizeBytes: 24 * MiB, sha256: sha256sum(zip) });
    await expectSameAs(imported.imageId, small);
    expect(new Set(fractions.filter((f) => f > 0 && f <= 0.5)).size).toBeGreaterThanOrEqual(1);
    expect(new Set(fractions.filter((f) => f > 0.5 && f < 1)).size).toBeGreaterThanOrEqual(10);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
  });

  it('a cancelled sparse import stops while hashing the holes and leaves no layer', async () => {
    const before = layers();
    const controller = new AbortController();
    const attempt = store.importImageFile(raw, {
      signal: controller.signal,
      onProgress: (bytesRead) => {
        if (bytesRead > 80 * MiB) controller.abort(new Error('stop'));
      },
    });
    await expect(attempt).rejects.toMatchObject({ code: 'STORAGE_IMPORT_CANCELLED' });
    expect(layers()).toEqual(before);
    expect(readdirSync(join(root, 'store', 'tmp'))).toEqual([]);
  });
});
