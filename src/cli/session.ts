// Opens an ApiClient on the saved login, and runs mutations to their end (or not, with --no-wait).
import { ApiClient, isFailedTask, isFinalTask, taskFailure } from './client.js';
import type { CliIo } from './io.js';
import { barLine } from './progress.js';
import { loadProfile, profilePath } from './profile.js';
import type { Task } from '../tasks/index.js';

export async function connect(io: CliIo): Promise<ApiClient> {
  const profile = await loadProfile(profilePath(io.env));
  return new ApiClient({ url: profile.url, sessionId: profile.sessionID, insecure: profile.insecure });
}

export interface MutationResult {
  /** Absent when the server answered with the resource itself (200/201) instead of a task. */
  task: Task | undefined;
  /** The resource the task points at, read after it completed (absent for deletes and --no-wait). */
  resource: Record<string, unknown> | undefined;
}

/**
 * Sends a create/update/delete; the 202 answer's task is followed to its end unless `wait` is false.
 * A failed task throws (exit code 8). Servers that answer 200/201 with the resource are accepted too.
 */
export async function mutate(client: ApiClient, request: { method: string; path: string; body?: unknown; query?: Record<string, string>; headers?: Record<string, string>; action: string; wait: boolean; io?: CliIo }): Promise<MutationResult> {
  const reply = await client.call<Record<string, unknown>>(request.method, request.path, {
    action: request.action,
    ...(request.body === undefined ? {} : { body: request.body }),
    ...(request.query === undefined ? {} : { query: request.query }),
    ...(request.headers === undefined ? {} : { headers: request.headers }),
  });
  return follow(client, reply, { wait: request.wait, ...(request.io === undefined ? {} : { io: request.io }) });
}

/**
 * Follows the answer of a mutation: a task to its end (and then its resource), or the resource itself.
 * While waiting, a progress bar is drawn on stderr when stderr is a terminal (and erased after).
 */
export async function follow(client: ApiClient, reply: Record<string, unknown> | undefined, options: { wait: boolean; io?: CliIo }): Promise<MutationResult> {
  if (reply?.['category'] !== 'tasks') return { task: undefined, resource: reply };
  let task = reply as unknown as Task;
  if (!options.wait) return { task, resource: undefined };
  const stderr = options.io?.stderr;
  let drawn = false;
  const onChange = stderr?.isTTY === true && !isFinalTask(task)
    ? (t: Task) => {
        drawn = true;
        stderr.write(`\r\u001b[2K${barLine(t, stderr.columns ?? 80)}`);
      }
    : undefined;
  try {
    task = await client.waitForTask(task.uri, onChange === undefined ? {} : { onChange });
  } finally {
    if (drawn) stderr?.write('\r\u001b[2K');
  }
  if (isFailedTask(task)) throw taskFailure(task);
  const uri = task.name === 'Delete' ? null : task.associatedResource.resourceUri;
  const resource = uri === null ? undefined : await client.call<Record<string, unknown>>('GET', uri, { action: `read "${uri}"` });
  return { task, resource };
}
