// A Disk over a plain (possibly sparse) file or block device: golden-image staging, tests, benchmarks.
// Copy-on-write OS volumes live in cow-layer.ts; this is the flat case.
import { close, fstat, open } from 'node:fs';
import { notFound, AppError } from '../core/errors.js';
import { checkRange, checkWritable } from './disk-checks.js';
import type { Disk, DiskExtent, ReadOptions } from './disk.js';
import { fdatasyncFd, PageCacheFile, writeZeroes } from './file-io.js';
import { FileMapping } from './file-mapping.js';
import { punchHole } from './punch-hole.js';

/** Zero ranges at least this long are punched out of the file rather than written (one process per punch). */
const PUNCH_MIN_BYTES = 1024 * 1024;
const FS_BLOCK = 4096;

export interface FileDiskOptions {
  readOnly?: boolean;
}

/**
 * A Disk whose bytes are the file's bytes. `sizeBytes` is the file size at open (fixed afterwards).
 * `flush` is fdatasync; `discard` and large `zero` ranges punch holes (falling back to writing zeroes
 * where the filesystem cannot); `extents` reports the whole range as data (Node cannot reach SEEK_HOLE).
 * `readViews` maps the file (FileMapping): it must not shrink while open, or replies sent from its lost pages
 * fail their connection.
 */
export class FileDisk implements Disk {
  private closed = false;
  private readonly io: PageCacheFile;
  private readonly mapping: FileMapping;

  private constructor(
    private readonly fd: number,
    readonly path: string,
    readonly sizeBytes: number,
    readonly readOnly: boolean,
  ) {
    this.io = new PageCacheFile(fd);
    this.mapping = new FileMapping(fd, sizeBytes);
  }

  /** Opens `path`; missing file → AppError `STORAGE_FILE_NOT_FOUND` (kind not_found). */
  static async open(path: string, options: FileDiskOptions = {}): Promise<FileDisk> {
    const readOnly = options.readOnly ?? false;
    const fd = await new Promise<number>((resolve, reject) => {
      open(path, readOnly ? 'r' : 'r+', (error, fd) => (error ? reject(error) : resolve(fd)));
    }).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound('STORAGE_FILE_NOT_FOUND', `Cannot open disk "${path}": no such file`);
      throw new AppError('unavailable', 'STORAGE_OPEN_FAILED', `Cannot open disk "${path}": ${(error as Error).message}`, { cause: error });
    });
    const size = await new Promise<number>((resolve, reject) => fstat(fd, (error, st) => (error ? reject(error) : resolve(st.size))));
    return new FileDisk(fd, path, size, readOnly);
  }

  async read(offset: number, length: number): Promise<Buffer> {
    checkRange(this.sizeBytes, offset, length);
    const buffer = Buffer.allocUnsafe(length);
    await this.io.read(buffer, 0, length, offset);
    return buffer;
  }

  /** Not `async`: a read the page cache serves resolves with no further promise hop (NBD's hot path). */
  readInto(out: Buffer, at: number, offset: number, length: number, options?: ReadOptions): Promise<void> {
    try {
      checkRange(this.sizeBytes, offset, length);
      if (at < 0 || at + length > out.length) throw new RangeError(`Cannot read ${length} bytes into a buffer of ${out.length} at ${at}`);
    } catch (error) {
      const invalid = error as RangeError;
      return Promise.reject(invalid);
    }
    return this.io.read(out, at, length, offset, options?.offload === true);
  }

  readViews(offset: number, length: number): Buffer[] | undefined {
    checkRange(this.sizeBytes, offset, length);
    const views: Buffer[] = [];
    return this.mapping.viewsInto(views, offset, length) ? views : undefined;
  }

  async write(offset: number, data: Uint8Array, options: { fua?: boolean } = {}): Promise<void> {
    checkWritable(this.readOnly, 'write');
    checkRange(this.sizeBytes, offset, data.length);
    await this.io.write(data, offset);
    if (options.fua === true) await fdatasyncFd(this.fd);
  }

  async flush(): Promise<void> {
    if (!this.readOnly) await fdatasyncFd(this.fd);
  }

  async discard(offset: number, length: number): Promise<void> {
    checkWritable(this.readOnly, 'discard');
    checkRange(this.sizeBytes, offset, length);
    await this.release(offset, length, 0);
  }

  async zero(offset: number, length: number): Promise<void> {
    checkWritable(this.readOnly, 'write zeroes');
    checkRange(this.sizeBytes, offset, length);
    await this.release(offset, length, PUNCH_MIN_BYTES);
  }

  /** Makes the range read as zeroes: the block-aligned middle is punched when at least `minPunch` long. */
  private async release(offset: number, length: number, minPunch: number): Promise<void> {
    const start = Math.ceil(offset / FS_BLOCK) * FS_BLOCK;
    const end = Math.floor((offset + length) / FS_BLOCK) * FS_BLOCK;
    if (end > start && end - start >= Math.max(minPunch, 1) && (await punchHole(this.path, start, end - start))) {
      await writeZeroes(this.fd, offset, start - offset);
      await writeZeroes(this.fd, end, offset + length - end);
      return;
    }
    await writeZeroes(this.fd, offset, length);
  }

  extents(offset: number, length: number): Promise<DiskExtent[]> {
    return Promise.resolve().then(() => {
      checkRange(this.sizeBytes, offset, length);
      return length === 0 ? [] : [{ offset, length, hole: false, zero: false }];
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.mapping.close();
    await new Promise<void>((resolve, reject) => close(this.fd, (error) => (error ? reject(error) : resolve())));
  }
}
