// The directories Linux's vfat leaves after a run of creates, rewrites, renames and removals (recorded
// once from real guestfish on the same mkfs.vfat image, listed by `mdir -a`), reproduced by the engine
// slot for slot: long names, short aliases and their ~N tails, reuse of deleted slots.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectFsckClean, makeFat, mtools, openImage, requireFatTools } from './fat-images.js';

let work: string;

beforeAll(() => {
  requireFatTools();
  work = mkdtempSync(join(tmpdir(), 'fat-linux-'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

/** guestfish commands as run (write's content is everything after the path). */
const OPS = [
  'mkdir /EFI',
  'mkdir /EFI/BOOT',
  'write /EFI/BOOT/message.txt hello',
  'write /EFI/BOOT/b.txt bee',
  'mv /EFI/BOOT/message.txt /EFI/BOOT/B.TXT',
  'write /EFI/BOOT/case.txt c',
  'write /EFI/BOOT/longfilename.txt 1',
  'write /EFI/BOOT/longfilename2.txt 2',
  'mv /EFI/BOOT/longfilename.txt /EFI/BOOT/longfilename3.txt',
  'mv /EFI/BOOT/longfilename2.txt /EFI/moved.txt',
  'mkdir /EFI/d1',
  'mkdir /EFI/d2',
  'write /EFI/d1/f f',
  'mv /EFI/d1 /EFI/d2/inner',
  'mkdir /EFI/d3',
  'mv /EFI/d3 /EFI/d2/inner2',
  'write /Aa.txt x',
  'write /aa.txt y',
  'write /A.TXT z',
  'write /a.txt w',
  'write /UPPER yes',
  'write /x y z.txt spaces',
  'rmdir /EFI/d2/inner2',
  'rm /A.TXT',
  'write /f1 1',
  'write /f2 2',
  'write /f3 3',
  'write /f4 4',
  'write /f5 5',
  'write /f6 6',
  'write /f7 7',
  'write /f8 8',
  'write /f9 9',
  'write /f10 10',
  'write /f11 11',
  'write /f12 12',
  'write /f13 13',
  'write /f14 14',
  'write /f15 15',
  'write /f16 16',
  'write /f17 17',
  'write /f18 18',
  'write /f19 19',
  'write /a-very-long-name-that-takes-several-slots-of-the-directory.txt long',
];

/** `mdir -a` of every directory after guestfish ran OPS (dates dropped, spaces collapsed). */
const LINUX_LISTING = [
  'Directory for ::/',
  'EFI <DIR>',
  'AA TXT 1 Aa.txt',
  'UPPER 3',
  'X 14 x',
  'F1 1 f1',
  'F2 1 f2',
  'F3 1 f3',
  'F4 1 f4',
  'F5 1 f5',
  'F6 1 f6',
  'F7 1 f7',
  'F8 1 f8',
  'F9 1 f9',
  'F10 2 f10',
  'F11 2 f11',
  'F12 2 f12',
  'F13 2 f13',
  'F14 2 f14',
  'F15 2 f15',
  'F16 2 f16',
  'F17 2 f17',
  'F18 2 f18',
  'F19 2 f19',
  'A-VERY~1 TXT 4 a-very-long-name-that-takes-several-slots-of-the-directory.txt',
  'Directory for ::/EFI',
  '. <DIR>',
  '.. <DIR>',
  'BOOT <DIR>',
  'MOVED TXT 1 moved.txt',
  'D2 <DIR> d2',
  'Directory for ::/EFI/BOOT',
  '. <DIR>',
  '.. <DIR>',
  'CASE TXT 1 case.txt',
  'B TXT 5 b.txt',
  'LONGFI~3 TXT 1 longfilename3.txt',
  'Directory for ::/EFI/d2',
  '. <DIR>',
  '.. <DIR>',
  'INNER <DIR> inner',
  'Directory for ::/EFI/d2/inner',
  '. <DIR>',
  '.. <DIR>',
  'F 1 f',
];

it('leaves the directory entries Linux leaves', async () => {
  const image = makeFat(work, 'linux.img', { width: 32, sizeMiB: 64, sectorsPerCluster: 1 });
  const { fs, close } = await openImage(image);
  for (const line of OPS) {
    const [command, a, b] = line.split(' ');
    if (command === 'mkdir') await fs.mkdir(a!);
    else if (command === 'write') await fs.writeFile(a!, Buffer.from(line.split(' ').slice(2).join(' ')));
    else if (command === 'mv') await fs.rename(a!, b!);
    else if (command === 'rmdir') await fs.rmdir(a!);
    else if (command === 'rm') await fs.unlink(a!);
    else throw new Error(`unknown command in "${line}"`);
  }
  await fs.chmod('/f1', 0o555);
  // what guestfish's stat printed: mode, size and nlink (root: 3, /EFI: 4)
  expect(await fs.stat('/f1')).toMatchObject({ mode: 0o100555, sizeBytes: 1, nlink: 1 });
  expect(await fs.stat('/')).toMatchObject({ mode: 0o40755, sizeBytes: 2048, nlink: 3, mtimeMs: 0 });
  expect(await fs.stat('/EFI')).toMatchObject({ mode: 0o40755, sizeBytes: 512, nlink: 4 });
  await close();
  expectFsckClean(image);
  const rows: string[] = [];
  for (const dir of ['/', '/EFI', '/EFI/BOOT', '/EFI/d2', '/EFI/d2/inner']) {
    const text = mtools('mdir', ['-a', '-i', image, `::${dir}`]).toString('utf8');
    for (const line of text.split('\n')) {
      if (line.trim() === '' || line.startsWith(' Volume') || /bytes free|files /.test(line)) continue;
      rows.push(line.replace(/\d{4}-\d\d-\d\d +\d+:\d\d/, '').split(/\s+/).filter((w) => w !== '').join(' '));
    }
  }
  expect(rows).toEqual(LINUX_LISTING);
});
