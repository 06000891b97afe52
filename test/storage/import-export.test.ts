// Golden-image import and export with real files: a disk made by mkfs.ext4, packed as HPE's zip (by yazl
// and by Info-ZIP `zip`), gzip, and qcow2/vmdk/vhdx/vdi made by qemu-img; `qemu-img compare` checks
// that what comes out equals what went in.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskStream, openVolumeStore, type VolumeStore } from '../../src/storage/index.js';
import { requireTool } from '../nbd/tools.js';

const root = mkdtempSync(join(tmpdir(), 'storage-import-'));
const source = join(root, 'source.raw');
let store: VolumeStore;

beforeAll(async () => {
  requireTool('qemu-img', 'qemu-utils');
  requireTool('mkfs.ext4', 'e2fsprogs');
  requireTool('zip', 'zip');
  requireTool('unzip', 'unzip');
  requireTool('gzip', 'gzip');
  writeFileSync(source, '');
  execFileSync('truncate', ['-s', '48M', source]);
  execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'golden', source]);
  // some non-zero content past the filesystem metadata, unaligned
  const fd = readFileSync(source);
  for (let i = 0; i < 100_000; i++) fd[20 * 1024 * 1024 + 3 + i] = (i * 7) & 0xff;
  writeFileSync(source, fd);
  store = await openVolumeStore(join(root, 'store'));
});
afterAll(async () => {
  await store?.close();
  rmSync(root, { recursive: true, force: true });
});

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Writes the stored image as a raw file and runs `qemu-img compare` against the source. */
async function expectSameAsSource(imageId: string): Promise<void> {
  const out = join(root, `${imageId}.raw`);
  await pipeline(diskStream(await store.openDisk(imageId, { readOnly: true })), createWriteStream(out));
  execFileSync('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', source, out]);
}

async function importFile(path: string) {
  let progress = 0;
  const result = await store.importImage(createReadStream(path), { onProgress: (n) => (progress = n) });
  expect(progress).toBe(readFileSync(path).length);
  expect(result.sha256).toBe(sha256(path));
  return result;
}

