import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { diskConformance } from '../../test/storage/disk-conformance.js';
import type { Disk } from './disk.js';
import { PageCacheFile } from './file-io.js';
import { openVolumeStore, type VolumeStore } from './volume-store.js';

const root = mkdtempSync(join(tmpdir(), 'volume-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

async function freshStore(): Promise<VolumeStore> {
  return openVolumeStore(join(root, `s${n++}`));
}

function pattern(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = ((i * 13 + seed) % 251) + 1;
  return b;
}

async function importBuffer(store: VolumeStore, data: Buffer): Promise<string> {
  return (await store.importImage(Readable.from([data]))).imageId;
}

diskConformance('CoW volume (empty)', {
  make: async (size) => {
    const store = await freshStore();
    return store.openDisk(await store.createEmptyVolume(size));
  },
  views: true,
});

diskConformance('CoW volume (clone of a zero image)', {
  make: async (size) => {
    const store = await freshStore();
    const image = await importBuffer(store, Buffer.alloc(size));
    return store.openDisk(await store.cloneVolume(image));
  },
  views: true,
});

describe('VolumeStore', () => {
  it('a clone reads the image, and its writes (partial clusters copied up) leave the image as it was', async () => {
    const store = await freshStore();
    const content = pattern(4 * MiB, 1);
    const image = await importBuffer(store, content);
    const volume = await store.cloneVolume(image);
    const disk = await store.openDisk(volume);
    expect((await disk.read(0, 4 * MiB)).equals(content)).toBe(true);
    await disk.write(100 * KiB + 3, Buffer.from('hello'));
    const expected = Buffer.from(content);
    expected.write('hello', 100 * KiB + 3);
    expect((await disk.read(0, 4 * MiB)).equals(expected)).toBe(true);
    const imageDisk = await store.openDisk(image);
    expect((await imageDisk.read(0, 4 * MiB)).equals(content)).toBe(true);
    await expect(imageDisk.write(0, Buffer.from([1]))).rejects.toMatchObject({ kind: 'forbidden' });
    await disk.close();
    await imageDisk.close();
    await store.close();
  });

  it('import leaves all-zero clusters as holes, and extents() report them', async () => {
    const store = await freshStore();
    const content = Buffer.alloc(8 * MiB);
    pattern(64 * KiB, 2).copy(content, 1 * MiB);
    const image = await importBuffer(store, content);
    expect((await store.allocation(image)).allocatedBytes).toBeLessThan(256 * KiB);
    const disk = await store.openDisk(image);
    expect(await disk.extents!(0, 8 * MiB)).toEqual([
      { offset: 0, length: 1 * MiB, hole: true, zero: true },
      { offset: 1 * MiB, length: 64 * KiB, hole: false, zero: false },
      { offset: 1 * MiB + 64 * KiB, length: 7 * MiB - 64 * KiB, hole: true, zero: true },
    ]);
    await store.close();
  });

  it('discard() in a clone hides the image below and gives the clone\'s space back', async () => {
    const store = await freshStore();
    const image = await importBuffer(store, pattern(8 * MiB, 3));
    const volume = await store.cloneVolume(image);
    const disk = await store.openDisk(volume);
    await disk.write(0, pattern(8 * MiB, 4));
    await disk.flush();
    const full = (await store.allocation(volume)).allocatedBytes;
    expect(full).toBeGreaterThanOrEqual(8 * MiB);
    await disk.discard(0, 8 * MiB);
    await disk.flush();
    expect((await store.allocation(volume)).allocatedBytes).toBeLessThan(full - 7 * MiB);
    expect((await disk.read(0, 8 * MiB)).every((b) => b === 0)).toBe(true);
    expect(await disk.extents!(0, 8 * MiB)).toEqual([{ offset: 0, length: 8 * MiB, hole: true, zero: true }]);
    await store.close();
  });

  it('survives a restart: records are listed and flushed writes read back', async () => {
    const dir = join(root, `restart${n++}`);
    let store = await openVolumeStore(dir);
    const image = await importBuffer(store, pattern(1 * MiB, 5));
    const volume = await store.cloneVolume(image);
    const disk = await store.openDisk(volume);
    await disk.write(5000, Buffer.from('persisted'));
    await disk.close();
    await store.close();
    store = await openVolumeStore(dir);
    expect(store.listImages().map((i) => i.id)).toEqual([image]);
    expect(store.listVolumes().map((v) => v.id)).toEqual([volume]);
    const again = await store.openDisk(volume);
    expect((await again.read(5000, 9)).toString()).toBe('persisted');
    expect((await again.read(0, 10)).equals(pattern(1 * MiB, 5).subarray(0, 10))).toBe(true);
    await store.close();
  });

  it('freeze() turns a volume into an image that new clones build on; refused while the volume is open', async () => {
    const store = await freshStore();
    const image = await importBuffer(store, pattern(2 * MiB, 6));
    const volume = await store.cloneVolume(image);
    const disk = await store.openDisk(volume);
    await disk.write(0, Buffer.from('captured'));
    await expect(store.freeze(volume)).rejects.toMatchObject({ kind: 'conflict', code: 'STORAGE_VOLUME_IN_USE' });
    await disk.close();
    const frozen = await store.freeze(volume);
    expect(frozen.sizeBytes).toBe(2 * MiB);
    await expect(store.openDisk(volume)).rejects.toMatchObject({ kind: 'not_found' });
    const clone = await store.openDisk(await store.cloneVolume(frozen.imageId));
    expect((await clone.read(0, 8)).toString()).toBe('captured');
    expect((await clone.read(8, 100)).equals(pattern(2 * MiB, 6).subarray(8, 108))).toBe(true);
    await store.close();
  });

  it('cloneOfVolume() snapshots a volume in use: later writes to the volume stay out of the clone', async () => {
    const store = await freshStore();
    const volume = await store.createEmptyVolume(1 * MiB);
    const disk = await store.openDisk(volume);
    await disk.write(0, Buffer.from('before'));
    const clone = await store.cloneOfVolume(volume);
    await disk.write(0, Buffer.from('after!'));
    const cloneDisk = await store.openDisk(clone);
    expect((await cloneDisk.read(0, 6)).toString()).toBe('before');
    expect((await disk.read(0, 6)).toString()).toBe('after!');
    await cloneDisk.write(0, Buffer.from('clone!'));
    expect((await disk.read(0, 6)).toString()).toBe('after!');
    await store.close();
  });

  it('flatten() cuts the chain without changing content; deleted images go once nothing needs them', async () => {
    const store = await freshStore();
    const content = pattern(3 * MiB, 7);
    const image = await importBuffer(store, content);
    const volume = await store.cloneVolume(image);
    const disk = await store.openDisk(volume);
    await disk.write(1 * MiB + 10, Buffer.from('mine'));
    await disk.discard(2 * MiB, 64 * KiB);
    const expected = Buffer.from(content);
    expected.write('mine', 1 * MiB + 10);
    expected.fill(0, 2 * MiB, 2 * MiB + 64 * KiB);
    expect(await store.dependents(image)).toBe(1);
    await store.deleteImage(image);
    expect(store.chainOf(volume)).toHaveLength(2);
    await store.flatten(volume);
    expect(store.chainOf(volume)).toHaveLength(1);
    expect((await disk.read(0, 3 * MiB)).equals(expected)).toBe(true);
    expect(readdirSync(join(store.dir, 'layers'))).toHaveLength(1);
    await store.close();
  });

  it('chains deeper than maxChainDepth are flattened in the background', async () => {
    const store = await openVolumeStore(join(root, `deep${n++}`), { maxChainDepth: 3 });
    let image = await importBuffer(store, pattern(1 * MiB, 8));
    for (let i = 0; i < 4; i++) {
      const v = await store.cloneVolume(image);
      const d = await store.openDisk(v);
      await d.write(i * 1000, Buffer.from(`step${i}`));
      await d.close();
      image = (await store.freeze(v)).imageId;
    }
    await store.idle();
    expect(store.chainOf(image).length).toBeLessThanOrEqual(3);
    const d = await store.openDisk(image);
    for (let i = 0; i < 4; i++) expect((await d.read(i * 1000, 5)).toString()).toBe(`step${i}`);
    await store.close();
  });

  it('deleting a volume while its background flatten runs stops the flatten first: nothing is left behind', async () => {
    const dir = join(root, `deep${n++}`);
    const store = await openVolumeStore(dir, { maxChainDepth: 2 });
    let image = await importBuffer(store, pattern(16 * MiB, 9));
    for (let i = 0; i < 2; i++) {
      const v = await store.cloneVolume(image);
      const d = await store.openDisk(v);
      await d.write(i * MiB, pattern(MiB, i));
      await d.close();
      image = (await store.freeze(v)).imageId;
    }
    // the clone's chain is three deep: cloneVolume starts flattening it (16 MiB to copy up) in the background
    const volume = await store.cloneVolume(image);
    const layer = store.chainOf(volume)[0] as string;
    await store.deleteVolume(volume);
    await store.idle();
    expect(readdirSync(join(dir, 'layers'))).not.toContain(layer);
    await store.close();
    const reopened = await openVolumeStore(dir);
    expect(reopened.listVolumes()).toEqual([]);
    await reopened.close();
  });

  it('clones a 1 TiB sparse volume, writes at its end and reads it back', async () => {
    const store = await freshStore();
    const big = await store.createEmptyVolume(1024 * GiB);
    const image = (await store.freeze(big)).imageId;
    const disk: Disk = await store.openDisk(await store.cloneVolume(image));
    expect(disk.sizeBytes).toBe(1024 * GiB);
    await disk.write(1024 * GiB - 100, pattern(100, 9));
    await disk.flush();
    expect((await disk.read(1024 * GiB - 100, 100)).equals(pattern(100, 9))).toBe(true);
    const ex = await disk.extents!(0, 1024 * GiB);
    expect(ex[ex.length - 1]).toMatchObject({ hole: false, length: 64 * KiB });
    await store.close();
  });

  it('open() removes work left in tmp and reports unknown ids as not_found', async () => {
    const dir = join(root, `tmp${n++}`);
    await (await openVolumeStore(dir)).close();
    mkdirSync(join(dir, 'tmp', 'import-x'));
    writeFileSync(join(dir, 'tmp', 'import-x', 'upload.zip'), 'half');
    const store = await openVolumeStore(dir);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    await expect(store.cloneVolume('nope')).rejects.toMatchObject({ kind: 'not_found', message: 'Cannot find image "nope" in the volume store' });
    await expect(store.createEmptyVolume(0)).rejects.toMatchObject({ kind: 'invalid' });
    await store.close();
  });
});

describe('VolumeStore after a crash during clone', () => {
  it('recreates a clone\'s layer whose files never reached the disk, from the record', async () => {
    const dir = join(root, `halfclone${n++}`);
    let store = await openVolumeStore(dir);
    const image = await importBuffer(store, pattern(1 * MiB, 10));
    const volume = await store.cloneVolume(image);
    const layer = store.chainOf(volume)[0]!;
    await store.close();
    rmSync(join(dir, 'layers', layer, 'data'));
    rmSync(join(dir, 'layers', layer, 'meta.json'));
    store = await openVolumeStore(dir);
    const disk = await store.openDisk(volume);
    expect((await disk.read(0, 1 * MiB)).equals(pattern(1 * MiB, 10))).toBe(true);
    await disk.write(0, Buffer.from('ok'));
    await store.close();
  });
});

describe('CoW writes', () => {
  it('concurrent partial writes into one cluster not yet copied up all land', async () => {
    const store = await freshStore();
    const content = pattern(1 * MiB, 11);
    const disk = await store.openDisk(await store.cloneVolume(await importBuffer(store, content)));
    const expected = Buffer.from(content);
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 32; i++) {
      const piece = Buffer.alloc(100, i + 1);
      piece.copy(expected, 128 * KiB + i * 1000);
      writes.push(disk.write(128 * KiB + i * 1000, piece));
    }
    await Promise.all(writes);
    expect((await disk.read(0, 1 * MiB)).equals(expected)).toBe(true);
    await store.close();
  });

  it('a small write into a cluster not yet in the clone writes its 4 KiB sub-clusters, not the cluster', async () => {
    const store = await freshStore();
    const content = pattern(1 * MiB, 13);
    const volume = await store.cloneVolume(await importBuffer(store, content));
    const disk = await store.openDisk(volume);
    const dataFile = join(root, `s${n - 1}`, 'layers', store.chainOf(volume)[0] as string, 'data');
    const expected = Buffer.from(content);
    const write = async (offset: number, data: Buffer): Promise<void> => {
      data.copy(expected, offset);
      await disk.write(offset, data);
      await disk.flush();
    };
    await write(72 * KiB, Buffer.alloc(4 * KiB, 0xa1)); // one whole sub-cluster of the second cluster
    expect(statSync(dataFile).blocks * 512).toBe(4 * KiB);
    await write(78 * KiB, Buffer.alloc(4 * KiB, 0xa2)); // halves of two more: both filled from the image
    expect(statSync(dataFile).blocks * 512).toBe(12 * KiB);
    await write(74 * KiB, Buffer.alloc(1 * KiB, 0xa3)); // inside one already held
    expect(statSync(dataFile).blocks * 512).toBe(12 * KiB);
    expect((await disk.read(0, 1 * MiB)).equals(expected)).toBe(true);
    // the extents report the cluster as data; reopened, the store reads the same bytes
    expect((await disk.extents!(64 * KiB, 64 * KiB))[0]).toMatchObject({ offset: 64 * KiB, length: 64 * KiB, hole: false });
    await disk.close();
    await store.close();
    const reopened = await openVolumeStore(join(root, `s${n - 1}`));
    const again = await reopened.openDisk(volume);
    expect((await again.read(0, 1 * MiB)).equals(expected)).toBe(true);
    // a flatten fills in the rest of the cluster from the image
    await reopened.flatten(volume);
    expect((await again.read(0, 1 * MiB)).equals(expected)).toBe(true);
    await again.close();
    await reopened.close();
  });

  it('readInto() offloads a read served whole from one layer; one split across layers, PARTIAL clusters too, stays on the loop', async () => {
    const store = await freshStore();
    const content = pattern(1 * MiB, 17);
    const volume = await store.cloneVolume(await importBuffer(store, content));
    const disk = await store.openDisk(volume);
    const expected = Buffer.from(content);
    Buffer.alloc(4 * KiB, 0xb1).copy(expected, 72 * KiB);
    await disk.write(72 * KiB, expected.subarray(72 * KiB, 76 * KiB)); // PARTIAL: one sub-cluster held
    Buffer.alloc(128 * KiB, 0xb2).copy(expected, 256 * KiB);
    await disk.write(256 * KiB, expected.subarray(256 * KiB, 384 * KiB)); // two whole clusters
    const reads = vi.spyOn(PageCacheFile.prototype, 'read');
    /** Reads the range with `offload`; says what the data files were asked (one entry per pread asked for). */
    const asked = async (offset: number, length: number, offload: boolean): Promise<boolean[]> => {
      reads.mockClear();
      const out = Buffer.alloc(length + 16);
      await disk.readInto!(out, 16, offset, length, { offload });
      expect(out.subarray(16).equals(expected.subarray(offset, offset + length))).toBe(true);
      return reads.mock.calls.map((call) => call[4] === true);
    };
    try {
      expect(await asked(512 * KiB, 256 * KiB, true)).toEqual([true]); // all from the image
      expect(await asked(256 * KiB, 128 * KiB, true)).toEqual([true]); // all from the clone
      expect(await asked(512 * KiB, 256 * KiB, false)).toEqual([false]);
      // image, PARTIAL cluster (clone's sub-cluster between the image's), image, clone, image
      const split = await asked(0, 1 * MiB, true);
      expect(split.length).toBeGreaterThanOrEqual(6);
      expect(split.every((offloaded) => !offloaded)).toBe(true);
    } finally {
      reads.mockRestore();
    }
    await disk.close();
    await store.close();
  });

  it('readViews() down a three-layer chain, PARTIAL clusters and zeroes included, gives read()\'s bytes; nothing while a layer\'s pages are out of the cache', async () => {
    const store = await freshStore();
    const content = pattern(2 * MiB, 23);
    content.fill(0, 1536 * KiB, 1600 * KiB); // a zero cluster: a hole in the image
    const image = await importBuffer(store, content);
    const middle = await store.cloneVolume(image);
    const writer = await store.openDisk(middle);
    await writer.write(68 * KiB, Buffer.alloc(8 * KiB, 0xd1)); // PARTIAL in the middle layer
    await writer.write(640 * KiB, Buffer.alloc(64 * KiB, 0xd2));
    await writer.close();
    const frozen = (await store.freeze(middle)).imageId;
    const top = await store.cloneVolume(frozen);
    const disk = await store.openDisk(top);
    await disk.write(70 * KiB + 100, Buffer.alloc(3000, 0xd3)); // PARTIAL over PARTIAL
    await disk.write(700 * KiB, Buffer.alloc(100 * KiB, 0xd4));
    await disk.discard(1024 * KiB, 128 * KiB);
    const whole = await disk.read(0, 2 * MiB);
    let seed = 5;
    const next = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const ranges = [[0, 2 * MiB], [64 * KiB, 16 * KiB], [1500 * KiB, 200 * KiB]];
    for (let i = 0; i < 40; i++) {
      const offset = next(2 * MiB);
      ranges.push([offset, 1 + next(2 * MiB - offset)]);
    }
    for (const [offset, length] of ranges as [number, number][]) {
      const views = disk.readViews!(offset, length);
      expect(views, `views of ${offset}+${length}`).toBeDefined();
      expect(Buffer.concat(views!).equals(whole.subarray(offset, offset + length))).toBe(true);
    }
    // reopened with the image's data file out of the page cache (pages mapped by a process stay in it):
    // ranges reading the image give no views, the top layer's still do, and a read brings the pages back
    await disk.close();
    await store.close();
    execFileSync('sync');
    const imageLayer = store.chainOf(image)[0] as string;
    execFileSync('dd', [`if=${join(store.dir, 'layers', imageLayer, 'data')}`, 'iflag=nocache', 'count=0', 'status=none']);
    const reopened = await openVolumeStore(store.dir);
    const again = await reopened.openDisk(top);
    expect(again.readViews!(0, 64 * KiB)).toBeUndefined();
    expect(Buffer.concat(again.readViews!(700 * KiB, 100 * KiB)!).equals(whole.subarray(700 * KiB, 800 * KiB))).toBe(true);
    expect((await again.read(0, 64 * KiB)).equals(whole.subarray(0, 64 * KiB))).toBe(true);
    expect(Buffer.concat(again.readViews!(0, 64 * KiB)!).equals(whole.subarray(0, 64 * KiB))).toBe(true);
    await again.close();
    await reopened.close();
  });

  it('a read split across layers fails only once every piece has settled: its buffer is never handed back while still filled', async () => {
    const store = await freshStore();
    const volume = await store.cloneVolume(await importBuffer(store, pattern(1 * MiB, 19)));
    const disk = await store.openDisk(volume);
    await disk.write(128 * KiB, Buffer.alloc(64 * KiB, 0xc1));
    let slowPieceDone = false;
    const reads = vi.spyOn(PageCacheFile.prototype, 'read').mockImplementationOnce(() => Promise.reject(new Error('EIO: first piece')));
    reads.mockImplementationOnce(() => new Promise((resolve) => setTimeout(() => {
      slowPieceDone = true;
      resolve();
    }, 50)));
    try {
      // image [0, 128K), clone [128K, 192K), image [192K, 256K): three pieces
      await expect(disk.readInto!(Buffer.alloc(256 * KiB), 0, 0, 256 * KiB)).rejects.toThrow('EIO: first piece');
      expect(slowPieceDone).toBe(true);
    } finally {
      reads.mockRestore();
    }
    await disk.close();
    await store.close();
  });

  it('an image whose size is not a whole number of clusters reads, writes and maps to its last byte', async () => {
    const store = await freshStore();
    const content = pattern(1 * MiB + 100, 12);
    const image = await importBuffer(store, content);
    const disk = await store.openDisk(await store.cloneVolume(image));
    expect(disk.sizeBytes).toBe(1 * MiB + 100);
    expect((await disk.read(1 * MiB, 100)).equals(content.subarray(1 * MiB))).toBe(true);
    await disk.write(1 * MiB + 90, Buffer.from('0123456789'));
    await expect(disk.write(1 * MiB + 91, Buffer.from('0123456789'))).rejects.toThrow(RangeError);
    expect((await disk.read(1 * MiB + 80, 20)).subarray(10).toString()).toBe('0123456789');
    const ex = await disk.extents!(0, disk.sizeBytes);
    expect(ex.reduce((n, e) => n + e.length, 0)).toBe(1 * MiB + 100);
    await disk.zero(1 * MiB, 100);
    expect((await disk.read(1 * MiB, 100)).every((b) => b === 0)).toBe(true);
    await store.close();
  });
});

describe('VolumeStore recovery and refusals', () => {
  it('finishes a freeze cut short between its two record writes: the volume record goes', async () => {
    const dir = join(root, `halffreeze${n++}`);
    let store = await openVolumeStore(dir);
    const volume = await store.createEmptyVolume(1 * MiB);
    const d = await store.openDisk(volume);
    await d.write(0, Buffer.from('frozen'));
    await d.close();
    await store.close();
    // what freeze() leaves when killed after writing the image record
    const record = JSON.parse(readFileSync(join(dir, 'records', `${volume}.json`), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'records', 'img.json'), JSON.stringify({ ...record, kind: 'image' }));
    store = await openVolumeStore(dir);
    expect(store.listVolumes()).toEqual([]);
    const image = await store.openDisk('img');
    expect((await image.read(0, 6)).toString()).toBe('frozen');
    await expect(store.deleteImage('img')).rejects.toMatchObject({ kind: 'conflict', code: 'STORAGE_IMAGE_IN_USE' });
    await image.close();
    await store.deleteImage('img');
    expect(readdirSync(join(dir, 'layers'))).toEqual([]);
    await store.close();
  });
});
