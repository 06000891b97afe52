// openGuestSession on real partitioned images made with sfdisk and mkfs: partitions as sfdisk reports
// them, filesystem types, mounting ext4 inside a partition, and e2fsck-clean writes.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGuestSession } from '../../src/guestfs/open-session.js';
import { FileDisk } from '../../src/storage/index.js';

function requireTool(tool: string, debianPackage: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`This test needs "${tool}": install the Debian package ${debianPackage}`);
  }
}

let work: string;
beforeAll(async () => {
  for (const [t, p] of [['sfdisk', 'fdisk'], ['mkfs.ext4', 'e2fsprogs'], ['mkfs.vfat', 'dosfstools']] as const) requireTool(t, p);
  work = await mkdtemp(join(tmpdir(), 'streamer-session-'));
});
afterAll(async () => rm(work, { recursive: true, force: true }));

/** A 64 MiB image with the given sfdisk script; partition n gets `mkfs` of the given kind. */
function partitioned(name: string, script: string, filesystems: Record<number, 'ext4' | 'vfat' | 'swap'>): string {
  const image = join(work, name);
  execFileSync('truncate', ['-s', '64M', image]);
  execFileSync('sfdisk', ['-q', image], { input: script });
  const layout = JSON.parse(execFileSync('sfdisk', ['--json', image]).toString()) as { partitiontable: { partitions: { node: string; start: number; size: number }[] } };
  for (const [n, kind] of Object.entries(filesystems)) {
    const p = layout.partitiontable.partitions.find((x) => x.node === `${image}${n}`)!;
    const part = join(work, `${name}.p${n}`);
    execFileSync('truncate', ['-s', String(p.size * 512), part]);
    if (kind === 'ext4') execFileSync('mkfs.ext4', ['-q', '-F', part], { stdio: 'ignore' });
    else if (kind === 'vfat') execFileSync('mkfs.vfat', [part], { stdio: 'ignore' });
    else execFileSync('mkswap', [part], { stdio: 'ignore' });
    execFileSync('dd', [`if=${part}`, `of=${image}`, 'bs=512', `seek=${p.start}`, 'conv=notrunc'], { stdio: 'ignore' });
  }
  return image;
}

function sfdiskLayout(image: string): { device: string; startBytes: number; sizeBytes: number }[] {
  const layout = JSON.parse(execFileSync('sfdisk', ['--json', image]).toString()) as { partitiontable: { partitions: { node: string; start: number; size: number }[] } };
  return layout.partitiontable.partitions.map((p) => ({ device: p.node.replace(image, '/dev/sda'), startBytes: p.start * 512, sizeBytes: p.size * 512 }));
}

