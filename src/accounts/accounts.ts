// Users and login sessions: the first administrator, login/logout, session lookup with idle timeout.
import { randomBytes } from 'node:crypto';
import { AppError, conflict, invalid, notFound } from '../core/errors.js';
import { newResourceId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import type { Store, UserRow } from '../db/index.js';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';
import { isRole, roles, type Role } from './roles.js';

export interface User {
  type: 'UserAndRoles';
  id: string;
  uri: string;
  category: 'users';
  userName: string;
  fullName: string;
  emailAddress: string;
  enabled: boolean;
  role: Role;
  permissions: { roleName: Role }[];
  created: string;
  modified: string;
  eTag: string;
}

export interface Principal {
  user: User;
  sessionId: string;
}

export interface UserInput {
  userName?: unknown;
  password?: unknown;
  fullName?: unknown;
  emailAddress?: unknown;
  enabled?: unknown;
  role?: unknown;
  permissions?: unknown;
}

const DEFAULT_ADMIN = 'Administrator';
// Sessions are touched in the database at most this often, so a busy client does not write on every call.
const TOUCH_INTERVAL_MS = 10_000;

function present(row: UserRow): User {
  const role = isRole(row.role) ? row.role : 'Read only';
  return {
    type: 'UserAndRoles',
    id: row.id,
    uri: `/rest/users/${row.id}`,
    category: 'users',
    userName: row.user_name,
    fullName: row.full_name,
    emailAddress: row.email,
    enabled: row.enabled === 1,
    role,
    permissions: [{ roleName: role }],
    created: row.created,
    modified: row.modified,
    eTag: `${Date.parse(row.modified)}`,
  };
}

function roleOf(input: UserInput): Role | undefined {
  const fromPermissions = Array.isArray(input.permissions) ? (input.permissions[0] as { roleName?: unknown } | undefined)?.roleName : undefined;
  const role = input.role ?? fromPermissions;
  if (role === undefined) return undefined;
  if (!isRole(role)) throw invalid('INVALID_ROLE', `Cannot set role ${JSON.stringify(role)}: no such role`, { details: `Roles: ${roles.join(', ')}` });
  return role;
}

function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < 8) {
    throw invalid('INVALID_PASSWORD', 'Cannot set the password: it must be a string of at least 8 characters');
  }
  return password;
}

export class Accounts {
  constructor(
    private readonly store: Store,
    readonly idleTimeoutMs: number,
  ) {}

  /**
   * Creates the first administrator when there are no users. Returns the password when it was generated
   * (to be printed once), undefined when users exist or the password was given.
   */
  async ensureAdministrator(password?: string): Promise<{ userName: string; generatedPassword?: string } | undefined> {
    if ((await this.store.users.count()) > 0) return undefined;
    const generated = password === undefined ? generatePassword() : undefined;
    await this.createUser({ userName: DEFAULT_ADMIN, password: password ?? generated, fullName: 'Default administrator', role: 'Infrastructure administrator' });
    return generated === undefined ? { userName: DEFAULT_ADMIN } : { userName: DEFAULT_ADMIN, generatedPassword: generated };
  }

  async login(userName: unknown, password: unknown): Promise<{ sessionID: string; user: User }> {
    const fail = new AppError('unauthorized', 'AUTHN_AUTH_FAIL', 'Cannot log in: the user name or password is wrong', {
      recommendedActions: ['Check the user name and password and try again'],
    });
    if (typeof userName !== 'string' || typeof password !== 'string') throw fail;
    const row = await this.store.users.getByName(userName);
    if (row === undefined || !(await verifyPassword(password, row.password_hash))) throw fail;
    if (row.enabled !== 1) throw new AppError('unauthorized', 'AUTHN_USER_DISABLED', `Cannot log in as "${userName}": the user is disabled`);
    const sessionID = randomBytes(24).toString('base64url');
    await this.store.sessions.insert({ id: sessionID, user_id: row.id, created: isoNow(), last_used_ms: Date.now() });
    return { sessionID, user: present(row) };
  }

