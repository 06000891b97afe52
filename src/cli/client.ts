// A small REST client for the Image Streamer API (reference §2): JSON in and out, the `auth` session
// header, the OneView error body turned into an AppError, and 202 tasks followed to their end on request.
import http from 'node:http';
import https from 'node:https';
import { AppError, type ErrorBody, type ErrorKind } from '../core/errors.js';
import type { Task } from '../tasks/index.js';
import { TASK_FAILED } from './exit-codes.js';

export const API_VERSION = '2000';
const failedStates = new Set(['Error', 'Terminated', 'Killed', 'Interrupted']);
const finalStates = new Set(['Completed', 'Warning', ...failedStates]);

export interface ClientOptions {
  /** Base URL, e.g. `https://streamer.example:8443`. */
  url: string;
  sessionId?: string | undefined;
  /** Accept certificates that do not verify (self-signed). */
  insecure?: boolean;
  timeoutMs?: number;
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | string[] | undefined>;
  headers?: Record<string, string>;
}

/** True for an https URL whose host is this machine, where a self-signed certificate is expected. */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** Builds an AppError from an HTTP error reply, keeping the OneView body's message and recommended actions. */
export function errorFromReply(reply: Reply, action: string, options: { loginHint?: boolean } = {}): AppError {
  const body = (reply.body ?? {}) as Partial<ErrorBody>;
  const kind: ErrorKind =
    reply.status === 400 || reply.status === 413 || reply.status === 415 || reply.status === 422 ? 'invalid'
    : reply.status === 401 ? 'unauthorized'
    : reply.status === 403 ? 'forbidden'
    : reply.status === 404 || reply.status === 405 ? 'not_found'
    : reply.status === 409 ? 'conflict'
    : reply.status === 412 ? 'precondition'
    : reply.status === 502 || reply.status === 503 || reply.status === 504 ? 'unavailable'
    : 'internal';
  const message = typeof body.message === 'string' && body.message !== '' ? body.message : `Cannot ${action}: the server answered HTTP ${reply.status}`;
  const actions = Array.isArray(body.recommendedActions) ? body.recommendedActions.filter((a): a is string => typeof a === 'string') : [];
  if (kind === 'unauthorized' && options.loginHint !== false) actions.push('Log in again with "streamer login --url URL --user NAME"');
  return new AppError(kind, typeof body.errorCode === 'string' ? body.errorCode : `HTTP_${reply.status}`, message, {
    details: typeof body.details === 'string' ? body.details : '',
    recommendedActions: actions,
    data: { status: reply.status },
  });
}

/** The AppError for a task that ended in a failed state (exit code 8). */
export function taskFailure(task: Task): AppError {
  const first = task.taskErrors[0];
  const message = first?.message ?? `Task "${task.name}" ended ${task.taskState}: ${task.taskStatus}`;
  return new AppError('internal', TASK_FAILED, message, {
    details: first?.details ?? '',
    recommendedActions: first?.recommendedActions ?? [],
    data: { taskUri: task.uri, taskState: task.taskState, errorCode: first?.errorCode ?? null },
  });
}

export const isFinalTask = (task: Task): boolean => finalStates.has(task.taskState);
export const isFailedTask = (task: Task): boolean => failedStates.has(task.taskState);

export class ApiClient {
  readonly url: string;
  sessionId: string | undefined;
  private readonly insecure: boolean;
  private readonly timeoutMs: number;

  constructor(options: ClientOptions) {
    const parsed = new URL(options.url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new AppError('invalid', 'CLI_BAD_URL', `Cannot use "${options.url}": the URL must start with https:// or http://`);
    }
    this.url = parsed.origin;
    this.sessionId = options.sessionId;
    this.insecure = options.insecure ?? false;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** One request. Resolves with any status; rejects (kind `unavailable`) only when the server cannot be reached. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string | number> = { ...(options.headers ?? {}) };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const res = await this.open(method, path, { query: options.query, headers, send: (req) => req.end(payload) });
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of res) chunks.push(chunk as Buffer);
    } catch (error) {
      throw this.unreachable(error as Error);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = text === '' ? undefined : text;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.statusCode ?? 0, headers: res.headers, body };
  }

  /**
   * Starts a request with the API headers, lets `send` write the body (and end it), and resolves with the
   * response stream unread: for uploads and downloads of any size.
   */
  open(method: string, path: string, options: { query?: RequestOptions['query']; headers?: Record<string, string | number>; send: (req: http.ClientRequest) => void }): Promise<http.IncomingMessage> {
    const target = new URL(path, this.url);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      for (const v of value === undefined ? [] : Array.isArray(value) ? value : [value]) target.searchParams.append(key, v);
    }
    const headers: Record<string, string | number> = { 'x-api-version': API_VERSION, accept: 'application/json', ...(options.headers ?? {}) };
    if (this.sessionId !== undefined) headers['auth'] = this.sessionId;
    const transport = target.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(target, { method, headers, timeout: this.timeoutMs, ...(target.protocol === 'https:' ? { rejectUnauthorized: !this.insecure } : {}) }, resolve);
      req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer in ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', (error) => reject(this.unreachable(error)));
      options.send(req);
    });
  }

  /** A request that must succeed (2xx); other statuses become the AppError of the OneView error body. */
  async call<T = unknown>(method: string, path: string, options: RequestOptions & { action: string; loginHint?: boolean }): Promise<T> {
    const reply = await this.request(method, path, options);
    if (reply.status < 200 || reply.status > 299) throw errorFromReply(reply, options.action, { loginHint: options.loginHint ?? true });
    return reply.body as T;
  }

  /** Logs in and keeps the session id for later calls. */
  async login(userName: string, password: string): Promise<string> {
    const body = await this.call<{ sessionID?: unknown }>('POST', '/rest/login-sessions', {
      body: { userName, password, loginMsgAck: true },
      action: `log in as "${userName}"`,
      loginHint: false,
    });
    if (typeof body.sessionID !== 'string') throw new AppError('internal', 'CLI_BAD_REPLY', 'Cannot log in: the server answered without a sessionID');
    this.sessionId = body.sessionID;
    return body.sessionID;
  }

  /**
   * Polls a task until it reaches a final state, calling `onChange` whenever it moved. A failed task
   * is returned, not thrown: callers decide (see `taskFailure`).
   */
  async waitForTask(uri: string, options: { intervalMs?: number; onChange?: (task: Task) => void; signal?: AbortSignal } = {}): Promise<Task> {
    const interval = options.intervalMs ?? 500;
    let last = '';
    for (;;) {
      const task = await this.call<Task>('GET', uri, { action: `read task "${uri}"` });
      const fingerprint = JSON.stringify([task.taskState, task.percentComplete, task.taskStatus, task.progressUpdates.length, task.steps?.map((s) => s.state)]);
      if (fingerprint !== last) {
        last = fingerprint;
        options.onChange?.(task);
      }
      if (isFinalTask(task)) return task;
      options.signal?.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, interval));
    }
  }

  private unreachable(error: Error): AppError {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code);
    return new AppError('unavailable', tls ? 'CLI_TLS_UNTRUSTED' : 'CLI_UNREACHABLE', `Cannot reach "${this.url}": ${error.message}${code !== '' && !error.message.includes(code) ? ` (${code})` : ''}`, {
      recommendedActions: tls
        ? ['Log in with --insecure to accept a self-signed certificate, or trust its CA with NODE_EXTRA_CA_CERTS']
        : ['Check the URL and that "streamer serve" is running there'],
      cause: error,
    });
  }
}
