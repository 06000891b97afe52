// FAT12/16/32 as an ImageFs, in-process on the partition's Disk: the FAT and the directories read so far
// stay in memory and only their changed sectors are written back on sync; file contents are read and
// written straight on the Disk. Behaves as Linux's vfat does under guestfish's default mount options
// (modes 0755, owner root, case-insensitive lookup, names stored as given, no links or owners).
import { AppError } from '../../core/errors.js';
import type { Disk } from '../../storage/disk.js';
import type { FileStat, ImageFs, StatVfs } from '../image-fs.js';
import { clusterOffset, parseBootSector, type FatGeometry } from './boot-sector.js';
import { ATTR_ARCHIVE, ATTR_DIRECTORY, ATTR_READ_ONLY, buildEntry, dotEntries, ENTRY_BYTES, msToFatTime, OFF, setCtime, setEntryStart, setMtime, type DirEntry } from './dir-entries.js';
import { Directory, runs } from './directory.js';
import { fail, FatErrno, fsError } from './errno.js';
import { FatTable } from './fat-table.js';
import { makeShortName, storedName } from './names.js';

/** Linux's FAT_MAX_DIR_SIZE: a directory holds at most 65536 slots. */
const MAX_DIR_BYTES = 2 * 1024 * 1024;
/** Largest single read or write of file data. */
const IO_CHUNK = 4 * 1024 * 1024;
/** What a vfat mount with guestfish's defaults (umask 022) reports. */
const FILE_MODE = 0o100755;
const DIR_MODE = 0o40755;

/** A path's entry in its parent directory, or the root (no parent). */
type Found = { root: true } | { root: false; parent: Directory; entry: DirEntry };

function pathParts(path: string): string[] {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts;
}

/** f_fsid of a /dev/sdXN device as Linux reports it for FAT (its device number, huge_encode_dev). */
function deviceFsid(device: string): bigint | undefined {
  const m = /^\/dev\/sd([a-z])(\d*)$/.exec(device);
  if (m === null) return undefined;
  const partition = m[2] === '' ? 0 : Number(m[2]);
  if (partition > 15) return undefined;
  const minor = (m[1]!.charCodeAt(0) - 0x61) * 16 + partition;
  return BigInt((minor & 0xff) | (8 << 8) | ((minor & ~0xff) << 12));
}

export interface OpenFatOptions {
  readOnly: boolean;
  /** The device name errors and statvfs' fsid use (`/dev/sda1`). */
  device: string;
  /** The clock for the times written (Unix ms); the system clock by default. */
  now?: () => number;
}

class FatFs implements ImageFs {
  readonly type = 'vfat' as const;
  private readonly dirs = new Map<number, Directory>();
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly now: () => number;

  constructor(
    private readonly disk: Disk,
    private readonly geometry: FatGeometry,
    private readonly fat: FatTable,
    readonly readOnly: boolean,
    private readonly device: string,
    now: (() => number) | undefined,
  ) {
    this.now = now ?? Date.now;
  }

