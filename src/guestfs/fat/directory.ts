// One directory's bytes held in memory while the filesystem is mounted: its entries parsed on demand,
// slots written in place with the changed sectors remembered, and those sectors written back on flush.
// The FAT12/16 root is a fixed region; every other directory is a cluster chain that can grow.
import type { Disk } from '../../storage/disk.js';
import { clusterOffset, takeDirtyRuns, type FatGeometry } from './boot-sector.js';
import { ATTR_VOLUME, DELETED, ENTRY_BYTES, parseEntries, type DirEntry } from './dir-entries.js';
import { foldName, readShortName } from './names.js';

export class Directory {
  private parsed: DirEntry[] | undefined;
  /** Entries by their case-folded long and short names, built with `parsed`. */
  private byName: Map<string, DirEntry> | undefined;
  /** Sectors (index from the directory's start) changed since the last flush. */
  private readonly dirty = new Set<number>();

  constructor(
    /** The first cluster, or 0 for the FAT12/16 root region. */
    readonly start: number,
    private readonly geometry: FatGeometry,
    private clusters: number[],
    private data: Buffer,
  ) {}

  static async read(disk: Disk, geometry: FatGeometry, start: number, clusters: number[]): Promise<Directory> {
    if (start === 0) return new Directory(0, geometry, [], await disk.read(geometry.rootDirOffset, geometry.rootDirBytes));
    const parts: Buffer[] = [];
    for (const run of runs(clusters)) parts.push(await disk.read(clusterOffset(geometry, run.first), run.count * geometry.clusterSize));
    return new Directory(start, geometry, clusters, Buffer.concat(parts));
  }

  /** True for the fixed FAT12/16 root, which cannot grow. */
  get fixed(): boolean {
    return this.start === 0;
  }

  get sizeBytes(): number {
    return this.data.length;
  }

  get lastCluster(): number | undefined {
    return this.clusters[this.clusters.length - 1];
  }

  get allClusters(): readonly number[] {
    return this.clusters;
  }

  entries(): DirEntry[] {
    this.parsed ??= parseEntries(this.data);
    return this.parsed;
  }

  /** The entry `name` designates: its long name or its short name, compared without case (a long name wins). */
  find(name: string): DirEntry | undefined {
    if (this.byName === undefined) {
      this.byName = new Map();
      for (const e of this.entries()) {
        const short = foldName(readShortName(Buffer.from(e.alias, 'latin1'), 0));
        if (!this.byName.has(short)) this.byName.set(short, e);
      }
      for (const e of this.entries()) this.byName.set(foldName(e.name), e);
    }
    return this.byName.get(foldName(name));
  }

  /** Whether a live entry other than a volume label has this 11-byte short name (Linux's vfat_find_form). */
  aliasTaken(alias: string): boolean {
    for (let at = 0; at < this.data.length; at += ENTRY_BYTES) {
      const head = this.data[at]!;
      if (head === 0) return false;
      if (head === DELETED || (this.data[at + 11]! & ATTR_VOLUME) !== 0) continue;
      if (this.data.toString('latin1', at, at + 11) === alias) return true;
    }
    return false;
  }

  /** The first run of `count` free slots, or where a run would start that reaches the end (its length is `count - shortBy`). */
  freeRun(count: number): { slot: number; shortBy: number } {
    const total = this.data.length / ENTRY_BYTES;
    let runStart = 0;
    let runLength = 0;
    for (let slot = 0; slot < total; slot++) {
      const head = this.data[slot * ENTRY_BYTES]!;
      if (head === 0 || head === DELETED) {
        if (runLength === 0) runStart = slot;
        if (++runLength === count) return { slot: runStart, shortBy: 0 };
      } else runLength = 0;
    }
    return runLength === 0 ? { slot: total, shortBy: count } : { slot: runStart, shortBy: count - runLength };
  }

  /** Appends zeroed clusters (to be written whole on flush). */
  grow(clusters: number[]): void {
    const before = this.data.length;
    this.clusters = [...this.clusters, ...clusters];
    this.data = Buffer.concat([this.data, Buffer.alloc(clusters.length * this.geometry.clusterSize)]);
    this.markDirty(before, this.data.length - before);
  }

  /** Writes `bytes` at `slot`. */
  write(slot: number, bytes: Uint8Array): void {
    const at = slot * ENTRY_BYTES;
    this.data.set(bytes, at);
    this.markDirty(at, bytes.length);
  }

  /** The short entry's bytes at `slot` (a copy). */
  entryBytes(slot: number): Buffer {
    return Buffer.from(this.data.subarray(slot * ENTRY_BYTES, (slot + 1) * ENTRY_BYTES));
  }

  /** Changes the short entry at `slot` in place through `edit`, which gets the directory's buffer and the entry's offset. */
  edit(slot: number, edit: (data: Buffer, at: number) => void): void {
    edit(this.data, slot * ENTRY_BYTES);
    this.markDirty(slot * ENTRY_BYTES, ENTRY_BYTES);
  }

  /** Marks an entry's slots (its long-name slots too) deleted. */
  remove(entry: DirEntry): void {
    for (let slot = entry.firstSlot; slot <= entry.slot; slot++) this.data[slot * ENTRY_BYTES] = DELETED;
    this.markDirty(entry.firstSlot * ENTRY_BYTES, (entry.slot - entry.firstSlot + 1) * ENTRY_BYTES);
  }

  private markDirty(at: number, length: number): void {
    this.parsed = undefined;
    this.byName = undefined;
    const size = this.geometry.sectorSize;
    for (let s = Math.floor(at / size); s * size < at + length; s++) this.dirty.add(s);
  }

  /** Byte offset on the volume of a position in the directory. */
  private diskOffset(at: number): number {
    if (this.fixed) return this.geometry.rootDirOffset + at;
    const cluster = this.clusters[Math.floor(at / this.geometry.clusterSize)]!;
    return clusterOffset(this.geometry, cluster) + (at % this.geometry.clusterSize);
  }

  async flush(disk: Disk): Promise<void> {
    const size = this.geometry.sectorSize;
    // one write per run of sectors that are next to each other on the volume too
    for (const [first, last] of takeDirtyRuns(this.dirty, (prev, next) => this.diskOffset(next * size) === this.diskOffset(prev * size) + size)) {
      await disk.write(this.diskOffset(first * size), this.data.subarray(first * size, last * size + size));
    }
  }
}

/** Runs of consecutive cluster numbers in a chain. */
export function runs(clusters: readonly number[]): { first: number; count: number; index: number }[] {
  const out: { first: number; count: number; index: number }[] = [];
  clusters.forEach((c, index) => {
    const last = out[out.length - 1];
    if (last !== undefined && last.first + last.count === c) last.count++;
    else out.push({ first: c, count: 1, index });
  });
  return out;
}
