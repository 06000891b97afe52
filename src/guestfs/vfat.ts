// FAT12/16/32 filesystems (UEFI system partitions) read-write through Debian's mtools, which keeps both
// FATs and long names right. mtools needs a plain file and our disks are copy-on-write volumes, so the
// partition is copied to a sparse temporary file at mount (holes the Disk reports are skipped), and on sync
// only the 64 KiB blocks that changed are written back to the Disk.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../core/errors.js';
import type { Disk } from '../storage/disk.js';
import type { FileStat, ImageFs, StatVfs } from './image-fs.js';

const BLOCK = 64 * 1024;
/** Blocks read or compared per file read: large reads keep a 100 MiB partition's scan to a few dozen calls. */
const CHUNK = 16 * BLOCK;
const ZERO_BLOCK = Buffer.alloc(BLOCK);
/** The hash recorded for a block that was all zeroes at mount (compared with memcmp, not hashed). */
const ZERO = '';

const isZero = (data: Buffer): boolean => data.equals(data.length === BLOCK ? ZERO_BLOCK : ZERO_BLOCK.subarray(0, data.length));
const blockHash = (data: Buffer): string => (isZero(data) ? ZERO : createHash('sha1').update(data).digest('hex'));

interface Listed {
  isDir: boolean;
  size: number;
  mtimeMs: number;
}

/** A line of `mdir -a`: short name, extension, size or <DIR>, date, time, then the long name if any. */
const LISTING_LINE = /^(\S+)\s+(\S{0,3})\s+(<DIR>|\d+)\s+(\d{4}-\d\d-\d\d)\s+(\d{1,2}:\d\d)\s?(.*)$/;

interface Run {
  stdout: Buffer;
  stderr: string;
  code: number;
}

function mtools(tool: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(tool, args, { encoding: 'buffer', env: { ...process.env, MTOOLS_SKIP_CHECK: '1', MTOOLS_NO_VFAT: '0' }, maxBuffer: 512 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new AppError('unavailable', 'FAT_MTOOLS_MISSING', `Cannot use the FAT filesystem: "${tool}" is missing`, { recommendedActions: ['Install the Debian package mtools'] }));
        return;
      }
      resolve({ stdout, stderr: stderr.toString('utf8'), code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1 });
    });
  });
}

function clean(path: string): string {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  return `/${parts.join('/')}`;
}

function parentOf(path: string): { dir: string; name: string } {
  const p = clean(path);
  const i = p.lastIndexOf('/');
  return { dir: i <= 0 ? '/' : p.slice(0, i), name: p.slice(i + 1) };
}

class FatFs implements ImageFs {
  readonly type = 'vfat' as const;
  /** Per 64 KiB block: its sha1 when last synced, or ZERO. */
  private readonly hashes: string[] = [];
  /** A mutating mtools command ran since the last sync. */
  private dirty = false;

  constructor(
    private readonly disk: Disk,
    private readonly image: string,
    private readonly work: string,
    readonly readOnly: boolean,
    private readonly device: string,
  ) {}

  static async open(disk: Disk, options: { readOnly: boolean; device: string }): Promise<FatFs> {
    const work = await mkdtemp(join(tmpdir(), 'streamer-vfat-'));
    const image = join(work, 'fs.img');
    const fs = new FatFs(disk, image, work, options.readOnly || disk.readOnly, options.device);
    const file = await open(image, 'w');
    try {
      await file.truncate(disk.sizeBytes);
      fs.hashes.length = Math.ceil(disk.sizeBytes / BLOCK);
      fs.hashes.fill(ZERO);
      for (const range of await dataRanges(disk)) {
        for (let at = range.start; at < range.end; at += CHUNK) {
          const data = await disk.read(at, Math.min(CHUNK, range.end - at));
          for (let i = 0; i < data.length; i += BLOCK) {
            const block = data.subarray(i, i + BLOCK);
            const hash = blockHash(block);
            fs.hashes[(at + i) / BLOCK] = hash;
            if (hash !== ZERO) await file.write(block, 0, block.length, at + i);
          }
        }
      }
    } finally {
      await file.close();
    }
    const check = await mtools('minfo', ['-i', image, '::']);
    if (check.code !== 0) {
      await rm(work, { recursive: true, force: true });
      throw new AppError('invalid', 'FS_CORRUPT', `mount: ${options.device}: not a readable FAT filesystem (${check.stderr.trim()})`);
    }
    return fs;
  }

