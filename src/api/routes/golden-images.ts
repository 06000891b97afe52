// Golden images (reference §3, §4.4, §5.4, §7): streamed multipart upload, import from a file on the
// appliance's machine, HPE zip download, archive log, storage details (the read-only NBD export), update,
// delete, and capture (JSON POST with imageCapture).
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { isoNow } from '../../core/time.js';
import { parseInput, resourceName } from '../../artifacts/resource.js';
import type { GoldenImages } from '../../artifacts/golden-images.js';
import { goldenImageUpdateInput } from '../../artifacts/golden-images.js';
import { checkImportPath, type ImportSource } from '../../artifacts/import-path.js';
import type { TaskEngine, Task, TaskContext } from '../../tasks/index.js';
import { withUploadedFile } from '../multipart.js';
import { accepted, json, type ApiRouter, type ApiRequest } from '../router.js';
import { errorResponse } from '../error-response.js';
import { checkIfMatch, collection, mutated } from './respond.js';

export interface GoldenImageServices {
  goldenImages: GoldenImages;
  tasks: TaskEngine;
  /** Names of deployment plans using a golden image (delete checks). */
  deploymentPlansUsing: (goldenImageId: string) => Promise<string[]>;
  /** The appliance's data directory: imports from files inside it are refused. */
  dataDir: string;
  /** Starts a capture (issue 5); absent until the deploy domain is wired. */
  capture?: (input: Record<string, unknown>, owner: string) => Promise<Task>;
}


const read = { area: 'artifacts', action: 'read' } as const;
const write = { area: 'artifacts', action: 'write' } as const;
// Reading any path on the appliance's machine (and serving it back as a download) is more than an
// artifact change: only roles that may change the appliance may do it.
const applianceWrite = { area: 'appliance', action: 'write' } as const;

/** The image name a file gives when none is chosen: its name without the image extension. */
const nameOfFile = (fileName: string): string => fileName.replace(/\.(zip|gz|img|raw|qcow2|vmdk|vhdx|vdi)$/i, '');

/**
 * An onProgress that moves the task's percentComplete (99 at most) with the import's share done, or with
 * the bytes read of `totalBytes` when the store reports no share.
 */
function progressOf(context: TaskContext, totalBytes: number): (bytesRead: number, fraction?: number) => void {
  let lastPercent = -1;
  return (bytesRead, fraction) => {
    const share = fraction ?? (totalBytes > 0 ? bytesRead / totalBytes : 0);
    const percent = Math.min(99, Math.floor(share * 100));
    if (percent !== lastPercent) {
      lastPercent = percent;
      void context.progress(percent);
    }
  };
}

async function upload(r: ApiRequest, s: GoldenImageServices): Promise<Response> {
  const queryName = r.query('name');
  if (queryName !== undefined) await s.goldenImages.checkNewName(queryName);
  const total = Number(r.context.req.header('content-length') ?? 0);
  const run = await s.tasks.begin({ name: 'Create', owner: r.actor.user.userName, resource: { uri: null, name: queryName ?? null, category: 'golden-images' } });
  try {
    const { result: image } = await withUploadedFile(r.context.req.raw, (file) => {
      const name = queryName ?? file.fields['name'] ?? nameOfFile(file.fileName);
      return s.goldenImages.importFrom(file.stream, {
        name,
        description: r.query('description') ?? file.fields['description'] ?? null,
        signal: run.context.signal,
        ...(total > 0 ? { sourceBytes: total } : {}),
        onProgress: progressOf(run.context, total),
      });
    });
    run.context.setResource({ uri: image.uri, name: image.name, category: 'golden-images' });
    return accepted(await run.end());
  } catch (error) {
    await run.end(error);
    return errorResponse(error);
  }
}

const goldenImageImportInput = z.object({
  path: z.string().min(1, 'must not be empty'),
  name: resourceName.optional(),
  description: z.string().nullish(),
});

/** Answers 202 with a task at once; the task reads the file, its percentComplete following the bytes read. */
async function importFromPath(r: ApiRequest, s: GoldenImageServices): Promise<Response> {
  const input = parseInput(goldenImageImportInput, await r.json(), 'import the golden image');
  // the file stays open from the check to the end of the task, which reads it through that descriptor
  const source = await checkImportPath(input.path, { dataDir: s.dataDir });
  let task: Task;
  try {
    task = await startImport(r, s, input, source);
  } catch (error) {
    await source.close();
    throw error;
  }
  return accepted(task);
}

