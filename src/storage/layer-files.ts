// Small file-system steps the store needs to be crash-safe: atomic JSON replace (temp name, fsync, rename,
// fsync the directory), directory fsync, and fd open/close/stat as promises.
import { close, fstat, fsync, open, type Stats } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export function openFd(path: string, flags: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, flags, (error, fd) => (error ? reject(error) : resolve(fd))));
}

export function closeFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => close(fd, (error) => (error ? reject(error) : resolve())));
}

export function fstatFd(fd: number): Promise<Stats> {
  return new Promise((resolve, reject) => fstat(fd, (error, st) => (error ? reject(error) : resolve(st))));
}

export function fsyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
}

/** Makes a directory's entries (creations, renames, removals) durable. */
export async function syncDir(path: string): Promise<void> {
  const fd = await openFd(path, 'r');
  try {
    await fsyncFd(fd);
  } finally {
    await closeFd(fd);
  }
}

/** Replaces `path` with `value` as JSON so that a crash leaves the old or the new file, never a mix. */
export async function writeJsonAtomic(path: string, value: unknown, options: { syncDir?: boolean } = {}): Promise<void> {
  const temp = `${path}.tmp`;
  await writeFile(temp, JSON.stringify(value), { flush: true });
  await rename(temp, path);
  if (options.syncDir !== false) await syncDir(dirname(path));
}
