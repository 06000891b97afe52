// Golden images (reference §4.4, §7): the records and their rules. The bytes live in the volume store,
// reached through the GoldenImageBytes port; upload, capture and bundle extract all end here. Each image is
// offered read-only over NBD, under an unguessable export name kept on its record, through GoldenImageExports.
import { exportFields, type NbdEndpoint } from '../nbd/endpoint.js';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { conflict, invalid, notFound } from '../core/errors.js';
import { newResourceId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import type { Store, StoredDocument } from '../db/index.js';
import { envelope, looseBoolean, parseInput, resourceName, type Envelope } from './resource.js';

interface ImportProgress {
  signal?: AbortSignal;
  /** Size of the source in bytes when known: what the share done is measured against. */
  sourceBytes?: number;
  /**
   * Bytes of the source read so far, and the share of the whole import done (0 to 1) where the store
   * knows it: it includes what follows the read (unpacking a zip, qemu-img converting a qcow2).
   */
  onProgress?: (bytesRead: number, fraction?: number) => void;
}

interface ImportedBytes {
  imageId: string;
  sizeBytes: number;
  sha256: string;
  format: string;
}

/** What golden images need from the volume store. */
export interface GoldenImageBytes {
  /** Imports a disk image from a stream (format detected from content); atomic: nothing is left on failure. */
  importImage(source: Readable, options: ImportProgress): Promise<ImportedBytes>;
  /** As importImage, from a file on this machine (zip and qemu formats read in place); a missing file is not_found. */
  importImageFile?(path: string, options: ImportProgress): Promise<ImportedBytes>;
  deleteImage(imageId: string): Promise<void>;
  /** HPE's download format: a zip holding one raw disk. */
  exportZip(imageId: string): Promise<Readable>;
  /** Volumes (clones) still sitting on the image. */
  dependents(imageId: string): Promise<number>;
  /** Bytes the image holds on disk (its own layer) next to its size. */
  allocation(imageId: string): Promise<{ provisionedBytes: number; allocatedBytes: number }>;
}

/**
 * Where golden images are offered read-only over NBD (the appliance's NBD server). An export holds the
 * image open, so it is withdrawn before the bytes are deleted.
 */
export interface GoldenImageExports {
  /** The address clients reach the NBD server at. */
  readonly endpoint: NbdEndpoint;
  /** Offers the image's bytes under `exportName`, read-only. */
  add(exportName: string, storageId: string): Promise<void>;
  /** Withdraws the export, closing its sessions; false when there was none. */
  remove(exportName: string): Promise<boolean>;
  has(exportName: string): boolean;
}

/** An unguessable NBD export name: only those who may read the golden image record learn it. */
export function newGoldenExportName(): string {
  return `golden-${randomBytes(16).toString('hex')}`;
}

export interface GoldenImageLineage {
  osVolumeUri: string | null;
  sourceGoldenImageUri: string | null;
  buildPlanUri: string | null;
  buildPlanName: string | null;
}

export interface GoldenImageDoc {
  description: string | null;
  storageId: string;
  size: number;
  checkSum: string | null;
  format: string;
  readOnly: boolean;
  importedFromBundle: boolean;
  bundleName: string | null;
  bundleURI: string | null;
  lineage: GoldenImageLineage | null;
  /** Creation/capture log, served by `archive`. */
  log: string[];
  /** The image's NBD export; records made before exports existed get one at the next start (exportAll). */
  exportName?: string;
}

export interface GoldenImage extends Envelope {
  description: string | null;
  size: number;
  checkSum: string | null;
  readOnly: boolean;
  imageCapture: boolean;
  osVolumeURI: string | null;
  buildPlanUri: string | null;
  buildPlanName: string | null;
  sourceGoldenImageUri: string | null;
  importedFromBundle: boolean;
  bundleName: string | null;
  bundleURI: string | null;
  artifactBundleCategory: string | null;
  dependentArtifacts: unknown[] | null;
  format: string;
}

export const goldenImageUpdateInput = z.object({
  name: resourceName.optional(),
  description: z.string().nullish(),
  readOnly: looseBoolean.optional(),
});

interface ImportRecordOptions extends ImportProgress {
  name: string;
  description?: string | null;
  id?: string;
  readOnly?: boolean;
  bundle?: { name: string; uri: string };
  lineage?: GoldenImageLineage;
  log?: string[];
}

export class GoldenImages {
  constructor(
    private readonly store: Store,
    private readonly bytes: GoldenImageBytes,
    /** Absent where nothing is served (tools, and views over a transaction's Store). */
    private readonly exports?: GoldenImageExports,
  ) {}

  private get repo() {
    return this.store.documents<GoldenImageDoc>('golden-images');
  }

  present(stored: StoredDocument<GoldenImageDoc>): GoldenImage {
    const d = stored.doc;
    return {
      ...envelope(stored, { type: 'GoldenImage', category: 'golden-images' }),
      description: d.description,
      size: d.size,
      checkSum: d.checkSum,
      readOnly: d.readOnly,
      imageCapture: d.lineage !== null,
      osVolumeURI: d.lineage?.osVolumeUri ?? null,
      buildPlanUri: d.lineage?.buildPlanUri ?? null,
      buildPlanName: d.lineage?.buildPlanName ?? null,
      sourceGoldenImageUri: d.lineage?.sourceGoldenImageUri ?? null,
      importedFromBundle: d.importedFromBundle,
      bundleName: d.bundleName,
      bundleURI: d.bundleURI,
      artifactBundleCategory: d.importedFromBundle ? 'artifact-bundles' : null,
      dependentArtifacts: null,
      format: d.format,
    };
  }

  async stored(id: string): Promise<StoredDocument<GoldenImageDoc>> {
    const found = await this.repo.get(id);
    if (found === undefined) throw notFound('GOLDEN_IMAGE_NOT_FOUND', `Cannot find golden image "${id}"`, { recommendedActions: ['List golden images with GET /rest/golden-images'] });
    return found;
  }

  async list(): Promise<GoldenImage[]> {
    return (await this.repo.list()).map((g) => this.present(g));
  }

  async get(id: string): Promise<GoldenImage> {
    return this.present(await this.stored(id));
  }

  /** For deployment plans: by id, or by name (bundles name golden images). */
  async find(idOrName: string, options: { byName?: boolean } = {}): Promise<{ id: string; name: string } | undefined> {
    const found = options.byName === true ? await this.repo.getByName(idOrName) : await this.repo.get(idOrName);
    return found === undefined ? undefined : { id: found.id, name: found.name };
  }

  /** Fails early (before a multi-GiB upload is read) when the name is missing or taken. */
  async checkNewName(name: unknown): Promise<string> {
    if (typeof name !== 'string' || name.trim() === '') {
      throw invalid('GOLDEN_IMAGE_NAME_REQUIRED', 'Cannot upload the golden image: it needs a name', { recommendedActions: ['Pass ?name=<name> in the query or a "name" form field before the file'] });
    }
    if ((await this.repo.getByName(name.trim())) !== undefined) throw conflict('DUPLICATE_NAME', `Cannot upload golden image "${name.trim()}": a golden image with this name already exists`);
    return name.trim();
  }

  /** Imports bytes from `source` and records the image; nothing is recorded when the import fails. */
  async importFrom(source: Readable, options: ImportRecordOptions): Promise<GoldenImage> {
    return this.importWith((progress) => this.bytes.importImage(source, progress), options);
  }

  /**
   * As importFrom, from a file on the appliance's machine (`POST /rest/golden-images/import`): read in
   * place where the volume store can, else streamed.
   */
  async importFile(path: string, options: ImportRecordOptions): Promise<GoldenImage> {
    return this.importWith(
      (progress) => (this.bytes.importImageFile === undefined ? this.bytes.importImage(createReadStream(path), progress) : this.bytes.importImageFile(path, progress)),
      options,
    );
  }

  private async importWith(importBytes: (progress: ImportProgress) => Promise<ImportedBytes>, options: ImportRecordOptions): Promise<GoldenImage> {
    const name = await this.checkNewName(options.name);
    const started = isoNow();
    const imported = await importBytes({
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.sourceBytes === undefined ? {} : { sourceBytes: options.sourceBytes }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    try {
      const stored = await this.repo.insert({
        id: options.id ?? newResourceId(),
        name,
        created: isoNow(),
        doc: {
          description: options.description ?? null,
          storageId: imported.imageId,
          size: imported.sizeBytes,
          checkSum: imported.sha256,
          format: imported.format,
          readOnly: options.readOnly ?? false,
          importedFromBundle: options.bundle !== undefined,
          bundleName: options.bundle?.name ?? null,
          bundleURI: options.bundle?.uri ?? null,
          lineage: options.lineage ?? null,
          log: [...(options.log ?? []), `${started} import started`, `${isoNow()} imported ${imported.format} image: ${imported.sizeBytes} bytes, sha256 ${imported.sha256}`],
          exportName: newGoldenExportName(),
        },
      });
      return this.present(await this.exported(stored));
    } catch (error) {
      // The name was taken meanwhile, or the database failed: do not leave the bytes behind.
      await this.bytes.deleteImage(imported.imageId).catch(() => undefined);
      throw error;
    }
  }

  /** Records an image whose bytes already are in the store (capture freezes a volume into one). */
  async record(options: { name: string; description: string | null; storageId: string; size: number; checkSum: string | null; lineage: GoldenImageLineage; log: string[] }): Promise<GoldenImage> {
    const stored = await this.repo.insert({
      id: newResourceId(),
      name: options.name,
      created: isoNow(),
      doc: { description: options.description, storageId: options.storageId, size: options.size, checkSum: options.checkSum, format: 'raw', readOnly: false, importedFromBundle: false, bundleName: null, bundleURI: null, lineage: options.lineage, log: options.log, exportName: newGoldenExportName() },
    });
    return this.present(await this.exported(stored));
  }

  /**
   * Offers the image over NBD. Failing to is logged on the image (its archive) rather than undoing the
   * import: the image deploys without its export, and the next start offers it again.
   */
  private async exported(stored: StoredDocument<GoldenImageDoc>): Promise<StoredDocument<GoldenImageDoc>> {
    const name = stored.doc.exportName;
    if (this.exports === undefined || name === undefined || this.exports.has(name)) return stored;
    try {
      await this.exports.add(name, stored.doc.storageId);
      return stored;
    } catch (error) {
      const line = `${isoNow()} not exported over NBD: ${error instanceof Error ? error.message : String(error)}`;
      return this.repo.update(stored.id, { name: stored.name, modified: isoNow(), doc: { ...stored.doc, log: [...stored.doc.log, line] } });
    }
  }

  /**
   * At start: offers every golden image over NBD, first giving an export name to records made before
   * exports existed. Returns how many are exported.
   */
  async exportAll(): Promise<number> {
    if (this.exports === undefined) return 0;
    let count = 0;
    for (const current of await this.repo.list()) {
      let stored = current;
      if (stored.doc.exportName === undefined) stored = await this.repo.update(stored.id, { name: stored.name, modified: stored.modified, doc: { ...stored.doc, exportName: newGoldenExportName() } });
      stored = await this.exported(stored);
      if (this.exports.has(stored.doc.exportName as string)) count++;
    }
    return count;
  }

  /** Storage details: size against bytes held, and the read-only NBD export (null when not exported). */
  async storage(id: string): Promise<Record<string, unknown>> {
    const current = await this.stored(id);
    const { provisionedBytes, allocatedBytes } = await this.bytes.allocation(current.doc.storageId);
    const name = current.doc.exportName;
    const exported = this.exports !== undefined && name !== undefined && this.exports.has(name);
    return {
      type: 'GoldenImageStorage',
      goldenImageUri: `/rest/golden-images/${current.id}`,
      provisionedCapacity: provisionedBytes,
      allocatedCapacity: allocatedBytes,
      protocol: 'nbd',
      readOnly: true,
      ...exportFields(this.exports?.endpoint, exported ? name : null),
    };
  }

  async update(id: string, input: unknown): Promise<GoldenImage> {
    const current = await this.stored(id);
    const parsed = parseInput(goldenImageUpdateInput, input, `update golden image "${current.name}"`);
    const stored = await this.repo.update(id, {
      name: parsed.name ?? current.name,
      modified: isoNow(),
      doc: { ...current.doc, description: parsed.description === undefined ? current.doc.description : parsed.description, readOnly: parsed.readOnly ?? current.doc.readOnly },
    });
    return this.present(stored);
  }

  async archive(id: string): Promise<string> {
    const current = await this.stored(id);
    return `${current.doc.log.join('\n')}\n`;
  }

  async download(id: string): Promise<{ name: string; stream: Readable }> {
    const current = await this.stored(id);
    return { name: current.name, stream: await this.bytes.exportZip(current.doc.storageId) };
  }

  /**
   * Deletes the image. Used by deployment plans or still under OS volumes → conflict, unless `force`
   * (deployment plans then lose their golden image: they deploy an empty volume).
   */
  async delete(id: string, options: { force?: boolean; deploymentPlansUsing: (id: string) => Promise<string[]> }): Promise<GoldenImage> {
    const current = await this.stored(id);
    const plans = await options.deploymentPlansUsing(id);
    const volumes = await this.bytes.dependents(current.doc.storageId);
    if ((plans.length > 0 || volumes > 0) && options.force !== true) {
      const users = [...(plans.length > 0 ? [`deployment plan${plans.length > 1 ? 's' : ''} ${plans.map((p) => `"${p}"`).join(', ')}`] : []), ...(volumes > 0 ? [`${volumes} OS volume${volumes > 1 ? 's' : ''}`] : [])];
      throw conflict('GOLDEN_IMAGE_IN_USE', `Cannot delete golden image "${current.name}": it is used by ${users.join(' and ')}`, {
        recommendedActions: ['Change those deployment plans or delete their server profiles first, or delete with ?force=true'],
      });
    }
    // the export holds the image open: withdraw it first, and offer it again if the bytes stay
    const name = current.doc.exportName;
    const withdrawn = this.exports !== undefined && name !== undefined && (await this.exports.remove(name));
    try {
      await this.bytes.deleteImage(current.doc.storageId);
    } catch (error) {
      if (withdrawn) await this.exported(current);
      throw error;
    }
    await this.repo.delete(id);
    return this.present(current);
  }
}
