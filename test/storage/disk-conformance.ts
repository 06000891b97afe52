// The Disk conformance suite: every Disk implementation runs it (FileDisk, MemoryDisk, copy-on-write volumes).
import { describe, expect, it } from 'vitest';
import type { Disk } from '../../src/storage/disk.js';

export interface DiskFactory {
  /** A writable disk of `sizeBytes` reading as zeroes. */
  make: (sizeBytes: number) => Promise<Disk>;
  /** The same disk, reopened read-only (after close of the writable one). */
  reopenReadOnly?: (disk: Disk) => Promise<Disk>;
  /** The disk gives page-cache views (readViews) of bytes it just wrote or read. */
  views?: boolean;
}

const KiB = 1024;
const MiB = 1024 * KiB;

function pattern(length: number, seed: number): Buffer {
  const b = Buffer.alloc(length);
  for (let i = 0; i < length; i++) b[i] = (i * 31 + seed * 7 + 1) & 0xff || 1;
  return b;
}

export function diskConformance(name: string, factory: DiskFactory): void {
  describe(`${name} (Disk conformance)`, () => {
    it('reads zeroes from a new disk and exactly the bytes asked for', async () => {
      const disk = await factory.make(4 * MiB);
      expect(disk.sizeBytes).toBe(4 * MiB);
      const b = await disk.read(12345, 70000);
      expect(b.length).toBe(70000);
      expect(b.every((x) => x === 0)).toBe(true);
      await disk.close();
    });

    it('read() returns what write() wrote, across block boundaries, unaligned', async () => {
      const disk = await factory.make(4 * MiB);
      const data = pattern(200 * KiB + 3, 1);
      await disk.write(64 * KiB - 5, data);
      expect((await disk.read(64 * KiB - 5, data.length)).equals(data)).toBe(true);
      const around = await disk.read(64 * KiB - 6, data.length + 2);
      expect(around[0]).toBe(0);
      expect(around[around.length - 1]).toBe(0);
      await disk.write(0, Buffer.from([9]), { fua: true });
      await disk.flush();
      expect((await disk.read(0, 1))[0]).toBe(9);
      await disk.close();
    });

    it('read() returns zeroes for a discarded range and for a zeroed range', async () => {
      const disk = await factory.make(8 * MiB);
      await disk.write(0, pattern(8 * MiB, 2));
      await disk.discard(1 * MiB + 100, 3 * MiB);
      await disk.zero(5 * MiB + 7, 1000);
      const all = await disk.read(0, 8 * MiB);
      const expected = pattern(8 * MiB, 2);
      expected.fill(0, 1 * MiB + 100, 4 * MiB + 100);
      expected.fill(0, 5 * MiB + 7, 5 * MiB + 1007);
      expect(all.equals(expected)).toBe(true);
      await disk.close();
    });

    if (factory.views === true) {
      it('readViews() gives, in order, the bytes read() returns: data, discarded and never-written ranges', async () => {
        const disk = await factory.make(4 * MiB);
        await disk.write(64 * KiB - 5, pattern(300 * KiB, 2));
        await disk.write(1 * MiB + 512, pattern(4 * KiB, 3));
        await disk.discard(128 * KiB, 64 * KiB);
        const ranges = [[0, 4 * MiB], [64 * KiB - 6, 300 * KiB + 2], [130 * KiB, 5], [1 * MiB, 16 * KiB], [4 * MiB - 1, 1]] as const;
        for (const [offset, length] of ranges) {
          const expected = await disk.read(offset, length); // the read also brings every page into the cache
          const views = disk.readViews?.(offset, length);
          expect(views, `views of ${offset}+${length}`).toBeDefined();
          expect(Buffer.concat(views as Buffer[]).equals(expected)).toBe(true);
        }
        expect(() => disk.readViews?.(4 * MiB - 1, 2)).toThrow(RangeError);
        await disk.close();
      });
    }

    it('rejects ranges outside the disk with a RangeError', async () => {
      const disk = await factory.make(1 * MiB);
      await expect(disk.read(1 * MiB - 1, 2)).rejects.toThrow(RangeError);
      await expect(disk.write(1 * MiB, Buffer.from([1]))).rejects.toThrow(RangeError);
      await expect(disk.read(-1, 1)).rejects.toThrow(RangeError);
      await disk.close();
    });

    it('extents() cover the asked range in order', async () => {
      const disk = await factory.make(4 * MiB);
      if (disk.extents === undefined) return disk.close();
      await disk.write(1 * MiB, pattern(100, 3));
      const ex = await disk.extents(10, 4 * MiB - 20);
      let at = 10;
      for (const e of ex) {
        expect(e.offset).toBe(at);
        expect(e.length).toBeGreaterThan(0);
        at += e.length;
      }
      expect(at).toBe(4 * MiB - 10);
      const dataAt = ex.find((e) => e.offset <= 1 * MiB && e.offset + e.length > 1 * MiB);
      expect(dataAt?.hole).toBe(false);
      expect(dataAt?.zero).toBe(false);
      await disk.close();
    });

    if (factory.reopenReadOnly !== undefined) {
      const reopen = factory.reopenReadOnly;
      it('a read-only disk keeps the data and rejects changes with kind forbidden', async () => {
        const disk = await factory.make(1 * MiB);
        await disk.write(100, pattern(10, 4));
        await disk.flush();
        const ro = await reopen(disk);
        expect(ro.readOnly).toBe(true);
        expect((await ro.read(100, 10)).equals(pattern(10, 4))).toBe(true);
        await expect(ro.write(0, Buffer.from([1]))).rejects.toMatchObject({ kind: 'forbidden' });
        await expect(ro.discard(0, 10)).rejects.toMatchObject({ kind: 'forbidden' });
        await expect(ro.zero(0, 10)).rejects.toMatchObject({ kind: 'forbidden' });
        await ro.close();
      });
    }
  });
}