describe('openGuestSession', () => {
  it('lists MBR partitions (logical ones from 5) as sfdisk does and names their filesystems', async () => {
    const image = partitioned('mbr.img', 'label: dos\n,16M,83\n,8M,c\n,,5\n,8M,82\n,,83\n', { 1: 'ext4', 2: 'vfat', 5: 'swap', 6: 'ext4' });
    const disk = await FileDisk.open(image);
    const session = await openGuestSession(disk);
    const ours = session.listPartitions().map(({ device, startBytes, sizeBytes }) => ({ device, startBytes, sizeBytes }));
    expect(ours).toEqual(sfdiskLayout(image));
    const types = Object.fromEntries((await session.listFilesystems()).map((f) => [f.device, f.type]));
    expect(types).toMatchObject({ '/dev/sda1': 'ext4', '/dev/sda2': 'vfat', '/dev/sda5': 'swap', '/dev/sda6': 'ext4' });
    await session.close();
    await disk.close();
  });

  it('reads GPT, mounts ext4 partitions at / and below, and writes e2fsck-clean files', async () => {
    const image = partitioned('gpt.img', 'label: gpt\n,8M,U\n,24M,L\n,,L\n', { 1: 'vfat', 2: 'ext4', 3: 'ext4' });
    const disk = await FileDisk.open(image);
    const session = await openGuestSession(disk);
    expect(session.listPartitions().map((p) => p.type)).toEqual(['C12A7328-F81F-11D2-BA4B-00A0C93EC93B', '0FC63DAF-8483-4772-8E79-3D69D8477DE4', '0FC63DAF-8483-4772-8E79-3D69D8477DE4']);
    await session.mount('/dev/sda2', '/');
    await session.resolve('/').fs.mkdir('/data');
    await session.mount('/dev/sda3', '/data');
    const inData = session.resolve('/data/../data/hello.txt');
    expect(inData.mount.device).toBe('/dev/sda3');
    expect(inData.path).toBe('/hello.txt');
    await inData.fs.writeFile(inData.path, Buffer.from('hello\n'));
    await session.resolve('/etc-marker').fs.writeFile('/etc-marker', Buffer.from('root\n'));
    expect(session.resolve('/../../x').path).toBe('/x'); // `..` of the root is the root, as in guestfish's chroot
    await expect(session.umount('/')).rejects.toThrow(/busy/);
    await expect(session.mount('/dev/sda1', '/data')).rejects.toThrow(/already mounted there|cannot mount vfat/);
    await expect(session.mount('/dev/sda9', '/mnt')).rejects.toThrow('mount: /dev/sda9: No such file or directory');
    await session.close();
    await disk.close();

    // read-only: libext2fs writes access times as it reads; those writes must neither reach the disk nor
    // poison later reads (they once turned every read after the first into EIO)
    const roDisk = await FileDisk.open(image, { readOnly: true });
    const ro = await openGuestSession(roDisk);
    await ro.mount('/dev/sda2', '/', { readOnly: true });
    await ro.mount('/dev/sda3', '/data', { readOnly: true });
    for (let i = 0; i < 3; i++) {
      expect((await ro.resolve('/etc-marker').fs.readFile('/etc-marker')).toString()).toBe('root\n');
      expect((await ro.resolve('/data/hello.txt').fs.readFile('/hello.txt')).toString()).toBe('hello\n');
    }
    await ro.close();
    await roDisk.close();

    const parts = sfdiskLayout(image);
    for (const [n, expected] of [[2, 'root\n'], [3, 'hello\n']] as const) {
      const p = parts[n - 1]!;
      const out = join(work, `check${n}.img`);
      execFileSync('dd', [`if=${image}`, `of=${out}`, 'bs=512', `skip=${p.startBytes / 512}`, `count=${p.sizeBytes / 512}`], { stdio: 'ignore' });
      execFileSync('e2fsck', ['-fn', out], { stdio: 'pipe' });
      const file = n === 2 ? '/etc-marker' : '/hello.txt';
      expect(execFileSync('debugfs', ['-R', `cat ${file}`, out], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()).toBe(expected);
    }
  });

  it('mounts a FAT32 ESP read-write (long names, mkdir, rename, delete) and leaves it fsck.vfat-clean', async () => {
    requireTool('fsck.vfat', 'dosfstools');
    requireTool('mcopy', 'mtools');
    const image = partitioned('esp.img', 'label: gpt\n,40M,U\n,,L\n', { 1: 'vfat', 2: 'ext4' });
    const disk = await FileDisk.open(image);
    const session = await openGuestSession(disk);
    await session.mount('/dev/sda1', '/');
    const fs = session.resolve('/').fs;
    expect(fs.type).toBe('vfat');
    await fs.mkdir('/EFI');
    await fs.mkdir('/EFI/BOOT');
    await fs.writeFile('/EFI/BOOT/message.txt', Buffer.from('Hello from web-01\n'));
    await fs.appendFile('/EFI/BOOT/message.txt', Buffer.from('second line\n'));
    await fs.writeFile('/EFI/BOOT/A Long File Name.cfg', Buffer.from('x'));
    await fs.writeFile('/EFI/BOOT/gone.txt', Buffer.from('y'));
    await fs.unlink('/EFI/BOOT/gone.txt');
    await fs.rename('/EFI/BOOT/A Long File Name.cfg', '/EFI/BOOT/renamed.cfg');
    expect((await fs.readdir('/EFI/BOOT')).sort()).toEqual(['message.txt', 'renamed.cfg']);
    expect((await fs.stat('/EFI')).kind).toBe('directory');
    expect((await fs.stat('/EFI/BOOT/message.txt')).sizeBytes).toBe(30);
    await expect(fs.readFile('/EFI/nope')).rejects.toThrow('cat: /EFI/nope: No such file or directory');
    await expect(fs.rmdir('/EFI/BOOT')).rejects.toThrow(/not empty/);
    await session.close();
    await disk.close();

    const esp = sfdiskLayout(image)[0]!;
    const part = join(work, 'esp-check.img');
    execFileSync('dd', [`if=${image}`, `of=${part}`, 'bs=512', `skip=${esp.startBytes / 512}`, `count=${esp.sizeBytes / 512}`], { stdio: 'ignore' });
    execFileSync('fsck.vfat', ['-n', part], { stdio: 'pipe' });
    const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
    expect(execFileSync('mtype', ['-i', part, '::/EFI/BOOT/message.txt'], { env }).toString()).toBe('Hello from web-01\nsecond line\n');
    expect(execFileSync('mdir', ['-b', '-i', part, '::/EFI/BOOT'], { env }).toString()).toContain('renamed.cfg');
  });

  it('treats a filesystem on the whole disk as /dev/sda', async () => {
    const image = join(work, 'whole.img');
    execFileSync('truncate', ['-s', '32M', image]);
    execFileSync('mkfs.ext4', ['-q', '-F', image], { stdio: 'ignore' });
    const disk = await FileDisk.open(image);
    const session = await openGuestSession(disk);
    expect(session.listPartitions()).toEqual([]);
    expect(await session.listFilesystems()).toEqual([{ device: '/dev/sda', type: 'ext4' }]);
    await session.mount('/dev/sda', '/');
    expect(session.mounts().map((m) => m.mountpoint)).toEqual(['/']);
    await session.close();
    await disk.close();
  });
});
