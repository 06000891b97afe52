// The allocation map of one copy-on-write layer: one state byte per cluster in 64 KiB second-level tables
// (4 GiB of disk each at 64 KiB clusters), created on first use, so a 1 TiB clone costs nothing until written.
// A cluster only partly in the layer (PARTIAL) has a 16-bit mask of its sub-clusters (16 per cluster) in a
// bitmap table beside its state table, also made on first use: a 4 KiB write into a cluster not yet in the
// layer writes 4 KiB, not the whole cluster copied up (qcow2's extended L2 entries do the same).
// On disk: a first-level region (one byte per table: 1 = state table present, 3 = and its bitmap table),
// the state tables at fixed offsets, then the bitmap tables at fixed offsets.
import { fdatasyncFd, preadFully, pwriteFully } from './file-io.js';

/** Not in this layer: read the layer below (or zeroes at the bottom). */
export const ABSENT = 0;
/** This layer's data file holds the cluster (at the same offset as on the disk). */
export const DATA = 1;
/** Reads as zeroes whatever lies below. */
export const ZERO = 2;
/** Some sub-clusters are in this layer's data file (see `subclusters()`); the others read from below. */
export const PARTIAL = 3;
export type ClusterState = typeof ABSENT | typeof DATA | typeof ZERO | typeof PARTIAL;

export const TABLE_ENTRIES = 65536;
/** Sub-clusters per cluster: one bit each in a 16-bit mask. */
export const SUBCLUSTERS = 16;
export const ALL_SUBCLUSTERS = 0xffff;
const BITMAP_BYTES = TABLE_ENTRIES * 2;

/** The mask of sub-clusters `[first, end)` (0 <= first <= end <= SUBCLUSTERS). */
export function subclusterMask(first: number, end: number): number {
  return ((1 << end) - 1) & ~((1 << first) - 1);
}

/** The first sub-cluster after `s` whose bit in `mask` differs from that of `s` (SUBCLUSTERS if none). */
export function subclusterRunEnd(mask: number, s: number): number {
  const bit = mask & (1 << s);
  let e = s + 1;
  while (e < SUBCLUSTERS && ((mask & (1 << e)) !== 0) === (bit !== 0)) e++;
  return e;
}
const ALIGN = 4096;
/** First-level byte of a table: present, and present with its bitmap table. */
const L1_TABLE = 1;
const L1_TABLE_AND_BITMAP = 3;

export interface MapSnapshot {
  tables: { index: number; bytes: Buffer; bitmap: Buffer | undefined }[];
}

export class ClusterMap {
  private readonly tables: (Buffer | undefined)[];
  /** Sub-cluster masks (little-endian 16-bit, by cluster) of tables holding PARTIAL clusters. */
  private readonly bitmaps: (Buffer | undefined)[];
  private readonly dirty = new Set<number>();
  readonly tableCount: number;
  private readonly tablesOffset: number;
  private readonly bitmapsOffset: number;

  constructor(readonly clusterCount: number) {
    this.tableCount = Math.ceil(clusterCount / TABLE_ENTRIES);
    this.tables = new Array<Buffer | undefined>(this.tableCount);
    this.bitmaps = new Array<Buffer | undefined>(this.tableCount);
    this.tablesOffset = Math.max(ALIGN, Math.ceil(this.tableCount / ALIGN) * ALIGN);
    this.bitmapsOffset = this.tablesOffset + this.tableCount * TABLE_ENTRIES;
  }

  /** Reads the map persisted in `fd` (an empty file is an all-ABSENT map). */
  static async load(fd: number, clusterCount: number): Promise<ClusterMap> {
    const map = new ClusterMap(clusterCount);
    const l1 = Buffer.alloc(map.tableCount);
    await preadFully(fd, l1, 0, l1.length, 0);
    for (let i = 0; i < map.tableCount; i++) {
      if (l1[i] !== L1_TABLE && l1[i] !== L1_TABLE_AND_BITMAP) continue;
      const table = Buffer.alloc(TABLE_ENTRIES);
      await preadFully(fd, table, 0, TABLE_ENTRIES, map.tablesOffset + i * TABLE_ENTRIES);
      map.tables[i] = table;
      if (l1[i] !== L1_TABLE_AND_BITMAP) continue;
      const bitmap = Buffer.alloc(BITMAP_BYTES);
      await preadFully(fd, bitmap, 0, BITMAP_BYTES, map.bitmapsOffset + i * BITMAP_BYTES);
      map.bitmaps[i] = bitmap;
    }
    return map;
  }

  get(cluster: number): ClusterState {
    const table = this.tables[Math.floor(cluster / TABLE_ENTRIES)];
    return table === undefined ? ABSENT : (table[cluster % TABLE_ENTRIES] as ClusterState);
  }

  /** The sub-clusters of `cluster` held by this layer: all for DATA, some for PARTIAL, none otherwise. */
  subclusters(cluster: number): number {
    const state = this.get(cluster);
    if (state === DATA) return ALL_SUBCLUSTERS;
    if (state !== PARTIAL) return 0;
    return this.bitmaps[Math.floor(cluster / TABLE_ENTRIES)]?.readUInt16LE((cluster % TABLE_ENTRIES) * 2) ?? 0;
  }