  /** Runs one operation at a time, and turns engine errnos into ImageFs errors for `command` on `path`. */
  private op<T>(command: string, path: string, body: () => Promise<T>, options: { writes?: boolean } = {}): Promise<T> {
    const run = async (): Promise<T> => {
      if (this.closed) throw new AppError('invalid', 'FS_CLOSED', `Cannot use "${this.device}": the filesystem is closed`);
      try {
        if (options.writes === true && this.readOnly) fail('EROFS');
        return await body();
      } catch (error) {
        if (error instanceof FatErrno) throw fsError(command, path, error.errno, error);
        throw error;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  // --- directories and lookup -------------------------------------------------------------------

  private get rootKey(): number {
    return this.geometry.width === 32 ? this.geometry.rootCluster : 0;
  }

  /** The directory whose first cluster is `start` (0 and the FAT32 root cluster are the root). */
  private async directory(start: number): Promise<Directory> {
    const key = start === 0 ? this.rootKey : start;
    let dir = this.dirs.get(key);
    if (dir === undefined) {
      dir = await Directory.read(this.disk, this.geometry, key, key === 0 ? [] : this.fat.chain(key));
      this.dirs.set(key, dir);
    }
    return dir;
  }

  /** Resolves `parts`; ENOENT when a component is missing, ENOTDIR when one before the last is a file. */
  private async lookup(parts: readonly string[]): Promise<Found> {
    if (parts.length === 0) return { root: true };
    const parent = await this.parentDir(parts);
    const entry = parent.find(parts[parts.length - 1]!);
    if (entry === undefined) fail('ENOENT');
    return { root: false, parent, entry: entry! };
  }

  /** The directory holding the last component of `parts`, and the first clusters of every directory on the way. */
  private async parentDir(parts: readonly string[], trail?: number[]): Promise<Directory> {
    let dir = await this.directory(0);
    trail?.push(dir.start);
    for (const part of parts.slice(0, -1)) {
      const entry = dir.find(part);
      if (entry === undefined) fail('ENOENT');
      if (!entry!.isDir) fail('ENOTDIR');
      dir = await this.directory(entry!.start);
      trail?.push(dir.start);
    }
    return dir;
  }

  private async existing(path: string): Promise<Found> {
    return this.lookup(pathParts(path));
  }

  /** Adds an entry's slots to `dir`, growing it by whole clusters when no run of free slots is long enough. */
  private addSlots(dir: Directory, bytes: Buffer): void {
    const count = bytes.length / ENTRY_BYTES;
    const run = dir.freeRun(count);
    if (run.shortBy > 0) {
      if (dir.fixed) fail('ENOSPC');
      const clusters = Math.ceil((run.shortBy * ENTRY_BYTES) / this.geometry.clusterSize);
      if (dir.sizeBytes + clusters * this.geometry.clusterSize > MAX_DIR_BYTES) fail('ENOSPC');
      dir.grow(this.fat.allocate(clusters, dir.lastCluster));
    }
    dir.write(run.slot, bytes);
  }

  /** Creates the entry `name` in `dir`; `template` (a short entry) gives attributes, start, size and times. */
  private createEntry(dir: Directory, name: string, fields: { attr: number; start: number; template?: Buffer | undefined }): void {
    const stored = storedName(name);
    const alias = makeShortName(stored, (a) => dir.aliasTaken(a));
    const bytes = buildEntry({ name: stored, alias: alias.bytes, alone: alias.alone, attr: fields.attr, start: fields.start, sizeBytes: 0, nowMs: this.now() });
    if (fields.template !== undefined) {
      const at = bytes.length - ENTRY_BYTES;
      fields.template.copy(bytes, at + OFF.attr, OFF.attr);
      bytes[at + OFF.lcase] = 0;
      setCtime(bytes, at, this.now());
    }
    this.addSlots(dir, bytes);
  }

  // --- file data --------------------------------------------------------------------------------

  private async readChain(clusters: readonly number[], sizeBytes: number): Promise<Buffer> {
    const out = Buffer.alloc(sizeBytes);
    const size = this.geometry.clusterSize;
    for (const run of runs(clusters)) {
      const start = run.index * size;
      if (start >= sizeBytes) break;
      const length = Math.min(run.count * size, sizeBytes - start);
      for (let done = 0; done < length; done += IO_CHUNK) {
        const n = Math.min(IO_CHUNK, length - done);
        const data = await this.disk.read(clusterOffset(this.geometry, run.first) + done, n);
        data.copy(out, start + done);
      }
    }
    return out;
  }

  /** Writes `data` at byte `offset` of a file whose clusters are `clusters`; the rest of its last cluster is zeroed. */
  private async writeChain(clusters: readonly number[], offset: number, data: Uint8Array): Promise<void> {
    const size = this.geometry.clusterSize;
    const end = Math.ceil((offset + data.length) / size) * size;
    for (const run of runs(clusters)) {
      const runStart = run.index * size;
      const from = Math.max(offset, runStart);
      const to = Math.min(end, runStart + run.count * size);
      for (let at = from; at < to; at += IO_CHUNK) {
        const stop = Math.min(to, at + IO_CHUNK);
        let piece: Uint8Array = data.subarray(at - offset, Math.min(stop, offset + data.length) - offset);
        if (piece.length < stop - at) {
          const padded = Buffer.alloc(stop - at);
          padded.set(piece);
          piece = padded;
        }
        await this.disk.write(clusterOffset(this.geometry, run.first) + (at - runStart), piece);
      }
    }
  }

  private clustersFor(bytes: number): number {
    return Math.ceil(bytes / this.geometry.clusterSize);
  }

  /** Sets a file's contents to `data` (or appends it), reusing its clusters and freeing or adding the difference. */
  private async store(dir: Directory, entry: DirEntry, data: Uint8Array, append: boolean): Promise<void> {
    const chain = this.fat.chain(entry.start);
    const keep = append ? entry.sizeBytes : 0;
    const total = keep + data.length;
    if (total > 0xffffffff) fail('EFBIG');
    const need = this.clustersFor(total);
    if (need > chain.length) chain.push(...this.fat.allocate(need - chain.length, chain[chain.length - 1]));
    else if (need < chain.length) this.fat.release(chain.splice(need), need > 0 ? chain[need - 1] : undefined);
    await this.writeChain(chain, keep, data);
    const now = this.now();
    dir.edit(entry.slot, (bytes, at) => {
      setEntryStart(bytes, at, chain[0] ?? 0);
      bytes.writeUInt32LE(total, at + OFF.size);
      bytes[at + OFF.attr] = bytes[at + OFF.attr]! | ATTR_ARCHIVE;
      setMtime(bytes, at, now);
      setCtime(bytes, at, now);
    });
  }

  private async write(command: string, path: string, data: Uint8Array, append: boolean): Promise<void> {
    return this.op(
      command,
      path,
      async () => {
        const parts = pathParts(path);
        if (parts.length === 0) fail('EISDIR');
        const dir = await this.parentDir(parts);
        const name = parts[parts.length - 1]!;
        let entry = dir.find(name);
        if (entry?.isDir === true) fail('EISDIR');
        if (entry !== undefined) {
          await this.store(dir, entry, data, append);
          return;
        }
        if (this.clustersFor(data.length) > this.fat.freeCount) fail('ENOSPC');
        this.createEntry(dir, name, { attr: ATTR_ARCHIVE, start: 0 });
        entry = dir.find(name)!;
        try {
          await this.store(dir, entry, data, false);
        } catch (error) {
          // no room for the data once the directory took a cluster: no empty file is left behind
          if (error instanceof FatErrno && error.errno === 'ENOSPC') dir.remove(entry);
          throw error;
        }
      },
      { writes: true },
    );
  }

  // --- ImageFs ----------------------------------------------------------------------------------

  private async statOf(found: Found): Promise<FileStat> {
    if (found.root) {
      const root = await this.directory(0);
      return { kind: 'directory', sizeBytes: root.sizeBytes, mode: DIR_MODE, uid: 0, gid: 0, mtimeMs: 0, nlink: 2 + root.entries().filter((e) => e.isDir).length };
    }
    const { entry } = found;
    if (entry.isDir) {
      const dir = await this.directory(entry.start);
      return { kind: 'directory', sizeBytes: dir.sizeBytes, mode: DIR_MODE, uid: 0, gid: 0, mtimeMs: entry.mtimeMs, nlink: 2 + dir.entries().filter((e) => e.isDir).length };
    }
    const mode = entry.attr & ATTR_READ_ONLY ? FILE_MODE & ~0o222 : FILE_MODE;
    return { kind: 'file', sizeBytes: entry.sizeBytes, mode, uid: 0, gid: 0, mtimeMs: entry.mtimeMs, nlink: 1 };
  }

  stat(path: string): Promise<FileStat> {
    return this.op('stat', path, async () => this.statOf(await this.existing(path)));
  }

  lstat(path: string): Promise<FileStat> {
    return this.op('lstat', path, async () => this.statOf(await this.existing(path)));
  }

  exists(path: string): Promise<boolean> {
    return this.op('exists', path, async () => {
      try {
        await this.existing(path);
        return true;
      } catch (error) {
        if (error instanceof FatErrno && (error.errno === 'ENOENT' || error.errno === 'ENOTDIR')) return false;
        throw error;
      }
    });
  }

  readFile(path: string): Promise<Buffer> {
    return this.op('cat', path, async () => {
      const found = await this.existing(path);
      if (found.root || found.entry.isDir) fail('EISDIR');
      const { entry } = found as Extract<Found, { root: false }>;
      const chain = this.fat.chain(entry.start);
      if (chain.length < this.clustersFor(entry.sizeBytes)) fail('EIO', `${path} is ${entry.sizeBytes} bytes but has ${chain.length} clusters`);
      return this.readChain(chain, entry.sizeBytes);
    });
  }

  writeFile(path: string, data: Uint8Array): Promise<void> {
    return this.write('write', path, data, false);
  }

  appendFile(path: string, data: Uint8Array): Promise<void> {
    return this.write('write_append', path, data, true);
  }

  readdir(path: string): Promise<string[]> {
    return this.op('ls', path, async () => {
      const found = await this.existing(path);
      if (!found.root && !found.entry.isDir) fail('ENOTDIR');
      const dir = await this.directory(found.root ? 0 : found.entry.start);
      return dir.entries().map((e) => e.name);
    });
  }

  mkdir(path: string): Promise<void> {
    return this.op(
      'mkdir',
      path,
      async () => {
        const parts = pathParts(path);
        if (parts.length === 0) fail('EEXIST');
        const parent = await this.parentDir(parts);
        const name = parts[parts.length - 1]!;
        if (parent.find(name) !== undefined) fail('EEXIST');
        const [cluster] = this.fat.allocate(1);
        try {
          this.createEntry(parent, name, { attr: ATTR_DIRECTORY, start: cluster! });
        } catch (error) {
          this.fat.release([cluster!]);
          throw error;
        }
        const dir = new Directory(cluster!, this.geometry, [], Buffer.alloc(0));
        dir.grow([cluster!]);
        dir.write(0, dotEntries(cluster!, parent.start === this.rootKey ? 0 : parent.start, this.now()));
        this.dirs.set(cluster!, dir);
      },
      { writes: true },
    );
  }

  unlink(path: string): Promise<void> {
    return this.op(
      'rm',
      path,
      async () => {
        const found = await this.existing(path);
        if (found.root || found.entry.isDir) fail('EISDIR');
        const { parent, entry } = found as Extract<Found, { root: false }>;
        const chain = this.fat.chain(entry.start);
        parent.remove(entry);
        this.fat.release(chain);
      },
      { writes: true },
    );
  }

  /** Frees a directory's clusters and forgets its cached contents (unwritten changes included). */
  private dropDirectory(dir: Directory): void {
    this.dirs.delete(dir.start);
    this.fat.release(dir.allClusters);
  }

  rmdir(path: string): Promise<void> {
    return this.op(
      'rmdir',
      path,
      async () => {
        const found = await this.existing(path);
        if (found.root) fail('EBUSY');
        const { parent, entry } = found as Extract<Found, { root: false }>;
        if (!entry.isDir) fail('ENOTDIR');
        const dir = await this.directory(entry.start);
        if (dir.entries().length > 0) fail('ENOTEMPTY');
        parent.remove(entry);
        this.dropDirectory(dir);
      },
      { writes: true },
    );
  }

  rename(from: string, to: string): Promise<void> {
    return this.op(
      'mv',
      from,
      async () => {
        const source = await this.existing(from);
        const toParts = pathParts(to);
        if (source.root || toParts.length === 0) fail('EBUSY');
        const { parent: oldParent, entry } = source as Extract<Found, { root: false }>;
        const trail: number[] = [];
        const newParent = await this.parentDir(toParts, trail);
        if (entry.isDir && trail.includes(entry.start)) fail('EINVAL');
        const name = toParts[toParts.length - 1]!;
        const target = newParent.find(name);
        if (target !== undefined && newParent === oldParent && target.slot === entry.slot) return;
        const template = oldParent.entryBytes(entry.slot);
        if (target !== undefined) {
          if (entry.isDir && !target.isDir) fail('ENOTDIR');
          if (!entry.isDir && target.isDir) fail('EISDIR');
          const replaced = target.isDir ? await this.directory(target.start) : undefined;
          if (replaced !== undefined && replaced.entries().length > 0) fail('ENOTEMPTY');
          // the target's entry (and its name) takes the source's file, as Linux's vfat_rename does
          newParent.edit(target.slot, (bytes, at) => {
            const lcase = bytes[at + OFF.lcase]!;
            template.copy(bytes, at + OFF.attr, OFF.attr);
            bytes[at + OFF.lcase] = lcase;
            setCtime(bytes, at, this.now());
          });
          if (replaced !== undefined) this.dropDirectory(replaced);
          else this.fat.release(this.fat.chain(target.start));
        } else {
          this.createEntry(newParent, name, { attr: entry.attr, start: entry.start, template });
        }
        // the source's slots are where they were: a new entry only fills free slots or grows the directory
        oldParent.remove(entry);
        if (entry.isDir && newParent !== oldParent) {
          const moved = await this.directory(entry.start);
          moved.edit(1, (bytes, at) => setEntryStart(bytes, at, newParent.start === this.rootKey ? 0 : newParent.start));
        }
      },
      { writes: true },
    );
  }

  symlink(_target: string, path: string): Promise<void> {
    return this.op('ln_s', path, () => Promise.reject(new FatErrno('EPERM')), { writes: true });
  }

  readlink(path: string): Promise<string> {
    return this.op('readlink', path, async () => {
      await this.existing(path);
      return fail('EINVAL');
    });
  }

  link(_existing: string, path: string): Promise<void> {
    return this.op('ln', path, () => Promise.reject(new FatErrno('EPERM')), { writes: true });
  }

  /**
   * As Linux's fat_setattr with the default umask 022: set-id and sticky bits are EPERM; a mode that keeps
   * every read and execute bit sets (no write bit) or clears (owner write) a file's read-only attribute;
   * any other mode is accepted and changes nothing.
   */
  chmod(path: string, mode: number): Promise<void> {
    return this.op(
      'chmod',
      path,
      async () => {
        const found = await this.existing(path);
        if ((mode & 0o7000) !== 0) fail('EPERM');
        if (found.root || found.entry.isDir || (mode & 0o555) !== 0o555) return;
        const { parent, entry } = found;
        const readOnly = (mode & 0o200) === 0;
        parent.edit(entry.slot, (bytes, at) => {
          bytes[at + OFF.attr] = readOnly ? bytes[at + OFF.attr]! | ATTR_READ_ONLY : bytes[at + OFF.attr]! & ~ATTR_READ_ONLY;
          setCtime(bytes, at, this.now());
        });
      },
      { writes: true },
    );
  }

  /** Owners other than root are EPERM (the mount's uid and gid are 0); root is accepted and changes nothing. */
  chown(path: string, uid: number, gid: number): Promise<void> {
    return this.op(
      'chown',
      path,
      async () => {
        await this.existing(path);
        if (uid !== 0 || gid !== 0) fail('EPERM');
      },
      { writes: true },
    );
  }

  utimes(path: string, atimeMs: number, mtimeMs: number): Promise<void> {
    return this.op(
      'touch',
      path,
      async () => {
        const found = await this.existing(path);
        if (found.root) return;
        const { parent, entry } = found;
        parent.edit(entry.slot, (bytes, at) => {
          setMtime(bytes, at, mtimeMs);
          bytes.writeUInt16LE(msToFatTime(atimeMs).date, at + OFF.adate);
          setCtime(bytes, at, this.now());
        });
      },
      { writes: true },
    );
  }

  statvfs(): Promise<StatVfs> {
    return this.op('statvfs', this.device, () => {
      const fsid = deviceFsid(this.device);
      return Promise.resolve({
        blockSize: this.geometry.clusterSize,
        blocks: this.geometry.clusterCount,
        blocksFree: this.fat.freeCount,
        blocksAvailable: this.fat.freeCount,
        files: 0,
        filesFree: 0,
        // Linux: FAT_LFN_LEN (255) times NLS_MAX_CHARSET_SIZE (6)
        nameMax: 255 * 6,
        ...(fsid === undefined ? {} : { fsid }),
      });
    });
  }

  private async flushAll(): Promise<void> {
    if (this.readOnly) return;
    await this.fat.flush(this.disk);
    for (const dir of this.dirs.values()) await dir.flush(this.disk);
    await this.disk.flush();
  }

  sync(): Promise<void> {
    return this.op('sync', this.device, () => this.flushAll());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.op('umount', this.device, async () => {
      await this.flushAll();
      this.closed = true;
      this.dirs.clear();
    });
  }
}

/**
 * Opens the FAT12/16/32 filesystem on `disk` (a partition). FS_CORRUPT when the boot sector is not FAT's.
 * Nothing is written until a change is made and `sync` or `close` runs.
 */
export async function openFat(disk: Disk, options: OpenFatOptions): Promise<ImageFs> {
  let geometry: FatGeometry;
  try {
    geometry = parseBootSector(await disk.read(0, Math.min(disk.sizeBytes, 4096)), disk.sizeBytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AppError('invalid', 'FS_CORRUPT', `mount: ${options.device}: not a readable FAT filesystem (${reason})`, { cause: error });
  }
  const fat = await FatTable.read(disk, geometry);
  return new FatFs(disk, geometry, fat, options.readOnly || disk.readOnly, options.device, options.now);
}


