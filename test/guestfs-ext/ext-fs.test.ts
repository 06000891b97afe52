// Every ImageFs operation of the ext engine on real mkfs images, checked afterwards with e2fsck -fn and debugfs.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isAppError } from '../../src/core/errors.js';
import { ExtWorkerPool, needsRecovery, openExt, readExtSuperblock } from '../../src/guestfs/ext/index.js';
import type { ImageFs } from '../../src/guestfs/image-fs.js';
import { FileDisk } from './file-disk.js';
import { debugfs, debugfsRaw, debugStat, fsck, makeImage, requireTools, tempDir } from './images.js';

const tmp = tempDir();
beforeAll(() => requireTools());
afterAll(() => tmp.cleanup());

let counter = 0;
async function withImage(
  type: 'ext2' | 'ext3' | 'ext4',
  size: string,
  fn: (fs: ImageFs, image: string) => Promise<void>,
  mkfsArgs: string[] = [],
): Promise<string> {
  const image = join(tmp.dir, `img${counter++}.${type}`);
  makeImage(image, type, size, mkfsArgs);
  const disk = await FileDisk.open(image);
  const fs = await openExt(disk, { readOnly: false, device: '/dev/sda2' });
  try {
    await fn(fs, image);
  } finally {
    await fs.close();
    await disk.close();
  }
  return image;
}

function expectClean(image: string): void {
  const r = fsck(image);
  expect(r.output).not.toMatch(/Fix\?|\bwrong\b|error/i);
  expect(r.status).toBe(0);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (isAppError(e)) return `${e.code} ${e.message}`;
    throw e;
  }
  return 'no error';
}

const LONG_TARGET = `/usr/lib/${'x'.repeat(100)}/target`; // over 60 bytes: a slow symlink with a data block

