// In-process API harness: a real appliance on a temporary data directory (real SQLite file), called
// through Hono's request() without sockets.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createAppliance, type Appliance } from '../../src/appliance.js';

export const ADMIN_PASSWORD = 'admin-password-1';

export interface Reply {
  status: number;
  headers: Headers;
  body: any;  
  text: string;
}

export interface Harness {
  appliance: Appliance;
  dataDir: string;
  session: string;
  call(method: string, path: string, options?: { body?: unknown; raw?: string; headers?: Record<string, string>; session?: string | null }): Promise<Reply>;
  /** Logs in as another user and returns the session id. */
  login(userName: string, password: string): Promise<string>;
  /** Creates a user with a role and returns a session for it. */
  userWithRole(role: string): Promise<string>;
  close(): Promise<void>;
}

export async function startHarness(options: { dataDir?: string } = {}): Promise<Harness> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'streamer-api-')));
  const appliance = await createAppliance({ dataDir, logger: pino({ level: 'silent' }), adminPassword: ADMIN_PASSWORD });
  const call: Harness['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = { 'x-api-version': '2000', ...(o.headers ?? {}) };
    if (o.session !== null) headers['auth'] = o.session ?? harness.session;
    let body: string | undefined;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) {
      body = JSON.stringify(o.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await appliance.app.request(path.startsWith('http') ? path : `http://localhost${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
  const login = async (userName: string, password: string) => {
    const reply = await call('POST', '/rest/login-sessions', { body: { userName, password, loginMsgAck: true }, session: null });
    if (reply.status !== 200) throw new Error(`login failed: ${reply.text}`);
    return (reply.body as { sessionID: string }).sessionID;
  };
  const harness: Harness = {
    appliance,
    dataDir,
    session: '',
    call,
    login,
    async userWithRole(role) {
      const userName = `u${Math.random().toString(36).slice(2, 10)}`;
      const reply = await call('POST', '/rest/users', { body: { userName, password: 'password-123', role } });
      if (reply.status !== 202) throw new Error(`user create failed: ${reply.text}`);
      return login(userName, 'password-123');
    },
    async close() {
      await appliance.close();
      if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
  harness.session = await login('Administrator', ADMIN_PASSWORD);
  return harness;
}