  private fail(command: string, path: string, stderr: string): AppError {
    if (/not found|No such/i.test(stderr)) return new AppError('not_found', 'FS_NOT_FOUND', `${command}: ${path}: No such file or directory`);
    if (/exists/i.test(stderr)) return new AppError('conflict', 'FS_EXISTS', `${command}: ${path}: File exists`);
    if (/not empty/i.test(stderr)) return new AppError('conflict', 'FS_NOT_EMPTY', `${command}: ${path}: Directory not empty`);
    if (/full|space/i.test(stderr)) return new AppError('unavailable', 'FS_NO_SPACE', `${command}: ${path}: No space left on device`);
    return new AppError('invalid', 'FS_ERROR', `${command}: ${path}: ${stderr.trim().split('\n')[0] ?? 'failed'}`);
  }

  private writable(command: string, path: string): void {
    if (this.readOnly) throw new AppError('forbidden', 'FS_READ_ONLY', `${command}: ${path}: Read-only file system`);
  }

  /** Directory listings by path, dropped on every change. */
  private readonly listings = new Map<string, Map<string, Listed> | undefined>();

  /** Entries of a directory by name. Undefined when the directory does not exist. */
  private async entries(dir: string): Promise<Map<string, Listed> | undefined> {
    const d = clean(dir);
    if (this.listings.has(d)) return this.listings.get(d);
    const run = await mtools('mdir', ['-a', '-i', this.image, `::${d}`]);
    let out: Map<string, Listed> | undefined;
    const text = run.stdout.toString('utf8');
    if (run.code !== 0 && /not found/i.test(run.stderr)) out = undefined;
    else if (!text.includes(`Directory for ::${d === '/' ? '/' : d}`)) out = undefined; // a file, not a directory
    else {
      out = new Map();
      for (const line of text.split('\n')) {
        const m = LISTING_LINE.exec(line);
        if (m === null) continue;
        const [, base, ext, sizeOrDir, date, time, long] = m;
        const name = long !== undefined && long.trim() !== '' ? long.trim() : ext === '' ? base! : `${base!}.${ext!}`;
        if (name === '.' || name === '..') continue;
        const [hh, mm] = time!.split(':');
        const mtimeMs = Date.parse(`${date!}T${hh!.padStart(2, '0')}:${mm!}:00Z`);
        out.set(name, { isDir: sizeOrDir === '<DIR>', size: sizeOrDir === '<DIR>' ? 0 : Number(sizeOrDir), mtimeMs: Number.isNaN(mtimeMs) ? 0 : mtimeMs });
      }
    }
    this.listings.set(d, out);
    return out;
  }

  private changed(): void {
    this.listings.clear();
    this.dirty = true;
  }

  private async find(path: string): Promise<Listed | undefined> {
    const p = clean(path);
    if (p === '/') return { isDir: true, size: 0, mtimeMs: 0 };
    const { dir, name } = parentOf(p);
    const list = await this.entries(dir);
    if (list === undefined) return undefined;
    for (const [entry, listed] of list) if (entry.toLowerCase() === name.toLowerCase()) return listed;
    return undefined;
  }

  private async kind(path: string): Promise<'file' | 'directory' | undefined> {
    const found = await this.find(path);
    return found === undefined ? undefined : found.isDir ? 'directory' : 'file';
  }

  async stat(path: string): Promise<FileStat> {
    const found = await this.find(path);
    if (found === undefined) throw new AppError('not_found', 'FS_NOT_FOUND', `stat: ${path}: No such file or directory`);
    return { kind: found.isDir ? 'directory' : 'file', sizeBytes: found.size, mode: found.isDir ? 0o40755 : 0o100755, uid: 0, gid: 0, mtimeMs: found.mtimeMs, nlink: 1 };
  }

  lstat(path: string): Promise<FileStat> {
    return this.stat(path);
  }

  async exists(path: string): Promise<boolean> {
    return (await this.kind(path)) !== undefined;
  }

