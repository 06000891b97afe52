// Flattening: copying into a layer every cluster it reads from below, so its chain can be cut. Runs while
// the volume is in use: each batch takes the gate (shared) and the clusters' locks, as writes do.
import { ABSENT, DATA, PARTIAL, SUBCLUSTERS, subclusterRunEnd } from './cluster-map.js';
import type { CowVolume } from './cow-disk.js';
import type { CowLayer } from './cow-layer.js';
import { pwriteFully } from './file-io.js';

const BATCH_CLUSTERS = 16;

/** Copies up every cluster not wholly in `top` (ABSENT, PARTIAL) that holds data below; checks `signal` between batches. */
export async function copyAllUp(live: CowVolume, top: CowLayer, signal?: AbortSignal): Promise<void> {
  const needsCopy = (c: number): boolean => top.map.get(c) === ABSENT || top.map.get(c) === PARTIAL;
  for (let c = 0; c < top.clusterCount; ) {
    signal?.throwIfAborted();
    if (!needsCopy(c)) {
      c = top.map.runEnd(c, top.clusterCount);
      continue;
    }
    let end = c + 1;
    while (end < top.clusterCount && end < c + BATCH_CLUSTERS && needsCopy(end)) end++;
    const from = c;
    await live.gate.shared(() => copyUp(top, from, end));
    c = end;
  }
}

/**
 * Copies clusters `[from, to)` up from below, under their locks: the whole cluster where ABSENT, the
 * sub-clusters it lacks where PARTIAL (writes into the ones it holds go on without the lock).
 */
async function copyUp(top: CowLayer, from: number, to: number): Promise<void> {
  const base = top.base;
  if (base === null) return;
  const releases: (() => void)[] = [];
  try {
    for (let c = from; c < to; c++) releases.push(await top.lock(c));
    const cb = top.clusterBytes;
    const sb = top.subclusterBytes;
    const length = Math.min(to * cb, top.sizeBytes) - from * cb;
    const buffer = Buffer.allocUnsafe(length);
    await base.readInto(buffer, 0, from * cb, length);
    for (let c = from; c < to; c++) {
      const state = top.map.get(c);
      if ((state !== ABSENT && state !== PARTIAL) || base.owner(c) === null) continue;
      const at = (c - from) * cb;
      const clusterLength = top.clusterLength(c);
      const held = top.map.subclusters(c);
      top.dataDirty = true;
      if (state === ABSENT) {
        await pwriteFully(top.dataFd, buffer.subarray(at, at + clusterLength), c * cb);
      } else {
        // each run of sub-clusters the layer lacks, in one write
        for (let s = 0; s < SUBCLUSTERS && s * sb < clusterLength; ) {
          const e = subclusterRunEnd(held, s);
          if ((held & (1 << s)) === 0) await pwriteFully(top.dataFd, buffer.subarray(at + s * sb, at + Math.min(e * sb, clusterLength)), c * cb + s * sb);
          s = e;
        }
      }
      // a discard or zeroing (which take no locks) marked the cluster meanwhile: it stays as they left it
      if (top.map.get(c) === state && top.map.subclusters(c) === held) top.map.set(c, DATA);
    }
  } finally {
    for (const release of releases) release();
  }
}
