// The end of an import: a raw disk written as a complete bottom layer (data, map, meta.json, synced) in a
// directory of its own. Zero runs and all-zero clusters stay holes: they are neither written nor mapped.
import { ftruncate } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid } from '../core/errors.js';
import { ClusterMap, DATA } from './cluster-map.js';
import type { LayerMeta } from './cow-layer.js';
import { fdatasyncFd, pwriteFully } from './file-io.js';
import { closeFd, fstatFd, openFd, syncDir, writeJsonAtomic } from './layer-files.js';
import type { Extent, Piece } from './sparse-file.js';

export interface LayerTarget {
  /** The layer's directory; must not exist yet. */
  layerDir: string;
  clusterBytes: number;
  signal?: AbortSignal;
}

const CHUNK = 1024 * 1024;

/** Writes a raw disk given as pieces as a bottom layer in `target.layerDir`; returns the disk's size. */
export async function writeLayer(source: AsyncIterable<Piece>, target: LayerTarget): Promise<number> {
  const cb = target.clusterBytes;
  await mkdir(target.layerDir);
  const dataFd = await openFd(join(target.layerDir, 'data'), 'wx');
  const runs: [number, number][] = [];
  // `position` (where `pending` starts on the disk) stays a multiple of CHUNK, so clusters line up in it
  let position = 0;
  try {
    const zeroes = Buffer.alloc(cb);
    const pending = Buffer.allocUnsafe(CHUNK);
    let fill = 0;
    const flushChunk = async (length: number): Promise<void> => {
      for (let a = 0; a < length; ) {
        const isZero = (at: number): boolean => pending.subarray(at, Math.min(at + cb, length)).equals(zeroes.subarray(0, Math.min(cb, length - at)));
        if (isZero(a)) {
          a += cb;
          continue;
        }
        let b = a + cb;
        while (b < length && !isZero(b)) b += cb;
        b = Math.min(b, length);
        await pwriteFully(dataFd, pending.subarray(a, b), position + a);
        addRun(runs, (position + a) / cb, Math.ceil((position + b) / cb));
        a = b;
      }
      position += length;
    };
    const skipZeroes = async (length: number): Promise<void> => {
      let left = length;
      if (fill > 0) {
        const n = Math.min(CHUNK - fill, left);
        pending.fill(0, fill, fill + n);
        fill += n;
        left -= n;
        if (fill < CHUNK) return;
        await flushChunk(fill);
        fill = 0;
      }
      const whole = left - (left % CHUNK);
      position += whole; // whole chunks of zeroes: nothing to write, nothing to compare
      left -= whole;
      pending.fill(0, 0, left);
      fill = left;
    };
    for await (const piece of source) {
      target.signal?.throwIfAborted();
      if (!Buffer.isBuffer(piece)) {
        await skipZeroes(piece.zeroBytes);
        continue;
      }
      for (let at = 0; at < piece.length; ) {
        const n = Math.min(CHUNK - fill, piece.length - at);
        piece.copy(pending, fill, at, at + n);
        fill += n;
        at += n;
        if (fill === CHUNK) {
          await flushChunk(fill);
          fill = 0;
        }
      }
    }
    await flushChunk(fill);
    if (position === 0) throw invalid('STORAGE_IMPORT_EMPTY', 'Cannot import image: the disk image is empty');
    await new Promise<void>((resolve, reject) => ftruncate(dataFd, position, (e) => (e ? reject(e) : resolve())));
    await fdatasyncFd(dataFd);
  } finally {
    await closeFd(dataFd);
  }
  await finishLayer(target, position, runs);
  return position;
}

/**
 * Makes the raw file `layerDir/data` that `fill` writes (qemu-img convert does) a layer: clusters holding
 * any data extent of the file are mapped. `extentsOf` finds the file's extents. Returns the disk's size.
 */
export async function adoptLayerData(target: LayerTarget, fill: (dataPath: string) => Promise<void>, extentsOf: (path: string, sizeBytes: number) => Promise<Extent[]>): Promise<number> {
  await mkdir(target.layerDir);
  const dataPath = join(target.layerDir, 'data');
  await fill(dataPath);
  const dataFd = await openFd(dataPath, 'r');
  let sizeBytes: number;
  try {
    sizeBytes = (await fstatFd(dataFd)).size;
    await fdatasyncFd(dataFd);
  } finally {
    await closeFd(dataFd);
  }
  if (sizeBytes === 0) throw invalid('STORAGE_IMPORT_EMPTY', 'Cannot import image: the disk image is empty');
  const cb = target.clusterBytes;
  const runs: [number, number][] = [];
  for (const e of await extentsOf(dataPath, sizeBytes)) if (e.data) addRun(runs, Math.floor(e.offset / cb), Math.ceil((e.offset + e.length) / cb));
  await finishLayer(target, sizeBytes, runs);
  return sizeBytes;
}

/** Appends clusters `[from, to)` to `runs`, merged with the last run when they touch or overlap it. */
function addRun(runs: [number, number][], from: number, to: number): void {
  const last = runs[runs.length - 1];
  if (last !== undefined && last[1] >= from) last[1] = Math.max(last[1], to);
  else runs.push([from, to]);
}

/** Writes the map and meta.json next to the data file and syncs the directory. */
async function finishLayer(target: LayerTarget, sizeBytes: number, runs: readonly [number, number][]): Promise<void> {
  const cb = target.clusterBytes;
  const map = new ClusterMap(Math.ceil(sizeBytes / cb));
  for (const [from, to] of runs) map.fill(from, to, DATA);
  await writeFile(join(target.layerDir, 'map'), '');
  const mapFd = await openFd(join(target.layerDir, 'map'), 'r+');
  try {
    await map.writeAll(mapFd);
  } finally {
    await closeFd(mapFd);
  }
  const meta: LayerMeta = { version: 1, sizeBytes, clusterBytes: cb, base: null };
  await writeJsonAtomic(join(target.layerDir, 'meta.json'), meta);
  await syncDir(target.layerDir);
}
