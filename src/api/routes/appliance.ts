// Version handshake, login sessions, idle timeout and users (reference §1, §6).
import { z } from 'zod';
import type { Accounts } from '../../accounts/index.js';
import { AppError } from '../../core/errors.js';
import type { TaskEngine } from '../../tasks/index.js';
import { asObject } from '../body.js';
import { json, type ApiRouter } from '../router.js';
import { collection, mutated } from './respond.js';

export const API_VERSION = { current: 3800, minimum: 300 } as const;

export interface ApplianceServices {
  accounts: Accounts;
  tasks: TaskEngine;
}

const loginInput = z.object({
  userName: z.string(),
  password: z.string(),
  authLoginDomain: z.string().optional(),
  loginMsgAck: z.union([z.boolean(), z.string()]).optional(),
});

const userInput = z.object({
  userName: z.string(),
  password: z.string().optional(),
  fullName: z.string().optional(),
  emailAddress: z.string().optional(),
  enabled: z.union([z.boolean(), z.string()]).optional(),
  role: z.string().optional(),
});

const appliance = { area: 'appliance', action: 'write' } as const;

export function registerApplianceRoutes(api: ApiRouter, s: ApplianceServices): void {
  api.add({
    method: 'get', path: '/rest/version', tag: 'Appliance', access: 'public', summary: 'Get the supported API versions', returns: '{ currentVersion, minimumVersion }',
    handler: () => json({ currentVersion: API_VERSION.current, minimumVersion: API_VERSION.minimum }),
  });
  api.add({
    method: 'post', path: '/rest/login-sessions', tag: 'Login', access: 'public', summary: 'Log in', body: loginInput, returns: '{ sessionID }',
    handler: async (r) => {
      const body = asObject(await r.json(), 'log in');
      const { sessionID } = await s.accounts.login(body['userName'], body['password']);
      return json({ sessionID, partnerData: {} });
    },
  });
  api.add({
    method: 'put', path: '/rest/login-sessions', tag: 'Login', access: 'session', summary: 'Check a session (Python reuses a sessionID this way)', returns: '{ sessionID }',
    handler: (r) => json({ sessionID: r.actor.sessionId, partnerData: {} }),
  });
  api.add({
    method: 'delete', path: '/rest/login-sessions', tag: 'Login', access: 'session', summary: 'Log out', returns: 'No content',
    handler: async (r) => {
      await s.accounts.logout(r.actor.sessionId);
      return new Response(null, { status: 204 });
    },
  });
  for (const method of ['get', 'post'] as const) {
    api.add({
      method, path: '/rest/sessions/idle-timeout', tag: 'Login', access: 'session', summary: 'Get the session idle timeout', returns: '{ idleTimeout } in ms',
      handler: () => json({ idleTimeout: s.accounts.idleTimeoutMs }),
    });
  }

  api.add({
    method: 'get', path: '/rest/users', tag: 'Users', access: 'session', summary: 'List users', returns: 'UserCollection',
    handler: async (r) => collection(r, await s.accounts.listUsers(), { category: 'users', type: 'UserAndRolesCollection' }),
  });
  api.add({
    method: 'get', path: '/rest/users/:id', tag: 'Users', access: 'session', summary: 'Get a user by id or user name', returns: 'UserAndRoles',
    handler: async (r) => json(await s.accounts.getUser(r.param('id'))),
  });
  api.add({
    method: 'post', path: '/rest/users', tag: 'Users', access: appliance, summary: 'Create a user', body: userInput, returns: 'task',
    handler: async (r) => {
      const user = await s.accounts.createUser(asObject(await r.json(), 'create the user'));
      return mutated(r, s.tasks, 'Create', { uri: user.uri, name: user.userName, category: 'users' });
    },
  });
  api.add({
    method: 'put', path: '/rest/users/:id', tag: 'Users', access: 'session', summary: 'Update a user (others: Infrastructure administrator only)', body: userInput.partial(), returns: 'task',
    handler: async (r) => {
      const target = await s.accounts.getUser(r.param('id'));
      const body = asObject(await r.json(), 'update the user');
      const isAdmin = r.actor.user.role === 'Infrastructure administrator';
      // Clients send the whole user back: an unchanged role or enablement is not a change.
      const changesRole = body['role'] !== undefined && body['role'] !== target.role;
      const enabled = body['enabled'];
      const changesEnabled = (typeof enabled === 'boolean' || typeof enabled === 'string') && String(enabled).toLowerCase() !== String(target.enabled);
      if (!isAdmin && (target.id !== r.actor.user.id || changesRole || changesEnabled)) {
        throw new AppError('forbidden', 'AUTHORIZATION_DENIED', `Cannot update user "${target.userName}": only an Infrastructure administrator may change other users, roles or enablement`);
      }
      const user = await s.accounts.updateUser(target.id, body);
      return mutated(r, s.tasks, 'Update', { uri: user.uri, name: user.userName, category: 'users' });
    },
  });
  api.add({
    method: 'delete', path: '/rest/users/:id', tag: 'Users', access: appliance, summary: 'Delete a user', returns: 'task',
    handler: async (r) => {
      const user = await s.accounts.deleteUser(r.param('id'), r.actor);
      return mutated(r, s.tasks, 'Delete', { uri: user.uri, name: user.userName, category: 'users' });
    },
  });
}
