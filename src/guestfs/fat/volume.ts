// A mounted FAT volume's state and the steps every operation is made of: the directories read so far (by
// first cluster), path lookup, adding entries (growing a directory when it is full), and a file's data
// rewritten or appended over its cluster chain. Errors are FatErrno; the ImageFs layer words them.
import type { Disk } from '../../storage/disk.js';
import type { FatGeometry } from './boot-sector.js';
import { ATTR_ARCHIVE, buildEntry, ENTRY_BYTES, OFF, setCtime, setEntryStart, setMtime, type DirEntry } from './dir-entries.js';
import { Directory } from './directory.js';
import { fail } from './errno.js';
import type { FatTable } from './fat-table.js';
import { readChain, writeChain } from './file-data.js';
import { makeShortName, storedName } from './names.js';

/** Linux's FAT_MAX_DIR_SIZE: a directory holds at most 65536 slots. */
const MAX_DIR_BYTES = 2 * 1024 * 1024;

/** A path's entry in its parent directory, or the root (no parent). */
export type Found = { root: true } | { root: false; parent: Directory; entry: DirEntry };

/** The components of an absolute path inside the filesystem (`.` dropped, `..` applied). */
export function pathParts(path: string): string[] {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts;
}

export class FatVolume {
  private readonly dirs = new Map<number, Directory>();

  constructor(
    readonly disk: Disk,
    readonly geometry: FatGeometry,
    readonly fat: FatTable,
    readonly now: () => number,
  ) {}

  get rootKey(): number {
    return this.geometry.width === 32 ? this.geometry.rootCluster : 0;
  }

  /** The directory whose first cluster is `start` (0 and the FAT32 root cluster are the root). */
  async directory(start: number): Promise<Directory> {
    const key = start === 0 ? this.rootKey : start;
    let dir = this.dirs.get(key);
    if (dir === undefined) {
      dir = await Directory.read(this.disk, this.geometry, key, key === 0 ? [] : this.fat.chain(key));
      this.dirs.set(key, dir);
    }
    return dir;
  }

  /** The directory an entry names; EIO when it has no cluster (only `..` may point at the root with 0). */
  async subdirectory(entry: DirEntry): Promise<Directory> {
    if (entry.start < 2) fail('EIO', `directory "${entry.name}" starts at cluster ${entry.start}`);
    return this.directory(entry.start);
  }

  /** Resolves `parts`; ENOENT when a component is missing, ENOTDIR when one before the last is a file. */
  async lookup(parts: readonly string[]): Promise<Found> {
    if (parts.length === 0) return { root: true };
    const parent = await this.parentDir(parts);
    const entry = parent.find(parts[parts.length - 1]!);
    if (entry === undefined) fail('ENOENT');
    return { root: false, parent, entry: entry! };
  }

  /** The directory holding the last component of `parts`, and the first clusters of every directory on the way. */
  async parentDir(parts: readonly string[], trail?: number[]): Promise<Directory> {
    let dir = await this.directory(0);
    trail?.push(dir.start);
    for (const part of parts.slice(0, -1)) {
      const entry = dir.find(part);
      if (entry === undefined) fail('ENOENT');
      if (!entry!.isDir) fail('ENOTDIR');
      dir = await this.subdirectory(entry!);
      trail?.push(dir.start);
    }
    return dir;
  }

  async existing(path: string): Promise<Found> {
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
  createEntry(dir: Directory, name: string, fields: { attr: number; start: number; template?: Buffer | undefined }): void {
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

  clustersFor(bytes: number): number {
    return Math.ceil(bytes / this.geometry.clusterSize);
  }

  /** Sets a file's contents to `data` (or appends it), reusing its clusters and freeing or adding the difference. */
  async store(dir: Directory, entry: DirEntry, data: Uint8Array, append: boolean): Promise<void> {
    const chain = this.fat.chain(entry.start);
    const keep = append ? entry.sizeBytes : 0;
    const total = keep + data.length;
    if (total > 0xffffffff) fail('EFBIG');
    const need = this.clustersFor(total);
    if (need > chain.length) chain.push(...this.fat.allocate(need - chain.length, chain[chain.length - 1]));
    else if (need < chain.length) this.fat.release(chain.splice(need), need > 0 ? chain[need - 1] : undefined);
    await writeChain(this.disk, this.geometry, { clusters: chain, offset: keep, data });
    const now = this.now();
    dir.edit(entry.slot, (bytes, at) => {
      setEntryStart(bytes, at, chain[0] ?? 0);
      bytes.writeUInt32LE(total, at + OFF.size);
      bytes[at + OFF.attr] = bytes[at + OFF.attr]! | ATTR_ARCHIVE;
      setMtime(bytes, at, now);
      setCtime(bytes, at, now);
    });
  }

  /** A file's contents; EIO when its chain is shorter than its size. */
  async readFile(entry: DirEntry): Promise<Buffer> {
    const chain = this.fat.chain(entry.start);
    if (chain.length < this.clustersFor(entry.sizeBytes)) fail('EIO', `"${entry.name}" is ${entry.sizeBytes} bytes but has ${chain.length} clusters`);
    return readChain(this.disk, this.geometry, chain, entry.sizeBytes);
  }

  /** Caches a directory made in this session (its sectors are all dirty). */
  adopt(dir: Directory): void {
    this.dirs.set(dir.start, dir);
  }

  /** Frees a directory's clusters and forgets its cached contents (unwritten changes included). */
  dropDirectory(dir: Directory): void {
    this.dirs.delete(dir.start);
    this.fat.release(dir.allClusters);
  }

  /** Writes the changed FAT and directory sectors, then flushes the Disk. */
  async flush(): Promise<void> {
    await this.fat.flush(this.disk);
    for (const dir of this.dirs.values()) await dir.flush(this.disk);
    await this.disk.flush();
  }

  forget(): void {
    this.dirs.clear();
  }
}