async function startImport(r: ApiRequest, s: GoldenImageServices, input: z.infer<typeof goldenImageImportInput>, source: ImportSource): Promise<Task> {
  const name = await s.goldenImages.checkNewName(input.name ?? nameOfFile(basename(source.path)));
  const owner = r.actor.user.userName;
  return s.tasks.start({
    name: 'Create',
    owner,
    resource: { uri: null, name, category: 'golden-images' },
    queue: 'golden-image-import',
    data: { sourcePath: source.path },
    release: () => source.close(),
    run: async (context) => {
      await context.progress(0, `Importing "${source.path}" (${source.sizeBytes} bytes)`);
      const image = await s.goldenImages.importFile(source.readPath, {
        name,
        description: input.description ?? null,
        signal: context.signal,
        sourceBytes: source.sizeBytes,
        onProgress: progressOf(context, source.sizeBytes),
        log: [`${isoNow()} source: "${source.path}"${source.realPath === source.path ? '' : ` (the file "${source.realPath}")`} on the appliance's machine, imported by ${owner}`],
      });
      context.setResource({ uri: image.uri, name: image.name, category: 'golden-images' });
    },
  });
}

export function registerGoldenImageRoutes(api: ApiRouter, s: GoldenImageServices): void {
  api.add({
    method: 'post', path: '/rest/golden-images/import', tag: 'Golden images', access: applianceWrite,
    summary: 'Import a golden image from a file on the appliance\'s machine',
    body: goldenImageImportInput, returns: 'task',
    handler: (r) => importFromPath(r, s),
  });
  api.add({
    method: 'get', path: '/rest/golden-images/download/:id', tag: 'Golden images', access: read, summary: 'Download a golden image as HPE\'s zip of one raw disk', returns: 'binary',
    handler: async (r) => {
      const { name, stream } = await s.goldenImages.download(r.param('id'));
      const fileName = `${name.replace(/[^\w.-]+/g, '_')}.zip`;
      return new Response(Readable.toWeb(stream) as ReadableStream, {
        headers: { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${fileName}"` },
      });
    },
  });
  api.add({
    method: 'get', path: '/rest/golden-images/archive/:id', tag: 'Golden images', access: read, summary: 'Get the creation or capture log of a golden image', returns: 'text',
    handler: async (r) => new Response(await s.goldenImages.archive(r.param('id')), { headers: { 'content-type': 'text/plain; charset=utf-8' } }),
  });
  api.add({
    method: 'get', path: '/rest/golden-images', tag: 'Golden images', access: read, summary: 'List golden images', returns: 'GoldenImageCollection',
    handler: async (r) => collection(r, await s.goldenImages.list(), { category: 'golden-images', type: 'GoldenImageCollection' }),
  });
  api.add({
    method: 'post', path: '/rest/golden-images', tag: 'Golden images', access: write,
    summary: 'Upload a golden image (multipart "file": HPE zip, gzip, raw, qcow2, vmdk, vhdx, vdi) or capture one from an OS volume (JSON)',
    body: 'multipart', query: { name: 'Name of the uploaded image (or form field "name")', description: 'Description (or form field "description")' }, returns: 'task',
    handler: async (r) => {
      if ((r.context.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) return upload(r, s);
      const body = await r.json();
      if (s.capture === undefined) {
        throw new AppError('unavailable', 'CAPTURE_UNAVAILABLE', 'Cannot capture: this appliance has no deployment engine configured');
      }
      return accepted(await s.capture(body as Record<string, unknown>, r.actor.user.userName));
    },
  });
  api.add({
    method: 'get', path: '/rest/golden-images/:id/storage', tag: 'Golden images', access: read,
    summary: 'Get storage details of a golden image (size and bytes held, its read-only NBD export)', returns: 'GoldenImageStorage',
    handler: async (r) => json(await s.goldenImages.storage(r.param('id'))),
  });
  api.add({
    method: 'get', path: '/rest/golden-images/:id', tag: 'Golden images', access: read, summary: 'Get a golden image', returns: 'GoldenImage',
    handler: async (r) => json(await s.goldenImages.get(r.param('id'))),
  });
  api.add({
    method: 'put', path: '/rest/golden-images/:id', tag: 'Golden images', access: write, summary: 'Update a golden image (name, description)', body: goldenImageUpdateInput, returns: 'task',
    handler: async (r) => {
      await checkIfMatch(r, () => s.goldenImages.get(r.param('id')));
      const image = await s.goldenImages.update(r.param('id'), await r.json());
      return mutated(r, s.tasks, 'Update', { uri: image.uri, name: image.name, category: image.category });
    },
  });
  api.add({
    method: 'delete', path: '/rest/golden-images/:id', tag: 'Golden images', access: write, summary: 'Delete a golden image',
    query: { force: 'true: delete even when deployment plans or OS volumes use it' }, returns: 'task',
    handler: async (r) => {
      const image = await s.goldenImages.delete(r.param('id'), { force: r.force, deploymentPlansUsing: s.deploymentPlansUsing });
      return mutated(r, s.tasks, 'Delete', { uri: image.uri, name: image.name, category: image.category });
    },
  });
}
