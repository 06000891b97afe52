// The embedded volume store: golden images and OS volumes as copy-on-write layer chains in a data directory.
//   DIR/records/<id>.json   an image or a volume: { kind, layer, sizeBytes, ... } — the commit point of every change
//   DIR/layers/<layerId>/   meta.json, data, map (cow-layer.ts); kept while a record's chain reaches it
//   DIR/tmp/                work in progress (imports, new layers); emptied at open
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { AppError, conflict, invalid, notFound } from '../core/errors.js';
import { CowDisk, CowVolume } from './cow-disk.js';
import { CowLayer, DEFAULT_CLUSTER_BYTES, type LayerMeta } from './cow-layer.js';
import type { Disk } from './disk.js';
import { copyAllUp } from './flatten.js';
import { exportZip } from './image-export.js';
import { importImage, openSourceFile, type ImportedImage, type ImportOptions } from './image-import.js';
import { syncDir, writeJsonAtomic } from './layer-files.js';
import type { StoreRecord, VolumeStoreOptions } from './store-record.js';

export type { StoreRecord, VolumeStoreOptions } from './store-record.js';

const RETIRE_AFTER_MS = 10_000;

/** Opens (creating if needed) the store in `dir`: lists what exists, finishes or undoes interrupted work. */
export async function openVolumeStore(dir: string, options: VolumeStoreOptions = {}): Promise<VolumeStore> {
  for (const sub of ['records', 'layers', 'tmp']) await mkdir(join(dir, sub), { recursive: true });
  await rm(join(dir, 'tmp'), { recursive: true, force: true });
  await mkdir(join(dir, 'tmp'));
  const store = new VolumeStore(dir, options);
  await store.load();
  return store;
}

export class VolumeStore {
  private readonly records = new Map<string, StoreRecord>();
  private readonly layerMetas = new Map<string, LayerMeta>();
  private readonly openLayers = new Map<string, Promise<CowLayer>>();
  private readonly volumes = new Map<string, CowVolume>();
  /** Background flattens by record id, so that deleting the record stops its flatten first. */
  private readonly flattening = new Map<string, { job: Promise<void>; abort: AbortController }>();
  private readonly retired = new Map<CowLayer, NodeJS.Timeout>();
  /** Layers made but not yet named by a record: collect() must leave them alone. */
  private readonly creating = new Set<string>();
  private readonly maxChainDepth: number;

  constructor(
    readonly dir: string,
    private readonly options: VolumeStoreOptions,
  ) {
    this.maxChainDepth = options.maxChainDepth ?? 8;
  }

  /** @internal Reads records and layer metadata; repairs an interrupted freeze; removes unreachable layers. */
  async load(): Promise<void> {
    for (const name of await readdir(join(this.dir, 'records'))) {
      if (!name.endsWith('.json')) {
        await rm(join(this.dir, 'records', name), { force: true });
        continue;
      }
      this.records.set(name.slice(0, -5), JSON.parse(await readFile(join(this.dir, 'records', name), 'utf8')) as StoreRecord);
    }
    for (const r of this.records.values()) {
      if (r.layerMeta !== undefined) await CowLayer.ensure(join(this.dir, 'layers', r.layer), r.layerMeta);
    }
    for (const name of await readdir(join(this.dir, 'layers'))) {
      const meta = await CowLayer.readMeta(join(this.dir, 'layers', name)).catch(() => undefined);
      if (meta !== undefined) this.layerMetas.set(name, meta);
    }
    // a freeze writes the image record, then removes the volume's: both present means it was interrupted
    const imageLayers = new Set([...this.records.values()].filter((r) => r.kind === 'image').map((r) => r.layer));
    for (const [id, r] of this.records) if (r.kind === 'volume' && imageLayers.has(r.layer)) await this.removeRecord(id);
    await this.collect();
    // directories without a readable meta.json: creations a crash cut short
    for (const name of await readdir(join(this.dir, 'layers'))) {
      if (!this.layerMetas.has(name)) await rm(join(this.dir, 'layers', name), { recursive: true, force: true });
    }
  }

  /** Imports an image from a stream; see image-import.ts for the formats. Atomic. */
  importImage(source: Readable, options: ImportOptions = {}): Promise<ImportedImage> {
    return this.importFrom(source, options);
  }

