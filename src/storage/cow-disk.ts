// A Disk over a copy-on-write chain: writes land in the top layer (a write covering part of a cluster the
// layer lacks takes the 4 KiB sub-clusters it touches, their other bytes copied up from below), discard/zero
// mark clusters and punch their bytes out of the data file, flush persists data before the map. Several Disk handles may share one CowVolume (NBD multi-conn).
import { ABSENT, DATA, PARTIAL, SUBCLUSTERS, subclusterMask, ZERO } from './cluster-map.js';
import type { CowLayer } from './cow-layer.js';
import { checkRange, checkWritable } from './disk-checks.js';
import type { Disk, DiskExtent, ReadOptions } from './disk.js';
import { punchHole } from './punch-hole.js';

/** Lets operations run together, and one exclusive step (swapping the top layer) run alone. */
class Gate {
  private active = 0;
  private exclusive: Promise<void> | null = null;
  private drained: (() => void) | null = null;

  async shared<T>(fn: () => Promise<T>): Promise<T> {
    while (this.exclusive !== null) await this.exclusive;
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      if (this.active === 0) this.drained?.();
    }
  }

  /** Whether an exclusive step runs or waits: shared work started now would wait for it. */
  get blocked(): boolean {
    return this.exclusive !== null;
  }

  async alone<T>(fn: () => Promise<T>): Promise<T> {
    while (this.exclusive !== null) await this.exclusive;
    let done!: () => void;
    this.exclusive = new Promise<void>((resolve) => (done = resolve));
    try {
      if (this.active > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      this.drained = null;
      return await fn();
    } finally {
      this.exclusive = null;
      done();
    }
  }
}

/** The live state of one volume (or one image, read-only): its top layer and the gate around it. */
export class CowVolume {
  readonly gate = new Gate();
  /** Open Disk handles; the store refuses some changes while any is open. */
  handles = 0;

  constructor(public top: CowLayer) {}

  get sizeBytes(): number {
    return this.top.sizeBytes;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    const out = Buffer.allocUnsafe(length);
    await this.readInto(out, 0, offset, length);
    return out;
  }

  readInto(out: Buffer, at: number, offset: number, length: number, offload = false): Promise<void> {
    return this.gate.shared(() => this.top.readInto(out, at, offset, length, offload));
  }

  /** Page-cache views of the range (CowLayer.viewsInto); undefined when not all cached, or the top is being swapped. */
  readViews(offset: number, length: number): Buffer[] | undefined {
    if (this.gate.blocked) return undefined;
    const views: Buffer[] = [];
    return this.top.viewsInto(views, offset, length) ? views : undefined;
  }

  async write(offset: number, data: Uint8Array, fua: boolean): Promise<void> {
    await this.gate.shared(() => writeTop(this.top, offset, data));
    if (fua) await this.flush();
  }

  async release(offset: number, length: number): Promise<void> {
    await this.gate.shared(() => releaseTop(this.top, offset, length));
  }

  async flush(): Promise<void> {
    await this.gate.shared(() => this.top.persist());
  }

  async extents(offset: number, length: number): Promise<DiskExtent[]> {
    return this.gate.shared(() => Promise.resolve(this.top.extents(offset, length)));
  }
}

/** The sub-clusters of a cluster that `[from, to)` (byte offsets within the cluster) covers in full, as a mask. */
function coveredSubclusters(from: number, to: number, sb: number, clusterLength: number): number {
  // the last sub-cluster of a short last cluster counts as covered when the range reaches the cluster's end
  return subclusterMask(Math.ceil(from / sb), to >= clusterLength ? SUBCLUSTERS : Math.floor(to / sb));
}

/** Whether the top layer holds every byte of `[offset, end)` (the write may go straight to its data file). */
function held(top: CowLayer, offset: number, end: number): boolean {
  const cb = top.clusterBytes;
  const sb = top.subclusterBytes;
  const first = Math.floor(offset / cb);
  const last = Math.floor((end - 1) / cb);
  for (let c = first; c <= last; c++) {
    const state = top.map.get(c);
    if (state === DATA) continue;
    if (state !== PARTIAL) return false;
    const from = Math.max(offset, c * cb) - c * cb;
    const to = Math.min(end, (c + 1) * cb) - c * cb;
    const touched = subclusterMask(Math.floor(from / sb), Math.floor((to - 1) / sb) + 1);
    if ((top.map.subclusters(c) & touched) !== touched) return false;
  }
  return true;
}

