// Recursive operations on guest filesystems that several commands share: remove a tree, copy a tree
// (within one ImageFs or across two), and the basename/join helpers guest paths need.
import { errnoOf } from '../guestfs/errno.js';
import type { ImageFs } from '../guestfs/image-fs.js';

export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

export function joinGuest(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** Removes `path` and everything under it; symlinks are removed, never followed. */
export async function removeTree(fs: ImageFs, path: string): Promise<void> {
  const stat = await fs.lstat(path);
  if (stat.kind === 'directory') {
    for (const name of await fs.readdir(path)) await removeTree(fs, joinGuest(path, name));
    await fs.rmdir(path);
  } else {
    await fs.unlink(path);
  }
}

/** Whether two paths of `fs` name the same entry: FAT looks names up without case, as Linux' vfat does. */
export function samePath(fs: ImageFs, a: string, b: string): boolean {
  return fs.type === 'vfat' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

export interface CopyOptions {
  /** Keep owner and modification time too (cp -a); mode is always kept. */
  preserve: boolean;
  /**
   * With `preserve`: where the owner could not be kept (FAT has none) the copy goes on, as cp(1) does, and
   * the destination path is added here for the caller to report.
   */
  ownerNotKept?: string[];
  /** A source path left out (cp of a directory into itself: the copy being made). */
  skip?: string;
}

/** Copies `from` (file, symlink or directory tree) to `to`, which must not exist, possibly across filesystems. */
export async function copyTree(src: ImageFs, from: string, dst: ImageFs, to: string, options: CopyOptions): Promise<void> {
  const stat = await src.lstat(from);
  if (stat.kind === 'symlink') {
    await dst.symlink(await src.readlink(from), to);
  } else if (stat.kind === 'directory') {
    await dst.mkdir(to, { mode: stat.mode & 0o7777 });
    for (const name of await src.readdir(from)) {
      const child = joinGuest(from, name);
      if (src === dst && options.skip !== undefined && samePath(src, child, options.skip)) continue;
      await copyTree(src, child, dst, joinGuest(to, name), options);
    }
    await dst.chmod(to, stat.mode & 0o7777);
  } else if (stat.kind === 'file') {
    await dst.writeFile(to, await src.readFile(from), { mode: stat.mode & 0o7777 });
    await dst.chmod(to, stat.mode & 0o7777);
  } else {
    return; // devices, fifos, sockets: not copied
  }
  if (options.preserve && stat.kind !== 'symlink') {
    try {
      await dst.chown(to, stat.uid, stat.gid);
    } catch (error) {
      if (options.ownerNotKept === undefined || errnoOf(error) !== 'EPERM') throw error;
      options.ownerNotKept.push(to);
    }
    await dst.utimes(to, stat.mtimeMs, stat.mtimeMs);
  }
}
