// Artifact bundles and backups (reference §3, §4.6, §5.6): streamed multipart upload, create from chosen
// artifacts, download, rename, extract (both the ?extract=true and the old text/plain forms), delete,
// stopArtifactCreate, and backups: create, list, get, download, restore, upload-and-restore.
import { Readable } from 'node:stream';
import { bundleInput, renameInput, type BundleServices } from '../../bundles/index.js';
import type { TaskEngine } from '../../tasks/index.js';
import { errorResponse } from '../error-response.js';
import { withUploadedFile } from '../multipart.js';
import { accepted, json, type ApiRequest, type ApiRouter } from '../router.js';
import { collection, mutated } from './respond.js';

export interface BundleRouteServices extends BundleServices {
  tasks: TaskEngine;
}

const read = { area: 'artifacts', action: 'read' } as const;
const write = { area: 'artifacts', action: 'write' } as const;
const tag = 'Artifact bundles';

const isMultipart = (r: ApiRequest) => (r.context.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
const isTrue = (value: string | undefined) => (value ?? '').toLowerCase() === 'true';
const uploadName = (r: ApiRequest, fileName: string) => (fileName !== '' ? fileName : (r.context.req.header('uploadfilename') ?? ''));

function zipResponse(file: { name: string; sizeBytes: number; stream: Readable }): Response {
  const fileName = `${file.name.replace(/["\\\r\n]/g, '_')}.zip`;
  return new Response(Readable.toWeb(file.stream) as ReadableStream, {
    headers: {
      'content-type': 'application/octet-stream',
      'content-length': String(file.sizeBytes),
      'content-disposition': `attachment; filename="${fileName}"; filename*=UTF-8''${encodeURIComponent(fileName)}`,
    },
  });
}

/** Multipart upload of a bundle, recorded under a live task; a bad bundle ends the task and answers 4xx. */
async function upload(r: ApiRequest, s: BundleRouteServices): Promise<Response> {
  const run = await s.tasks.begin({ name: 'Upload', owner: r.actor.user.userName, resource: { uri: null, name: null, category: 'artifact-bundles' } });
  try {
    const { result: bundle } = await withUploadedFile(r.context.req.raw, (file) => s.bundles.receive(file.stream, { fileName: uploadName(r, file.fileName), signal: run.context.signal }));
    run.context.setResource({ uri: bundle.uri, name: bundle.name, category: 'artifact-bundles' });
    return accepted(await run.end());
  } catch (error) {
    await run.end(error);
    return errorResponse(error);
  }
}

function registerBackupRoutes(api: ApiRouter, s: BundleRouteServices): void {
  api.add({
    method: 'get', path: '/rest/artifact-bundles/backups', tag, access: read, summary: 'List backups (at most one exists)', returns: 'ArtifactsBundleCollection',
    handler: async (r) => collection(r, await s.backups.list(), { category: 'artifact-bundles', type: 'ArtifactsBundleCollection' }),
  });
  api.add({
    method: 'post', path: '/rest/artifact-bundles/backups', tag, access: write, summary: 'Back up every artifact for a deployment group (replaces the previous backup)',
    returns: 'task', handler: async (r) => accepted(await s.backups.backup(((await r.json()) as { deploymentGroupURI?: unknown } | undefined)?.deploymentGroupURI, r.actor.user.userName)),
  });
  api.add({
    method: 'get', path: '/rest/artifact-bundles/backups/archive/:id', tag, access: read, summary: 'Download a backup zip', returns: 'binary',
    handler: async (r) => zipResponse(await s.backups.download(r.param('id'))),
  });
  api.add({
    method: 'put', path: '/rest/artifact-bundles/backups/archive', tag, access: write, summary: 'Restore the current backup (old python-hpOneView form)', returns: 'task',
    handler: async (r) => accepted(await s.backups.restore(undefined, ((await r.json()) as { deploymentGroupURI?: unknown } | undefined)?.deploymentGroupURI, r.actor.user.userName)),
  });
  api.add({
    method: 'post', path: '/rest/artifact-bundles/backups/archive', tag, access: write, body: 'multipart', returns: 'task',
    summary: 'Upload a backup zip (multipart "file") and restore it', query: { deploymentGrpUri: 'The deployment group (or form field "deploymentGrpUri")' },
    handler: async (r) => {
      const { result: backup, fields } = await withUploadedFile(r.context.req.raw, (file) => s.backups.receiveBackup(file.stream, { fileName: uploadName(r, file.fileName) }));
      const group = r.query('deploymentGrpUri') ?? r.query('deploymentGroupURI') ?? fields['deploymentGrpUri'] ?? fields['deploymentGroupURI'];
      return accepted(await s.backups.adopt(backup.id, group, r.actor.user.userName));
    },
  });
  api.add({
    method: 'get', path: '/rest/artifact-bundles/backups/:id', tag, access: read, summary: 'Get a backup', returns: 'ArtifactsBundle',
    handler: async (r) => json(await s.backups.get(r.param('id'))),
  });
  api.add({
    method: 'put', path: '/rest/artifact-bundles/backups/:id', tag, access: write, summary: 'Restore a backup (extract it, overwriting same-id artifacts)', returns: 'task',
    handler: async (r) => accepted(await s.backups.restore(r.param('id'), ((await r.json()) as { deploymentGroupURI?: unknown } | undefined)?.deploymentGroupURI, r.actor.user.userName)),
  });
}

/** Mounts /rest/artifact-bundles and its backups. Literal sub-paths are registered before `/:id`. */
export function registerBundleRoutes(api: ApiRouter, s: BundleRouteServices): void {
  registerBackupRoutes(api, s);
  api.add({
    method: 'get', path: '/rest/artifact-bundles/download/:id', tag, access: read, summary: 'Download a bundle zip (HPE format)', returns: 'binary',
    handler: async (r) => zipResponse(await s.bundles.download(r.param('id'))),
  });
  api.add({
    method: 'get', path: '/rest/artifact-bundles', tag, access: read, summary: 'List artifact bundles', returns: 'ArtifactsBundleCollection',
    handler: async (r) => collection(r, await s.bundles.list(), { category: 'artifact-bundles', type: 'ArtifactsBundleCollection' }),
  });
  api.add({
    method: 'post', path: '/rest/artifact-bundles', tag, access: write, body: bundleInput, returns: 'task',
    summary: 'Create a bundle from chosen artifacts (JSON; dependencies pulled in) or upload one (multipart "file", named after the file)',
    handler: async (r) => (isMultipart(r) ? upload(r, s) : accepted(await s.bundles.create(await r.json(), r.actor.user.userName))),
  });
  api.add({
    method: 'put', path: '/rest/artifact-bundles/:id/stopArtifactCreate', tag, access: write, summary: 'Stop a bundle create in progress', returns: '{ stopped, taskUri }',
    handler: async (r) => json(await s.bundles.stopCreate(r.param('id'), ((await r.json()) as { taskUri?: unknown } | undefined)?.taskUri)),
  });
  api.add({
    method: 'get', path: '/rest/artifact-bundles/:id', tag, access: read, summary: 'Get an artifact bundle', returns: 'ArtifactsBundle',
    handler: async (r) => json(await s.bundles.get(r.param('id'))),
  });
  api.add({
    method: 'put', path: '/rest/artifact-bundles/:id', tag, access: write, body: renameInput, returns: 'task',
    summary: 'Rename a bundle (JSON), or extract it: ?extract=true[&forceImport=true], or a text/plain body (old python-hpOneView)',
    query: { extract: 'true: create the contained artifacts', forceImport: 'true: overwrite artifacts with the same id or name' },
    handler: async (r) => {
      const textPlain = (r.context.req.header('content-type') ?? '').toLowerCase().startsWith('text/plain');
      if (isTrue(r.query('extract')) || (r.query('extract') === undefined && textPlain)) {
        return accepted(await s.bundles.extract(r.param('id'), { forceImport: isTrue(r.query('forceImport')), owner: r.actor.user.userName }));
      }
      const bundle = await s.bundles.rename(r.param('id'), await r.json());
      return mutated(r, s.tasks, 'Update', { uri: bundle.uri, name: bundle.name, category: bundle.category });
    },
  });
  api.add({
    method: 'delete', path: '/rest/artifact-bundles/:id', tag, access: write, summary: 'Delete an artifact bundle', returns: 'task',
    handler: async (r) => {
      const bundle = await s.bundles.delete(r.param('id'));
      return mutated(r, s.tasks, 'Delete', { uri: bundle.uri, name: bundle.name, category: bundle.category });
    },
  });
}
