// Real FAT images for the FAT engine's tests: made by mkfs.vfat, filled and read back by mtools, checked by
// fsck.vfat. The engine is opened on a FileDisk (or a partition of one), like the plan-script engine does.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { openFat } from '../../src/guestfs/fat/index.js';
import type { ImageFs } from '../../src/guestfs/image-fs.js';
import { FileDisk } from '../../src/storage/index.js';
import { requireTool } from '../planscript/ext-session.js';

export const MTOOLS_ENV = { ...process.env, MTOOLS_SKIP_CHECK: '1', MTOOLS_NO_VFAT: '0' };

export function requireFatTools(): void {
  requireTool('mkfs.vfat', 'dosfstools');
  requireTool('fsck.vfat', 'dosfstools');
  requireTool('mcopy', 'mtools');
}

/** A fresh FAT image file: `width` 12/16/32, `sectorsPerCluster` small to make clusters (and chains) many. */
export function makeFat(dir: string, name: string, options: { width: 12 | 16 | 32; sizeMiB: number; sectorsPerCluster?: number; rootEntries?: number }): string {
  const path = join(dir, name);
  execFileSync('truncate', ['-s', `${options.sizeMiB}M`, path]);
  const args = ['-F', String(options.width), '-n', 'TESTFAT', '-i', '12345678'];
  if (options.sectorsPerCluster !== undefined) args.push('-s', String(options.sectorsPerCluster));
  if (options.rootEntries !== undefined) args.push('-r', String(options.rootEntries));
  execFileSync('mkfs.vfat', [...args, path], { stdio: 'ignore' });
  return path;
}

export function mtools(tool: string, args: string[]): Buffer {
  return execFileSync(tool, args, { env: MTOOLS_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** What a tree holds: a path ("/a/b") maps to its content, or to null for a directory. */
export type Tree = Map<string, Buffer | null>;

/** Copies `tree` into the image with mmd and mcopy (mtools writes long names and lower-case flags itself). */
export function populate(image: string, tree: Tree, work: string): void {
  const host = join(work, 'upload.bin');
  for (const [path, content] of [...tree].sort(([a], [b]) => a.split('/').length - b.split('/').length)) {
    if (content === null) mtools('mmd', ['-i', image, `::${path}`]);
    else {
      writeFileSync(host, content);
      mtools('mcopy', ['-i', image, host, `::${path}`]);
    }
  }
}

/** The tree mtools sees: paths from `mdir -/ -b -a`, contents from one recursive `mcopy` out. */
export function mtoolsTree(image: string): Tree {
  const listing = mtools('mdir', ['-/', '-b', '-a', '-i', image, '::/']).toString('utf8');
  const out: Tree = new Map();
  const work = mkdtempSync(join(tmpdir(), 'fat-tree-'));
  try {
    mtools('mcopy', ['-s', '-n', '-i', image, '::/', work]);
    for (const line of listing.split('\n')) {
      if (!line.startsWith('::/')) continue;
      const isDir = line.endsWith('/');
      const path = line.slice(2, isDir ? -1 : undefined);
      out.set(path, isDir ? null : readFileSync(join(work, path)));
    }
    // every file mcopy wrote is in the listing, and the other way round
    const walk = (dir: string, prefix: string): number => readdirSync(dir).reduce((n, name) => n + 1 + (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name), `${prefix}/${name}`) : 0), 0);
    expect(walk(work, '')).toBe(out.size);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

/** The tree the engine sees, walked with readdir/stat/readFile. */
export async function engineTree(fs: ImageFs, dir = '/', out: Tree = new Map()): Promise<Tree> {
  for (const name of await fs.readdir(dir)) {
    const path = dir === '/' ? `/${name}` : `${dir}/${name}`;
    const st = await fs.stat(path);
    if (st.kind === 'directory') {
      out.set(path, null);
      await engineTree(fs, path, out);
    } else out.set(path, await fs.readFile(path));
  }
  return out;
}

/** Trees as sorted `path => sha-less summary` lines, for readable diffs. */
export function treeLines(tree: Tree): string[] {
  return [...tree].map(([path, content]) => (content === null ? `${path}/` : `${path} ${content.length} ${content.toString('base64').slice(0, 40)}`)).sort();
}

export function expectSameTree(actual: Tree, expected: Tree): void {
  expect(treeLines(actual)).toEqual(treeLines(expected));
  for (const [path, content] of expected) if (content !== null) expect(actual.get(path)?.equals(content), path).toBe(true);
}

/** fsck.vfat -n finds nothing: exit 0 and only its banner and summary line. */
export function expectFsckClean(image: string, offsetBytes = 0, sizeBytes?: number): void {
  let file = image;
  let work: string | undefined;
  if (offsetBytes !== 0 || sizeBytes !== undefined) {
    work = mkdtempSync(join(tmpdir(), 'fat-fsck-'));
    file = join(work, 'part.img');
    const args = [`if=${image}`, `of=${file}`, 'bs=64K', `skip=${offsetBytes}`, 'iflag=skip_bytes,count_bytes', 'status=none'];
    if (sizeBytes !== undefined) args.push(`count=${sizeBytes}`);
    execFileSync('dd', args);
  }
  try {
    const r = spawnSync('fsck.vfat', ['-n', file], { encoding: 'utf8' });
    const lines = `${r.stdout}${r.stderr}`.trim().split('\n');
    expect({ status: r.status, extra: lines.filter((l) => !/^fsck\.fat \d/.test(l) && !/: \d+ files, \d+\/\d+ clusters$/.test(l)) }).toEqual({ status: 0, extra: [] });
  } finally {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
  }
}

/** Opens the engine on an image file (the whole file is the filesystem). */
export async function openImage(path: string, options: { readOnly?: boolean; now?: () => number } = {}): Promise<{ fs: ImageFs; close: () => Promise<void> }> {
  const disk = await FileDisk.open(path, { readOnly: options.readOnly ?? false });
  const fs = await openFat(disk, { readOnly: options.readOnly ?? false, device: '/dev/sda1', ...(options.now === undefined ? {} : { now: options.now }) });
  return {
    fs,
    close: async () => {
      await fs.close();
      await disk.close();
    },
  };
}

/** Deterministic bytes: `length` of them from `seed`. */
export function bytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
