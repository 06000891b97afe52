// Flattening: copying into a layer every cluster it reads from below, so its chain can be cut. Runs while
// the volume is in use: each batch takes the gate (shared) and the clusters' locks, as writes do.
import { ABSENT, DATA } from './cluster-map.js';
import type { CowVolume } from './cow-disk.js';
import type { CowLayer } from './cow-layer.js';
import { pwriteFully } from './file-io.js';

const BATCH_CLUSTERS = 16;

/** Copies up every cluster ABSENT in `top` that holds data below; checks `signal` between batches. */
export async function copyAllUp(live: CowVolume, top: CowLayer, signal?: AbortSignal): Promise<void> {
  for (let c = 0; c < top.clusterCount; ) {
    signal?.throwIfAborted();
    if (top.map.get(c) !== ABSENT) {
      c = top.map.runEnd(c, top.clusterCount);
      continue;
    }
    const end = Math.min(top.map.runEnd(c, top.clusterCount), c + BATCH_CLUSTERS);
    const from = c;
    await live.gate.shared(() => copyUp(top, from, end));
    c = end;
  }
}

/** Copies clusters `[from, to)` (ABSENT in `top`) up from below, under their locks. */
async function copyUp(top: CowLayer, from: number, to: number): Promise<void> {
  const base = top.base;
  if (base === null) return;
  const releases: (() => void)[] = [];
  try {
    for (let c = from; c < to; c++) releases.push(await top.lock(c));
    const cb = top.clusterBytes;
    const length = Math.min(to * cb, top.sizeBytes) - from * cb;
    const buffer = Buffer.allocUnsafe(length);
    await base.readInto(buffer, 0, from * cb, length);
    for (let c = from; c < to; c++) {
      if (top.map.get(c) !== ABSENT || base.owner(c) === null) continue;
      const at = (c - from) * cb;
      top.dataDirty = true;
      await pwriteFully(top.dataFd, buffer.subarray(at, at + top.clusterLength(c)), c * cb);
      top.map.set(c, DATA);
    }
  } finally {
    for (const release of releases) release();
  }
}
