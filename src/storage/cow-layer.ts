// One copy-on-write layer on disk: `meta.json` (size, cluster size, the layer below), `data` (a sparse file
// the size of the disk; cluster N lives at the same offset) and `map` (ClusterMap). Reads fall through the
// chain, sub-cluster by sub-cluster in a cluster the layer holds only part of; writes, copy-up and the flush
// protocol live in cow-disk.ts.
import { ftruncate } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ABSENT, ClusterMap, DATA, PARTIAL, SUBCLUSTERS, subclusterRunEnd, ZERO } from './cluster-map.js';
import type { DiskExtent } from './disk.js';
import { fdatasyncFd, PageCacheFile } from './file-io.js';
import { FileMapping } from './file-mapping.js';
import { closeFd, fstatFd, openFd, syncDir, writeJsonAtomic } from './layer-files.js';

export const DEFAULT_CLUSTER_BYTES = 64 * 1024;

/** What owner() answers for a cluster read partly from one layer and partly from another. */
export const MIXED = 'mixed';

export interface LayerMeta {
  version: 1;
  sizeBytes: number;
  clusterBytes: number;
  /** Id of the layer below, or null at the bottom of a chain. */
  base: string | null;
}

export class CowLayer {
  /** Per-cluster locks held while a cluster is copied up (by a write or a flatten). */
  private readonly locks = new Map<number, Promise<void>>();
  private persisting: Promise<void> = Promise.resolve();
  /** Set by writes into the data file since the last fdatasync. */
  dataDirty = false;
  /** Whether the layer's directory entries are known to be on disk (persist() syncs them once). */
  durable = false;
  /** A frozen layer never changes again (it is an image, or sits under another layer). */
  frozen = true;
  /** Reads and writes of the data file (inline while the page cache absorbs them). */
  readonly dataIo: PageCacheFile;
  /** The data file's cached pages, for reads that go to a socket uncopied (the file never shrinks). */
  readonly dataMapping: FileMapping;

  private constructor(
    readonly id: string,
    readonly dir: string,
    readonly meta: LayerMeta,
    readonly dataFd: number,
    readonly mapFd: number,
    readonly map: ClusterMap,
    public base: CowLayer | null,
  ) {
    this.dataIo = new PageCacheFile(dataFd);
    this.dataMapping = new FileMapping(dataFd, meta.sizeBytes);
  }

  get sizeBytes(): number {
    return this.meta.sizeBytes;
  }
  get clusterBytes(): number {
    return this.meta.clusterBytes;
  }
  get clusterCount(): number {
    return this.map.clusterCount;
  }
  get dataPath(): string {
    return join(this.dir, 'data');
  }
  /**
   * Bytes per sub-cluster (a 16th of a cluster, 4 KiB at 64 KiB clusters), or 0 when the cluster size
   * does not divide into sub-clusters of at least 512 bytes: every cluster is then copied up whole.
   */
  get subclusterBytes(): number {
    const sb = this.clusterBytes / SUBCLUSTERS;
    return Number.isInteger(sb) && sb >= 512 && sb % 512 === 0 ? sb : 0;
  }

  /**
   * Writes an empty layer's files into `dir` (which must not exist): a sparse data file, an empty map and
   * meta.json. With `durable: false` nothing is synced (a clone stays cheap): the record that refers to
   * the layer carries its meta so the store can recreate it after a crash, and the first persist() syncs
   * the directory entries before any map points at data.
   */
  static async create(dir: string, meta: LayerMeta, options: { durable: boolean }): Promise<void> {
    await mkdir(dir);
    const data = await openFd(join(dir, 'data'), 'wx');
    try {
      await new Promise<void>((resolve, reject) => ftruncate(data, meta.sizeBytes, (e) => (e ? reject(e) : resolve())));
    } finally {
      await closeFd(data);
    }
    await writeFile(join(dir, 'map'), '');
    if (!options.durable) {
      await writeFile(join(dir, 'meta.json'), JSON.stringify(meta));
      return;
    }
    await writeJsonAtomic(join(dir, 'meta.json'), meta, { syncDir: false });
    await syncDir(dir);
  }

  /** Recreates an empty layer whose creation a crash cut short (it held nothing: persist() syncs first). */
  static async ensure(dir: string, meta: LayerMeta): Promise<void> {
    const present = await Promise.all(['meta.json', 'data', 'map'].map((f) => stat(join(dir, f)).then(() => true, () => false)));
    const metaOk = await CowLayer.readMeta(dir).then(() => true, () => false);
    if (metaOk && present.every(Boolean)) return;
    await rm(dir, { recursive: true, force: true });
    await CowLayer.create(dir, meta, { durable: true });
  }

  static async readMeta(dir: string): Promise<LayerMeta> {
    return JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as LayerMeta;
  }

