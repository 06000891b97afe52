// Tasks (reference §2.5): read-only; every mutation elsewhere answers with one.
import { notFound } from '../../core/errors.js';
import type { TaskEngine } from '../../tasks/index.js';
import { json, type ApiRouter } from '../router.js';
import { collection } from './respond.js';

export function registerTaskRoutes(api: ApiRouter, tasks: TaskEngine): void {
  api.add({
    method: 'get', path: '/rest/tasks', tag: 'Tasks', access: 'session', summary: 'List tasks (newest first)', returns: 'TaskCollection',
    query: { filter: "e.g. taskState='Running'", sort: 'e.g. created:desc', start: 'First member', count: 'Members per page' },
    handler: async (r) => collection(r, await tasks.list(), { category: 'tasks', type: 'TaskResourceCollectionV2' }),
  });
  api.add({
    method: 'get', path: '/rest/tasks/:id', tag: 'Tasks', access: 'session', summary: 'Get a task', returns: 'TaskResourceV2',
    handler: async (r) => {
      const id = r.param('id');
      const task = (await tasks.get(id)) ?? (await tasks.get(id.toUpperCase()));
      if (task === undefined) throw notFound('TASK_NOT_FOUND', `Cannot find task "${id}"`, { recommendedActions: ['List tasks with GET /rest/tasks'] });
      return json(task);
    },
  });
}
