// Artifact bundles (reference §4.6, §5.6): upload (validated before it is recorded), create from chosen
// artifacts, download, rename, extract, delete, stop a create. Zips live in `<dataDir>/bundles/<id>.zip`.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { parseInput, resourceName } from '../artifacts/index.js';
import { AppError, conflict, notFound } from '../core/errors.js';
import { newResourceId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import type { DocumentRepository, Store, StoredDocument } from '../db/index.js';
import type { Task, TaskEngine } from '../tasks/index.js';
import { bundleInput, collectArtifacts } from './collect.js';
import { applianceRefs, applyExtract, prepareExtract, type ArtifactsOver, type ExtractSummary } from './extract.js';
import type { GoldenImagePort } from './golden-images.js';
import { readBundle } from './reader.js';
import { listsOf, presentBundle, type ArtifactBundle, type BundleDoc } from './records.js';
import { writeBundle, type BundleToWrite } from './writer.js';
import type { ZipLimits } from './zip-reader.js';

export interface BundleServiceOptions {
  store: Store;
  tasks: TaskEngine;
  /** The appliance's data directory; bundles go to `bundles/`, backups to `backups/` under it. */
  dataDir: string;
  artifactsOver: ArtifactsOver;
  /** The golden image store; without it, bundles holding golden images list them but cannot extract. */
  goldenImages?: GoldenImagePort | undefined;
  limits?: ZipLimits | undefined;
}

export const renameInput = z.object({ name: resourceName, description: z.string().nullish() });

/** The bundle name from an uploaded file name: its base name without `.zip`. */
export function nameFromFile(fileName: string): string {
  const base = fileName.replace(/^.*[/\\]/, '').replace(/\.zip$/i, '').trim();
  return base === '' ? `bundle-${isoNow()}` : base;
}

export class ArtifactBundles {
  /** Bundle creates in flight: task id → abort controller (stopArtifactCreate), and names reserved. */
  private readonly creating = new Map<string, AbortController>();
  private readonly reserved = new Set<string>();

  constructor(readonly options: BundleServiceOptions) {}

  protected get kind(): 'bundles' | 'backups' {
    return 'bundles';
  }

  protected repo(store: Store = this.options.store): DocumentRepository<BundleDoc> {
    return store.artifactBundles<BundleDoc>(this.kind);
  }

  protected get dir(): string {
    return join(this.options.dataDir, this.kind);
  }

  protected present(stored: StoredDocument<BundleDoc>): ArtifactBundle {
    return presentBundle(stored, { backup: this.kind === 'backups' });
  }

  async stored(id: string): Promise<StoredDocument<BundleDoc>> {
    const found = await this.repo().get(id);
    if (found === undefined) {
      throw notFound('ARTIFACT_BUNDLE_NOT_FOUND', `Cannot find ${this.kind === 'bundles' ? 'artifact bundle' : 'backup'} "${id}"`, { recommendedActions: [`List them with GET /rest/artifact-bundles${this.kind === 'bundles' ? '' : '/backups'}`] });
    }
    return found;
  }

  async list(): Promise<ArtifactBundle[]> {
    return (await this.repo().list()).map((b) => this.present(b));
  }

  async get(id: string): Promise<ArtifactBundle> {
    return this.present(await this.stored(id));
  }

  protected async checkName(name: string): Promise<void> {
    if (this.reserved.has(name) || (await this.repo().getByName(name)) !== undefined) {
      throw conflict('DUPLICATE_NAME', `Cannot save artifact bundle "${name}": a bundle with this name already exists`, { recommendedActions: ['Choose another name, or delete or rename the existing bundle'] });
    }
  }

  /**
   * Streams an uploaded zip to the data directory, validates it completely (checksums, manifest, JSON,
   * references), and records it named after the file. Nothing is recorded or kept when it is invalid.
   */
  async receive(source: Readable, options: { fileName: string; signal?: AbortSignal; extra?: Partial<BundleDoc>; name?: string }): Promise<ArtifactBundle> {
    const name = options.name ?? nameFromFile(options.fileName);
    await this.checkName(name);
    await mkdir(this.dir, { recursive: true });
    const id = newResourceId();
    const part = join(this.dir, `${id}.part`);
    try {
      await pipeline(source, createWriteStream(part), ...(options.signal === undefined ? [] : [{ signal: options.signal }]));
      const stored = await this.record(part, { id, name, origin: 'upload', extra: options.extra ?? {} });
      return this.present(stored);
    } catch (error) {
      await rm(part, { force: true });
      throw error;
    }
  }

  /** Validates the zip at `path`, moves it to `<id>.zip` and inserts the record (removing the zip on failure). */
  protected async record(path: string, o: { id: string; name: string; origin: BundleDoc['origin']; extra: Partial<BundleDoc>; store?: Store }): Promise<StoredDocument<BundleDoc>> {
    const content = await readBundle(path, { label: o.name, appliance: applianceRefs(this.options.store, this.options.goldenImages), ...(this.options.limits === undefined ? {} : { limits: this.options.limits }) });
    const fileName = `${o.id}.zip`;
    const final = join(this.dir, fileName);
    await rename(path, final);
    try {
      const sizeBytes = (await stat(final)).size;
      return await this.repo(o.store).insert({
        id: o.id,
        name: o.name,
        created: isoNow(),
        doc: {
          description: content.manifest.description,
          readOnly: content.manifest.readOnly,
          fileName,
          sizeBytes,
          checkSum: await fileSha256(final),
          origin: o.origin,
          deploymentGroupURI: null,
          lastBackUpDownload: null,
          ...listsOf(content),
          ...o.extra,
        },
      });
    } catch (error) {
      await rm(final, { force: true });
      throw error;
    }
  }

  /** Writes `toWrite` as this kind's zip `<id>.zip` and records it (the record is built by reading it back). */
  protected async writeAndRecord(toWrite: BundleToWrite, o: { id: string; name: string; origin: BundleDoc['origin']; extra?: Partial<BundleDoc>; signal?: AbortSignal; store?: Store }): Promise<StoredDocument<BundleDoc>> {
    await mkdir(this.dir, { recursive: true });
    const part = join(this.dir, `${o.id}.part`);
    try {
      await writeBundle(part, toWrite, o.signal === undefined ? {} : { signal: o.signal });
      return await this.record(part, { id: o.id, name: o.name, origin: o.origin, extra: o.extra ?? {}, ...(o.store === undefined ? {} : { store: o.store }) });
    } catch (error) {
      await rm(part, { force: true });
      throw error;
    }
  }

  /**
   * Creates a bundle from chosen artifacts (JSON of §4.6) as a task. Bad input, unknown artifacts and a
   * taken name fail at once; writing (golden images can be large) runs in the task.
   */
  async create(input: unknown, owner: string): Promise<Task> {
    const parsed = parseInput(bundleInput, input, 'create the artifact bundle');
    await this.checkName(parsed.name);
    const id = newResourceId();
    const toWrite = await collectArtifacts(parsed, { services: this.options.artifactsOver(this.options.store), images: this.options.goldenImages, bundleId: id });
    this.reserved.add(parsed.name);
    const controller = new AbortController();
    try {
      const task = await this.options.tasks.start({
        name: 'Create',
        owner,
        resource: { uri: null, name: parsed.name, category: 'artifact-bundles' },
        run: async (context) => {
          const signal = AbortSignal.any([context.signal, controller.signal]);
          try {
            await context.progress(10, `Writing bundle "${parsed.name}"`);
            const stored = await this.writeAndRecord(toWrite, { id, name: parsed.name, origin: 'created', signal }).catch((error: unknown) => {
              // An aborted write fails with a generic AbortError: report why it was aborted instead.
              throw signal.aborted ? (signal.reason as unknown) : error;
            });
            context.setResource({ uri: `/rest/artifact-bundles/${stored.id}`, name: stored.name, category: 'artifact-bundles' });
          } finally {
            this.reserved.delete(parsed.name);
            this.creating.delete(context.task.id);
          }
        },
      });
      this.creating.set(task.id, controller);
      return task;
    } catch (error) {
      this.reserved.delete(parsed.name);
      throw error;
    }
  }

  /** Stops a bundle create started by `create` (PUT …/stopArtifactCreate {taskUri}). */
  async stopCreate(id: string, taskUri: unknown): Promise<{ stopped: boolean; taskUri: string }> {
    await this.stored(id).catch((error: unknown) => {
      // The bundle does not exist until its create finishes: only a create in flight may be named.
      if (!this.creating.has(String(taskUri).replace(/^.*\//, ''))) throw error;
    });
    if (typeof taskUri !== 'string' || taskUri.trim() === '') throw new AppError('invalid', 'INVALID_INPUT', 'Cannot stop the bundle create: "taskUri" is required', { recommendedActions: ['Send {"taskUri": "/rest/tasks/<id>"} of the create task'] });
    const taskId = taskUri.replace(/^.*\//, '');
    const controller = this.creating.get(taskId);
    if (controller === undefined) {
      const task = await this.options.tasks.get(taskId);
      if (task === undefined) throw notFound('TASK_NOT_FOUND', `Cannot stop the bundle create: task "${taskUri}" does not exist`);
      return { stopped: false, taskUri: task.uri };
    }
    controller.abort(new AppError('unavailable', 'ARTIFACT_CREATE_STOPPED', 'The bundle create was stopped on request'));
    return { stopped: true, taskUri: `/rest/tasks/${taskId}` };
  }

  async rename(id: string, input: unknown): Promise<ArtifactBundle> {
    const current = await this.stored(id);
    const body = { name: current.name, ...(typeof input === 'object' && input !== null ? input : {}) };
    const parsed = parseInput(renameInput, body, `update artifact bundle "${current.name}"`);
    if (parsed.name !== current.name) await this.checkName(parsed.name);
    const stored = await this.repo().update(id, { name: parsed.name, modified: isoNow(), doc: { ...current.doc, description: parsed.description ?? current.doc.description } });
    return this.present(stored);
  }

  async delete(id: string): Promise<ArtifactBundle> {
    const current = await this.stored(id);
    await this.repo().delete(id);
    await rm(join(this.dir, current.doc.fileName), { force: true });
    return this.present(current);
  }

  /** The zip, streamed from the data directory. */
  async download(id: string): Promise<{ name: string; sizeBytes: number; stream: Readable }> {
    const current = await this.stored(id);
    const path = join(this.dir, current.doc.fileName);
    const size = (await stat(path).catch(() => undefined))?.size;
    if (size === undefined) throw new AppError('internal', 'ARTIFACT_BUNDLE_FILE_MISSING', `Cannot download "${current.name}": its zip file is missing from the data directory`);
    return { name: current.name, sizeBytes: size, stream: createReadStream(path) };
  }

  /**
   * Extracts the bundle as a task. The bundle is validated and every clash checked before the task starts,
   * so a bad bundle (400) or a clash without `forceImport` (409) is answered at once.
   */
  async extract(id: string, options: { forceImport: boolean; owner: string; name?: string }): Promise<Task> {
    const current = await this.stored(id);
    const ports = { store: this.options.store, artifactsOver: this.options.artifactsOver, goldenImages: this.options.goldenImages, limits: this.options.limits };
    const plan = await prepareExtract(join(this.dir, current.doc.fileName), { label: current.name, forceImport: options.forceImport, ports });
    const uri = this.present(current).uri;
    return this.options.tasks.start({
      name: options.name ?? 'Extract',
      owner: options.owner,
      resource: { uri, name: current.name, category: 'artifact-bundles' },
      run: async (context) => {
        const summary: ExtractSummary = await applyExtract(plan, ports, {
          bundle: { name: current.name, uri },
          signal: context.signal,
          onProgress: (done, total) => context.progress((done / Math.max(1, total)) * 100),
        });
        context.output(`Extracted "${current.name}": ${summary.created} created, ${summary.overwritten} overwritten`);
        // Warnings, not errors: the task still completes (Go clients treat any taskErrors as a failure).
        for (const warning of summary.warnings) {
          context.output(warning);
          await context.progress(100, warning);
        }
      },
    });
  }
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