  static async open(id: string, dir: string, base: CowLayer | null, options: { writable: boolean }): Promise<CowLayer> {
    const meta = await CowLayer.readMeta(dir);
    const flags = options.writable ? 'r+' : 'r';
    const dataFd = await openFd(join(dir, 'data'), flags);
    const mapFd = await openFd(join(dir, 'map'), flags);
    const clusterCount = Math.ceil(meta.sizeBytes / meta.clusterBytes);
    const map = await ClusterMap.load(mapFd, clusterCount);
    const layer = new CowLayer(id, dir, meta, dataFd, mapFd, map, base);
    layer.frozen = !options.writable;
    return layer;
  }

  /** Rewrites meta.json with a new base (after a flatten made this layer independent of it). */
  async setBase(base: CowLayer | null): Promise<void> {
    const meta: LayerMeta = { ...this.meta, base: base?.id ?? null };
    await writeJsonAtomic(join(this.dir, 'meta.json'), meta);
    this.meta.base = meta.base;
    this.base = base;
  }

  /** Length of cluster `c` (the last one may be short). */
  clusterLength(c: number): number {
    return Math.min(this.clusterBytes, this.sizeBytes - c * this.clusterBytes);
  }

  /**
   * The layer whose data file holds cluster `c` as seen from this layer, null when it reads as zeroes, or
   * MIXED when parts of it come from different places (a PARTIAL cluster here or below).
   */
  owner(c: number): CowLayer | null | typeof MIXED {
    const state = this.map.get(c);
    if (state === DATA) return this;
    if (state === PARTIAL) return MIXED;
    if (state === ZERO || this.base === null) return null;
    return this.base.owner(c);
  }

  /**
   * Reads `[offset, offset + length)` as seen from this layer into `out` at `at`. Range already checked. The
   * pieces from different layers are all asked for at once. Only a read served whole from one layer's file
   * goes to the pool when offloaded: each piece of a split one would cost its own thread hand-off, more than
   * its copy (the pool's reads are cheap when a stream's contiguous ones merge into one preadv).
   */
  readInto(out: Buffer, at: number, offset: number, length: number, offload = false): Promise<void> {
    const reads: Promise<void>[] = [];
    this.walk(offset, offset + length, (owner, pos, n) => {
      const into = at + (pos - offset);
      if (owner === null) out.fill(0, into, into + n);
      else reads.push(owner.dataIo.read(out, into, n, pos, offload && n === length));
      return true;
    });
    return allRead(reads);
  }

  /**
   * readInto without the copy: appends to `out` views of the page cache (and of shared zeroes) for
   * `[offset, offset + length)` as seen from this layer, and returns true; false, with `out` cut back to
   * where it was, when some of the bytes are not cached. Range already checked.
   */
  viewsInto(out: Buffer[], offset: number, length: number): boolean {
    const mark = out.length;
    const complete = this.walk(offset, offset + length, (owner, pos, n) =>
      owner === null ? zeroViews(out, n) : owner.dataMapping.viewsInto(out, pos, n),
    );
    if (!complete) out.length = mark;
    return complete;
  }

  /**
   * Walks `[offset, end)` as seen from this layer, in order: `visit(owner, pos, n)` for each run read from
   * the data file of layer `owner`, or reading as zeroes (`owner` null). Runs of whole clusters from one
   * place are merged; PARTIAL clusters go sub-cluster by sub-cluster. Stops, returning false, when `visit`
   * returns false.
   */
  private walk(offset: number, end: number, visit: RunVisitor): boolean {
    const cb = this.clusterBytes;
    for (let pos = offset; pos < end; ) {
      const c = Math.floor(pos / cb);
      const owner = this.owner(c);
      let runEnd = Math.min(end, (c + 1) * cb);
      if (owner === MIXED) {
        if (!this.walkSpan(c, pos, runEnd, visit)) return false;
      } else {
        // extend the run while the next clusters come from the same layer: one piece per run
        while (runEnd < end && this.owner(Math.floor(runEnd / cb)) === owner) runEnd = Math.min(end, runEnd + cb);
        if (!visit(owner, pos, runEnd - pos)) return false;
      }
      pos = runEnd;
    }
    return true;
  }

  /** walk() within cluster `c`, over `[from, to)`: sub-cluster by sub-cluster where PARTIAL. */
  private walkSpan(c: number, from: number, to: number, visit: RunVisitor): boolean {
    const state = this.map.get(c);
    if (state === DATA) return visit(this, from, to - from);
    if (state === ZERO || (state === ABSENT && this.base === null)) return visit(null, from, to - from);
    if (state === ABSENT) return (this.base as CowLayer).walkSpan(c, from, to, visit);
    const sb = this.subclusterBytes;
    const held = this.map.subclusters(c);
    const clusterStart = c * this.clusterBytes;
    for (let pos = from; pos < to; ) {
      const s = Math.floor((pos - clusterStart) / sb);
      // over the following sub-clusters read from the same place
      const runEnd = Math.min(to, clusterStart + subclusterRunEnd(held, s) * sb);
      let more: boolean;
      if ((held & (1 << s)) !== 0) more = visit(this, pos, runEnd - pos);
      else if (this.base === null) more = visit(null, pos, runEnd - pos);
      else more = this.base.walkSpan(c, pos, runEnd, visit);
      if (!more) return false;
      pos = runEnd;
    }
    return true;
  }

