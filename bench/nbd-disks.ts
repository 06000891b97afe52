// The Disks the NBD benchmark serves, all from src/storage: the raw data as a FileDisk, and copy-on-write
// volumes from a real VolumeStore for the sparse and the copy-on-write cases (what OS volumes are).
import { join } from 'node:path';
import { FileDisk, openVolumeStore, type Disk } from '../src/storage/index.js';

export interface BenchDisks {
  describe: string;
  /** The raw data file. */
  raw(): Disk;
  /** A 100 GiB volume holding only the sparse file's data ranges; reports extents so holes are skipped. */
  sparse(): Disk;
  /** A writable CoW volume over the raw data imported as a golden image, with the given clusters rewritten. */
  cow(): Promise<Disk>;
  /** A new clone of that golden image, nothing written yet (a server just deployed); deleted by `close()`. */
  freshClone(): Promise<Disk>;
  close(): Promise<void>;
}

export async function openBenchDisks(o: { dir: string; raw: string; sparseRanges: { offset: number; data: Buffer }[]; sparseBytes: number; cowOffsets: number[]; clusterBytes: number }): Promise<BenchDisks> {
  const raw = await FileDisk.open(o.raw);
  const store = await openVolumeStore(join(o.dir, 'store'));

  const sparseId = await store.createEmptyVolume(o.sparseBytes);
  const sparse = await store.openDisk(sparseId);
  for (const r of o.sparseRanges) await sparse.write(r.offset, r.data);
  await sparse.flush();

  const image = await store.importImageFile(o.raw);
  const volumeId = await store.cloneVolume(image.imageId);
  const writer = await store.openDisk(volumeId);
  const pattern = Buffer.alloc(o.clusterBytes, 0x5a);
  for (const offset of o.cowOffsets) await writer.write(offset, pattern);
  await writer.flush();
  await writer.close();
  const opened: Disk[] = [];
  const clones: { id: string; disk: Disk }[] = [];

  return {
    describe: 'src/storage FileDisk (raw); VolumeStore volumes (sparse: empty 100 GiB volume with 16 written ranges; cow: clone of the raw data imported as a golden image, 10 % of clusters rewritten)',
    raw: () => raw,
    sparse: () => sparse,
    cow: async () => {
      const disk = await store.openDisk(volumeId);
      opened.push(disk);
      return disk;
    },
    freshClone: async () => {
      const id = await store.cloneVolume(image.imageId);
      const disk = await store.openDisk(id);
      clones.push({ id, disk });
      return disk;
    },
    close: async () => {
      for (const d of opened) await d.close();
      for (const c of clones) {
        await c.disk.close();
        await store.deleteVolume(c.id);
      }
      await sparse.close();
      await raw.close();
      await store.close();
    },
  };
}
