// Positional reads and writes on a raw file descriptor that never return short: the building blocks of
// FileDisk and of the copy-on-write layer files.
import { fdatasync, read, readSync, write } from 'node:fs';

/** Reads exactly `length` bytes at `position` into `buffer` from `offset`; bytes past end of file read as zeroes. */
export async function preadFully(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const n = await new Promise<number>((resolve, reject) => {
      read(fd, buffer, offset + done, length - done, position + done, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)));
    });
    if (n === 0) {
      buffer.fill(0, offset + done, offset + length);
      return;
    }
    done += n;
  }
}

/** `preadFully` blocking the calling thread: for reads the page cache serves in microseconds. */
export function preadFullySync(fd: number, buffer: Buffer, offset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, offset + done, length - done, position + done);
    if (n === 0) {
      buffer.fill(0, offset + done, offset + length);
      return;
    }
    done += n;
  }
}

/** Reads up to this size may run on the event loop ... */
const INLINE_MAX_BYTES = 128 * 1024;
/** ... unless one recently took longer than this (it went to the disk, not the page cache) ... */
const INLINE_SLOW_MS = 1;
/** ... in which case reads go through the thread pool for this long. */
const INLINE_BACKOFF_MS = 1000;

/**
 * Positional reads of one file that skip libuv's thread pool while the page cache serves them. A small read
 * from cache takes microseconds; through the pool it costs two thread hand-offs, which on a busy machine
 * cost more than the copy (4 KiB random reads over NBD ran at half of nbdkit's rate). A read that took over
 * INLINE_SLOW_MS went to the disk: for the next INLINE_BACKOFF_MS every read goes to the pool, so a cold
 * file holds the event loop up at most once a second. Large reads always go to the pool, where they copy
 * in parallel with the event loop's socket writes.
 */
export class PageCacheReader {
  private poolUntilMs = 0;

  constructor(private readonly fd: number) {}

  /** Like `preadFully` on this reader's file. */
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<void> {
    if (length > INLINE_MAX_BYTES || (this.poolUntilMs !== 0 && performance.now() < this.poolUntilMs)) {
      return preadFully(this.fd, buffer, offset, length, position);
    }
    const start = performance.now();
    try {
      preadFullySync(this.fd, buffer, offset, length, position);
    } catch (error) {
      return Promise.reject(error);
    }
    const end = performance.now();
    this.poolUntilMs = end - start > INLINE_SLOW_MS ? end + INLINE_BACKOFF_MS : 0;
    return Promise.resolve();
  }
}

/** Writes all of `data` at `position`. */
export async function pwriteFully(fd: number, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const n = await new Promise<number>((resolve, reject) => {
      write(fd, data, done, data.length - done, position + done, (error, written) => (error ? reject(error) : resolve(written)));
    });
    done += n;
  }
}

export function fdatasyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}

const ZERO_CHUNK = 1024 * 1024;

/** Writes zeroes over `[position, position + length)`, a chunk at a time. */
export async function writeZeroes(fd: number, position: number, length: number): Promise<void> {
  const zeroes = Buffer.alloc(Math.min(ZERO_CHUNK, length));
  for (let at = 0; at < length; at += ZERO_CHUNK) {
    const n = Math.min(ZERO_CHUNK, length - at);
    await pwriteFully(fd, n === zeroes.length ? zeroes : zeroes.subarray(0, n), position + at);
  }
}
