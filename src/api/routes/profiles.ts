// Server profiles and templates (reference §6): profiles deploy through tasks; templates are instant.
import type { ServerProfiles } from '../../deploy/server-profiles.js';
import { serverProfileInput } from '../../deploy/server-profiles.js';
import { templateInput, type ServerProfileTemplates } from '../../deploy/server-profile-templates.js';
import type { TaskEngine } from '../../tasks/index.js';
import { PASSWORD_MASK } from '../../attributes/index.js';
import { accepted, json, type ApiRouter } from '../router.js';
import { checkIfMatch, collection, mutated } from './respond.js';

export interface ProfileServices {
  profiles: ServerProfiles;
  templates: ServerProfileTemplates;
  tasks: TaskEngine;
  /** Names of the password attributes of the deployment plan at `uri` (none when there is no such plan). */
  passwordAttributes(uri: string | null | undefined): Promise<Set<string>>;
}

interface WithSettings {
  osDeploymentSettings?: { osDeploymentPlanUri?: string | null; osCustomAttributes?: { name: string; value: unknown }[] | null } | null;
}

/** The profile or template with its password values shown as PASSWORD_MASK (reference §6: never echoed). */
async function masked<T>(s: ProfileServices, resource: T): Promise<T> {
  const settings = (resource as WithSettings).osDeploymentSettings;
  if (settings?.osCustomAttributes == null) return resource;
  const secret = await s.passwordAttributes(settings.osDeploymentPlanUri);
  if (secret.size === 0) return resource;
  const osCustomAttributes = settings.osCustomAttributes.map((a) => (secret.has(a.name) && a.value !== '' && a.value !== null ? { ...a, value: PASSWORD_MASK } : a));
  return { ...resource, osDeploymentSettings: { ...settings, osCustomAttributes } };
}

/** An incoming body whose password values arrive as PASSWORD_MASK keeps the stored values. */
async function unmasked(s: ProfileServices, body: unknown, stored: WithSettings): Promise<unknown> {
  const settings = (body as WithSettings | null)?.osDeploymentSettings;
  if (settings?.osCustomAttributes == null) return body;
  const secret = await s.passwordAttributes(settings.osDeploymentPlanUri ?? stored.osDeploymentSettings?.osDeploymentPlanUri);
  const before = new Map((stored.osDeploymentSettings?.osCustomAttributes ?? []).map((a) => [a.name, a.value]));
  const osCustomAttributes = settings.osCustomAttributes.map((a) => (secret.has(a.name) && a.value === PASSWORD_MASK && before.has(a.name) ? { ...a, value: before.get(a.name) } : a));
  return { ...(body as object), osDeploymentSettings: { ...settings, osCustomAttributes } };
}

const read = { area: 'profiles', action: 'read' } as const;
const write = { area: 'profiles', action: 'write' } as const;

export function registerProfileRoutes(api: ApiRouter, s: ProfileServices): void {
  api.add({
    method: 'get', path: '/rest/server-profiles', tag: 'Server profiles', access: read, summary: 'List server profiles', returns: 'ServerProfileCollection',
    query: { filter: "e.g. \"name='web-01'\"", sort: 'e.g. name:asc' },
    handler: async (r) => collection(r, await Promise.all((await s.profiles.list()).map((p) => masked(s, p))), { category: 'server-profiles', type: 'ServerProfileListV12' }),
  });
  api.add({
    method: 'post', path: '/rest/server-profiles', tag: 'Server profiles', access: write, summary: 'Create a server profile (deploys its OS deployment plan)', body: serverProfileInput, returns: 'task',
    handler: async (r) => accepted(await s.profiles.create(await r.json(), r.actor.user.userName)),
  });
  api.add({
    method: 'get', path: '/rest/server-profiles/:id/compliance-preview', tag: 'Server profiles', access: read, summary: 'Show what a server profile changed from its template', returns: '{ templateCompliance, manualUpdates }',
    handler: async (r) => json(await s.templates.compliance(await s.profiles.get(r.param('id')))),
  });
  api.add({
    method: 'get', path: '/rest/server-profiles/:id', tag: 'Server profiles', access: read, summary: 'Get a server profile', returns: 'ServerProfile',
    handler: async (r) => json(await masked(s, await s.profiles.get(r.param('id')))),
  });
  api.add({
    method: 'put', path: '/rest/server-profiles/:id', tag: 'Server profiles', access: write, summary: 'Update a server profile (redeploys when its deployment settings change)', body: serverProfileInput.partial(), returns: 'task',
    handler: async (r) => {
      await checkIfMatch(r, () => s.profiles.get(r.param('id')));
      const body = await unmasked(s, await r.json(), await s.profiles.get(r.param('id')));
      return accepted(await s.profiles.update(r.param('id'), body, r.actor.user.userName));
    },
  });
  api.add({
    method: 'delete', path: '/rest/server-profiles/:id', tag: 'Server profiles', access: write, summary: 'Delete a server profile (powers the module off, deletes its OS volume)', returns: 'task',
    handler: async (r) => accepted(await s.profiles.delete(r.param('id'), r.actor.user.userName)),
  });

  api.add({
    method: 'get', path: '/rest/server-profile-templates', tag: 'Server profile templates', access: read, summary: 'List server profile templates', returns: 'ServerProfileTemplateCollection',
    handler: async (r) => collection(r, await Promise.all((await s.templates.list()).map((t) => masked(s, t))), { category: 'server-profile-templates', type: 'ServerProfileTemplateListV8' }),
  });
  api.add({
    method: 'post', path: '/rest/server-profile-templates', tag: 'Server profile templates', access: write, summary: 'Create a server profile template', body: templateInput, returns: 'task',
    handler: async (r) => {
      const t = await s.templates.create(await r.json());
      return mutated(r, s.tasks, 'Create', { uri: t.uri, name: t.name, category: t.category });
    },
  });
  api.add({
    method: 'get', path: '/rest/server-profile-templates/:id/new-profile', tag: 'Server profile templates', access: read, summary: 'Get a new server profile body made from a template', returns: 'ServerProfile (unsaved)',
    handler: async (r) => json(await s.templates.newProfile(r.param('id'))),
  });
  api.add({
    method: 'get', path: '/rest/server-profile-templates/:id', tag: 'Server profile templates', access: read, summary: 'Get a server profile template', returns: 'ServerProfileTemplate',
    handler: async (r) => json(await masked(s, await s.templates.get(r.param('id')))),
  });
  api.add({
    method: 'put', path: '/rest/server-profile-templates/:id', tag: 'Server profile templates', access: write, summary: 'Update a server profile template', body: templateInput.partial(), returns: 'task',
    handler: async (r) => {
      await checkIfMatch(r, () => s.templates.get(r.param('id')));
      const t = await s.templates.update(r.param('id'), await unmasked(s, await r.json(), await s.templates.get(r.param('id'))));
      return mutated(r, s.tasks, 'Update', { uri: t.uri, name: t.name, category: t.category });
    },
  });
  api.add({
    method: 'delete', path: '/rest/server-profile-templates/:id', tag: 'Server profile templates', access: write, summary: 'Delete a server profile template', returns: 'task',
    handler: async (r) => {
      const t = await s.templates.delete(r.param('id'));
      return mutated(r, s.tasks, 'Delete', { uri: t.uri, name: t.name, category: t.category });
    },
  });
}
