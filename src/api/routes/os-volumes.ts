// OS volumes (reference §3, §4.5): read-only; logs through archive/{id|oeVolumeId|name}; storage details.
import type { OsVolumes } from '../../deploy/os-volumes.js';
import { json, type ApiRouter } from '../router.js';
import { collection } from './respond.js';

export function registerOsVolumeRoutes(api: ApiRouter, volumes: OsVolumes): void {
  const read = { area: 'profiles', action: 'read' } as const;
  api.add({
    method: 'get', path: '/rest/os-volumes/archive/:key', tag: 'OS volumes', access: read, summary: 'Get the deployment log of an OS volume (by id, oeVolumeId or name)', returns: 'text',
    handler: async (r) => new Response(await volumes.archive(r.param('key')), { headers: { 'content-type': 'text/plain; charset=utf-8' } }),
  });
  api.add({
    method: 'get', path: '/rest/os-volumes', tag: 'OS volumes', access: read, summary: 'List OS volumes', returns: 'OSVolumeCollection',
    query: { filter: 'e.g. status=OK' },
    handler: async (r) => collection(r, await volumes.list(), { category: 'os-volumes', type: 'OSVolumeCollection' }),
  });
  api.add({
    method: 'get', path: '/rest/os-volumes/:id/storage', tag: 'OS volumes', access: read, summary: 'Get storage details of an OS volume (provisioned and allocated bytes, export)', returns: 'OSVolumeStorage',
    handler: async (r) => json(await volumes.storage(r.param('id'))),
  });
  api.add({
    method: 'get', path: '/rest/os-volumes/:id', tag: 'OS volumes', access: read, summary: 'Get an OS volume', returns: 'OSVolume',
    handler: async (r) => json(await volumes.get(r.param('id'))),
  });
}
