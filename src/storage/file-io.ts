// Positional reads and writes on a raw file descriptor that never return short: the building blocks of
// FileDisk and of the copy-on-write layer files.
import { fdatasync, read, write } from 'node:fs';

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
