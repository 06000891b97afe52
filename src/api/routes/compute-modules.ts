// Compute modules as OneView's server hardware (reference §6): list, add, remove, power, serial console.
import type { ComputeModules } from '../../compute/index.js';
import { computeModuleInput, powerStateInput } from '../../compute/index.js';
import type { TaskEngine } from '../../tasks/index.js';
import { json, type ApiRouter } from '../router.js';
import { collection, mutated } from './respond.js';

const read = { area: 'profiles', action: 'read' } as const;
const write = { area: 'profiles', action: 'write' } as const;
const tag = 'Server hardware';

export function registerComputeModuleRoutes(api: ApiRouter, s: { modules: ComputeModules; tasks: TaskEngine }): void {
  api.add({
    method: 'get', path: '/rest/server-hardware', tag, access: read, summary: 'List compute modules', returns: 'server-hardware-list-12',
    handler: async (r) => collection(r, await s.modules.list(), { category: 'server-hardware', type: 'server-hardware-list-12' }),
  });
  api.add({
    method: 'post', path: '/rest/server-hardware', tag, access: write, body: computeModuleInput, returns: 'task',
    summary: 'Add a compute module (driver "virtual": recorded power only; "qemu": a VM on this host booting the OS volume over NBD)',
    handler: async (r) => {
      const module = await s.modules.create(await r.json());
      return mutated(r, s.tasks, 'Add', { uri: module.uri, name: module.name, category: 'server-hardware' });
    },
  });
  api.add({
    method: 'put', path: '/rest/server-hardware/:id/powerState', tag, access: write, body: powerStateInput, returns: 'task',
    summary: 'Power a compute module on or off (powerControl MomentaryPress, PressAndHold, ColdBoot, Reset)',
    handler: async (r) => {
      const module = await s.modules.setPower(r.param('id'), await r.json());
      return mutated(r, s.tasks, 'Update', { uri: module.uri, name: module.name, category: 'server-hardware' });
    },
  });
  api.add({
    method: 'get', path: '/rest/server-hardware/:id/console', tag, access: read, returns: 'text',
    summary: 'Recent serial console output; ?follow=true keeps the response open and streams new output',
    query: { follow: 'true: stream new output until the client disconnects' },
    handler: async (r) => {
      const console = await s.modules.console(r.param('id'));
      const headers = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };
      if (r.query('follow')?.toLowerCase() !== 'true') return new Response(console.text, { headers });
      const encoder = new TextEncoder();
      let stop: (() => void) | undefined;
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode(console.text));
          stop = console.follow((text) => controller.enqueue(encoder.encode(text)));
        },
        cancel() {
          stop?.();
        },
      });
      return new Response(body, { headers });
    },
  });
  api.add({
    method: 'get', path: '/rest/server-hardware/:id', tag, access: read, summary: 'Get a compute module', returns: 'server-hardware-12',
    handler: async (r) => json(await s.modules.get(r.param('id'))),
  });
  api.add({
    method: 'delete', path: '/rest/server-hardware/:id', tag, access: write, summary: 'Remove a compute module (refused while a profile uses it)', returns: 'task',
    handler: async (r) => {
      const module = await s.modules.delete(r.param('id'));
      return mutated(r, s.tasks, 'Delete', { uri: module.uri, name: module.name, category: 'server-hardware' });
    },
  });
}
