// Test-only Disks for the NBD tests (until src/storage offers its own): a sparse in-memory disk with
// block-granular allocation (so it has real extents), and a plain file disk for larger data.
import { open, type FileHandle } from 'node:fs/promises';
import { forbidden } from '../../src/core/errors.js';
import type { Disk, DiskExtent } from '../../src/storage/disk.js';

const BLOCK = 64 * 1024;

/** Runs `fn` now and returns its result, or what it throws, as a promise (a Disk method's contract). */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    const failure = error as Error;
    return Promise.reject(failure);
  }
}

export class SparseMemoryDisk implements Disk {
  readonly blocks = new Map<number, Buffer>();
  flushes = 0;
  constructor(readonly sizeBytes: number, readonly readOnly = false) {}

  private check(offset: number, length: number): void {
    if (offset < 0 || length < 0 || offset + length > this.sizeBytes) throw new RangeError(`Out of range ${offset}+${length}`);
  }

  read(offset: number, length: number): Promise<Buffer> {
    return settle(() => this.readNow(offset, length));
  }

  private readNow(offset: number, length: number): Buffer {
    this.check(offset, length);
    const out = Buffer.alloc(length);
    for (let at = 0; at < length; ) {
      const b = Math.floor((offset + at) / BLOCK);
      const within = (offset + at) % BLOCK;
      const n = Math.min(BLOCK - within, length - at);
      this.blocks.get(b)?.copy(out, at, within, within + n);
      at += n;
    }
    return out;
  }

  write(offset: number, data: Uint8Array): Promise<void> {
    return settle(() => this.writeNow(offset, data));
  }

  private writeNow(offset: number, data: Uint8Array): void {
    if (this.readOnly) throw forbidden('DISK_READ_ONLY', 'Cannot write: the disk is read-only');
    this.check(offset, data.length);
    for (let at = 0; at < data.length; ) {
      const b = Math.floor((offset + at) / BLOCK);
      const within = (offset + at) % BLOCK;
      const n = Math.min(BLOCK - within, data.length - at);
      let block = this.blocks.get(b);
      if (block === undefined) this.blocks.set(b, (block = Buffer.alloc(BLOCK)));
      block.set(data.subarray(at, at + n), within);
      at += n;
    }
  }

  flush(): Promise<void> {
    this.flushes++;
    return Promise.resolve();
  }

  discard(offset: number, length: number): Promise<void> {
    return settle(() => this.discardNow(offset, length));
  }

  private discardNow(offset: number, length: number): void {
    if (this.readOnly) throw forbidden('DISK_READ_ONLY', 'Cannot discard: the disk is read-only');
    this.check(offset, length);
    for (let at = 0; at < length; ) {
      const b = Math.floor((offset + at) / BLOCK);
      const within = (offset + at) % BLOCK;
      const n = Math.min(BLOCK - within, length - at);
      if (n === BLOCK) this.blocks.delete(b);
      else this.blocks.get(b)?.fill(0, within, within + n);
      at += n;
    }
  }

  zero(offset: number, length: number): Promise<void> {
    return this.discard(offset, length);
  }

  extents(offset: number, length: number): Promise<DiskExtent[]> {
    return settle(() => this.extentsNow(offset, length));
  }

  private extentsNow(offset: number, length: number): DiskExtent[] {
    this.check(offset, length);
    const out: DiskExtent[] = [];
    for (let at = offset; at < offset + length; ) {
      const b = Math.floor(at / BLOCK);
      const end = Math.min((b + 1) * BLOCK, offset + length);
      const hole = !this.blocks.has(b);
      const last = out[out.length - 1];
      if (last !== undefined && last.hole === hole) last.length += end - at;
      else out.push({ offset: at, length: end - at, hole, zero: hole });
      at = end;
    }
    return out;
  }

  async close(): Promise<void> {}
}

/** A Disk over a file (no extents): positional reads and writes, fsync on flush. */
export class PlainFileDisk implements Disk {
  private constructor(private readonly handle: FileHandle, readonly sizeBytes: number, readonly readOnly: boolean) {}

  static async open(path: string, options: { readOnly?: boolean } = {}): Promise<PlainFileDisk> {
    const handle = await open(path, options.readOnly === true ? 'r' : 'r+');
    return new PlainFileDisk(handle, (await handle.stat()).size, options.readOnly ?? false);
  }

  async read(offset: number, length: number): Promise<Buffer> {
    if (offset + length > this.sizeBytes) throw new RangeError('Read past the end');
    const buf = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.handle.read(buf, 0, length, offset);
    if (bytesRead < length) buf.fill(0, bytesRead);
    return buf;
  }

  async write(offset: number, data: Uint8Array, options?: { fua?: boolean }): Promise<void> {
    await this.handle.write(data, 0, data.length, offset);
    if (options?.fua === true) await this.handle.datasync();
  }

  flush(): Promise<void> {
    return this.handle.datasync();
  }

  async discard(offset: number, length: number): Promise<void> {
    await this.zero(offset, length);
  }

  async zero(offset: number, length: number): Promise<void> {
    const z = new Uint8Array(Math.min(length, 1 << 20));
    for (let at = 0; at < length; at += z.length) {
      await this.handle.write(z, 0, Math.min(z.length, length - at), offset + at);
    }
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}