/**
 * Writes into the top layer. Clusters not wholly in it are locked; the written range grows to whole
 * sub-clusters (whole clusters where the cluster reads as ZERO, or the layer has no sub-clusters), the
 * added bytes read from below, and only the sub-clusters it covers join the layer: a 4 KiB write into a
 * cluster not yet copied up writes 4 KiB.
 */
async function writeTop(top: CowLayer, offset: number, data: Uint8Array): Promise<void> {
  if (data.length === 0) return;
  for (;;) {
    if (held(top, offset, offset + data.length)) {
      top.dataDirty = true;
      await top.dataIo.write(data, offset);
      return;
    }
    // false when a discard or zeroing (which take no locks) changed the clusters meanwhile: write again over it
    if (await writeLocked(top, offset, data)) return;
  }
}

/** writeTop's path through the cluster locks; false, with the map untouched, when the clusters changed under it. */
async function writeLocked(top: CowLayer, offset: number, data: Uint8Array): Promise<boolean> {
  const end = offset + data.length;
  const cb = top.clusterBytes;
  const first = Math.floor(offset / cb);
  const last = Math.floor((end - 1) / cb);
  const releases: (() => void)[] = [];
  try {
    for (let c = first; c <= last; c++) if (top.map.get(c) !== DATA) releases.push(await top.lock(c));
    // states are read again under the locks: a write that held them may have copied these clusters up
    const planned = statesOf(top, first, last);
    const from = growDown(top, first, offset);
    const to = growUp(top, last, end);
    let buffer: Uint8Array = data;
    if (from < offset || to > end) {
      // every byte is set below: the grown ends from the layers below (or zeroes), then the data
      const merged = Buffer.allocUnsafe(to - from);
      if (from < offset) await below(top, first, merged, 0, from, offset);
      if (to > end) await below(top, last, merged, end - from, end, to);
      merged.set(data, offset - from);
      buffer = merged;
    }
    top.dataDirty = true;
    await top.dataIo.write(buffer, from);
    if (statesOf(top, first, last) !== planned) return false;
    const sb = top.subclusterBytes;
    for (let c = first; c <= last; c++) {
      const state = top.map.get(c);
      if (state === DATA) continue;
      const start = c * cb;
      const length = top.clusterLength(c);
      if (from <= start && to >= start + length) top.map.set(c, DATA);
      else top.map.addSubclusters(c, coveredSubclusters(Math.max(from, start) - start, Math.min(to, start + length) - start, sb, length));
    }
    return true;
  } finally {
    for (const release of releases) release();
  }
}

/** The states (and sub-cluster masks) of clusters `[first, last]`, to see whether they changed. */
function statesOf(top: CowLayer, first: number, last: number): string {
  let out = '';
  for (let c = first; c <= last; c++) out += `${top.map.get(c)}:${top.map.subclusters(c)},`;
  return out;
}

/** Where a write starting at `offset` (in cluster `c`) must start so that it covers whole sub-clusters not held. */
function growDown(top: CowLayer, c: number, offset: number): number {
  const start = c * top.clusterBytes;
  const state = top.map.get(c);
  const sb = top.subclusterBytes;
  if (state === DATA || offset === start) return offset;
  if (state === ZERO || sb === 0) return start;
  const s = Math.floor((offset - start) / sb);
  if ((top.map.subclusters(c) & (1 << s)) !== 0 || (offset - start) % sb === 0) return offset;
  return start + s * sb;
}

/** Where a write ending at `end` (in cluster `c`) must end so that it covers whole sub-clusters not held. */
function growUp(top: CowLayer, c: number, end: number): number {
  const start = c * top.clusterBytes;
  const clusterEnd = start + top.clusterLength(c);
  const state = top.map.get(c);
  const sb = top.subclusterBytes;
  if (state === DATA || end === clusterEnd) return end;
  if (state === ZERO || sb === 0) return clusterEnd;
  const s = Math.floor((end - 1 - start) / sb);
  if ((top.map.subclusters(c) & (1 << s)) !== 0 || (end - start) % sb === 0) return end;
  return Math.min(clusterEnd, start + (s + 1) * sb);
}