  private async importFrom(source: Readable, options: ImportOptions, sourcePath?: string): Promise<ImportedImage> {
    const work = join(this.dir, 'tmp', `import-${randomUUID()}`);
    await mkdir(work);
    try {
      const layerId = randomUUID();
      const result = await importImage(source, { work, layerDir: join(work, 'layer'), clusterBytes: DEFAULT_CLUSTER_BYTES, ...options, ...(sourcePath === undefined ? {} : { sourcePath }) });
      this.creating.add(layerId);
      await rename(join(work, 'layer'), join(this.dir, 'layers', layerId));
      await syncDir(join(this.dir, 'layers'));
      this.layerMetas.set(layerId, await CowLayer.readMeta(join(this.dir, 'layers', layerId)));
      const imageId = randomUUID();
      await this.putRecord(imageId, { kind: 'image', layer: layerId, sizeBytes: result.sizeBytes, createdAt: new Date().toISOString(), format: result.format, sha256: result.sha256 });
      return { ...result, imageId };
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  /**
   * Imports an image from a file on this machine (the CLI's `golden-images import FILE`): as importImage,
   * but zip and qemu formats are read in place rather than copied to the work directory first.
   */
  async importImageFile(path: string, options: ImportOptions = {}): Promise<ImportedImage> {
    const source = await openSourceFile(path);
    return this.importFrom(source, options, path);
  }

  /**
   * Removes the image record; its bytes stay while volumes or images built on it need them. Refused
   * (conflict) while a Disk on the image is open.
   */
  async deleteImage(imageId: string): Promise<void> {
    this.record(imageId, 'image');
    const live = this.volumes.get(imageId);
    if (live !== undefined && live.handles > 0) throw conflict('STORAGE_IMAGE_IN_USE', `Cannot delete image "${imageId}": it is being read (${live.handles} disk handles: a download or an NBD export)`, { recommendedActions: ['Wait for the download to finish or remove the export, then retry'] });
    await this.stopFlatten(imageId);
    this.volumes.delete(imageId);
    await this.removeRecord(imageId);
    await this.collect();
  }

  /** The image as HPE's download format, streamed: a zip holding one raw disk named `<imageId>.raw`. */
  async exportZip(imageId: string): Promise<Readable> {
    const disk = await this.openDisk(imageId, { readOnly: true });
    return exportZip(disk, `${imageId}.raw`);
  }

  /** Number of volumes whose chain reaches the image. */
  dependents(imageId: string): Promise<number> {
    return Promise.resolve().then(() => {
      const layer = this.record(imageId, 'image').layer;
      let n = 0;
      for (const r of this.records.values()) if (r.kind === 'volume' && this.chain(r.layer).includes(layer)) n++;
      return n;
    });
  }

  listImages(): { id: string; record: StoreRecord }[] {
    return [...this.records].filter(([, r]) => r.kind === 'image').map(([id, record]) => ({ id, record }));
  }

  listVolumes(): { id: string; record: StoreRecord }[] {
    return [...this.records].filter(([, r]) => r.kind === 'volume').map(([id, record]) => ({ id, record }));
  }

  /** A new writable volume over the image: metadata only, whatever the image's size. */
  async cloneVolume(imageId: string): Promise<string> {
    const image = this.record(imageId, 'image');
    const layerMeta: LayerMeta = { version: 1, sizeBytes: image.sizeBytes, clusterBytes: this.layerMeta(image.layer).clusterBytes, base: image.layer };
    const layer = await this.newLayer(layerMeta);
    const volumeId = randomUUID();
    await this.putRecord(volumeId, { kind: 'volume', layer, sizeBytes: image.sizeBytes, createdAt: new Date().toISOString(), layerMeta });
    this.flattenIfDeep(volumeId);
    return volumeId;
  }

  /** A new volume reading as zeroes. */
  async createEmptyVolume(sizeBytes: number): Promise<string> {
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0) throw invalid('STORAGE_BAD_SIZE', `Cannot create a volume of ${JSON.stringify(sizeBytes)} bytes: the size must be a positive whole number`);
    const layerMeta: LayerMeta = { version: 1, sizeBytes, clusterBytes: DEFAULT_CLUSTER_BYTES, base: null };
    const layer = await this.newLayer(layerMeta);
    const volumeId = randomUUID();
    await this.putRecord(volumeId, { kind: 'volume', layer, sizeBytes, createdAt: new Date().toISOString(), layerMeta });
    return volumeId;
  }

  /**
   * A writable clone of a volume's current content while the volume stays in use: the volume's layer is
   * frozen under a fresh top for each of them. Writes in flight finish first; later ones go to the new top.
   */
  async cloneOfVolume(volumeId: string): Promise<string> {
    const record = this.record(volumeId, 'volume');
    const live = await this.liveVolume(volumeId);
    const cloneId = randomUUID();
    await live.gate.alone(async () => {
      const frozen = live.top;
      await frozen.persist();
      const meta: LayerMeta = { version: 1, sizeBytes: record.sizeBytes, clusterBytes: frozen.clusterBytes, base: frozen.id };
      const volumeTop = await this.newLayer(meta);
      const cloneTop = await this.newLayer(meta);
      await this.putRecord(volumeId, { ...record, layer: volumeTop, layerMeta: meta });
      frozen.frozen = true;
      live.top = await this.layer(volumeTop, { writable: true });
      await this.putRecord(cloneId, { kind: 'volume', layer: cloneTop, sizeBytes: record.sizeBytes, createdAt: new Date().toISOString(), layerMeta: meta });
    });
    this.flattenIfDeep(volumeId);
    return cloneId;
  }

  /**
   * Turns the volume into a golden image (capture): the volume's layer becomes the image's, so the cost is
   * a flush of what the volume changed. The volume id stops existing. Refused while a Disk on it is open.
   */
  async freeze(volumeId: string): Promise<{ imageId: string; sizeBytes: number }> {
    const record = this.record(volumeId, 'volume');
    const live = this.volumes.get(volumeId);
    if (live !== undefined && live.handles > 0) throw conflict('STORAGE_VOLUME_IN_USE', `Cannot freeze volume "${volumeId}": it is open (${live.handles} disk handles)`, { recommendedActions: ['Close the volume (remove its NBD export) first'] });
    // an image's layer must be on disk for good: images outlive the record that could recreate it
    await (await this.layer(record.layer, { writable: false })).persist();
    const imageId = randomUUID();
    await this.putRecord(imageId, { kind: 'image', layer: record.layer, sizeBytes: record.sizeBytes, createdAt: new Date().toISOString(), format: 'raw' });
    await this.removeRecord(volumeId);
    this.volumes.delete(volumeId);
    const open = this.openLayers.get(record.layer);
    if (open !== undefined) (await open).frozen = true;
    this.flattenIfDeep(imageId);
    return { imageId, sizeBytes: record.sizeBytes };
  }

  /** Deletes the volume and the space only it used. Refused while a Disk on it is open. */
  async deleteVolume(volumeId: string): Promise<void> {
    this.record(volumeId, 'volume');
    const live = this.volumes.get(volumeId);
    if (live !== undefined && live.handles > 0) throw conflict('STORAGE_VOLUME_IN_USE', `Cannot delete volume "${volumeId}": it is open (${live.handles} disk handles)`, { recommendedActions: ['Close the volume (remove its NBD export) first'] });
    await this.stopFlatten(volumeId);
    this.volumes.delete(volumeId);
    await this.removeRecord(volumeId);
    await this.collect();
  }

  /**
   * A Disk on an image (always read-only) or a volume. Handles on one volume share its state, so several
   * NBD connections see each other's writes and a flush on one covers all.
   */
  async openDisk(id: string, options: { readOnly?: boolean } = {}): Promise<Disk> {
    const record = this.record(id);
    const live = await this.liveVolume(id);
    return new CowDisk(live, record.kind === 'image' || options.readOnly === true);
  }

  /** Provisioned (virtual) size and the bytes the record's own top layer takes on disk. */
  async allocation(id: string): Promise<{ provisionedBytes: number; allocatedBytes: number }> {
    const record = this.record(id);
    const dir = join(this.dir, 'layers', record.layer);
    const [data, map] = await Promise.all([stat(join(dir, 'data')), stat(join(dir, 'map'))]);
    return { provisionedBytes: record.sizeBytes, allocatedBytes: (data.blocks + map.blocks) * 512 };
  }

  /** Layers in the record's chain, top first. */
  chainOf(id: string): string[] {
    return this.chain(this.record(id).layer);
  }

  /**
   * Copies into the record's top layer every cluster it reads from below, then cuts the chain: reads stop
   * falling through, and layers nobody else needs are removed. Safe while the volume is in use.
   */
  async flatten(id: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    const live = await this.liveVolume(id);
    const top = live.top;
    if (top.base === null) return;
    await copyAllUp(live, top, options.signal);
    await live.gate.alone(async () => {
      await top.persist();
      await top.setBase(null);
      this.layerMetas.set(top.id, { ...top.meta });
    });
    await this.collect();
  }

  /** Resolves when background work (flattening) started so far has finished. */
  async idle(): Promise<void> {
    while (this.flattening.size > 0) await Promise.allSettled([...this.flattening.values()].map((f) => f.job));
  }

  /** Finishes background work, flushes and closes every open layer. */
  async close(): Promise<void> {
    await this.idle();
    for (const live of this.volumes.values()) if (!live.top.frozen) await live.top.persist();
    for (const layer of this.openLayers.values()) await (await layer).close();
    for (const [layer, timer] of this.retired) {
      clearTimeout(timer);
      await layer.close().catch(() => undefined);
    }
    this.retired.clear();
    this.openLayers.clear();
    this.volumes.clear();
  }

  private record(id: string, kind?: StoreRecord['kind']): StoreRecord {
    const r = this.records.get(id);
    if (r === undefined || (kind !== undefined && r.kind !== kind)) {
      const what = kind === 'image' ? 'image' : kind === 'volume' ? 'volume' : 'image or volume';
      throw notFound('STORAGE_NOT_FOUND', `Cannot find ${what} "${id}" in the volume store`);
    }
    return r;
  }

  private layerMeta(layerId: string): LayerMeta {
    const m = this.layerMetas.get(layerId);
    if (m === undefined) throw new AppError('internal', 'STORAGE_LAYER_MISSING', `Cannot read layer "${layerId}": its files are missing`);
    return m;
  }

  private chain(layerId: string): string[] {
    const out: string[] = [];
    for (let id: string | null = layerId; id !== null; id = this.layerMetas.get(id)?.base ?? null) out.push(id);
    return out;
  }

  private async putRecord(id: string, record: StoreRecord): Promise<void> {
    await writeJsonAtomic(join(this.dir, 'records', `${id}.json`), record);
    this.records.set(id, record);
    this.creating.delete(record.layer);
  }

  private async removeRecord(id: string): Promise<void> {
    await unlink(join(this.dir, 'records', `${id}.json`)).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
    await syncDir(join(this.dir, 'records'));
    this.records.delete(id);
  }

  /** Creates an empty layer, unsynced (the record written next carries its meta), and returns its id. */
  private async newLayer(meta: LayerMeta): Promise<string> {
    const id = randomUUID();
    this.creating.add(id);
    await CowLayer.create(join(this.dir, 'layers', id), meta, { durable: false });
    this.layerMetas.set(id, meta);
    return id;
  }

  /** The open layer object (and, recursively, its chain), opened once and shared. */
  private layer(layerId: string, options: { writable: boolean }): Promise<CowLayer> {
    let opened = this.openLayers.get(layerId);
    if (opened === undefined) {
      const meta = this.layerMeta(layerId);
      opened = (async () => {
        const base = meta.base === null ? null : await this.layer(meta.base, { writable: false });
        const layer = await CowLayer.open(layerId, join(this.dir, 'layers', layerId), base, { writable: true });
        layer.frozen = true;
        return layer;
      })();
      this.openLayers.set(layerId, opened);
      opened.catch(() => this.openLayers.delete(layerId)).catch(() => undefined);
    }
    return opened.then((layer) => {
      if (options.writable) layer.frozen = false;
      return layer;
    });
  }

  private async liveVolume(id: string): Promise<CowVolume> {
    const record = this.record(id);
    let live = this.volumes.get(id);
    if (live === undefined) {
      live = new CowVolume(await this.layer(record.layer, { writable: record.kind === 'volume' }));
      const again = this.volumes.get(id);
      if (again !== undefined) return again;
      this.volumes.set(id, live);
    }
    return live;
  }

  /** Removes layers no record's chain reaches (and closes them if open). */
  private async collect(): Promise<void> {
    const reachable = new Set<string>();
    for (const r of this.records.values()) for (const id of this.chain(r.layer)) reachable.add(id);
    for (const id of this.creating) reachable.add(id);
    for (const id of [...this.layerMetas.keys()]) {
      if (reachable.has(id)) continue;
      const open = this.openLayers.get(id);
      this.openLayers.delete(id);
      this.layerMetas.delete(id);
      if (open !== undefined) this.retire(await open);
      await rm(join(this.dir, 'layers', id), { recursive: true, force: true });
    }
  }

  /**
   * Closes a layer nobody reaches any more, a little later: a read that looked the chain up just before a
   * flatten cut it may still be reading it (its files are already unlinked; the fds keep them readable).
   */
  private retire(layer: CowLayer): void {
    const timer = setTimeout(() => {
      this.retired.delete(layer);
      void layer.close().catch(() => undefined);
    }, RETIRE_AFTER_MS);
    timer.unref();
    this.retired.set(layer, timer);
  }

  private flattenIfDeep(id: string): void {
    if (this.flattening.has(id) || this.chain(this.record(id).layer).length <= this.maxChainDepth) return;
    const abort = new AbortController();
    const job: Promise<void> = this.flatten(id, { signal: abort.signal })
      .catch((error: unknown) => {
        if (!abort.signal.aborted) this.options.onBackgroundError?.(error);
      })
      .finally(() => this.flattening.delete(id));
    this.flattening.set(id, { job, abort });
  }

  /** Stops a background flatten of `id` and waits for it: its layer is about to go. */
  private async stopFlatten(id: string): Promise<void> {
    const running = this.flattening.get(id);
    if (running === undefined) return;
    running.abort.abort();
    await running.job;
  }
}

