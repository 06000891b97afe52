import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '../../storage/memory-disk.js';
import type { FatGeometry } from './boot-sector.js';
import { FatTable } from './fat-table.js';

/** A volume of `clusters` data clusters with two FATs of `fatSectors` sectors after one reserved sector. */
function geometry(width: 12 | 16 | 32, clusters: number, fatSectors: number): FatGeometry {
  return { width, sectorSize: 512, clusterSize: 512, fatOffset: 512, fatBytes: fatSectors * 512, fatCount: 2, rootDirOffset: 0, rootDirBytes: 0, rootCluster: width === 32 ? 2 : 0, dataOffset: 512 * (1 + 2 * fatSectors), clusterCount: clusters, fsInfoOffset: 0 };
}

describe('FatTable', () => {
  it('packs FAT12 entries at odd and even clusters, across a sector boundary, into both copies', async () => {
    const g = geometry(12, 1000, 3);
    const disk = new MemoryDisk(64 * 1024);
    const fat = await FatTable.read(disk, g);
    expect(fat.freeCount).toBe(1000);
    // cluster 341 straddles bytes 511-512 (341 * 1.5 = 511.5)
    const chain = fat.allocate(400);
    expect(chain[0]).toBe(2);
    expect(fat.chain(2)).toEqual(chain);
    expect(fat.get(341)).toBe(342);
    expect(fat.get(401)).toBe(0xfff);
    await fat.flush(disk);
    const copy1 = await disk.read(512, 3 * 512);
    const copy2 = await disk.read(512 + 3 * 512, 3 * 512);
    expect(copy1.equals(copy2)).toBe(true);
    const again = await FatTable.read(disk, g);
    expect(again.chain(2)).toEqual(chain);
    expect(again.freeCount).toBe(600);
  });

  it('keeps the top four bits of FAT32 entries and refuses more clusters than are free', async () => {
    const g = geometry(32, 100, 1);
    const disk = new MemoryDisk(64 * 1024);
    const raw = Buffer.alloc(512);
    raw.writeUInt32LE(0xf0000000, 10 * 4);
    await disk.write(512, raw);
    const fat = await FatTable.read(disk, g);
    expect(() => fat.allocate(101)).toThrow('ENOSPC');
    const all = fat.allocate(100);
    expect(all).toContain(10);
    await fat.flush(disk);
    expect((await disk.read(512 + 40, 4)).readUInt32LE(0) >>> 28).toBe(0xf);
    fat.release(all.slice(50), all[49]);
    expect(fat.freeCount).toBe(50);
    expect(fat.chain(all[0]!)).toEqual(all.slice(0, 50));
  });

  it('reports a chain that loops or reaches a free cluster as EIO', async () => {
    const disk = new MemoryDisk(64 * 1024);
    const raw = Buffer.alloc(512);
    raw.writeUInt16LE(3, 2 * 2);
    raw.writeUInt16LE(2, 3 * 2);
    raw.writeUInt16LE(5, 4 * 2);
    await disk.write(512, raw);
    const fat = await FatTable.read(disk, geometry(16, 200, 1));
    expect(() => fat.chain(2)).toThrow(/EIO: cluster chain from 2 loops/);
    expect(() => fat.chain(4)).toThrow(/EIO: cluster chain from 4 reaches free cluster 5/);
  });
});
