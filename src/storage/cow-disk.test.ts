import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CowDisk, CowVolume } from './cow-disk.js';
import { CowLayer, DEFAULT_CLUSTER_BYTES } from './cow-layer.js';

const dir = mkdtempSync(join(tmpdir(), 'cow-disk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CowVolume.readViews', () => {
  it('gives no views while an exclusive step (a flatten swapping the top layer) runs, and views again after', async () => {
    const layerDir = join(dir, 'top');
    await CowLayer.create(layerDir, { version: 1, sizeBytes: 1024 * 1024, clusterBytes: DEFAULT_CLUSTER_BYTES, base: null }, { durable: false });
    const layer = await CowLayer.open('top', layerDir, null, { writable: true });
    const volume = new CowVolume(layer);
    const disk = new CowDisk(volume, false);
    const data = Buffer.alloc(128 * 1024, 0x6b);
    await disk.write(64 * 1024, data);
    expect(Buffer.concat(disk.readViews(64 * 1024, data.length)!).equals(data)).toBe(true);
    let during: Buffer[] | undefined = [];
    await volume.gate.alone(() => {
      during = disk.readViews(64 * 1024, data.length);
      return Promise.resolve();
    });
    expect(during).toBeUndefined();
    expect(Buffer.concat(disk.readViews(64 * 1024, data.length)!).equals(data)).toBe(true);
    await disk.close();
    await layer.close();
  });
});