  /** Whether clusters from `c` hold data, and where that run (within `limit`) ends. */
  private run(c: number, limit: number): { data: boolean; end: number } {
    const state = this.map.get(c);
    const end = this.map.runEnd(c, limit);
    // a PARTIAL cluster is reported as data, whatever its other sub-clusters read as below
    if (state === DATA || state === PARTIAL) return { data: true, end };
    if (state === ZERO || this.base === null) return { data: false, end };
    return this.base.run(c, end);
  }

  /** Allocation of a range as seen from this layer (NBD block status). */
  extents(offset: number, length: number): DiskExtent[] {
    const out: DiskExtent[] = [];
    if (length === 0) return out;
    const cb = this.clusterBytes;
    const end = offset + length;
    const lastCluster = Math.ceil(end / cb);
    for (let c = Math.floor(offset / cb); c < lastCluster; ) {
      const r = this.run(c, lastCluster);
      const from = Math.max(offset, c * cb);
      const to = Math.min(end, r.end * cb);
      const prev = out[out.length - 1];
      if (prev !== undefined && prev.hole === !r.data) prev.length += to - from;
      else out.push({ offset: from, length: to - from, hole: !r.data, zero: !r.data });
      c = r.end;
    }
    return out;
  }

  /** Takes the lock of cluster `c`; resolve the returned function to release it. */
  async lock(c: number): Promise<() => void> {
    const previous = this.locks.get(c) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => held);
    this.locks.set(c, tail);
    await previous;
    return () => {
      release();
      if (this.locks.get(c) === tail) this.locks.delete(c);
    };
  }

  /**
   * The flush protocol: snapshot the changed map tables, fdatasync the data file, then write and sync the
   * snapshot. Every DATA entry in the snapshot was set after its bytes were written, so the map on disk
   * never points at data that is not on disk. Flushes run one at a time.
   */
  persist(): Promise<void> {
    const run = this.persisting.then(async () => {
      const snapshot = this.map.takeDirty();
      try {
        if (this.dataDirty || snapshot.tables.length > 0) {
          this.dataDirty = false;
          await fdatasyncFd(this.dataFd);
        }
        await this.makeDurable();
        await this.map.write(this.mapFd, snapshot);
      } catch (error) {
        this.dataDirty = true;
        this.map.restoreDirty(snapshot);
        throw error;
      }
    });
    this.persisting = run.catch(() => undefined);
    return run;
  }

  /** Syncs the layer's directory and its entry in the parent, once per open. */
  async makeDurable(): Promise<void> {
    if (this.durable) return;
    await syncDir(this.dir);
    await syncDir(dirname(this.dir));
    this.durable = true;
  }

  /** Bytes of storage this layer's files take. */
  async allocatedBytes(): Promise<number> {
    const [data, map] = await Promise.all([fstatFd(this.dataFd), fstatFd(this.mapFd)]);
    return (data.blocks + map.blocks) * 512;
  }

  async close(): Promise<void> {
    this.dataMapping.close();
    await closeFd(this.dataFd);
    await closeFd(this.mapFd);
  }
}

export { ABSENT, DATA, PARTIAL, ZERO };

/** One run of a walk over a layer's chain: `n` bytes at `pos` from `owner`'s data file, or zeroes (null). */
type RunVisitor = (owner: CowLayer | null, pos: number, n: number) => boolean;

/** Zeroes that views of holes share; nothing ever writes into it. */
const ZEROES = Buffer.alloc(1024 * 1024);

/** Appends views of `length` zero bytes to `out`; true (zeroes are always at hand). */
function zeroViews(out: Buffer[], length: number): boolean {
  for (let left = length; left > 0; left -= ZEROES.length) out.push(left >= ZEROES.length ? ZEROES : ZEROES.subarray(0, left));
  return true;
}

/**
 * Waits for every read, each filling its own part of one buffer, then fails with the first failure: the
 * caller never gets the buffer back (to reuse or send) while a read is still filling it.
 */
function allRead(reads: Promise<void>[]): Promise<void> {
  // one piece (most reads): its own promise, no further hop
  if (reads.length <= 1) return reads[0] ?? Promise.resolve();
  return Promise.allSettled(reads).then((results) => {
    const failed = results.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  });
}
