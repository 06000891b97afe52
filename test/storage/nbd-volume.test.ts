// Copy-on-write volumes served by the NBD server to real clients: qemu-img compare reads a clone as the
// golden image, nbdinfo --map shows its holes from block status, nbdcopy writes through it, and what it
// wrote is there after the store is reopened.
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExportRegistry, startNbdServer } from '../../src/nbd/index.js';
import { openVolumeStore } from '../../src/storage/index.js';
import { requireTool, tool } from '../nbd/tools.js';

const root = mkdtempSync(join(tmpdir(), 'storage-nbd-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const MiB = 1024 * 1024;

describe('CoW volumes over NBD', () => {
  it('reads as the image, maps holes, takes writes that survive a reopen', async () => {
    requireTool('qemu-img', 'qemu-utils');
    requireTool('nbdinfo', 'libnbd-bin');
    requireTool('nbdcopy', 'libnbd-bin');
    requireTool('mkfs.ext4', 'e2fsprogs');
    const source = join(root, 'golden.raw');
    execFileSync('truncate', ['-s', '64M', source]);
    execFileSync('mkfs.ext4', ['-q', '-F', source]);
    const storeDir = join(root, 'store');
    let store = await openVolumeStore(storeDir);
    const { imageId } = await store.importImage(createReadStream(source));
    const volumeId = await store.cloneVolume(imageId);
    const registry = new ExportRegistry();
    const server = await startNbdServer({ host: '127.0.0.1', port: 0, registry });
    const url = (name: string): string => `nbd://127.0.0.1:${server.port}/${name}`;
    try {
      const disk = await store.openDisk(volumeId);
      registry.add('vol', disk, { readOnly: false, flushIsGlobal: true });
      await tool('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', source, url('vol')]);

      const map = await tool('nbdinfo', ['--map', '--json', url('vol')]);
      const extents = JSON.parse(map) as { offset: number; length: number; type: number }[];
      const holes = extents.filter((e) => (e.type & 1) === 1).reduce((n, e) => n + e.length, 0);
      expect(holes).toBeGreaterThan(32 * MiB); // a fresh ext4 is mostly empty
      expect(extents.some((e) => e.type === 0)).toBe(true);

      const payload = Buffer.alloc(64 * MiB);
      for (let i = 0; i < payload.length; i += 4096) payload.writeUInt32LE(i, i + 8);
      const next = join(root, 'next.raw');
      writeFileSync(next, payload);
      await tool('nbdcopy', [next, url('vol')]);
      await tool('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', next, url('vol')]);
      await registry.remove('vol');
      await disk.close();
    } finally {
      await server.close();
    }
    await store.close();
    store = await openVolumeStore(storeDir);
    const again = await store.openDisk(volumeId, { readOnly: true });
    expect((await again.read(0, 64 * MiB)).equals(readFileSync(join(root, 'next.raw')))).toBe(true);
    const image = await store.openDisk(imageId);
    expect((await image.read(0, 64 * MiB)).equals(readFileSync(source))).toBe(true);
    await store.close();
  });
});
