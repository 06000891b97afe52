// Which files on the appliance's machine a golden image may be imported from (`POST /rest/golden-images/import`):
// an existing regular file given by an absolute path, and never one of the appliance's own files.
import type { Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';
import { invalid, type AppError } from '../core/errors.js';

export interface ImportSource {
  /** The path as given, normalized: what the image is named after and the log shows. */
  path: string;
  /** The file it resolves to (symlinks followed): what is read. */
  realPath: string;
  sizeBytes: number;
}

/**
 * Checks the file an import would read. Refused (AppError invalid) with GOLDEN_IMAGE_IMPORT_BAD_PATH: a
 * relative path, a missing or unreadable file, a directory, a device; with GOLDEN_IMAGE_PATH_FORBIDDEN: a
 * file inside `dataDir` (the appliance's data directory: its database, its volumes, its TLS key), reached
 * directly, through symlinks, or as a hard link of a file in it.
 */
export async function checkImportPath(path: string, options: { dataDir: string }): Promise<ImportSource> {
  const refuse = (cause: string, action: string): AppError => invalid('GOLDEN_IMAGE_IMPORT_BAD_PATH', `Cannot import a golden image from "${path}": ${cause}`, { recommendedActions: [action] });
  if (!isAbsolute(path)) throw refuse('the path is not absolute', 'Give the absolute path of the image file on the appliance\'s machine (the CLI resolves relative paths)');
  let info: Stats;
  let realPath: string;
  try {
    info = await stat(path);
    realPath = await realpath(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw refuse('no such file on the appliance\'s machine', 'Check the path (it is read where the appliance runs, not where the client runs), or send the file with a multipart upload');
    }
    throw refuse(`cannot read it (${code ?? (error as Error).message})`, 'Make the file readable by the user the appliance runs as');
  }
  if (!info.isFile()) {
    throw refuse(info.isDirectory() ? 'it is a directory' : 'it is not a regular file', 'Give the path of an image file (HPE zip, gz, raw, qcow2, vmdk, vhdx or vdi)');
  }
  const dataDir = await realpath(options.dataDir).catch(() => normalize(options.dataDir));
  const below = relative(dataDir, realPath);
  const inside = below === '' || (below !== '..' && !below.startsWith(`..${sep}`) && !isAbsolute(below));
  if (inside || (info.nlink > 1 && (await holdsInode(dataDir, info)))) {
    const how = inside ? (realPath === normalize(path) ? '' : ` (it resolves to "${realPath}")`) : ' (it is a hard link of a file there)';
    throw invalid('GOLDEN_IMAGE_PATH_FORBIDDEN', `Cannot import a golden image from "${path}": the file is inside the appliance's data directory "${dataDir}"${how}, which holds its database and volumes`, {
      recommendedActions: ['Import an image file kept outside the data directory, or upload it with POST /rest/golden-images; to copy an existing golden image, download it (GET /rest/golden-images/download/{id})'],
    });
  }
  return { path: normalize(path), realPath, sizeBytes: info.size };
}

/** Whether a file under `dir` is the file `info` describes (same device and inode). */
async function holdsInode(dir: string, info: Stats): Promise<boolean> {
  const top = await stat(dir).catch(() => undefined);
  if (top === undefined || top.dev !== info.dev) return false;
  const names = await readdir(dir, { recursive: true }).catch(() => [] as string[]);
  for (const name of names) {
    const entry = await lstat(join(dir, name)).catch(() => undefined);
    if (entry !== undefined && entry.isFile() && entry.ino === info.ino && entry.dev === info.dev) return true;
  }
  return false;
}