describe.each([
  ['ext4', '64M', []],
  ['ext4', '1G', ['-b', '4096']],
  ['ext3', '64M', []],
  ['ext2', '64M', []],
  ['ext2', '64M', ['-I', '128']],
  ['ext4', '64M', ['-O', '^metadata_csum,uninit_bg']],
] as const)('%s (%s)', (type, size, args) => {
  test('every operation is visible to debugfs and e2fsck -fn stays clean', async () => {
    const image = await withImage(
      type,
      size,
      async (fs) => {
        expect(fs.type).toBe(type);
        await fs.mkdir('/etc', { mode: 0o755 });
        await fs.mkdir('/etc/ssh', { mode: 0o700 });
        await fs.writeFile('/etc/hostname', Buffer.from('server-01\n'));
        await fs.writeFile('/etc/ssh/key', Buffer.from('secret'), { mode: 0o600 });
        await fs.writeFile('/etc/ssh/key', Buffer.from('secret2'), { mode: 0o644 }); // mode only on create
        await fs.appendFile('/etc/hostname', Buffer.from('# appended\n'));
        await fs.chmod('/etc/hostname', 0o640);
        await fs.chown('/etc/hostname', 1000, 1001);
        await fs.utimes('/etc/ssh/key', 1_600_000_000_250, 1_500_000_000_500);
        await fs.utimes('/etc/ssh', Date.UTC(2040, 0, 1), Date.UTC(2040, 0, 1)); // past 2038: epoch bits
        await fs.symlink('/etc/hostname', '/etc/fast');
        await fs.symlink(LONG_TARGET, '/etc/slow');
        await fs.link('/etc/hostname', '/etc/hard');
        await fs.writeFile('/etc/old', Buffer.from('moved'));
        await fs.rename('/etc/old', '/etc/new');
        await fs.mkdir('/gone');
        await fs.writeFile('/gone/f', Buffer.from('x'));
        await fs.unlink('/gone/f');
        await fs.rmdir('/gone');

        const st = await fs.stat('/etc/hostname');
        expect(st).toMatchObject({ kind: 'file', mode: 0o100640, uid: 1000, gid: 1001, nlink: 2, sizeBytes: 21 });
        expect(Math.abs(st.mtimeMs - Date.now())).toBeLessThan(120_000);
        expect(await fs.stat('/etc/fast')).toMatchObject({ kind: 'file', uid: 1000 });
        expect(await fs.lstat('/etc/fast')).toMatchObject({ kind: 'symlink', mode: 0o120777 });
        expect((await fs.stat('/etc/ssh')).mode).toBe(0o40700);
        expect((await fs.stat('/etc/ssh/key')).mode).toBe(0o100600);
        expect((await fs.stat('/etc/ssh/key')).mtimeMs).toBe(1_500_000_000_000);
        expect(await fs.readlink('/etc/fast')).toBe('/etc/hostname');
        expect(await fs.readlink('/etc/slow')).toBe(LONG_TARGET);
        expect(String(await fs.readFile('/etc/fast'))).toBe('server-01\n# appended\n');
        expect(String(await fs.readFile('/etc/new'))).toBe('moved');
        expect((await fs.readdir('/etc')).sort()).toEqual(['fast', 'hard', 'hostname', 'new', 'slow', 'ssh']);
        expect(await fs.exists('/etc/old')).toBe(false);
        expect(await fs.exists('/gone')).toBe(false);
        expect(await fs.exists('/etc/slow')).toBe(true);
        const vfs = await fs.statvfs();
        // as Linux reports it, without the metadata (test/conformance checks the exact figures against guestfish)
        const bytes = size === '1G' ? 1 << 30 : 64 << 20;
        expect(vfs.blocks * vfs.blockSize).toBeGreaterThan(bytes * 0.8);
        expect(vfs.blocks * vfs.blockSize).toBeLessThan(bytes);
        expect(vfs.blocksFree).toBeLessThan(vfs.blocks);
        expect(vfs.files).toBeGreaterThan(vfs.filesFree);
      },
      [...args],
    );
    expectClean(image);
    expect(debugStat(image, '/etc/hostname')).toMatchObject({ mode: 0o640, uid: 1000, gid: 1001, links: 2, size: 21 });
    expect(debugStat(image, '/etc/ssh/key')).toMatchObject({ mode: 0o600, size: 7 });
    expect(debugStat(image, '/etc/ssh')).toMatchObject({ type: 'directory', mode: 0o700 });
    expect(debugfs(image, 'cat /etc/hostname')).toBe('server-01\n# appended\n');
    expect(debugfs(image, 'cat /etc/ssh/key')).toBe('secret2');
    const keyStat = debugfs(image, 'stat /etc/ssh/key');
    expect(keyStat).toMatch(/mtime: 0x59682f00(:77359400)? -- Fri Jul 14 02:40:00 2017/);
    expect(keyStat).toMatch(/atime: 0x5f5e1000(:3b9aca00)? -- /);
    if (keyStat.includes('crtime')) expect(keyStat).toContain('mtime: 0x59682f00:77359400');
    // 128-byte inodes have no room for the epoch bits: the time is clamped to 2038 like the kernel does
    expect(debugfs(image, 'stat /etc/ssh')).toContain((args as readonly string[]).includes('128') ? 'Jan 19 03:14:07 2038' : 'Jan  1 00:00:00 2040');
    expect(debugfs(image, 'stat /etc/fast')).toContain('Fast link dest: "/etc/hostname"');
    expect(debugStat(image, '/etc/slow')).toMatchObject({ type: 'symlink', size: LONG_TARGET.length });
    expect(debugfs(image, 'ls -l /')).not.toContain('gone');
  });

  test('errors read like guestfish and change nothing', async () => {
    const image = await withImage(type, size, async (fs) => {
      await fs.mkdir('/d');
      await fs.writeFile('/d/f', Buffer.from('1'));
      expect(await codeOf(fs.readFile('/nope'))).toBe('FS_NOT_FOUND cat: /nope: No such file or directory');
      expect(await codeOf(fs.mkdir('/d'))).toBe('FS_EXISTS mkdir: /d: File exists');
      expect(await codeOf(fs.rmdir('/d'))).toBe('FS_NOT_EMPTY rmdir: /d: Directory not empty');
      expect(await codeOf(fs.unlink('/d'))).toBe('FS_IS_DIR rm: /d: Is a directory');
      expect(await codeOf(fs.unlink('/nope'))).toBe('FS_NOT_FOUND rm: /nope: No such file or directory');
      expect(await codeOf(fs.readFile('/d'))).toBe('FS_IS_DIR cat: /d: Is a directory');
      expect(await codeOf(fs.mkdir('/x/y'))).toBe('FS_NOT_FOUND mkdir: /x/y: No such file or directory');
      expect(await codeOf(fs.readdir('/d/f'))).toMatch(/^FS_NOT_DIR ls: \/d\/f: Not a directory$/);
      expect(await codeOf(fs.writeFile('/d', Buffer.from('x')))).toMatch(/^FS_IS_DIR write: \/d: Is a directory$/);
      expect(await codeOf(fs.readFile('relative'))).toMatch(/^FS_INVALID_PATH/);
      expect(String(await fs.readFile('/d/../d/f'))).toBe('1');
      await fs.symlink('/d/f', '/d/via');
      await fs.writeFile('/d/via', Buffer.from('through the link'));
      expect(String(await fs.readFile('/d/f'))).toBe('through the link');
      expect((await fs.lstat('/d/via')).kind).toBe('symlink');
      await fs.writeFile('/d/f', Buffer.from('1'));
      expect(await codeOf(fs.link('/d', '/d2'))).toBe('FS_UNSUPPORTED ln: /d: Operation not permitted');
      expect(await codeOf(fs.link('/d/f', '/d/f'))).toBe('FS_EXISTS ln: /d/f: File exists');
      expect(await codeOf(fs.symlink('x', '/d/f'))).toBe('FS_EXISTS ln_s: /d/f: File exists');
      expect(await codeOf(fs.readlink('/d/f'))).toBe('FS_UNSUPPORTED readlink: /d/f: Invalid argument');
      expect(await codeOf(fs.rmdir('/d/f'))).toBe('FS_NOT_DIR rmdir: /d/f: Not a directory');
      expect(await codeOf(fs.rename('/d', '/d/inside'))).toBe('FS_UNSUPPORTED mv: /d: Invalid argument');
      expect(await codeOf(fs.chmod('/nope', 0o644))).toBe('FS_NOT_FOUND chmod: /nope: No such file or directory');
      expect(await codeOf(fs.chown('/d/f', 70000, 0))).toMatch(/^FS_UNSUPPORTED chown: \/d\/f: owner "70000" is not supported/);
      expect(await codeOf(fs.utimes('/nope', 0, 0))).toBe('FS_NOT_FOUND touch: /nope: No such file or directory');
    });
    expectClean(image);
    expect(debugfs(image, 'cat /d/f')).toBe('1');
  });

  test('rename replaces a file and moves a directory (its .. follows)', async () => {
    const image = await withImage(type, size, async (fs) => {
      await fs.mkdir('/a');
      await fs.mkdir('/a/sub');
      await fs.writeFile('/a/sub/f', Buffer.from('f'));
      await fs.writeFile('/old', Buffer.from('old'));
      await fs.writeFile('/new', Buffer.from('new'));
      await fs.rename('/new', '/old');
      await fs.mkdir('/b');
      await fs.rename('/a/sub', '/b/sub');
      await fs.mkdir('/empty');
      await fs.rename('/b', '/empty');
      expect(String(await fs.readFile('/old'))).toBe('new');
      expect(await fs.exists('/new')).toBe(false);
      expect(await fs.readdir('/empty')).toEqual(['sub']);
      expect((await fs.stat('/a')).nlink).toBe(2);
      expect((await fs.stat('/empty')).nlink).toBe(3);
    });
    expectClean(image);
  });
});

