// @ts-check
// The REST client the pages use: session header, X-API-Version, OneView error bodies, task waiting,
// uploads with progress (XHR, since fetch reports no upload progress) and authenticated downloads.

export const API_VERSION = '3800';
const FINAL = ['Completed', 'Warning', 'Error', 'Terminated', 'Killed', 'Interrupted'];

/**
 * @typedef {import('./resources.js').ErrorBody} ErrorBody
 * @typedef {import('./resources.js').Task} Task
 * @typedef {import('./resources.js').Collections} Collections
 */

/** An error body from whatever the appliance answered (OneView shape, or plain text). @param {unknown} parsed @param {string} fallback @returns {ErrorBody} */
function errorBodyOf(parsed, fallback) {
  return typeof parsed === 'object' && parsed !== null ? /** @type {ErrorBody} */ (parsed) : { message: typeof parsed === 'string' && parsed !== '' ? parsed : fallback };
}

/** @param {string} text @returns {unknown} */
function parseJson(text) {
  try {
    return /** @type {unknown} */ (JSON.parse(text));
  } catch {
    return text;
  }
}

export class ApiError extends Error {
  /** @param {number} status @param {ErrorBody} body */
  constructor(status, body) {
    super(body.message ?? `The appliance answered ${status}`);
    this.status = status;
    this.body = body;
  }
}

/** @param {string} state */
export const isFinal = (state) => FINAL.includes(state);

export class Api {
  /** @param {{ storage: Storage, onUnauthorized: () => void }} options */
  constructor(options) {
    this.storage = options.storage;
    this.onUnauthorized = options.onUnauthorized;
  }

  get session() {
    return this.storage.getItem('streamer.session');
  }

  /** @param {string | null} value */
  set session(value) {
    if (value === null) this.storage.removeItem('streamer.session');
    else this.storage.setItem('streamer.session', value);
  }

  /** @param {Record<string, string>} [extra] */
  headers(extra = {}) {
    /** @type {Record<string, string>} */
    const headers = { 'x-api-version': API_VERSION, accept: 'application/json', ...extra };
    if (this.session !== null) headers['auth'] = this.session;
    return headers;
  }

  /**
   * Sends a request and returns the parsed JSON (or text) body. Throws ApiError with the OneView error
   * body for any status ≥ 400; a 401 also ends the session.
   * @param {string} method @param {string} path
   * @param {{ body?: unknown, text?: string, contentType?: string, signal?: AbortSignal }} [options]
   * @returns {Promise<unknown>}
   */
  async request(method, path, options = {}) {
    /** @type {Record<string, string>} */
    const extra = {};
    /** @type {string | undefined} */
    let body;
    if (options.text !== undefined) {
      body = options.text;
      extra['content-type'] = options.contentType ?? 'text/plain;charset=UTF-8';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      extra['content-type'] = 'application/json';
    }
    /** @type {RequestInit} */
    const init = { method, headers: this.headers(extra) };
    if (body !== undefined) init.body = body;
    if (options.signal !== undefined) init.signal = options.signal;
    const response = await fetch(path, init);
    const text = await response.text();
    const parsed = (response.headers.get('content-type') ?? '').includes('json') && text !== '' ? parseJson(text) : text;
    if (response.status >= 400) {
      if (response.status === 401 && !path.startsWith('/rest/login-sessions')) {
        this.session = null;
        this.onUnauthorized();
      }
      throw new ApiError(response.status, errorBodyOf(parsed, response.statusText));
    }
    return parsed;
  }

  /** @param {string} path @param {AbortSignal} [signal] */
  get(path, signal) {
    return this.request('GET', path, signal === undefined ? {} : { signal });
  }

  /** A text document (logs, consoles). @param {string} path @param {AbortSignal} [signal] @returns {Promise<string>} */
  async text(path, signal) {
    const body = await this.get(path, signal);
    return typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  }

  /**
   * Every member of a collection (count=-1: one page).
   * @template {keyof Collections} K @param {K} category @param {AbortSignal} [signal] @returns {Promise<Collections[K][]>}
   */
  async list(category, signal) {
    const page = /** @type {{ members?: Collections[K][] } | null} */ (await this.get(`/rest/${category}?start=0&count=-1`, signal));
    return Array.isArray(page?.members) ? page.members : [];
  }

  /**
   * One resource by id (or, for a `/rest/...` uri, by that uri).
   * @template {keyof Collections} K @param {K} category @param {string} id @param {AbortSignal} [signal] @returns {Promise<Collections[K]>}
   */
  async resource(category, id, signal) {
    const path = id.startsWith('/rest/') ? id : `/rest/${category}/${encodeURIComponent(id)}`;
    return /** @type {Collections[K]} */ (await this.get(path, signal));
  }

