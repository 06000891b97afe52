// The file allocation table held in memory: entries read and written in place in one copy of the FAT,
// sectors marked dirty and written to every copy on flush, so the copies stay identical. On FAT32 the
// FSInfo sector's free count and next-free hint are kept up to date.
import type { Disk } from '../../storage/disk.js';
import { takeDirtyRuns, type FatGeometry } from './boot-sector.js';
import { fail } from './errno.js';

/** FSInfo signatures (FAT spec §5): lead, structure, trail. */
const FSINFO_LEAD = 0x41615252;
const FSINFO_STRUCT = 0x61417272;
const FSINFO_TRAIL = 0xaa550000;

export class FatTable {
  /** Sectors of the FAT (index from its start) changed since the last flush. */
  private readonly dirty = new Set<number>();
  private fsInfoDirty = false;
  /** The cluster allocated last: the next search starts after it (Linux's prev_free). */
  private last: number;
  freeCount: number;
  /** Last data cluster number. */
  readonly maxCluster: number;

  private constructor(
    private readonly geometry: FatGeometry,
    private readonly raw: Buffer,
    private readonly fsInfo: Buffer | undefined,
  ) {
    this.maxCluster = geometry.clusterCount + 1;
    let free = 0;
    for (let c = 2; c <= this.maxCluster; c++) if (this.get(c) === 0) free++;
    this.freeCount = free;
    const hint = fsInfo?.readUInt32LE(492) ?? 0;
    this.last = hint >= 2 && hint <= this.maxCluster ? hint : 1;
    // an FSInfo count that disagrees with the table is rewritten (Linux recounts as well)
    if (fsInfo !== undefined && fsInfo.readUInt32LE(488) !== free) this.fsInfoDirty = true;
  }

  static async read(disk: Disk, geometry: FatGeometry): Promise<FatTable> {
    const entriesBytes = Math.ceil(((geometry.clusterCount + 2) * geometry.width) / 8);
    const length = Math.min(geometry.fatBytes, Math.ceil(entriesBytes / geometry.sectorSize) * geometry.sectorSize);
    const raw = await disk.read(geometry.fatOffset, length);
    let fsInfo: Buffer | undefined;
    if (geometry.fsInfoOffset !== 0) {
      const sector = await disk.read(geometry.fsInfoOffset, 512);
      const valid = sector.readUInt32LE(0) === FSINFO_LEAD && sector.readUInt32LE(484) === FSINFO_STRUCT && sector.readUInt32LE(508) === FSINFO_TRAIL;
      if (valid) fsInfo = sector;
    }
    return new FatTable(geometry, raw, fsInfo);
  }

  /** The entry of `cluster` (28 bits on FAT32). */
  get(cluster: number): number {
    switch (this.geometry.width) {
      case 12: {
        const v = this.raw.readUInt16LE(cluster + (cluster >> 1));
        return cluster & 1 ? v >> 4 : v & 0xfff;
      }
      case 16:
        return this.raw.readUInt16LE(cluster * 2);
      case 32:
        return this.raw.readUInt32LE(cluster * 4) & 0x0fffffff;
    }
  }

  private set(cluster: number, value: number): void {
    const was = this.get(cluster);
    if (was === 0 && value !== 0) this.freeCount--;
    else if (was !== 0 && value === 0) this.freeCount++;
    let at: number;
    let bytes: number;
    switch (this.geometry.width) {
      case 12: {
        at = cluster + (cluster >> 1);
        bytes = 2;
        const v = this.raw.readUInt16LE(at);
        this.raw.writeUInt16LE(cluster & 1 ? (v & 0x000f) | (value << 4) : (v & 0xf000) | value, at);
        break;
      }
      case 16:
        at = cluster * 2;
        bytes = 2;
        this.raw.writeUInt16LE(value, at);
        break;
      case 32:
        at = cluster * 4;
        bytes = 4;
        // the top four bits are reserved: kept as they are, like Linux does
        this.raw.writeUInt32LE(((this.raw.readUInt32LE(at) & 0xf0000000) | value) >>> 0, at);
        break;
    }
    this.dirty.add(Math.floor(at / this.geometry.sectorSize));
    this.dirty.add(Math.floor((at + bytes - 1) / this.geometry.sectorSize));
    this.fsInfoDirty = this.fsInfo !== undefined;
  }

  /** The value written at the end of a chain (Linux's FAT_ENT_EOF). */
  private get endMark(): number {
    return this.geometry.width === 12 ? 0xfff : this.geometry.width === 16 ? 0xffff : 0x0fffffff;
  }

  private isEnd(value: number): boolean {
    return value >= (this.geometry.width === 12 ? 0xff8 : this.geometry.width === 16 ? 0xfff8 : 0x0ffffff8);
  }

  /** The clusters of the chain starting at `first` (none for 0). A chain that leaves the volume, ends on a free or bad cluster or loops is EIO. */
  chain(first: number): number[] {
    const out: number[] = [];
    let c = first;
    while (c !== 0) {
      if (c < 2 || c > this.maxCluster) fail('EIO', `cluster chain from ${first} reaches invalid cluster ${c}`);
      out.push(c);
      if (out.length > this.geometry.clusterCount) fail('EIO', `cluster chain from ${first} loops`);
      const next = this.get(c);
      if (this.isEnd(next)) break;
      if (next === 0) fail('EIO', `cluster chain from ${first} reaches free cluster ${c}`);
      c = next;
    }
    return out;
  }

  /**
   * Takes `count` free clusters, linked into one chain that ends there, and appends it to `after` (the last
   * cluster of an existing chain) when given. ENOSPC, with nothing changed, when fewer are free.
   */
  allocate(count: number, after?: number): number[] {
    if (count === 0) return [];
    if (count > this.freeCount) fail('ENOSPC');
    const found: number[] = [];
    let c = this.last;
    for (let seen = 0; found.length < count && seen < this.geometry.clusterCount; seen++) {
      c = c >= this.maxCluster ? 2 : c + 1;
      if (this.get(c) === 0) found.push(c);
    }
    if (found.length < count) fail('EIO', 'the free cluster count is wrong');
    for (let i = 0; i < found.length; i++) this.set(found[i]!, found[i + 1] ?? this.endMark);
    if (after !== undefined) this.set(after, found[0]!);
    this.last = found[found.length - 1]!;
    return found;
  }

  /** Frees `clusters` (a whole chain or its tail); `newEnd`, when given, becomes the chain's last cluster. */
  release(clusters: readonly number[], newEnd?: number): void {
    if (newEnd !== undefined) this.set(newEnd, this.endMark);
    for (const c of clusters) this.set(c, 0);
  }

  /** Writes the changed FAT sectors to every copy, and the FSInfo sector. */
  async flush(disk: Disk): Promise<void> {
    const size = this.geometry.sectorSize;
    for (const [first, last] of takeDirtyRuns(this.dirty)) {
      const start = first * size;
      const data = this.raw.subarray(start, Math.min(this.raw.length, (last + 1) * size));
      for (let copy = 0; copy < this.geometry.fatCount; copy++) await disk.write(this.geometry.fatOffset + copy * this.geometry.fatBytes + start, data);
    }
    if (this.fsInfo !== undefined && this.fsInfoDirty) {
      this.fsInfo.writeUInt32LE(this.freeCount, 488);
      this.fsInfo.writeUInt32LE(this.last >= 2 ? this.last : 0xffffffff, 492);
      await disk.write(this.geometry.fsInfoOffset, this.fsInfo);
      this.fsInfoDirty = false;
    }
  }
}