  async readFile(path: string): Promise<Buffer> {
    const kind = await this.kind(path);
    if (kind === undefined) throw new AppError('not_found', 'FS_NOT_FOUND', `cat: ${path}: No such file or directory`);
    if (kind === 'directory') throw new AppError('invalid', 'FS_IS_DIR', `cat: ${path}: Is a directory`);
    const run = await mtools('mcopy', ['-n', '-i', this.image, `::${clean(path)}`, '-']);
    if (run.code !== 0) throw this.fail('cat', path, run.stderr);
    return run.stdout;
  }

  async writeFile(path: string, data: Uint8Array): Promise<void> {
    this.writable('write', path);
    if ((await this.kind(path)) === 'directory') throw new AppError('invalid', 'FS_IS_DIR', `write: ${path}: Is a directory`);
    const { dir } = parentOf(path);
    // the parent's own listing (already read for the check above) exists only if it is a directory
    if ((await this.entries(dir)) === undefined) throw new AppError('not_found', 'FS_NOT_FOUND', `write: ${path}: No such file or directory`);
    const local = join(this.work, 'upload');
    await writeFile(local, data);
    this.changed();
    const run = await mtools('mcopy', ['-o', '-i', this.image, local, `::${clean(path)}`]);
    await rm(local, { force: true });
    if (run.code !== 0) throw this.fail('write', path, run.stderr);
  }

  async appendFile(path: string, data: Uint8Array): Promise<void> {
    const before = (await this.exists(path)) ? await this.readFile(path) : Buffer.alloc(0);
    await this.writeFile(path, Buffer.concat([before, data]));
  }

  async readdir(path: string): Promise<string[]> {
    const kind = await this.kind(path);
    if (kind === undefined) throw new AppError('not_found', 'FS_NOT_FOUND', `ls: ${path}: No such file or directory`);
    if (kind === 'file') throw new AppError('invalid', 'FS_NOT_DIR', `ls: ${path}: Not a directory`);
    return [...((await this.entries(path)) ?? new Map<string, Listed>()).keys()];
  }

  async mkdir(path: string): Promise<void> {
    this.writable('mkdir', path);
    if ((await this.kind(path)) !== undefined) throw new AppError('conflict', 'FS_EXISTS', `mkdir: ${path}: File exists`);
    this.changed();
    const run = await mtools('mmd', ['-i', this.image, `::${clean(path)}`]);
    if (run.code !== 0) throw this.fail('mkdir', path, run.stderr);
  }

  async unlink(path: string): Promise<void> {
    this.writable('rm', path);
    const kind = await this.kind(path);
    if (kind === undefined) throw new AppError('not_found', 'FS_NOT_FOUND', `rm: ${path}: No such file or directory`);
    if (kind === 'directory') throw new AppError('invalid', 'FS_IS_DIR', `rm: ${path}: Is a directory`);
    this.changed();
    const run = await mtools('mdel', ['-i', this.image, `::${clean(path)}`]);
    if (run.code !== 0) throw this.fail('rm', path, run.stderr);
  }

  async rmdir(path: string): Promise<void> {
    this.writable('rmdir', path);
    if ((await this.kind(path)) !== 'directory') throw new AppError('not_found', 'FS_NOT_FOUND', `rmdir: ${path}: No such file or directory`);
    if ((await this.readdir(path)).length > 0) throw new AppError('conflict', 'FS_NOT_EMPTY', `rmdir: ${path}: Directory not empty`);
    this.changed();
    const run = await mtools('mrd', ['-i', this.image, `::${clean(path)}`]);
    if (run.code !== 0) throw this.fail('rmdir', path, run.stderr);
  }

  async rename(from: string, to: string): Promise<void> {
    this.writable('mv', from);
    const kind = await this.kind(from);
    if (kind === undefined) throw new AppError('not_found', 'FS_NOT_FOUND', `mv: ${from}: No such file or directory`);
    if (kind === 'file') {
      // mren/mmove store an 8.3-sized lower-case name in upper case; mcopy keeps its case.
      const data = await this.readFile(from);
      await this.writeFile(to, data);
      await this.unlink(from);
      return;
    }
    this.changed();
    const run = await mtools('mmove', ['-o', '-i', this.image, `::${clean(from)}`, `::${clean(to)}`]);
    if (run.code !== 0) throw this.fail('mv', from, run.stderr);
  }

  symlink(_target: string, path: string): Promise<void> {
    return Promise.reject(new AppError('invalid', 'FS_UNSUPPORTED', `ln_s: ${path}: Operation not permitted`));
  }

