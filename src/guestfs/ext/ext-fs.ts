// ImageFs over an ext2/3/4 filesystem on a Disk, through the ext2fs WebAssembly module in a worker thread.
// Not for journal replay: images that need recovery are refused read-write before the module sees them.
import { posix } from 'node:path';
import { AppError } from '../../core/errors.js';
import type { Disk } from '../../storage/disk.js';
import type { FileKind, FileStat, ImageFs, StatVfs } from '../image-fs.js';
import { fsError, readOnlyError } from './errors.js';
import { setInodeTimes } from './inode-times.js';
import { INCOMPAT_EXTENTS, readExtSuperblock } from './superblock.js';
import { type ExtWorkerHost, WorkerCallError } from './worker-host.js';
import { ExtWorkerPool } from './worker-pool.js';

export interface OpenExtOptions {
  readOnly: boolean;
  /** The device name used in messages (`/dev/sda2`); default `/dev/sda`. */
  device?: string;
  /** Reuse warm worker threads; without a pool the filesystem gets its own thread, ended on close. */
  pool?: ExtWorkerPool;
}

interface RawStat {
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  sizeBytes: number;
  mtimeMs: number;
}

function kindOf(mode: number): FileKind {
  switch (mode & 0o170000) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'directory';
    case 0o120000:
      return 'symlink';
    default:
      return 'other';
  }
}

/**
 * Opens the ext2/3/4 filesystem that starts at byte 0 of `disk`. Throws `FS_NOT_EXT` when there is no ext
 * superblock, and `FS_NEEDS_RECOVERY` for a read-write open of a filesystem whose journal needs replaying.
 */
export async function openExt(disk: Disk, options: OpenExtOptions): Promise<ImageFs> {
  const device = options.device ?? '/dev/sda';
  const readOnly = options.readOnly || disk.readOnly;
  const sb = await readExtSuperblock(disk);
  if (!sb) {
    throw new AppError('invalid', 'FS_NOT_EXT', `Cannot open "${device}": no ext2/3/4 superblock found`);
  }
  if (sb.needsRecovery && !readOnly) {
    throw new AppError(
      'precondition',
      'FS_NEEDS_RECOVERY',
      `Cannot open "${device}" read-write: the ${sb.type} journal needs recovery (the filesystem was not unmounted cleanly)`,
      {
        recommendedActions: [
          'Replay the journal with "e2fsck -fy" on the image (or boot the OS once and shut it down cleanly), then capture it again',
          'Use mount-ro to read the filesystem without changing it',
        ],
        data: { device, type: sb.type },
      },
    );
  }
  const pool = options.pool ?? new ExtWorkerPool({ maxIdle: 0 });
  const host = pool.acquire();
  host.attach(disk, { readOnly });
  const fs = new ExtFs(host, disk, { device, type: sb.type, readOnly, release: () => pool.release(host) });
  try {
    await host.call('mount');
  } catch (e) {
    await host.call('detach').catch(() => undefined);
    await host.drained();
    pool.release(host);
    const cause = e instanceof WorkerCallError ? e.failure.code : String(e);
    throw new AppError('invalid', 'FS_CORRUPT', `Cannot open "${device}": the ext filesystem cannot be read (${cause})`, {
      cause: e,
      recommendedActions: ['Check the filesystem with "e2fsck -f" on a copy of the volume'],
    });
  }
  return fs;
}

