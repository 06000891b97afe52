// The volume store behind the ports other domains declare: GoldenImageBytes (artifacts), VolumeBackend and
// CaptureBackend (deploy), VolumeAllocation (os-volumes). Type-checked against them and run for real.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { GoldenImageBytes } from '../../src/artifacts/golden-images.js';
import type { CaptureBackend } from '../../src/deploy/capture.js';
import type { VolumeBackend } from '../../src/deploy/deployer.js';
import type { VolumeAllocation } from '../../src/deploy/os-volumes.js';
import { goldenImageBytes, openVolumeStore } from '../../src/storage/index.js';

const root = mkdtempSync(join(tmpdir(), 'storage-ports-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('volume store behind the domain ports', () => {
  it('serves GoldenImageBytes, VolumeBackend, CaptureBackend and VolumeAllocation', async () => {
    const store = await openVolumeStore(root);
    const bytes: GoldenImageBytes = goldenImageBytes(store);
    const volumes: VolumeBackend = store;
    const capture: CaptureBackend = store;
    const allocation: VolumeAllocation = (id) => store.allocation(id);

    const imported = await bytes.importImage(Readable.from([Buffer.alloc(1024 * 1024, 3)]), {});
    expect(imported).toMatchObject({ sizeBytes: 1024 * 1024, format: 'raw' });
    const volumeId = await volumes.cloneVolume(imported.imageId);
    expect(await bytes.dependents(imported.imageId)).toBe(1);
    const cloneId = await capture.cloneOfVolume(volumeId);
    const disk = await capture.openDisk(cloneId);
    await disk.write(0, Buffer.from('captured'));
    await disk.close();
    const frozen = await capture.freeze(cloneId);
    expect(frozen.sizeBytes).toBe(1024 * 1024);
    expect(await allocation(volumeId)).toMatchObject({ provisionedBytes: 1024 * 1024 });
    // a forced delete leaves the volume working on the image's bytes
    await bytes.deleteImage(imported.imageId);
    const still = await volumes.openDisk(volumeId, { readOnly: true });
    expect((await still.read(0, 4)).equals(Buffer.alloc(4, 3))).toBe(true);
    await still.close();
    await capture.deleteImage(frozen.imageId);
    await volumes.deleteVolume(volumeId);
    expect(readdirSync(join(root, 'layers'))).toEqual([]);
    await store.close();
  });
});
