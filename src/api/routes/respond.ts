// Answers shared by the artifact routes: collections, and mutations recorded as Completed tasks.
import { AppError } from '../../core/errors.js';
import type { TaskEngine } from '../../tasks/index.js';
import { collectionPage } from '../collection.js';
import { accepted, json, type ApiRequest } from '../router.js';

export function collection(request: ApiRequest, members: object[], options: { category: string; type: string }): Response {
  return json(collectionPage(members, { url: request.url, ...options }));
}

export interface Mutated {
  uri: string;
  name: string;
  category: string;
}

/** Records a finished mutation as a task and answers 202 with it (reference §2.5). */
export async function mutated(request: ApiRequest, tasks: TaskEngine, name: string, resource: Mutated): Promise<Response> {
  const task = await tasks.recordCompleted({
    name,
    owner: request.actor.user.userName,
    // A delete task points at nothing: Python would GET the deleted resource and fail otherwise.
    resource: name === 'Delete' ? { uri: null, name: resource.name, category: resource.category } : resource,
  });
  return accepted(task);
}

/**
 * OneView's optimistic concurrency (reference §2.7): an `If-Match` header other than `*` must equal the
 * resource's current eTag, else 412. An eTag inside a PUT body is ignored: clients send back what they read.
 */
export async function checkIfMatch(request: ApiRequest, current: () => Promise<{ eTag: string; name: string }>): Promise<void> {
  const header = request.context.req.header('if-match')?.trim();
  if (header === undefined || header === '' || header === '*') return;
  const resource = await current();
  const wanted = header.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  if (wanted !== resource.eTag) {
    throw new AppError('precondition', 'ETAG_MISMATCH', `Cannot change "${resource.name}": it was modified since it was read (eTag "${resource.eTag}", If-Match "${wanted}")`, {
      recommendedActions: ['Read the resource again and repeat the change, or send If-Match: *'],
    });
  }
}
