// Answers shared by the artifact routes: collections, and mutations recorded as Completed tasks.
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
export async function mutated(request: ApiRequest, tasks: TaskEngine, name: 'Create' | 'Update' | 'Delete' | string, resource: Mutated): Promise<Response> {
  const task = await tasks.recordCompleted({
    name,
    owner: request.actor.user.userName,
    // A delete task points at nothing: Python would GET the deleted resource and fail otherwise.
    resource: name === 'Delete' ? { uri: null, name: resource.name, category: resource.category } : resource,
  });
  return accepted(task);
}
