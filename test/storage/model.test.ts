// Randomized model test: a CoW volume and a MemoryDisk take the same random writes (unaligned, crossing
// clusters and sub-clusters, some in flight together), discards and zeroes while the volume is snapshotted, flattened and its store reopened; every
// read and the snapshots must match the model. The seed is printed on failure.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryDisk, openVolumeStore, type Disk, type VolumeStore } from '../../src/storage/index.js';

const root = mkdtempSync(join(tmpdir(), 'storage-model-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const SIZE = 2 * 1024 * 1024 + 4096;

describe('CoW volume against a model', () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`random operations, snapshots, flattens and reopens agree with a MemoryDisk (seed ${seed})`, async () => {
      const random = rng(seed);
      const int = (n: number): number => Math.floor(random() * n);
      const dir = join(root, `s${seed}`);
      let store: VolumeStore = await openVolumeStore(dir, { maxChainDepth: 4 });
      const initial = Buffer.alloc(SIZE);
      for (let i = 0; i < SIZE; i += 3) initial[i] = int(256);
      initial.fill(0, 512 * 1024, 1024 * 1024);
      const { imageId } = await store.importImage(Readable.from([initial]));
      let volumeId = await store.cloneVolume(imageId);
      let disk: Disk = await store.openDisk(volumeId);
      const model = new MemoryDisk(SIZE, { content: initial });
      const snapshots: { id: string; content: Buffer }[] = [];

      for (let step = 0; step < 300; step++) {
        const op = int(100);
        const offset = int(SIZE - 1);
        // half the writes small (inside a cluster or across two: the sub-cluster paths), half up to 200 KB
        const length = 1 + int(Math.min(int(2) === 0 ? 9000 : 200_000, SIZE - offset - 1));
        if (op < 35) {
          const data = Buffer.alloc(length, 1 + int(255));
          await Promise.all([disk.write(offset, data, { fua: int(4) === 0 }), model.write(offset, data)]);
        } else if (op < 45) {
          // small writes in flight together into one 128 KiB region, apart from each other (the order of
          // overlapping writes in flight is not defined): those into one cluster share its copy-up
          const region = int(SIZE - 131072);
          const writes: Promise<void>[] = [];
          for (let at = region + int(3000); at < region + 131072 - 3000; at += 3000 + int(9000)) {
            const data = Buffer.alloc(1 + int(2999), 1 + int(255));
            writes.push(disk.write(at, data));
            await model.write(at, data);
          }
          await Promise.all(writes);
        } else if (op < 55) {
          await disk.discard(offset, length);
          await model.discard(offset, length);
        } else if (op < 62) {
          await disk.zero(offset, length);
          await model.zero(offset, length);
        } else if (op < 85) {
          const [got, want] = await Promise.all([disk.read(offset, length), model.read(offset, length)]);
          expect(got.equals(want), `seed ${seed} step ${step}: read ${offset}+${length}`).toBe(true);
        } else if (op < 90) {
          const id = await store.cloneOfVolume(volumeId);
          snapshots.push({ id, content: await model.read(0, SIZE) });
        } else if (op < 93) {
          await store.flatten(volumeId);
        } else if (op < 96) {
          await disk.close();
          await store.close();
          store = await openVolumeStore(dir, { maxChainDepth: 4 });
          disk = await store.openDisk(volumeId);
        } else {
          // capture: freeze a snapshot into an image and carry on from a clone of it
          const snap = snapshots.pop();
          if (snap === undefined) continue;
          const { imageId: captured } = await store.freeze(snap.id);
          await disk.close();
          await store.deleteVolume(volumeId);
          volumeId = await store.cloneVolume(captured);
          disk = await store.openDisk(volumeId);
          await model.write(0, snap.content);
        }
      }
      expect((await disk.read(0, SIZE)).equals(await model.read(0, SIZE)), `seed ${seed}: final content`).toBe(true);
      for (const snap of snapshots) {
        const d = await store.openDisk(snap.id, { readOnly: true });
        expect((await d.read(0, SIZE)).equals(snap.content), `seed ${seed}: snapshot ${snap.id}`).toBe(true);
        await d.close();
      }
      await disk.close();
      await store.idle();
      await store.close();
    });
  }
});