  readlink(path: string): Promise<string> {
    return Promise.reject(new AppError('invalid', 'FS_UNSUPPORTED', `readlink: ${path}: Invalid argument`));
  }

  link(_existing: string, path: string): Promise<void> {
    return Promise.reject(new AppError('invalid', 'FS_UNSUPPORTED', `ln: ${path}: Operation not permitted`));
  }

  /** FAT has no permissions or owners: accepted and ignored, as a vfat mount does with default options. */
  async chmod(path: string): Promise<void> {
    if ((await this.kind(path)) === undefined) throw new AppError('not_found', 'FS_NOT_FOUND', `chmod: ${path}: No such file or directory`);
  }

  async chown(path: string): Promise<void> {
    if ((await this.kind(path)) === undefined) throw new AppError('not_found', 'FS_NOT_FOUND', `chown: ${path}: No such file or directory`);
  }

  async utimes(path: string): Promise<void> {
    if ((await this.kind(path)) === undefined) throw new AppError('not_found', 'FS_NOT_FOUND', `touch: ${path}: No such file or directory`);
  }

  async statvfs(): Promise<StatVfs> {
    const run = await mtools('minfo', ['-i', this.image, '::']);
    const text = run.stdout.toString('utf8');
    const num = (re: RegExp): number => Number(re.exec(text)?.[1] ?? 0);
    const sectorSize = num(/sector size:\s*(\d+)/) || 512;
    const clusterSectors = num(/cluster size:\s*(\d+)/) || 1;
    const free = await mtools('mdir', ['-i', this.image, '::/']);
    const freeBytes = Number((/([\d ]+) bytes free/.exec(free.stdout.toString('utf8'))?.[1] ?? '0').replace(/ /g, ''));
    const blockSize = sectorSize * clusterSectors;
    const blocks = Math.floor(this.disk.sizeBytes / blockSize);
    return { blockSize, blocks, blocksFree: Math.floor(freeBytes / blockSize), blocksAvailable: Math.floor(freeBytes / blockSize), files: 0, filesFree: 0, nameMax: 255 };
  }

  async sync(): Promise<void> {
    if (this.readOnly || !this.dirty) return;
    this.dirty = false;
    const file = await open(this.image, 'r');
    try {
      const buffer = Buffer.alloc(CHUNK);
      for (let at = 0; at < this.disk.sizeBytes; at += CHUNK) {
        const { bytesRead } = await file.read(buffer, 0, Math.min(CHUNK, this.disk.sizeBytes - at), at);
        for (let i = 0; i < bytesRead; i += BLOCK) {
          const data = buffer.subarray(i, Math.min(i + BLOCK, bytesRead));
          const index = (at + i) / BLOCK;
          const hash = blockHash(data);
          if (hash === this.hashes[index]) continue;
          await this.disk.write(at + i, Buffer.from(data));
          this.hashes[index] = hash;
        }
      }
    } finally {
      await file.close();
    }
    await this.disk.flush();
  }

  async close(): Promise<void> {
    try {
      await this.sync();
    } finally {
      await rm(this.work, { recursive: true, force: true });
    }
  }
}

/** Byte ranges of `disk` that may hold data, in 64 KiB blocks: all of it unless the Disk reports holes. */
async function dataRanges(disk: Disk): Promise<{ start: number; end: number }[]> {
  const whole = [{ start: 0, end: disk.sizeBytes }];
  if (disk.extents === undefined) return whole;
  const ranges: { start: number; end: number }[] = [];
  for (const e of await disk.extents(0, disk.sizeBytes)) {
    if (e.hole || e.zero) continue;
    const start = Math.floor(e.offset / BLOCK) * BLOCK;
    const end = Math.min(disk.sizeBytes, Math.ceil((e.offset + e.length) / BLOCK) * BLOCK);
    const last = ranges[ranges.length - 1];
    if (last !== undefined && start <= last.end) last.end = Math.max(last.end, end);
    else ranges.push({ start, end });
  }
  return ranges;
}

/** Opens a FAT filesystem on `disk` (a partition) through mtools. */
export function openFat(disk: Disk, options: { readOnly: boolean; device: string }): Promise<ImageFs> {
  return FatFs.open(disk, options);
}
