// A sparse Disk in memory, allocated in 64 KiB blocks so it has real extents: for tests of everything that
// works on a Disk. Not for data that must survive the process.
import { checkRange, checkWritable } from './disk-checks.js';
import type { Disk, DiskExtent } from './disk.js';

const BLOCK = 64 * 1024;

export class MemoryDisk implements Disk {
  private readonly blocks = new Map<number, Buffer>();
  readonly readOnly: boolean;
  /** How many times `flush` ran (tests check FUA/FLUSH plumbing with it). */
  flushes = 0;

  constructor(readonly sizeBytes: number, options: { readOnly?: boolean; content?: Uint8Array } = {}) {
    this.readOnly = options.readOnly ?? false;
    if (options.content !== undefined) this.put(0, options.content);
  }

  read(offset: number, length: number): Promise<Buffer> {
    return settle(() => this.readNow(offset, length));
  }

  private readNow(offset: number, length: number): Buffer {
    checkRange(this.sizeBytes, offset, length);
    const out = Buffer.alloc(length);
    for (let at = 0; at < length; ) {
      const block = Math.floor((offset + at) / BLOCK);
      const within = (offset + at) % BLOCK;
      const n = Math.min(BLOCK - within, length - at);
      this.blocks.get(block)?.copy(out, at, within, within + n);
      at += n;
    }
    return out;
  }

  write(offset: number, data: Uint8Array, options: { fua?: boolean } = {}): Promise<void> {
    return settle(() => {
      checkWritable(this.readOnly, 'write');
      this.put(offset, data);
      if (options.fua === true) this.flushes++;
    });
  }

  private put(offset: number, data: Uint8Array): void {
    checkRange(this.sizeBytes, offset, data.length);
    for (let at = 0; at < data.length; ) {
      const block = Math.floor((offset + at) / BLOCK);
      const within = (offset + at) % BLOCK;
      const n = Math.min(BLOCK - within, data.length - at);
      let buf = this.blocks.get(block);
      if (buf === undefined) {
        buf = Buffer.alloc(BLOCK);
        this.blocks.set(block, buf);
      }
      buf.set(data.subarray(at, at + n), within);
      at += n;
    }
  }

  flush(): Promise<void> {
    this.flushes++;
    return Promise.resolve();
  }

  discard(offset: number, length: number): Promise<void> {
    return settle(() => {
      checkWritable(this.readOnly, 'discard');
      this.clear(offset, length);
    });
  }

  zero(offset: number, length: number): Promise<void> {
    return settle(() => {
      checkWritable(this.readOnly, 'write zeroes');
      this.clear(offset, length);
    });
  }

  /** Whole blocks inside the range are dropped; partial blocks are zeroed in place. */
  private clear(offset: number, length: number): void {
    checkRange(this.sizeBytes, offset, length);
    for (let at = 0; at < length; ) {
      const block = Math.floor((offset + at) / BLOCK);
      const within = (offset + at) % BLOCK;
      const n = Math.min(BLOCK - within, length - at);
      if (n === BLOCK) this.blocks.delete(block);
      else this.blocks.get(block)?.fill(0, within, within + n);
      at += n;
    }
  }

  /** Bytes held in memory (allocated blocks × 64 KiB). */
  get allocatedBytes(): number {
    return this.blocks.size * BLOCK;
  }

  extents(offset: number, length: number): Promise<DiskExtent[]> {
    return settle(() => this.extentsNow(offset, length));
  }

  private extentsNow(offset: number, length: number): DiskExtent[] {
    checkRange(this.sizeBytes, offset, length);
    const out: DiskExtent[] = [];
    for (let at = offset; at < offset + length; ) {
      const block = Math.floor(at / BLOCK);
      const n = Math.min((block + 1) * BLOCK, offset + length) - at;
      const hole = !this.blocks.has(block);
      const last = out[out.length - 1];
      if (last !== undefined && last.hole === hole) last.length += n;
      else out.push({ offset: at, length: n, hole, zero: hole });
      at += n;
    }
    return out;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Runs synchronous work as a promise, so a throw becomes a rejection as for any other Disk. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
