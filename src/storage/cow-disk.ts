// A Disk over a copy-on-write chain: writes land in the top layer (whole clusters copied up from below
// when a write covers part of one), discard/zero mark clusters and punch their bytes out of the data file,
// flush persists data before the map. Several Disk handles may share one CowVolume (NBD multi-conn).
import { DATA, ZERO, ABSENT } from './cluster-map.js';
import type { CowLayer } from './cow-layer.js';
import { checkRange, checkWritable } from './disk-checks.js';
import type { Disk, DiskExtent } from './disk.js';
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

  readInto(out: Buffer, at: number, offset: number, length: number): Promise<void> {
    return this.gate.shared(() => this.top.readInto(out, at, offset, length));
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

/** Writes into the top layer; clusters not yet in it are locked, and partial ones copied up first. */
async function writeTop(top: CowLayer, offset: number, data: Uint8Array): Promise<void> {
  if (data.length === 0) return;
  const cb = top.clusterBytes;
  const first = Math.floor(offset / cb);
  const last = Math.floor((offset + data.length - 1) / cb);
  let allPresent = true;
  for (let c = first; c <= last && allPresent; c++) allPresent = top.map.get(c) === DATA;
  if (allPresent) {
    top.dataDirty = true;
    await top.dataIo.write(data, offset);
    return;
  }
  const releases: (() => void)[] = [];
  try {
    for (let c = first; c <= last; c++) if (top.map.get(c) !== DATA) releases.push(await top.lock(c));
    let start = offset;
    let buffer: Uint8Array = data;
    const headPartial = offset % cb !== 0;
    const end = offset + data.length;
    const tailPartial = end % cb !== 0 && end !== top.sizeBytes;
    const needHead = headPartial && top.map.get(first) !== DATA;
    const needTail = tailPartial && top.map.get(last) !== DATA && !(needHead && first === last);
    if (needHead || needTail) {
      const from = needHead ? first * cb : offset;
      const to = needTail || (needHead && first === last) ? last * cb + top.clusterLength(last) : end;
      // every byte is set below: the partial clusters from the layers below (or zeroes), then the data
      const merged = Buffer.allocUnsafe(to - from);
      if (needHead) await below(top, first, merged, 0);
      if (needTail) await below(top, last, merged, last * cb - from);
      merged.set(data, offset - from);
      start = from;
      buffer = merged;
    }
    top.dataDirty = true;
    await top.dataIo.write(buffer, start);
    top.map.fill(first, last + 1, DATA);
  } finally {
    for (const release of releases) release();
  }
}

/** Copies what cluster `c` reads as from below the top layer into `out` at `at` (zeroes when ZERO/none). */
async function below(top: CowLayer, c: number, out: Buffer, at: number): Promise<void> {
  if (top.map.get(c) === ZERO || top.base === null) {
    out.fill(0, at, at + top.clusterLength(c));
    return;
  }
  await top.base.readInto(out, at, c * top.clusterBytes, top.clusterLength(c));
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
  for (let c = firstFull; c < endFull && !hadData; c = top.map.runEnd(c, endFull)) hadData = top.map.get(c) === DATA;
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

  async readInto(out: Buffer, at: number, offset: number, length: number): Promise<void> {
    checkRange(this.sizeBytes, offset, length);
    if (at < 0 || at + length > out.length) throw new RangeError(`Cannot read ${length} bytes into a buffer of ${out.length} at ${at}`);
    await this.volume.readInto(out, at, offset, length);
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
