// Which files on the appliance's machine a golden image may be imported from (`POST /rest/golden-images/import`):
// an existing regular file given by an absolute path, and never one of the appliance's own files. The file is
// opened once, checked as opened, and read through that descriptor: renaming another file onto the path
// after the check changes nothing.
import { constants, type Stats } from 'node:fs';
import { lstat, open, readdir, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, resolve, sep } from 'node:path';
import { invalid, type AppError } from '../core/errors.js';

export interface ImportSource {
  /** The path as given, normalized: what the image is named after and the log shows. */
  path: string;
  /** Where the file opened was (symlinks followed), for the log. */
  realPath: string;
  sizeBytes: number;
  /**
   * The path to read: `/proc/<pid>/fd/<n>`, the checked file itself for this process and the tools it
   * starts (qemu-img), whatever is renamed onto `path` or `realPath` later. Valid until `close()`.
   */
  readPath: string;
  /** Closes the descriptor; call it once the import has read the file (or will not). */
  close(): Promise<void>;
}

/**
 * Checks the file an import would read. Refused (AppError invalid) with GOLDEN_IMAGE_IMPORT_BAD_PATH: a
 * relative path, a missing or unreadable file, a directory, a device; with GOLDEN_IMAGE_PATH_FORBIDDEN: a
 * file inside `dataDir` (the appliance's data directory: its database, its volumes, its TLS key), reached
 * directly, through symlinks, as a hard link of a file in it or through a bind mount of a directory in it.
 */
export async function checkImportPath(path: string, options: { dataDir: string }): Promise<ImportSource> {
  const refuse = (cause: string, action: string): AppError => invalid('GOLDEN_IMAGE_IMPORT_BAD_PATH', `Cannot import a golden image from "${path}": ${cause}`, { recommendedActions: [action] });
  if (!isAbsolute(path)) throw refuse('the path is not absolute', 'Give the absolute path of the image file on the appliance\'s machine (the CLI resolves relative paths)');
  const unreadable = (error: unknown): AppError => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      return refuse('no such file on the appliance\'s machine', 'Check the path (it is read where the appliance runs, not where the client runs), or send the file with a multipart upload');
    }
    return refuse(`cannot read it (${code ?? (error as Error).message})`, 'Make the file readable by the user the appliance runs as');
  };
  const notRegular = (info: Stats): AppError =>
    refuse(info.isDirectory() ? 'it is a directory' : 'it is not a regular file', 'Give the path of an image file (HPE zip, gz, raw, qcow2, vmdk, vhdx or vdi)');
  // stat first: a device or a FIFO is refused without being opened (opening one can block or act)
  const first = await stat(path).catch((error: unknown) => {
    throw unreadable(error);
  });
  if (!first.isFile()) throw notRegular(first);
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY).catch((error: unknown) => {
    throw unreadable(error);
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notRegular(info);
    const realPath = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => realpath(path));
    const dataDir = await realpath(options.dataDir).catch(() => resolve(options.dataDir));
    const below = relative(dataDir, realPath);
    const inside = below === '' || (below !== '..' && !below.startsWith(`..${sep}`) && !isAbsolute(below));
    if (inside || (await sameFileIn(dataDir, info))) {
      const how = !inside ? ' (it is the same file as one there: a hard link, or reached through a bind mount)' : realPath === normalize(path) ? '' : ` (it resolves to "${realPath}")`;
      throw invalid('GOLDEN_IMAGE_PATH_FORBIDDEN', `Cannot import a golden image from "${path}": the file is inside the appliance's data directory "${dataDir}"${how}, which holds its database and volumes`, {
        recommendedActions: ['Import an image file kept outside the data directory, or upload it with POST /rest/golden-images; to copy an existing golden image, download it (GET /rest/golden-images/download/{id})'],
      });
    }
    return { path: normalize(path), realPath, sizeBytes: info.size, readPath: await descriptorPath(handle, info, realPath), close: () => handle.close() };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * A path that opens the file `handle` has open: its /proc entry, when this system has one that leads to
 * the same file (Linux), else its real path (then a file renamed onto it later would be read instead).
 */
async function descriptorPath(handle: FileHandle, info: Stats, realPath: string): Promise<string> {
  const path = `/proc/${process.pid}/fd/${handle.fd}`;
  const there = await stat(path).catch(() => undefined);
  return there !== undefined && there.dev === info.dev && there.ino === info.ino ? path : realPath;
}

/**
 * Whether the file `info` describes is one of `dir`'s though its path lies elsewhere: a hard link of a file
 * there, or reached through a bind mount. Both keep device and inode, so only a file on the data
 * directory's filesystem needs the walk.
 */
async function sameFileIn(dir: string, info: Stats): Promise<boolean> {
  const top = await stat(dir).catch(() => undefined);
  if (top === undefined || top.dev !== info.dev) return false;
  const walk = async (at: string): Promise<boolean> => {
    for (const entry of await readdir(at, { withFileTypes: true }).catch(() => [])) {
      const child = join(at, entry.name);
      const st = await lstat(child).catch(() => undefined);
      if (st === undefined || st.dev !== top.dev) continue;
      if (st.isFile() && st.ino === info.ino) return true;
      if (st.isDirectory() && (await walk(child))) return true;
    }
    return false;
  };
  return walk(dir);
}