test('a 100 MiB file is written in chunks and read back intact', async () => {
  const data = Buffer.alloc(100 << 20);
  for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE(i, i);
  const image = await withImage('ext4', '512M', async (fs) => {
    await fs.writeFile('/big', data);
    const back = await fs.readFile('/big');
    expect(back.equals(data)).toBe(true);
  });
  expectClean(image);
  expect(debugfsRaw(image, 'cat /big').equals(data)).toBe(true);
});

test('a populated image (mkfs.ext4 -d) reads back its modes, owners and links', async () => {
  const src = join(tmp.dir, 'tree');
  mkdirSync(join(src, 'etc/ssh'), { recursive: true });
  writeFileSync(join(src, 'etc/hostname'), 'golden\n');
  writeFileSync(join(src, 'etc/ssh/sshd_config'), 'PermitRootLogin no\n');
  chmodSync(join(src, 'etc/ssh/sshd_config'), 0o600);
  chownSync(join(src, 'etc/hostname'), 1000, 100);
  symlinkSync('hostname', join(src, 'etc/name'));
  const image = await withImage(
    'ext4',
    '64M',
    async (fs) => {
      expect(String(await fs.readFile('/etc/hostname'))).toBe('golden\n');
      expect(await fs.stat('/etc/hostname')).toMatchObject({ uid: 1000, gid: 100, mode: 0o100644 });
      expect((await fs.stat('/etc/ssh/sshd_config')).mode).toBe(0o100600);
      expect(await fs.readlink('/etc/name')).toBe('hostname');
      expect(String(await fs.readFile('/etc/name'))).toBe('golden\n');
      await fs.writeFile('/etc/hostname', Buffer.from('server-02\n'));
      expect(await fs.stat('/etc/hostname')).toMatchObject({ uid: 1000, gid: 100, mode: 0o100644 });
    },
    ['-d', src],
  );
  expectClean(image);
  expect(debugfs(image, 'cat /etc/hostname')).toBe('server-02\n');
});