  /** Adds sub-clusters to those `cluster` holds (it must be ABSENT or PARTIAL); all of them make it DATA. */
  addSubclusters(cluster: number, mask: number): void {
    const held = (this.subclusters(cluster) | mask) & ALL_SUBCLUSTERS;
    if (held === ALL_SUBCLUSTERS) {
      this.set(cluster, DATA);
      return;
    }
    const index = Math.floor(cluster / TABLE_ENTRIES);
    let bitmap = this.bitmaps[index];
    if (bitmap === undefined) {
      bitmap = Buffer.alloc(BITMAP_BYTES);
      this.bitmaps[index] = bitmap;
    }
    bitmap.writeUInt16LE(held, (cluster % TABLE_ENTRIES) * 2);
    this.set(cluster, PARTIAL);
  }

  set(cluster: number, state: ClusterState): void {
    this.fill(cluster, cluster + 1, state);
  }

  /** Sets clusters `[from, to)` to `state` (PARTIAL only through addSubclusters, which sets the mask first). */
  fill(from: number, to: number, state: ClusterState): void {
    for (let c = from; c < to; ) {
      const index = Math.floor(c / TABLE_ENTRIES);
      const end = Math.min(to, (index + 1) * TABLE_ENTRIES);
      let table = this.tables[index];
      if (table === undefined) {
        if (state === ABSENT) {
          c = end;
          continue;
        }
        table = Buffer.alloc(TABLE_ENTRIES);
        this.tables[index] = table;
      }
      table.fill(state, c % TABLE_ENTRIES, c % TABLE_ENTRIES + (end - c));
      // a mask means something only for PARTIAL: clear it so no stale bits come back with a later PARTIAL
      if (state !== PARTIAL) this.bitmaps[index]?.fill(0, (c % TABLE_ENTRIES) * 2, (c % TABLE_ENTRIES + (end - c)) * 2);
      this.dirty.add(index);
      c = end;
    }
  }

  /** The first cluster at or after `from` (and before `limit`) whose state differs from `from`'s; `limit` if none. */
  runEnd(from: number, limit: number): number {
    const state = this.get(from);
    for (let c = from; c < limit; ) {
      const index = Math.floor(c / TABLE_ENTRIES);
      const end = Math.min(limit, (index + 1) * TABLE_ENTRIES);
      const table = this.tables[index];
      if (table === undefined) {
        if (state !== ABSENT) return c;
        c = end;
        continue;
      }
      const base = index * TABLE_ENTRIES;
      for (; c < end; c++) if (table[c - base] !== state) return c;
    }
    return limit;
  }

  /** Number of clusters in `state` (a scan of the present tables). */
  count(state: ClusterState): number {
    let n = 0;
    for (let i = 0; i < this.tableCount; i++) {
      const table = this.tables[i];
      if (table === undefined) {
        if (state === ABSENT) n += Math.min(TABLE_ENTRIES, this.clusterCount - i * TABLE_ENTRIES);
        continue;
      }
      const used = Math.min(TABLE_ENTRIES, this.clusterCount - i * TABLE_ENTRIES);
      for (let j = 0; j < used; j++) if (table[j] === state) n++;
    }
    return n;
  }

  get hasDirty(): boolean {
    return this.dirty.size > 0;
  }

  /** Copies the tables (and bitmaps) changed since the last snapshot and forgets they were changed. */
  takeDirty(): MapSnapshot {
    const tables = [...this.dirty].sort((a, b) => a - b).map((index) => {
      const bitmap = this.bitmaps[index];
      return { index, bytes: Buffer.from(this.tables[index] ?? Buffer.alloc(TABLE_ENTRIES)), bitmap: bitmap === undefined ? undefined : Buffer.from(bitmap) };
    });
    this.dirty.clear();
    return { tables };
  }

  /** Gives back tables a failed write did not persist, so the next flush writes them. */
  restoreDirty(snapshot: MapSnapshot): void {
    for (const t of snapshot.tables) this.dirty.add(t.index);
  }

  /**
   * Writes a snapshot and syncs it: tables and bitmaps first, then their first-level bytes. Any partial
   * persistence is consistent: a region never written reads as zeroes (ABSENT, no sub-clusters), and every
   * state or bit names data the layer's data file held (synced) before the snapshot was written. A state
   * without its new mask, or a mask without its new state, reads some of what the unfinished flush wrote
   * from below: what a flush cut short may do.
   */
  async write(fd: number, snapshot: MapSnapshot): Promise<void> {
    if (snapshot.tables.length === 0) return;
    for (const t of snapshot.tables) {
      await pwriteFully(fd, t.bytes, this.tablesOffset + t.index * TABLE_ENTRIES);
      if (t.bitmap !== undefined) await pwriteFully(fd, t.bitmap, this.bitmapsOffset + t.index * BITMAP_BYTES);
    }
    for (const t of snapshot.tables) await pwriteFully(fd, Buffer.from([t.bitmap === undefined ? L1_TABLE : L1_TABLE_AND_BITMAP]), t.index);
    await fdatasyncFd(fd);
  }

  /** Writes every table (for a freshly built map, e.g. an import). */
  async writeAll(fd: number): Promise<void> {
    for (let i = 0; i < this.tableCount; i++) if (this.tables[i] !== undefined) this.dirty.add(i);
    await this.write(fd, this.takeDirty());
  }
}
