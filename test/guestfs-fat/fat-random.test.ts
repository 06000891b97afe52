// Seeded random operations on the FAT engine and on a model of the tree (case-insensitive names, stored as
// first given), compared after every step's outcome, at intervals through a remount, and at the end through
// mtools and fsck.vfat.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/errors.js';
import type { ImageFs } from '../../src/guestfs/image-fs.js';
import { bytes, engineTree, expectFsckClean, expectSameTree, makeFat, mtoolsTree, openImage, requireFatTools, type Tree } from './fat-images.js';

let work: string;

beforeAll(() => {
  requireFatTools();
  work = mkdtempSync(join(tmpdir(), 'fat-random-'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const NAMES = ['a', 'B', 'readme.txt', 'README.TXT', 'Long File Name Number One.conf', 'longfilename.txt', 'longfilename2.txt', 'x.html', 'dir one', 'DIR ONE', 'grub.cfg', 'sub'];
const SIZES = [0, 1, 511, 512, 513, 2048, 20_000, 70_000];
const CODES: Record<string, string> = { ENOENT: 'FS_NOT_FOUND', EEXIST: 'FS_EXISTS', ENOTDIR: 'FS_NOT_DIR', EISDIR: 'FS_IS_DIR', ENOTEMPTY: 'FS_NOT_EMPTY', EINVAL: 'FS_UNSUPPORTED' };

class Random {
  constructor(private state: number) {}
  next(): number {
    this.state = (Math.imul(this.state, 1103515245) + 12345) >>> 0;
    return this.state / 2 ** 32;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

class Failure extends Error {
  constructor(readonly errno: string) {
    super(errno);
  }
}

/** The tree as the engine should hold it: stored paths, looked up without case. */
class Model {
  readonly tree: Tree = new Map();

  private children(dir: string): string[] {
    const prefix = dir === '/' ? '/' : `${dir}/`;
    return [...this.tree.keys()].filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'));
  }

  /** The stored path of `path`'s parent and of `path` itself (undefined when missing). */
  resolve(path: string): { parent: string; stored: string | undefined; name: string } {
    const parts = path.split('/').filter((p) => p !== '');
    let dir = '/';
    for (const part of parts.slice(0, -1)) {
      const found = this.children(dir).find((p) => p.slice(p.lastIndexOf('/') + 1).toUpperCase() === part.toUpperCase());
      if (found === undefined) throw new Failure('ENOENT');
      if (this.tree.get(found) !== null) throw new Failure('ENOTDIR');
      dir = found;
    }
    const name = parts[parts.length - 1]!;
    const stored = this.children(dir).find((p) => p.slice(p.lastIndexOf('/') + 1).toUpperCase() === name.toUpperCase());
    return { parent: dir, stored, name };
  }

  private join(dir: string, name: string): string {
    return dir === '/' ? `/${name}` : `${dir}/${name}`;
  }

  write(path: string, data: Buffer, append: boolean): void {
    const r = this.resolve(path);
    if (r.stored !== undefined && this.tree.get(r.stored) === null) throw new Failure('EISDIR');
    const target = r.stored ?? this.join(r.parent, r.name);
    this.tree.set(target, append ? Buffer.concat([this.tree.get(target) ?? Buffer.alloc(0), data]) : data);
  }

  mkdir(path: string): void {
    const r = this.resolve(path);
    if (r.stored !== undefined) throw new Failure('EEXIST');
    this.tree.set(this.join(r.parent, r.name), null);
  }

  unlink(path: string): void {
    const r = this.resolve(path);
    if (r.stored === undefined) throw new Failure('ENOENT');
    if (this.tree.get(r.stored) === null) throw new Failure('EISDIR');
    this.tree.delete(r.stored);
  }

  rmdir(path: string): void {
    const r = this.resolve(path);
    if (r.stored === undefined) throw new Failure('ENOENT');
    if (this.tree.get(r.stored) !== null) throw new Failure('ENOTDIR');
    if (this.children(r.stored).length > 0) throw new Failure('ENOTEMPTY');
    this.tree.delete(r.stored);
  }

  rename(from: string, to: string): void {
    const source = this.resolve(from);
    if (source.stored === undefined) throw new Failure('ENOENT');
    const target = this.resolve(to);
    const moving = source.stored;
    const isDir = this.tree.get(moving) === null;
    if (isDir && (target.parent === moving || target.parent.startsWith(`${moving}/`))) throw new Failure('EINVAL');
    if (target.stored === moving) return;
    let destination = this.join(target.parent, target.name);
    if (target.stored !== undefined) {
      const targetIsDir = this.tree.get(target.stored) === null;
      if (isDir && !targetIsDir) throw new Failure('ENOTDIR');
      if (!isDir && targetIsDir) throw new Failure('EISDIR');
      if (targetIsDir && this.children(target.stored).length > 0) throw new Failure('ENOTEMPTY');
      this.tree.delete(target.stored);
      destination = target.stored;
    }
    for (const [path, content] of [...this.tree]) {
      if (path !== moving && !path.startsWith(`${moving}/`)) continue;
      this.tree.delete(path);
      this.tree.set(destination + path.slice(moving.length), content);
    }
  }
}

async function outcome(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return 'ok';
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
}

function expected(call: () => void): string {
  try {
    call();
    return 'ok';
  } catch (error) {
    if (error instanceof Failure) return CODES[error.errno]!;
    throw error;
  }
}

for (const [width, seed] of [[12, 1], [16, 2], [32, 3]] as const) {
  describe(`FAT${width}, seed ${seed}`, () => {
    it('does what a model of the tree does, and mtools and fsck.vfat agree at the end', async () => {
      const image = makeFat(work, `random${width}.img`, { width, sizeMiB: width === 32 ? 40 : width === 16 ? 16 : 4, sectorsPerCluster: width === 12 ? 2 : 1 });
      const random = new Random(seed);
      const model = new Model();
      let mounted = await openImage(image);
      // mostly paths that exist or whose parent exists (some in another case), else anything
      const path = (): string => {
        const existing = [...model.tree.keys()];
        if (existing.length === 0 || random.next() < 0.3) return `/${Array.from({ length: 1 + Math.floor(random.next() * 2) }, () => random.pick(NAMES)).join('/')}`;
        let p = random.pick(existing);
        if (model.tree.get(p) === null && random.next() < 0.6) p = `${p}/${random.pick(NAMES)}`;
        return random.next() < 0.2 ? p.toUpperCase() : p;
      };
      const tally = new Map<string, number>();
      for (let step = 0; step < 600; step++) {
        const roll = random.next();
        const a = path();
        const b = path();
        const data = bytes(random.pick(SIZES), step + 1);
        const op: [string, (fs: ImageFs) => Promise<unknown>, () => void] =
          roll < 0.3
            ? [`write ${a}`, (fs) => fs.writeFile(a, data), () => model.write(a, data, false)]
            : roll < 0.4
              ? [`append ${a}`, (fs) => fs.appendFile(a, data), () => model.write(a, data, true)]
              : roll < 0.6
                ? [`mkdir ${a}`, (fs) => fs.mkdir(a), () => model.mkdir(a)]
                : roll < 0.7
                  ? [`rm ${a}`, (fs) => fs.unlink(a), () => model.unlink(a)]
                  : roll < 0.8
                    ? [`rmdir ${a}`, (fs) => fs.rmdir(a), () => model.rmdir(a)]
                    : [`mv ${a} ${b}`, (fs) => fs.rename(a, b), () => model.rename(a, b)];
        const [what, engineCall, modelCall] = op;
        const want = expected(modelCall);
        const kind = `${what.split(' ')[0]!} ${want}`;
        tally.set(kind, (tally.get(kind) ?? 0) + 1);
        expect(`${step} ${what}: ${await outcome(() => engineCall(mounted.fs))}`).toBe(`${step} ${what}: ${want}`);
        if (step % 150 === 149) {
          expectSameTree(await engineTree(mounted.fs), model.tree);
          await mounted.close();
          mounted = await openImage(image);
          expectSameTree(await engineTree(mounted.fs), model.tree);
        }
      }
      await mounted.close();
      // the walk did succeed at every kind of change, not only fail
      for (const kind of ['write', 'append', 'mkdir', 'rm', 'rmdir', 'mv']) expect(tally.get(`${kind} ok`) ?? 0, `${kind} ok`).toBeGreaterThan(1);
      expect(model.tree.size).toBeGreaterThan(10);
      expectFsckClean(image);
      expectSameTree(mtoolsTree(image), model.tree);
    });
  });
}
