// File contents on the volume: a chain's clusters read or written in as few Disk calls as their runs of
// consecutive clusters allow (each at most 4 MiB).
import type { Disk } from '../../storage/disk.js';
import { clusterOffset, type FatGeometry } from './boot-sector.js';
import { runs } from './directory.js';

/** Largest single read or write of file data. */
const IO_CHUNK = 4 * 1024 * 1024;

/** The first `sizeBytes` of the data in `clusters`. */
export async function readChain(disk: Disk, geometry: FatGeometry, clusters: readonly number[], sizeBytes: number): Promise<Buffer> {
  const out = Buffer.alloc(sizeBytes);
  const size = geometry.clusterSize;
  for (const run of runs(clusters)) {
    const start = run.index * size;
    if (start >= sizeBytes) break;
    const length = Math.min(run.count * size, sizeBytes - start);
    for (let done = 0; done < length; done += IO_CHUNK) {
      const n = Math.min(IO_CHUNK, length - done);
      const data = await disk.read(clusterOffset(geometry, run.first) + done, n);
      data.copy(out, start + done);
    }
  }
  return out;
}

/** Writes `data` at byte `offset` of the file whose clusters are `clusters`; the rest of its last cluster is zeroed. */
export async function writeChain(disk: Disk, geometry: FatGeometry, file: { clusters: readonly number[]; offset: number; data: Uint8Array }): Promise<void> {
  const { clusters, offset, data } = file;
  const size = geometry.clusterSize;
  const end = Math.ceil((offset + data.length) / size) * size;
  for (const run of runs(clusters)) {
    const runStart = run.index * size;
    const from = Math.max(offset, runStart);
    const to = Math.min(end, runStart + run.count * size);
    for (let at = from; at < to; at += IO_CHUNK) {
      const stop = Math.min(to, at + IO_CHUNK);
      let piece: Uint8Array = data.subarray(at - offset, Math.min(stop, offset + data.length) - offset);
      if (piece.length < stop - at) {
        const padded = Buffer.alloc(stop - at);
        padded.set(piece);
        piece = padded;
      }
      await disk.write(clusterOffset(geometry, run.first) + (at - runStart), piece);
    }
  }
}
