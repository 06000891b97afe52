// FAT12/16/32 as an ImageFs, in-process on the partition's Disk: the FAT and the directories read so far
// stay in memory and only their changed sectors are written back on sync; file contents are read and
// written straight on the Disk. Behaves as Linux's vfat does under guestfish's default mount options
// (modes 0755, owner root, case-insensitive lookup, names stored as given, no links or owners).
import { AppError } from '../../core/errors.js';
import type { Disk } from '../../storage/disk.js';
import type { FileStat, ImageFs, StatVfs } from '../image-fs.js';
import { parseBootSector, type FatGeometry } from './boot-sector.js';
import { ATTR_ARCHIVE, ATTR_DIRECTORY, ATTR_READ_ONLY, dotEntries, msToFatTime, OFF, setCtime, setEntryStart, setMtime } from './dir-entries.js';
import { Directory } from './directory.js';
import { fail, FatErrno, fsError } from './errno.js';
import { FatTable } from './fat-table.js';
import { FatVolume, pathParts, type Found } from './volume.js';

/** What a vfat mount with guestfish's defaults (umask 022) reports. */
const FILE_MODE = 0o100755;
const DIR_MODE = 0o40755;

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
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly volume: FatVolume,
    readonly readOnly: boolean,
    private readonly device: string,
  ) {}

  private get fat(): FatTable {
    return this.volume.fat;
  }

  private now(): number {
    return this.volume.now();
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

  private async write(command: string, path: string, data: Uint8Array, append: boolean): Promise<void> {
    return this.op(
      command,
      path,
      async () => {
        const parts = pathParts(path);
        if (parts.length === 0) fail('EISDIR');
        const dir = await this.volume.parentDir(parts);
        const name = parts[parts.length - 1]!;
        let entry = dir.find(name);
        if (entry?.isDir === true) fail('EISDIR');
        if (entry !== undefined) {
          await this.volume.store(dir, entry, data, append);
          return;
        }
        if (this.volume.clustersFor(data.length) > this.fat.freeCount) fail('ENOSPC');
        this.volume.createEntry(dir, name, { attr: ATTR_ARCHIVE, start: 0 });
        entry = dir.find(name)!;
        try {
          await this.volume.store(dir, entry, data, false);
        } catch (error) {
          // no room for the data once the directory took a cluster: no empty file is left behind
          if (error instanceof FatErrno && error.errno === 'ENOSPC') dir.remove(entry);
          throw error;
        }
      },
      { writes: true },
    );
  }

  private async statOf(found: Found): Promise<FileStat> {
    if (found.root) {
      const root = await this.volume.directory(0);
      return { kind: 'directory', sizeBytes: root.sizeBytes, mode: DIR_MODE, uid: 0, gid: 0, mtimeMs: 0, nlink: 2 + root.entries().filter((e) => e.isDir).length };
    }
    const { entry } = found;
    if (entry.isDir) {
      const dir = await this.volume.subdirectory(entry);
      return { kind: 'directory', sizeBytes: dir.sizeBytes, mode: DIR_MODE, uid: 0, gid: 0, mtimeMs: entry.mtimeMs, nlink: 2 + dir.entries().filter((e) => e.isDir).length };
    }
    const mode = entry.attr & ATTR_READ_ONLY ? FILE_MODE & ~0o222 : FILE_MODE;
    return { kind: 'file', sizeBytes: entry.sizeBytes, mode, uid: 0, gid: 0, mtimeMs: entry.mtimeMs, nlink: 1 };
  }

  stat(path: string): Promise<FileStat> {
    return this.op('stat', path, async () => this.statOf(await this.volume.existing(path)));
  }

  lstat(path: string): Promise<FileStat> {
    return this.op('lstat', path, async () => this.statOf(await this.volume.existing(path)));
  }

  exists(path: string): Promise<boolean> {
    return this.op('exists', path, async () => {
      try {
        await this.volume.existing(path);
        return true;
      } catch (error) {
        if (error instanceof FatErrno && (error.errno === 'ENOENT' || error.errno === 'ENOTDIR')) return false;
        throw error;
      }
    });
  }

  readFile(path: string): Promise<Buffer> {
    return this.op('cat', path, async () => {
      const found = await this.volume.existing(path);
      if (found.root || found.entry.isDir) fail('EISDIR');
      return this.volume.readFile((found as Extract<Found, { root: false }>).entry);
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
      const found = await this.volume.existing(path);
      if (!found.root && !found.entry.isDir) fail('ENOTDIR');
      const dir = await (found.root ? this.volume.directory(0) : this.volume.subdirectory(found.entry));
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
        const parent = await this.volume.parentDir(parts);
        const name = parts[parts.length - 1]!;
        if (parent.find(name) !== undefined) fail('EEXIST');
        const [cluster] = this.fat.allocate(1);
        try {
          this.volume.createEntry(parent, name, { attr: ATTR_DIRECTORY, start: cluster! });
        } catch (error) {
          this.fat.release([cluster!]);
          throw error;
        }
        const dir = new Directory(cluster!, this.volume.geometry, [], Buffer.alloc(0));
        dir.grow([cluster!]);
        dir.write(0, dotEntries(cluster!, parent.start === this.volume.rootKey ? 0 : parent.start, this.now()));
        this.volume.adopt(dir);
      },
      { writes: true },
    );
  }

  unlink(path: string): Promise<void> {
    return this.op(
      'rm',
      path,
      async () => {
        const found = await this.volume.existing(path);
        if (found.root || found.entry.isDir) fail('EISDIR');
        const { parent, entry } = found as Extract<Found, { root: false }>;
        const chain = this.fat.chain(entry.start);
        parent.remove(entry);
        this.fat.release(chain);
      },
      { writes: true },
    );
  }

  rmdir(path: string): Promise<void> {
    return this.op(
      'rmdir',
      path,
      async () => {
        const found = await this.volume.existing(path);
        if (found.root) fail('EBUSY');
        const { parent, entry } = found as Extract<Found, { root: false }>;
        if (!entry.isDir) fail('ENOTDIR');
        const dir = await this.volume.subdirectory(entry);
        if (dir.entries().length > 0) fail('ENOTEMPTY');
        parent.remove(entry);
        this.volume.dropDirectory(dir);
      },
      { writes: true },
    );
  }

  rename(from: string, to: string): Promise<void> {
    return this.op(
      'mv',
      from,
      async () => {
        const source = await this.volume.existing(from);
        const toParts = pathParts(to);
        if (source.root || toParts.length === 0) fail('EBUSY');
        const { parent: oldParent, entry } = source as Extract<Found, { root: false }>;
        const trail: number[] = [];
        const newParent = await this.volume.parentDir(toParts, trail);
        if (entry.isDir && trail.includes(entry.start)) fail('EINVAL');
        const name = toParts[toParts.length - 1]!;
        const target = newParent.find(name);
        if (target !== undefined && newParent === oldParent && target.slot === entry.slot) return;
        const template = oldParent.entryBytes(entry.slot);
        // a directory changing parent has its '..' rewritten: checked before anything changes
        const moved = entry.isDir && newParent !== oldParent ? await this.volume.subdirectory(entry) : undefined;
        if (moved !== undefined && moved.entryBytes(1).toString('latin1', 0, 11) !== '..         ') fail('EIO', `directory "${entry.name}" has no '..' entry`);
        if (target !== undefined) {
          if (entry.isDir && !target.isDir) fail('ENOTDIR');
          if (!entry.isDir && target.isDir) fail('EISDIR');
          const replaced = target.isDir ? await this.volume.subdirectory(target) : undefined;
          if (replaced !== undefined && replaced.entries().length > 0) fail('ENOTEMPTY');
          const replacedChain = replaced === undefined ? this.fat.chain(target.start) : [];
          // the target's entry (and its name) takes the source's file, as Linux's vfat_rename does
          newParent.edit(target.slot, (bytes, at) => {
            const lcase = bytes[at + OFF.lcase]!;
            template.copy(bytes, at + OFF.attr, OFF.attr);
            bytes[at + OFF.lcase] = lcase;
            setCtime(bytes, at, this.now());
          });
          if (replaced !== undefined) this.volume.dropDirectory(replaced);
          else this.fat.release(replacedChain);
        } else {
          this.volume.createEntry(newParent, name, { attr: entry.attr, start: entry.start, template });
        }
        // the source's slots are where they were: a new entry only fills free slots or grows the directory
        oldParent.remove(entry);
        moved?.edit(1, (bytes, at) => setEntryStart(bytes, at, newParent.start === this.volume.rootKey ? 0 : newParent.start));
      },
      { writes: true },
    );
  }

  symlink(_target: string, path: string): Promise<void> {
    return this.op('ln_s', path, () => Promise.reject(new FatErrno('EPERM')), { writes: true });
  }

  readlink(path: string): Promise<string> {
    return this.op('readlink', path, async () => {
      await this.volume.existing(path);
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
        const found = await this.volume.existing(path);
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
        await this.volume.existing(path);
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
        const found = await this.volume.existing(path);
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
        blockSize: this.volume.geometry.clusterSize,
        blocks: this.volume.geometry.clusterCount,
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
    if (!this.readOnly) await this.volume.flush();
  }

  sync(): Promise<void> {
    return this.op('sync', this.device, () => this.flushAll());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.op('umount', this.device, async () => {
      await this.flushAll();
      this.closed = true;
      this.volume.forget();
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
  const volume = new FatVolume(disk, geometry, await FatTable.read(disk, geometry), options.now ?? Date.now);
  return new FatFs(volume, options.readOnly || disk.readOnly, options.device);
}