describe('journal and read-only', () => {
  test('an image whose journal needs recovery is refused read-write and opens read-only', async () => {
    const image = join(tmp.dir, 'dirty.ext4');
    makeImage(image, 'ext4', '64M');
    debugfs(image, 'stat /'); // sanity: debugfs reads it
    execFileSync('debugfs', ['-w', '-R', 'feature needs_recovery', image], { stdio: 'pipe' });
    const disk = await FileDisk.open(image);
    const before = readFileSync(image);
    try {
      expect(await needsRecovery(disk)).toBe(true);
      const refused = await openExt(disk, { readOnly: false, device: '/dev/sda2' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isAppError(refused) && refused.code).toBe('FS_NEEDS_RECOVERY');
      expect(isAppError(refused) && refused.message).toBe(
        'Cannot open "/dev/sda2" read-write: the ext4 journal needs recovery (the filesystem was not unmounted cleanly)',
      );
      expect(isAppError(refused) && refused.recommendedActions.length).toBeGreaterThan(0);
      const ro = await openExt(disk, { readOnly: true, device: '/dev/sda2' });
      expect(await ro.readdir('/')).toEqual(['lost+found']);
      expect(await codeOf(ro.writeFile('/x', Buffer.from('x')))).toBe('FS_READ_ONLY write: /x: Read-only file system');
      await ro.close();
    } finally {
      await disk.close();
    }
    expect(readFileSync(image).equals(before)).toBe(true);
  });

  test('a clean image reports its type and no recovery; a non-ext disk is refused', async () => {
    const image = join(tmp.dir, 'clean.ext3');
    makeImage(image, 'ext3', '64M');
    const disk = await FileDisk.open(image);
    const sb = await readExtSuperblock(disk);
    expect(sb).toMatchObject({ type: 'ext3', needsRecovery: false, hasJournal: true, blockSize: 1024 });
    await disk.close();
    const blank = join(tmp.dir, 'blank');
    execFileSync('truncate', ['-s', '8M', blank]);
    const blankDisk = await FileDisk.open(blank);
    expect(await codeOf(openExt(blankDisk, { readOnly: true, device: '/dev/sdb' }))).toBe(
      'FS_NOT_EXT Cannot open "/dev/sdb": no ext2/3/4 superblock found',
    );
    await blankDisk.close();
  });
});

test('a worker pool reuses its thread across filesystems without mixing them up', async () => {
  const pool = new ExtWorkerPool({ maxIdle: 1 });
  await pool.warm(1);
  const images = [join(tmp.dir, 'pool-a.ext4'), join(tmp.dir, 'pool-b.ext4')];
  try {
    for (const [i, image] of images.entries()) {
      makeImage(image, 'ext4', '64M');
      const disk = await FileDisk.open(image);
      const ro = await openExt(disk, { readOnly: true, pool });
      expect(await ro.readdir('/')).toEqual(['lost+found']);
      await ro.close();
      const fs = await openExt(disk, { readOnly: false, pool });
      await fs.writeFile('/name', Buffer.from(`image-${i}`));
      expect(await fs.readdir('/')).toEqual(['lost+found', 'name']);
      await fs.close();
      await disk.close();
    }
  } finally {
    await pool.close();
  }
  for (const [i, image] of images.entries()) {
    expectClean(image);
    expect(debugfs(image, 'cat /name')).toBe(`image-${i}`);
  }
});

test('calls made at once (with times and sync among them) run one after another', async () => {
  const image = await withImage('ext4', '64M', async (fs) => {
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => fs.writeFile(`/f${i}`, Buffer.from(String(i)))),
      fs.utimes('/f3', 1_000_000_000_000, 1_000_000_000_000),
      fs.sync(),
      fs.mkdir('/d'),
    ]);
    expect((await fs.readdir('/')).length).toBe(22);
    expect((await fs.stat('/f3')).mtimeMs).toBe(1_000_000_000_000);
  });
  expectClean(image);
});