class ExtFs implements ImageFs {
  readonly type: 'ext2' | 'ext3' | 'ext4';
  readonly readOnly: boolean;
  private readonly device: string;
  private readonly release: () => void;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly host: ExtWorkerHost,
    private readonly disk: Disk,
    info: { device: string; type: 'ext2' | 'ext3' | 'ext4'; readOnly: boolean; release: () => void },
  ) {
    this.release = info.release;
    this.device = info.device;
    this.type = info.type;
    this.readOnly = info.readOnly;
  }

  async stat(path: string): Promise<FileStat> {
    return toStat(await this.run<RawStat>('stat', 'stat', path));
  }

  async lstat(path: string): Promise<FileStat> {
    return toStat(await this.run<RawStat>('lstat', 'lstat', path));
  }

  async exists(path: string): Promise<boolean> {
    return this.run<boolean>('exists', 'exists', path);
  }

  async readFile(path: string): Promise<Buffer> {
    const data = await this.run<Uint8Array>('cat', 'readFile', path);
    return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }

  async writeFile(path: string, data: Uint8Array, options?: { mode?: number }): Promise<void> {
    this.writable('write', path);
    // mode applies only on creation (the worker sets it with chmod: the module ignores it on open)
    await this.run('write', 'writeFile', path, Uint8Array.from(data), options?.mode, false);
  }

  async appendFile(path: string, data: Uint8Array): Promise<void> {
    this.writable('write_append', path);
    await this.run('write_append', 'writeFile', path, Uint8Array.from(data), undefined, true);
  }

  async readdir(path: string): Promise<string[]> {
    return this.run<string[]>('ls', 'readdir', path);
  }

  async mkdir(path: string, options?: { mode?: number }): Promise<void> {
    this.writable('mkdir', path);
    await this.run('mkdir', 'mkdir', path, options?.mode ?? 0o755);
  }

  async unlink(path: string): Promise<void> {
    this.writable('rm', path);
    await this.run('rm', 'unlink', path);
  }

  async rmdir(path: string): Promise<void> {
    this.writable('rmdir', path);
    await this.run('rmdir', 'rmdir', path);
  }

  async rename(from: string, to: string): Promise<void> {
    this.writable('mv', from);
    await this.run('mv', 'rename', from, checkPath('mv', to));
  }

  async symlink(target: string, path: string): Promise<void> {
    this.writable('ln_s', path);
    if (target === '' || target.length > 4095) throw fsError('ln_s', path, 'EINVAL');
    await this.run('ln_s', 'symlink', path, target);
  }

  async readlink(path: string): Promise<string> {
    return this.run<string>('readlink', 'readlink', path);
  }

  async link(existing: string, path: string): Promise<void> {
    this.writable('ln', path);
    await this.run('ln', 'link', existing, checkPath('ln', path));
  }

  async chmod(path: string, mode: number): Promise<void> {
    this.writable('chmod', path);
    await this.run('chmod', 'chmod', path, mode & 0o7777);
  }

  async chown(path: string, uid: number, gid: number): Promise<void> {
    this.writable('chown', path);
    // TODO(4): the module keeps only the low 16 bits of uid and gid; refuse rather than store a wrong owner
    for (const id of [uid, gid]) {
      if (!Number.isInteger(id) || id < 0 || id > 0xffff) {
        throw new AppError('invalid', 'FS_UNSUPPORTED', `chown: ${path}: owner "${id}" is not supported on ${this.type} yet (0 to 65535)`);
      }
    }
    await this.run('chown', 'chown', path, uid, gid);
  }

  async utimes(path: string, atimeMs: number, mtimeMs: number): Promise<void> {
    this.writable('touch', path);
    const p = checkPath('touch', path);
    // The module cannot set times: unmount, patch the inode on the Disk, mount again.
    await this.exclusive(async () => {
      try {
        const ino = await this.host.call<number>('ino', p);
        await this.host.call('umount');
        try {
          await this.host.drained();
          await setInodeTimes(this.disk, ino, { atimeMs, mtimeMs, ctimeMs: Date.now() });
        } finally {
          await this.host.call('mount');
        }
      } catch (e) {
        throw toFsError('touch', path, e);
      }
    });
  }

  async statvfs(): Promise<StatVfs> {
    this.open();
    const sb = await this.exclusive(async () => {
      if (!this.readOnly) await this.remount();
      return readExtSuperblock(this.disk);
    });
    if (!sb) throw new AppError('internal', 'FS_CORRUPT', `statvfs: ${this.device}: the superblock is gone`);
    // as ext4_statfs computes it: metadata is not counted, and besides the reserved blocks ext4 keeps 2 %
    // (at most 4096 clusters) back for itself on filesystems with extents (none on ext2/ext3)
    const kernelReserve = (sb.featureIncompat & INCOMPAT_EXTENTS) === 0 ? 0 : Math.min(Math.floor(sb.blocksCount / 50), 4096);
    return {
      blockSize: sb.blockSize,
      blocks: sb.blocksCount - sb.overheadBlocks,
      blocksFree: sb.freeBlocks,
      blocksAvailable: Math.max(0, sb.freeBlocks - sb.reservedBlocks - kernelReserve),
      files: sb.inodesCount,
      filesFree: sb.freeInodes,
      nameMax: 255,
      fsid: sb.fsid,
    };
  }

  async sync(): Promise<void> {
    this.open();
    if (!this.readOnly) await this.exclusive(() => this.remount());
  }

  /** libext2fs writes its bitmaps, group descriptors and superblock only on close: unmount and mount. */
  private async remount(): Promise<void> {
    await this.host.call('remount').catch((e: unknown) => {
      throw toFsError('sync', this.device, e);
    });
  }

  /** Runs `fn` alone: calls made meanwhile wait, so multi-step operations never interleave. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.queue.then(fn);
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue;
    try {
      await this.host.call(this.readOnly ? 'detach' : 'umount');
    } catch (e) {
      await this.host.terminate(); // a thread whose unmount failed is not reused
      throw toFsError('umount', this.device, e);
    } finally {
      await this.host.drained();
      this.release();
    }
  }

  private open(): void {
    if (this.closed) throw new AppError('invalid', 'FS_CLOSED', `Cannot use "${this.device}": the filesystem is closed`);
  }

  private writable(command: string, path: string): void {
    this.open();
    if (this.readOnly) throw readOnlyError(command, path);
  }

  private async run<T>(command: string, op: string, path: string, ...rest: unknown[]): Promise<T> {
    this.open();
    const p = checkPath(command, path);
    try {
      return await this.exclusive(() => this.host.call<T>(op, p, ...rest));
    } catch (e) {
      throw toFsError(command, path, e);
    }
  }
}

function checkPath(command: string, path: string): string {
  if (!path.startsWith('/') || path.includes('\0')) {
    throw new AppError('invalid', 'FS_INVALID_PATH', `${command}: ${path}: path must start with a / character`);
  }
  return posix.normalize(path);
}

function toStat(raw: RawStat): FileStat {
  return { ...raw, kind: kindOf(raw.mode) };
}

function toFsError(command: string, path: string, e: unknown): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof WorkerCallError) return fsError(command, path, e.failure.code, e);
  return new AppError('internal', 'FS_CORRUPT', `${command}: ${path}: ${e instanceof Error ? e.message : String(e)}`, {
    cause: e,
  });
}