  /** The principal behind a session id; refuses unknown, expired or disabled sessions with `unauthorized`. */
  async authenticate(sessionId: string | undefined): Promise<Principal> {
    const fail = (why: string) =>
      new AppError('unauthorized', 'AUTHORIZATION', `Authentication failed: ${why}`, {
        recommendedActions: ['Log in with POST /rest/login-sessions and send the sessionID in the "auth" header'],
      });
    if (sessionId === undefined || sessionId === '') throw fail('no session id was given in the "auth" header');
    const session = await this.store.sessions.get(sessionId);
    if (session === undefined) throw fail('the session id is unknown or was logged out');
    const now = Date.now();
    if (now - session.last_used_ms > this.idleTimeoutMs) {
      await this.store.sessions.delete(sessionId);
      throw fail('the session expired after being idle');
    }
    const row = await this.store.users.get(session.user_id);
    if (row === undefined || row.enabled !== 1) throw fail('the user of this session no longer exists or is disabled');
    if (now - session.last_used_ms > TOUCH_INTERVAL_MS) await this.store.sessions.touch(sessionId, now);
    return { user: present(row), sessionId };
  }

  async logout(sessionId: string): Promise<void> {
    await this.store.sessions.delete(sessionId);
  }

  async listUsers(): Promise<User[]> {
    return (await this.store.users.list()).map(present);
  }

  async getUser(idOrName: string): Promise<User> {
    const row = (await this.store.users.get(idOrName)) ?? (await this.store.users.getByName(idOrName));
    if (row === undefined) throw notFound('USER_NOT_FOUND', `Cannot find user "${idOrName}"`);
    return present(row);
  }

  async createUser(input: UserInput): Promise<User> {
    if (typeof input.userName !== 'string' || !/^[A-Za-z0-9_.@-]{1,64}$/.test(input.userName)) {
      throw invalid('INVALID_USER_NAME', 'Cannot create the user: "userName" must be 1–64 letters, digits or "_.@-"');
    }
    const password = checkPassword(input.password);
    if ((await this.store.users.getByName(input.userName)) !== undefined) {
      throw conflict('DUPLICATE_NAME', `Cannot create user "${input.userName}": the name is taken`);
    }
    const now = isoNow();
    const row: UserRow = {
      id: newResourceId(),
      user_name: input.userName,
      full_name: typeof input.fullName === 'string' ? input.fullName : '',
      email: typeof input.emailAddress === 'string' ? input.emailAddress : '',
      role: roleOf(input) ?? 'Read only',
      password_hash: await hashPassword(password),
      enabled: input.enabled === false || input.enabled === 'false' ? 0 : 1,
      created: now,
      modified: now,
    };
    await this.store.users.insert(row);
    return present(row);
  }

  async updateUser(id: string, input: UserInput): Promise<User> {
    const current = await this.getUser(id);
    const change: Partial<UserRow> = { modified: isoNow() };
    if (typeof input.fullName === 'string') change.full_name = input.fullName;
    if (typeof input.emailAddress === 'string') change.email = input.emailAddress;
    if (input.enabled !== undefined) change.enabled = input.enabled === false || input.enabled === 'false' ? 0 : 1;
    const role = roleOf(input);
    if (role !== undefined) change.role = role;
    if (input.password !== undefined) change.password_hash = await hashPassword(checkPassword(input.password));
    await this.store.users.update(current.id, change);
    return this.getUser(current.id);
  }

  async deleteUser(id: string, actor: Principal): Promise<User> {
    const user = await this.getUser(id);
    if (user.id === actor.user.id) throw conflict('USER_DELETE_SELF', `Cannot delete user "${user.userName}": it is the user of this session`);
    await this.store.users.delete(user.id);
    return user;
  }
}