  /**
   * A change that answers with a task (every create, update, delete, extract, backup: reference §2.5).
   * @param {string} method @param {string} path @param {{ body?: unknown, text?: string }} [options] @returns {Promise<Task>}
   */
  async task(method, path, options = {}) {
    return /** @type {Task} */ (await this.request(method, path, options));
  }

  /** @param {string} userName @param {string} password */
  async login(userName, password) {
    const reply = /** @type {{ sessionID: string }} */ (await this.request('POST', '/rest/login-sessions', { body: { userName, password, loginMsgAck: true } }));
    this.session = reply.sessionID;
  }

  async logout() {
    try {
      await this.request('DELETE', '/rest/login-sessions');
    } finally {
      this.session = null;
    }
  }

  /**
   * Polls a task until it reaches a final state, calling `onUpdate` with each version. Resolves with
   * the final task (whatever its state); rejects only on transport errors or abort.
   * @param {Task | string} task @param {{ onUpdate?: (task: Task) => void, signal?: AbortSignal, intervalMs?: number }} [options]
   * @returns {Promise<Task>}
   */
  async waitTask(task, options = {}) {
    let current = typeof task === 'string' ? /** @type {Task} */ (await this.get(task, options.signal)) : task;
    options.onUpdate?.(current);
    while (!isFinal(current.taskState)) {
      await sleep(options.intervalMs ?? 400, options.signal);
      current = /** @type {Task} */ (await this.get(current.uri, options.signal));
      options.onUpdate?.(current);
    }
    return current;
  }

  /**
   * Multipart upload of one file (part "file", as HPE's clients send it), reporting bytes sent.
   * @param {string} path @param {File} file
   * @param {{ onProgress?: (sent: number, total: number) => void, signal?: AbortSignal }} [options]
   * @returns {Promise<Task>} the appliance's upload routes answer with a task
   */
  upload(path, file, options = {}) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', path);
      for (const [k, v] of Object.entries(this.headers({ uploadfilename: encodeURIComponent(file.name) }))) xhr.setRequestHeader(k, v);
      xhr.upload.addEventListener('progress', (e) => options.onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size));
      xhr.addEventListener('load', () => {
        const body = parseJson(xhr.responseText);
        if (xhr.status >= 400) reject(new ApiError(xhr.status, errorBodyOf(body, xhr.statusText)));
        else resolve(/** @type {Task} */ (body));
      });
      xhr.addEventListener('error', () => reject(new ApiError(0, { message: 'Cannot upload: the connection to the appliance failed' })));
      xhr.addEventListener('abort', () => reject(new ApiError(0, { message: 'Upload cancelled' })));
      options.signal?.addEventListener('abort', () => xhr.abort());
      const form = new FormData();
      form.append('file', file, file.name);
      xhr.send(form);
    });
  }

  /** Downloads with the session header, then hands the bytes to the browser as a file. @param {string} path @param {string} fallbackName */
  async download(path, fallbackName) {
    const response = await fetch(path, { headers: this.headers({ accept: 'application/octet-stream, application/json;q=0.5' }) });
    if (!response.ok) throw new ApiError(response.status, errorBodyOf(parseJson(await response.text()), response.statusText));
    const disposition = response.headers.get('content-disposition') ?? '';
    const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName;
    saveBlob(await response.blob(), name);
  }
}

/** @param {Blob} blob @param {string} name */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** @param {number} ms @param {AbortSignal} [signal] @returns {Promise<void>} */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const aborted = () => new DOMException('The page was left', 'AbortError');
    if (signal?.aborted === true) return reject(aborted());
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(aborted());
    }, { once: true });
  });
}

/**
 * The per-attribute problems of an appliance error (`data.problems[{name, message}]`, as
 * ATTRIBUTE_VALUES_INVALID carries them); [] for anything else.
 * @param {unknown} error @returns {{ name: string, message: string }[]}
 */
export function attributeProblemsOf(error) {
  const problems = error instanceof ApiError ? error.body.data?.['problems'] : undefined;
  if (!Array.isArray(problems)) return [];
  return problems.flatMap((/** @type {unknown} */ p) => {
    const { name, message } = /** @type {{ name?: unknown, message?: unknown }} */ (typeof p === 'object' && p !== null ? p : {});
    return typeof name === 'string' && typeof message === 'string' ? [{ name, message }] : [];
  });
}

/** The message a user should read for any thrown value. @param {unknown} error */
export function messageOf(error) {
  if (error instanceof ApiError) return error.body.message ?? error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