test('a Disk whose writes fail gives an AppError, not a crash', async () => {
  const image = join(tmp.dir, 'failing.ext4');
  makeImage(image, 'ext4', '64M');
  const disk = await FileDisk.open(image);
  const failing = Object.create(disk) as FileDisk;
  failing.write = () => Promise.reject(new Error('backing store is full'));
  const fs = await openExt(failing, { readOnly: false, device: '/dev/sda2' });
  const code = await (async () => {
    try {
      for (let i = 0; i < 50; i++) await fs.writeFile(`/f${i}`, Buffer.alloc(64 << 10));
      await fs.close();
    } catch (e) {
      return isAppError(e) ? e.code : String(e);
    }
    return 'no error';
  })();
  await fs.close().catch(() => undefined);
  await disk.close();
  expect(code).toBe('FS_CORRUPT');
});

test('a full filesystem gives FS_NO_SPACE and stays consistent', async () => {
  const image = await withImage('ext4', '16M', async (fs) => {
    let failure = 'no error';
    try {
      for (let i = 0; i < 40; i++) await fs.writeFile(`/f${i}`, Buffer.alloc(1 << 20, 1));
    } catch (e) {
      failure = isAppError(e) ? `${e.code} ${e.message}` : String(e);
    }
    expect(failure).toMatch(/^FS_NO_SPACE write: \/f\d+: No space left on device$/);
    expect((await fs.statvfs()).blocksFree).toBe(0);
    await fs.unlink('/f0');
    await fs.writeFile('/small', Buffer.from('fits again'));
  });
  expectClean(image);
  expect(debugfs(image, 'cat /small')).toBe('fits again');
});