describe('golden image import and export', () => {
  it('imports a raw disk; its size and sha256 are those of the file', async () => {
    const r = await importFile(source);
    expect(r).toMatchObject({ format: 'raw', sizeBytes: 48 * 1024 * 1024 });
    await expectSameAsSource(r.imageId);
  });

  it('imports HPE zips made by yazl and by zip(1), and a gz, detected by content whatever the name', async () => {
    const yz = join(root, 'hpe-image.bin');
    const zip = new yazl.ZipFile();
    zip.addFile(source, 'disk.raw');
    zip.end();
    await pipeline(zip.outputStream, createWriteStream(yz));
    expect(await importFile(yz)).toMatchObject({ format: 'zip', sizeBytes: 48 * 1024 * 1024 });

    const iz = join(root, 'infozip.zip');
    execFileSync('zip', ['-q', '-j', iz, source]);
    const fromZip = await importFile(iz);
    expect(fromZip.format).toBe('zip');
    await expectSameAsSource(fromZip.imageId);

    const gz = join(root, 'image.raw.gz');
    execFileSync('sh', ['-c', `gzip -c "${source}" > "${gz}"`]);
    const fromGz = await importFile(gz);
    expect(fromGz.format).toBe('gz');
    await expectSameAsSource(fromGz.imageId);
  });

  for (const format of ['qcow2', 'vmdk', 'vhdx', 'vdi'] as const) {
    it(`imports ${format} through qemu-img convert`, async () => {
      const path = join(root, `image.${format}.upload`);
      execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', format, source, path]);
      const r = await importFile(path);
      expect(r.format).toBe(format);
      expect(r.sizeBytes).toBeGreaterThanOrEqual(48 * 1024 * 1024);
      if (format === 'qcow2' || format === 'vdi') await expectSameAsSource(r.imageId);
      else {
        const out = join(root, `${r.imageId}.raw`);
        await pipeline(diskStream(await store.openDisk(r.imageId, { readOnly: true })), createWriteStream(out));
        execFileSync('qemu-img', ['compare', '-f', format, '-F', 'raw', path, out]);
      }
    });
  }

  it('importImageFile() reads zip and qcow2 in place and hashes the file', async () => {
    const qcow = join(root, 'in-place.qcow2');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', source, qcow]);
    const r = await store.importImageFile(qcow);
    expect(r).toMatchObject({ format: 'qcow2', sha256: sha256(qcow) });
    await expectSameAsSource(r.imageId);
    const z = await store.importImageFile(join(root, 'infozip.zip'));
    expect(z).toMatchObject({ format: 'zip', sha256: sha256(join(root, 'infozip.zip')) });
    await expectSameAsSource(z.imageId);
    await expect(store.importImageFile(join(root, 'nope.raw'))).rejects.toMatchObject({ kind: 'not_found', message: `Cannot import "${join(root, 'nope.raw')}": no such file` });
  });

  it('exports HPE\'s zip (one raw disk) that unzip(1) extracts to the same bytes', async () => {
    const { imageId } = await importFile(source);
    const zipPath = join(root, 'export.zip');
    await pipeline(await store.exportZip(imageId), createWriteStream(zipPath));
    const listing = execFileSync('unzip', ['-Z1', zipPath], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toEqual([`${imageId}.raw`]);
    const extracted = join(root, 'extracted.raw');
    execFileSync('sh', ['-c', `unzip -p "${zipPath}" > "${extracted}"`]);
    execFileSync('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', source, extracted]);
    // and it imports again as the same disk
    const again = await importFile(zipPath);
    await expectSameAsSource(again.imageId);
  });

  it('refuses a zip of two files, an empty stream, damaged gzip and a qcow2 with a backing file, leaving nothing', async () => {
    const before = store.listImages().length;
    const two = join(root, 'two.zip');
    execFileSync('zip', ['-q', '-j', two, source, join(root, 'image.raw.gz')]);
    await expect(store.importImage(createReadStream(two))).rejects.toMatchObject({ kind: 'invalid', code: 'STORAGE_IMPORT_BAD_ZIP', message: 'Cannot import image: the zip holds 2 files, not one disk image' });
    await expect(store.importImage(Readable.from([]))).rejects.toMatchObject({ code: 'STORAGE_IMPORT_EMPTY' });
    const badGz = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Buffer.alloc(600, 0xff)]);
    await expect(store.importImage(Readable.from([badGz]))).rejects.toMatchObject({ kind: 'invalid', code: 'STORAGE_IMPORT_BAD_GZIP' });
    const overlay = join(root, 'overlay.qcow2');
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', source, overlay]);
    await expect(store.importImage(createReadStream(overlay))).rejects.toMatchObject({ code: 'STORAGE_IMPORT_EXTERNAL_FILES' });
    // a qcow2 cut short: header intact, tables gone (qemu-img convert alone would read zeroes and succeed)
    const whole = join(root, 'whole.qcow2');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', source, whole]);
    const cut = readFileSync(whole).subarray(0, 256 * 1024);
    await expect(store.importImage(Readable.from([cut]))).rejects.toMatchObject({ kind: 'invalid', code: 'STORAGE_IMPORT_BAD_IMAGE', message: expect.stringMatching(/^Cannot import image: the qcow2 image is damaged \(qemu-img check: /) });
    expect(store.listImages().length).toBe(before);
    expect(execFileSync('ls', [join(root, 'store', 'tmp')], { encoding: 'utf8' })).toBe('');
  });

  it('an aborted import fails as cancelled and leaves nothing', async () => {
    const before = store.listImages().length;
    const controller = new AbortController();
    const endless = Readable.from((async function* () {
      for (let i = 0; ; i++) {
        if (i === 5) controller.abort();
        yield Buffer.alloc(1024 * 1024, 1);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })());
    await expect(store.importImage(endless, { signal: controller.signal })).rejects.toMatchObject({ code: 'STORAGE_IMPORT_CANCELLED' });
    expect(store.listImages().length).toBe(before);
  });

  it('names the Debian package when qemu-img is missing', async () => {
    const path = join(root, 'missing-tool.qcow2');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', source, path]);
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(store.importImage(createReadStream(path))).rejects.toMatchObject({ kind: 'unavailable', code: 'STORAGE_QEMU_IMG_MISSING', recommendedActions: [expect.stringContaining('qemu-utils')] });
    } finally {
      process.env.PATH = saved;
    }
  });
});
