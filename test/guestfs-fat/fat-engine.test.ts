// The in-process FAT engine against the real tools: images from mkfs.vfat, filled by mtools, changed by the
// engine, then read back by mtools and checked by fsck.vfat -n, on FAT12, FAT16 and FAT32.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytes, engineTree, expectFsckClean, expectSameTree, makeFat, mtools, mtoolsTree, openImage, populate, requireFatTools, type Tree } from './fat-images.js';

let work: string;

beforeAll(() => {
  requireFatTools();
  work = mkdtempSync(join(tmpdir(), 'fat-engine-'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** What mtools puts on the fresh images: long names, lower-case 8.3 names, deep directories, multi-cluster files. */
function seedTree(): Tree {
  return new Map<string, Buffer | null>([
    ['/EFI', null],
    ['/EFI/BOOT', null],
    ['/EFI/BOOT/BOOTX64.EFI', bytes(70_000, 1)],
    ['/EFI/BOOT/message.txt', Buffer.from('Hello from the golden image\n')],
    ['/EFI/BOOT/grub.cfg', Buffer.from('set timeout=5\n')],
    ['/EFI/A Long Directory Name', null],
    ['/EFI/A Long Directory Name/deeper', null],
    ['/EFI/A Long Directory Name/deeper/and deeper still', null],
    ['/EFI/A Long Directory Name/deeper/and deeper still/file with a very long name indeed.data', bytes(5000, 2)],
    ['/README', Buffer.from('upper-case 8.3 name\n')],
    ['/empty', Buffer.alloc(0)],
    ['/MiXeD.Txt', Buffer.from('mixed case')],
  ]);
}

for (const width of [12, 16, 32] as const) {
  describe(`FAT${width}`, () => {
    // FAT12 and FAT16 with one sector per cluster: every file of a few KiB is a long chain
    const options = { width, sizeMiB: width === 32 ? 40 : width === 16 ? 16 : 2, sectorsPerCluster: 1 };

    it('reads what mtools wrote, byte for byte', async () => {
      const image = makeFat(work, `read${width}.img`, options);
      populate(image, seedTree(), work);
      const before = createHash('sha256').update(readFileSync(image)).digest('hex');
      const { fs, close } = await openImage(image, { readOnly: true });
      expectSameTree(await engineTree(fs), seedTree());
      expect(await fs.readdir('/EFI/BOOT')).toEqual(['BOOTX64.EFI', 'message.txt', 'grub.cfg']);
      // lookup ignores case, names read back as stored
      expect((await fs.readFile('/efi/boot/MESSAGE.TXT')).toString()).toBe('Hello from the golden image\n');
      expect((await fs.stat('/efi/a long directory name')).kind).toBe('directory');
      const st = await fs.stat('/EFI/BOOT/BOOTX64.EFI');
      expect(st).toMatchObject({ kind: 'file', sizeBytes: 70_000, mode: 0o100755, uid: 0, gid: 0, nlink: 1 });
      expect(await fs.stat('/EFI')).toMatchObject({ kind: 'directory', mode: 0o40755, nlink: 4 });
      await close();
      expect(createHash('sha256').update(readFileSync(image)).digest('hex')).toBe(before);
    });

    it('writes, appends, truncates, makes, renames and removes; mtools and fsck.vfat agree', async () => {
      const image = makeFat(work, `write${width}.img`, options);
      populate(image, seedTree(), work);
      const expected = seedTree();
      const { fs, close } = await openImage(image);

      // rewrite a file shorter, then longer than it was; append across a cluster boundary
      await fs.writeFile('/EFI/BOOT/message.txt', Buffer.from('Hello from web-01\n'));
      await fs.appendFile('/EFI/BOOT/message.txt', Buffer.from('x'.repeat(1500)));
      expected.set('/EFI/BOOT/message.txt', Buffer.from(`Hello from web-01\n${'x'.repeat(1500)}`));
      await fs.writeFile('/EFI/BOOT/BOOTX64.EFI', bytes(300, 3));
      expected.set('/EFI/BOOT/BOOTX64.EFI', bytes(300, 3));
      await fs.writeFile('/empty', bytes(9000, 4));
      expected.set('/empty', bytes(9000, 4));
      await fs.writeFile('/README', Buffer.alloc(0));
      expected.set('/README', Buffer.alloc(0));
      // a file spanning many clusters
      const big = bytes(width === 12 ? 600_000 : 3_000_000, 5);
      await fs.writeFile('/Big Image File.bin', big);
      expected.set('/Big Image File.bin', big);
      // a directory growing well past one cluster, with long names
      await fs.mkdir('/many');
      expected.set('/many', null);
      for (let i = 0; i < 60; i++) {
        const name = `/many/configuration file number ${i}.conf`;
        await fs.writeFile(name, Buffer.from(`file ${i}\n`));
        expected.set(name, Buffer.from(`file ${i}\n`));
      }
      for (let i = 0; i < 60; i += 3) {
        await fs.unlink(`/many/configuration file number ${i}.conf`);
        expected.delete(`/many/configuration file number ${i}.conf`);
      }
      // short names of every kind Linux makes
      for (const name of ['foo.txt', 'BAR.TXT', 'longfilename.txt', 'longfilename2.txt', 'a b.txt', 'x[1].txt', '.hidden', 'a.b.c', 'x.html', 'trail.']) {
        await fs.writeFile(`/many/${name}`, Buffer.from(name));
        expected.set(`/many/${name.replace(/\.$/, '')}`, Buffer.from(name));
      }
      // renames: in place, across directories, over an existing file, a directory with its contents
      await fs.rename('/EFI/BOOT/grub.cfg', '/EFI/BOOT/grub.cfg.orig');
      expected.set('/EFI/BOOT/grub.cfg.orig', expected.get('/EFI/BOOT/grub.cfg')!);
      expected.delete('/EFI/BOOT/grub.cfg');
      await fs.rename('/MiXeD.Txt', '/EFI/BOOT/moved here.txt');
      expected.set('/EFI/BOOT/moved here.txt', expected.get('/MiXeD.Txt')!);
      expected.delete('/MiXeD.Txt');
      await fs.rename('/many/foo.txt', '/many/BAR.TXT');
      expected.set('/many/BAR.TXT', Buffer.from('foo.txt'));
      expected.delete('/many/foo.txt');
      await fs.rename('/EFI/A Long Directory Name', '/many/moved directory');
      for (const [path, content] of [...expected]) {
        if (!path.startsWith('/EFI/A Long Directory Name')) continue;
        expected.delete(path);
        expected.set(path.replace('/EFI/A Long Directory Name', '/many/moved directory'), content);
      }
      await fs.mkdir('/gone');
      await fs.mkdir('/gone/sub');
      await fs.rmdir('/gone/sub');
      await fs.rmdir('/gone');

      expectSameTree(await engineTree(fs), expected);
      await close();
      // fsck.vfat also checks both FATs agree, FSInfo's free count, '..' of the moved directory, long-name checksums
      expectFsckClean(image);
      expectSameTree(mtoolsTree(image), expected);
    });

    it('reports errors as guestfish words them', async () => {
      const image = makeFat(work, `errors${width}.img`, options);
      populate(image, seedTree(), work);
      const { fs, close } = await openImage(image);
      await expect(fs.readFile('/EFI/nope')).rejects.toThrow('cat: /EFI/nope: No such file or directory');
      await expect(fs.readFile('/EFI')).rejects.toThrow('cat: /EFI: Is a directory');
      await expect(fs.mkdir('/EFI/BOOT')).rejects.toThrow('mkdir: /EFI/BOOT: File exists');
      await expect(fs.mkdir('/nodir/x')).rejects.toThrow('mkdir: /nodir/x: No such file or directory');
      await expect(fs.writeFile('/README/x', Buffer.from('a'))).rejects.toThrow('write: /README/x: Not a directory');
      await expect(fs.writeFile('/a:b', Buffer.from('a'))).rejects.toThrow('write: /a:b: Invalid argument');
      await expect(fs.writeFile(`/${'n'.repeat(256)}`, Buffer.from('a'))).rejects.toThrow('File name too long');
      await expect(fs.unlink('/EFI')).rejects.toThrow('rm: /EFI: Is a directory');
      await expect(fs.rmdir('/EFI')).rejects.toThrow('rmdir: /EFI: Directory not empty');
      await expect(fs.rmdir('/README')).rejects.toThrow('rmdir: /README: Not a directory');
      await expect(fs.readdir('/README')).rejects.toThrow('ls: /README: Not a directory');
      await expect(fs.rename('/EFI', '/EFI/BOOT/inside')).rejects.toThrow('mv: /EFI: Invalid argument');
      await expect(fs.rename('/README', '/EFI')).rejects.toThrow('mv: /README: Is a directory');
      await expect(fs.symlink('/README', '/link')).rejects.toThrow('ln_s: /link: Operation not permitted');
      await expect(fs.link('/README', '/hard')).rejects.toThrow('ln: /hard: Operation not permitted');
      await expect(fs.readlink('/README')).rejects.toThrow('readlink: /README: Invalid argument');
      await expect(fs.chown('/README', 1, 1)).rejects.toThrow('chown: /README: Operation not permitted');
      await expect(fs.chmod('/README', 0o4755)).rejects.toThrow('chmod: /README: Operation not permitted');
      await fs.chown('/README', 0, 0);
      // a mode without every r and x bit changes nothing; 0555 makes the file read-only, 0755 undoes it
      await fs.chmod('/README', 0o600);
      expect((await fs.stat('/README')).mode).toBe(0o100755);
      await fs.chmod('/README', 0o555);
      expect((await fs.stat('/README')).mode).toBe(0o100555);
      await fs.chmod('/README', 0o755);
      expect((await fs.stat('/README')).mode).toBe(0o100755);
      expect(await fs.exists('/README/x')).toBe(false);
      expect(await fs.exists('/readme')).toBe(true);
      // a name differing only in case is the same file
      await fs.writeFile('/readme', Buffer.from('again'));
      await fs.rename('/readme', '/README');
      expect(await fs.readdir('/')).toContain('README');
      await close();
      expectFsckClean(image);
    });
  });
}

describe('short names', () => {
  it('are the ones Linux vfat makes (observed through guestfish), long names kept as given', async () => {
    const image = makeFat(work, 'names.img', { width: 16, sizeMiB: 16 });
    const { fs, close } = await openImage(image);
    const names = ['Foo2.txt', 'BAR.TXT', 'longfilename.txt', 'README', 'readme2', 'a b.txt', 'x[1].txt', '123.txt', '.hidden', 'a.b.c', 'abcdefgh.txt', 'abcdefghi.txt', 'abcdefghi2.txt', 'x.html', 'trail.'];
    for (const name of names) await fs.writeFile(`/${name}`, Buffer.from('a'));
    await fs.mkdir('/dir');
    await close();
    expectFsckClean(image);
    const listing = mtools('mdir', ['-a', '-i', image, '::/']).toString('utf8');
    const rows = listing
      .split('\n')
      .filter((l) => /^\S/.test(l) && !/^(Directory| Volume|\s)/.test(l))
      .map((l) => l.replace(/\s+\d+\s+\d{4}-\d\d-\d\d\s+\d+:\d\d/, '').replace(/\s+<DIR>\s+\d{4}-\d\d-\d\d\s+\d+:\d\d/, ' <DIR>').replace(/\s+/g, ' ').trim());
    expect(rows).toEqual([
      'FOO2 TXT Foo2.txt',
      'BAR TXT',
      'LONGFI~1 TXT longfilename.txt',
      'README',
      'README2 readme2',
      'AB~1 TXT a b.txt',
      'X_1_~1 TXT x[1].txt',
      '123 TXT 123.txt',
      'HIDDEN~1 .hidden',
      'AB~1 C a.b.c',
      'ABCDEFGH TXT abcdefgh.txt',
      'ABCDEF~1 TXT abcdefghi.txt',
      'ABCDEF~2 TXT abcdefghi2.txt',
      'X~1 HTM x.html',
      'TRAIL trail',
      'DIR <DIR> dir',
    ]);
  });
});
