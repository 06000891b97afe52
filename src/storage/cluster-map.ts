// The allocation map of one copy-on-write layer: one state byte per cluster in 64 KiB second-level tables
// (4 GiB of disk each at 64 KiB clusters), created on first use, so a 1 TiB clone costs nothing until written.
// On disk: a first-level region (one byte per table: 1 = present) then the tables at fixed offsets.
import { fdatasyncFd, preadFully, pwriteFully } from './file-io.js';

/** Not in this layer: read the layer below (or zeroes at the bottom). */
export const ABSENT = 0;
/** This layer's data file holds the cluster (at the same offset as on the disk). */
export const DATA = 1;
/** Reads as zeroes whatever lies below. */
export const ZERO = 2;
export type ClusterState = typeof ABSENT | typeof DATA | typeof ZERO;

export const TABLE_ENTRIES = 65536;
const ALIGN = 4096;

export interface MapSnapshot {
  tables: { index: number; bytes: Buffer }[];
}

export class ClusterMap {
  private readonly tables: (Buffer | undefined)[];
  private readonly dirty = new Set<number>();
  readonly tableCount: number;
  private readonly tablesOffset: number;

  constructor(readonly clusterCount: number) {
    this.tableCount = Math.ceil(clusterCount / TABLE_ENTRIES);
    this.tables = new Array<Buffer | undefined>(this.tableCount);
    this.tablesOffset = Math.max(ALIGN, Math.ceil(this.tableCount / ALIGN) * ALIGN);
  }

  /** Reads the map persisted in `fd` (an empty file is an all-ABSENT map). */
  static async load(fd: number, clusterCount: number): Promise<ClusterMap> {
    const map = new ClusterMap(clusterCount);
    const l1 = Buffer.alloc(map.tableCount);
    await preadFully(fd, l1, 0, l1.length, 0);
    for (let i = 0; i < map.tableCount; i++) {
      if (l1[i] !== 1) continue;
      const table = Buffer.alloc(TABLE_ENTRIES);
      await preadFully(fd, table, 0, TABLE_ENTRIES, map.tablesOffset + i * TABLE_ENTRIES);
      map.tables[i] = table;
    }
    return map;
  }

  get(cluster: number): ClusterState {
    const table = this.tables[Math.floor(cluster / TABLE_ENTRIES)];
    return table === undefined ? ABSENT : (table[cluster % TABLE_ENTRIES] as ClusterState);
  }

  set(cluster: number, state: ClusterState): void {
    this.fill(cluster, cluster + 1, state);
  }

  /** Sets clusters `[from, to)` to `state`. */
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

  /** Copies the tables changed since the last snapshot and forgets they were changed. */
  takeDirty(): MapSnapshot {
    const tables = [...this.dirty].sort((a, b) => a - b).map((index) => ({ index, bytes: Buffer.from(this.tables[index] ?? Buffer.alloc(TABLE_ENTRIES)) }));
    this.dirty.clear();
    return { tables };
  }

  /** Gives back tables a failed write did not persist, so the next flush writes them. */
  restoreDirty(snapshot: MapSnapshot): void {
    for (const t of snapshot.tables) this.dirty.add(t.index);
  }

  /**
   * Writes a snapshot and syncs it: tables first, then their first-level bytes. Either order of partial
   * persistence is consistent, since a table region never written reads as zeroes (all ABSENT).
   */
  async write(fd: number, snapshot: MapSnapshot): Promise<void> {
    if (snapshot.tables.length === 0) return;
    for (const t of snapshot.tables) await pwriteFully(fd, t.bytes, this.tablesOffset + t.index * TABLE_ENTRIES);
    for (const t of snapshot.tables) await pwriteFully(fd, Buffer.from([1]), t.index);
    await fdatasyncFd(fd);
  }

  /** Writes every table (for a freshly built map, e.g. an import). */
  async writeAll(fd: number): Promise<void> {
    for (let i = 0; i < this.tableCount; i++) if (this.tables[i] !== undefined) this.dirty.add(i);
    await this.write(fd, this.takeDirty());
  }
}