/**
 * Copies what `[from, to)`, within cluster `c`, reads as from below the top layer into `out` at `at`
 * (zeroes where the cluster is ZERO in the top layer, or nothing is below).
 */
async function below(top: CowLayer, c: number, out: Buffer, at: number, from: number, to: number): Promise<void> {
  if (top.map.get(c) === ZERO || top.base === null) {
    out.fill(0, at, at + (to - from));
    return;
  }
  await top.base.readInto(out, at, from, to - from);
}

/** Makes a range read as zeroes: whole clusters are marked and punched, partial ends written with zeroes. */
async function releaseTop(top: CowLayer, offset: number, length: number): Promise<void> {
  const cb = top.clusterBytes;
  const end = offset + length;
  const firstFull = Math.ceil(offset / cb);
  const endFull = end === top.sizeBytes ? top.clusterCount : Math.floor(end / cb);
  if (firstFull >= endFull) {
    await writeTop(top, offset, new Uint8Array(length));
    return;
  }
  if (offset < firstFull * cb) await writeTop(top, offset, new Uint8Array(firstFull * cb - offset));
  if (endFull * cb < end) await writeTop(top, endFull * cb, new Uint8Array(end - endFull * cb));
  let hadData = false;
  for (let c = firstFull; c < endFull && !hadData; c = top.map.runEnd(c, endFull)) hadData = top.map.get(c) === DATA || top.map.get(c) === PARTIAL;
  top.map.fill(firstFull, endFull, top.base === null ? ABSENT : ZERO);
  // the map now says the bytes are gone; giving the space back is best effort (a failed punch costs space only)
  if (hadData) await punchHole(top.dataPath, firstFull * cb, Math.min(endFull * cb, top.sizeBytes) - firstFull * cb);
}

/** One handle on a CowVolume, as the Disk everything else uses. */
export class CowDisk implements Disk {
  private closed = false;

  constructor(
    private readonly volume: CowVolume,
    readonly readOnly: boolean,
    private readonly onClose: () => void = () => undefined,
  ) {
    volume.handles++;
  }

  get sizeBytes(): number {
    return this.volume.sizeBytes;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    checkRange(this.sizeBytes, offset, length);
    return this.volume.read(offset, length);
  }

  async readInto(out: Buffer, at: number, offset: number, length: number, options?: ReadOptions): Promise<void> {
    checkRange(this.sizeBytes, offset, length);
    if (at < 0 || at + length > out.length) throw new RangeError(`Cannot read ${length} bytes into a buffer of ${out.length} at ${at}`);
    await this.volume.readInto(out, at, offset, length, options?.offload === true);
  }

  readViews(offset: number, length: number): Buffer[] | undefined {
    checkRange(this.sizeBytes, offset, length);
    return this.volume.readViews(offset, length);
  }

  async write(offset: number, data: Uint8Array, options: { fua?: boolean } = {}): Promise<void> {
    checkWritable(this.readOnly, 'write');
    checkRange(this.sizeBytes, offset, data.length);
    await this.volume.write(offset, data, options.fua === true);
  }

  async flush(): Promise<void> {
    if (!this.readOnly) await this.volume.flush();
  }

  async discard(offset: number, length: number): Promise<void> {
    checkWritable(this.readOnly, 'discard');
    checkRange(this.sizeBytes, offset, length);
    await this.volume.release(offset, length);
  }

  async zero(offset: number, length: number): Promise<void> {
    checkWritable(this.readOnly, 'write zeroes');
    checkRange(this.sizeBytes, offset, length);
    await this.volume.release(offset, length);
  }

  async extents(offset: number, length: number): Promise<DiskExtent[]> {
    checkRange(this.sizeBytes, offset, length);
    return this.volume.extents(offset, length);
  }

  /** Flushes (a writable handle) and lets go of the volume. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      if (!this.readOnly) await this.volume.flush();
    } finally {
      this.volume.handles--;
      this.onClose();
    }
  }
}
