// The FAT engine at its limits: a full volume, a full fixed root directory, a read-only mount, and a FAT32
// ESP inside a GPT image opened through its partition.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../../src/core/errors.js';
import { openFat } from '../../src/guestfs/fat/index.js';
import { readPartitions } from '../../src/guestfs/partition-table.js';
import { SliceDisk } from '../../src/guestfs/slice-disk.js';
import { FileDisk } from '../../src/storage/index.js';
import { requireTool } from '../planscript/ext-session.js';
import { bytes, engineTree, expectFsckClean, expectSameTree, makeFat, mtools, mtoolsTree, openImage, populate, requireFatTools, type Tree } from './fat-images.js';

let work: string;

beforeAll(() => {
  requireFatTools();
  work = mkdtempSync(join(tmpdir(), 'fat-limits-'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

const sha = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

async function codeOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    if (!isAppError(error)) throw error;
    return `${error.code} ${error.message}`;
  }
}

describe('a full volume', () => {
  it('fails with No space left on device and leaves every file and the FAT intact', async () => {
    const image = makeFat(work, 'full12.img', { width: 12, sizeMiB: 1, sectorsPerCluster: 1 });
    const { fs, close } = await openImage(image);
    const expected: Tree = new Map();
    await fs.mkdir('/data');
    expected.set('/data', null);
    let failure = '';
    for (let i = 0; failure === '' && i < 100; i++) {
      const path = `/data/chunk number ${i}.bin`;
      const data = bytes(90_000, i + 1);
      failure = await codeOf(fs.writeFile(path, data));
      if (failure === 'ok') {
        expected.set(path, data);
        failure = '';
      }
    }
    expect(failure).toMatch(/^FS_NO_SPACE write: \/data\/chunk number \d+\.bin: No space left on device$/);
    // the failed file was not left behind, and what is left is less than one chunk
    expectSameTree(await engineTree(fs), expected);
    const free = (await fs.statvfs()).blocksFree;
    expect(free * 512).toBeLessThan(90_000);
    // appending more than is free fails too and changes nothing
    const [first] = [...expected.keys()].filter((p) => p.endsWith('.bin'));
    expect(await codeOf(fs.appendFile(first!, bytes(free * 512 + 513, 7)))).toMatch(/^FS_NO_SPACE write_append: .*: No space left on device$/);
    expect((await fs.readFile(first!)).equals(expected.get(first!)!)).toBe(true);
    // fill the last clusters exactly, then a directory that needs one more cluster cannot grow
    await fs.writeFile('/data/last', bytes(free * 512, 9));
    expected.set('/data/last', bytes(free * 512, 9));
    expect((await fs.statvfs()).blocksFree).toBe(0);
    expect(await codeOf(fs.mkdir('/data/more'))).toBe('FS_NO_SPACE mkdir: /data/more: No space left on device');
    let names = 0;
    for (; names < 64; names++) {
      const result = await codeOf(fs.writeFile(`/data/an empty file with a long name ${names}`, Buffer.alloc(0)));
      if (result !== 'ok') {
        expect(result).toMatch(/No space left on device$/);
        break;
      }
      expected.set(`/data/an empty file with a long name ${names}`, Buffer.alloc(0));
    }
    expect(names).toBeLessThan(64);
    // freeing space makes it usable again
    await fs.unlink(first!);
    expected.delete(first!);
    await fs.writeFile('/data/after', bytes(50_000, 11));
    expected.set('/data/after', bytes(50_000, 11));
    expectSameTree(await engineTree(fs), expected);
    await close();
    expectFsckClean(image);
    expectSameTree(mtoolsTree(image), expected);
  });

  it('a full FAT16 root directory (fixed size) refuses one more entry', async () => {
    const image = makeFat(work, 'root16.img', { width: 16, sizeMiB: 16, rootEntries: 16 });
    const { fs, close } = await openImage(image);
    const expected: Tree = new Map();
    let result = 'ok';
    let i = 0;
    for (; result === 'ok' && i < 100; i++) {
      result = await codeOf(fs.writeFile(`/F${i}`, Buffer.from(String(i))));
      if (result === 'ok') expected.set(`/F${i}`, Buffer.from(String(i)));
    }
    // mkfs.vfat rounds 16 slots up to 64 (what minfo reports); one is the volume label's
    expect(mtools('minfo', ['-i', image, '::']).toString()).toContain('root directory slots: 64');
    expect(expected.size).toBe(63);
    expect(result).toBe('FS_NO_SPACE write: /F63: No space left on device');
    await close();
    expectFsckClean(image);
    expectSameTree(mtoolsTree(image), expected);
  });
});

describe('a read-only mount', () => {
  it('refuses every change and writes nothing', async () => {
    const image = makeFat(work, 'ro.img', { width: 32, sizeMiB: 40 });
    populate(image, new Map([['/EFI', null], ['/EFI/x.txt', Buffer.from('x')]]), work);
    const before = sha(image);
    for (const how of [{ readOnly: true }, { diskReadOnly: true }]) {
      const disk = await FileDisk.open(image, { readOnly: true });
      const fs = await openFat(disk, { readOnly: 'readOnly' in how, device: '/dev/sda1' });
      expect(fs.readOnly).toBe(true);
      const refused = [
        fs.writeFile('/EFI/x.txt', Buffer.from('y')),
        fs.appendFile('/EFI/new', Buffer.from('y')),
        fs.mkdir('/new'),
        fs.unlink('/EFI/x.txt'),
        fs.rmdir('/EFI'),
        fs.rename('/EFI/x.txt', '/y'),
        fs.chmod('/EFI/x.txt', 0o555),
        fs.utimes('/EFI/x.txt', 0, 0),
      ];
      for (const call of refused) expect(await codeOf(call)).toMatch(/^FS_READ_ONLY \w+: \/[\w/.]*: Read-only file system$/);
      expect((await fs.readFile('/EFI/x.txt')).toString()).toBe('x');
      await fs.close();
      await disk.close();
    }
    expect(sha(image)).toBe(before);
  });
});

describe('a GPT image with an EFI system partition', () => {
  it('is changed through its partition and stays fsck-clean around the other partitions', async () => {
    requireTool('sfdisk', 'fdisk');
    const image = join(work, 'gpt.img');
    execFileSync('truncate', ['-s', '64M', image]);
    execFileSync('sfdisk', ['-q', image], { input: 'label: gpt\nstart=2048, size=81920, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B\nstart=83968, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n' });
    execFileSync('mkfs.vfat', ['-F', '32', '--offset=2048', image, '40960'], { stdio: 'ignore' });
    const espImage = `${image}@@1M`;
    populate(espImage, new Map([['/EFI', null], ['/EFI/BOOT', null], ['/EFI/BOOT/message.txt', Buffer.from('golden\n')]]), work);
    const tail = createHash('sha256').update(readFileSync(image).subarray(2048 * 512 + 81920 * 512)).digest('hex');

    const disk = await FileDisk.open(image);
    const [esp] = await readPartitions(disk);
    const fs = await openFat(new SliceDisk(disk, esp!.startBytes, esp!.sizeBytes), { readOnly: false, device: '/dev/sda1' });
    await fs.writeFile('/EFI/BOOT/message.txt', Buffer.from('Hello from web-01\n'));
    await fs.mkdir('/EFI/streamer');
    await fs.writeFile('/EFI/streamer/Personalized By Streamer.cfg', bytes(10_000, 3));
    const statvfs = await fs.statvfs();
    expect(statvfs).toMatchObject({ blockSize: 512, nameMax: 1530, fsid: 2049n, files: 0 });
    await fs.close();
    await disk.close();

    expectFsckClean(image, 2048 * 512, 81920 * 512);
    expectSameTree(
      mtoolsTree(espImage),
      new Map([
        ['/EFI', null],
        ['/EFI/BOOT', null],
        ['/EFI/BOOT/message.txt', Buffer.from('Hello from web-01\n')],
        ['/EFI/streamer', null],
        ['/EFI/streamer/Personalized By Streamer.cfg', bytes(10_000, 3)],
      ]),
    );
    expect(mtools('mtype', ['-i', espImage, '::/EFI/BOOT/message.txt']).toString()).toBe('Hello from web-01\n');
    expect(createHash('sha256').update(readFileSync(image).subarray(2048 * 512 + 81920 * 512)).digest('hex')).toBe(tail);
  });
});

describe('a damaged volume', () => {
  it('reports Input/output error for a directory without a cluster and a looping chain, and goes on', async () => {
    const image = makeFat(work, 'damaged.img', { width: 16, sizeMiB: 16, sectorsPerCluster: 1 });
    populate(image, new Map([['/D', null], ['/LOOP.BIN', bytes(2000, 1)], ['/OK.TXT', Buffer.from('fine')]]), work);
    // FAT16 layout from the boot sector: the root directory follows the two FATs
    const raw = readFileSync(image);
    const reserved = raw.readUInt16LE(14);
    const fatSectors = raw.readUInt16LE(22);
    const root = (reserved + 2 * fatSectors) * 512;
    for (let at = root; raw[at] !== 0; at += 32) {
      const name = raw.toString('latin1', at, at + 11);
      if (name === 'D          ') raw.writeUInt16LE(0, at + 26);
      if (name === 'LOOP    BIN') {
        const first = raw.readUInt16LE(at + 26);
        // the file's second cluster leads back to its first, in both FATs
        for (const fat of [reserved * 512, (reserved + fatSectors) * 512]) raw.writeUInt16LE(first, fat + (first + 1) * 2);
      }
    }
    writeFileSync(image, raw);
    const { fs, close } = await openImage(image, { readOnly: true });
    expect(await codeOf(fs.readdir('/D'))).toBe('FS_CORRUPT ls: /D: Input/output error');
    expect(await codeOf(fs.readFile('/LOOP.BIN'))).toBe('FS_CORRUPT cat: /LOOP.BIN: Input/output error');
    expect((await fs.readFile('/OK.TXT')).toString()).toBe('fine');
    await close();
  });
});
