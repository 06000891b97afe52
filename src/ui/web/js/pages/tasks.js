// @ts-check
// Tasks: the list (refreshed while open) and one task followed live, with its step timeline, progress
// messages, failure cause and recommended action, and its log to download.
import { saveBlob } from '../api.js';
import { keepFresh } from '../refresh.js';
import { badge, formatTime, h, idOf, link, pageHeader, replace, table } from '../dom.js';
import { routeOf, watchTask } from '../task-view.js';

/** @typedef {import('../router.js').PageContext} PageContext */

/** @param {PageContext} ctx */
export async function taskListPage(ctx) {
  const slot = h('div');
  const filter = h('select', { id: 'task-filter', 'aria-label': 'Show' }, [['', 'All tasks'], ['active', 'Running'], ['Error', 'Failed']].map(([v, t]) => h('option', { value: v, text: t })));
  const render = async () => {
    let tasks = await ctx.api.list('tasks', ctx.signal);
    if (filter.value === 'active') tasks = tasks.filter((t) => !['Completed', 'Warning', 'Error', 'Terminated', 'Killed', 'Interrupted'].includes(t.taskState));
    else if (filter.value !== '') tasks = tasks.filter((t) => t.taskState === filter.value);
    replace(slot, table({
      caption: 'Tasks', rows: tasks.slice(0, 200),
      columns: [
        { label: 'Task', cell: (t) => link(`/tasks/${t.id}`, t.name) },
        { label: 'Resource', cell: (t) => { const r = routeOf(t.associatedResource?.resourceUri); const n = t.associatedResource?.resourceName ?? ''; return r === undefined ? n : link(r, n); } },
        { label: 'State', cell: (t) => badge(t.taskState) },
        { label: 'Progress', cell: (t) => `${t.percentComplete}%` },
        { label: 'Owner', cell: (t) => t.owner ?? '' },
        { label: 'Created', cell: (t) => formatTime(t.created) },
      ],
    }));
  };
  filter.addEventListener('change', () => void render());
  await render();
  replace(ctx.main, pageHeader('Tasks', h('label', { for: 'task-filter', text: 'Show ' }), filter), slot);
  keepFresh(ctx, slot, 3000, render);
}

/** The task as a text file: progress messages, output, errors with their recommended actions. @param {import('../resources.js').Task} t */
function taskLog(t) {
  return [
    `${t.name} ${t.uri} ${t.taskState}`,
    ...t.progressUpdates.map((u) => `${u.timestamp} ${u.statusUpdate}`),
    '',
    ...t.taskOutput,
    ...t.taskErrors.map((e) => `ERROR ${e.errorCode ?? ''}: ${e.message ?? ''}\n${e.details ?? ''}\n${(e.recommendedActions ?? []).join('\n')}`),
  ].join('\n');
}

/** @param {PageContext} ctx */
export async function taskPage(ctx) {
  const task = await ctx.api.resource('tasks', ctx.params['id'] ?? '', ctx.signal);
  const view = h('div');
  const updates = h('ol', { class: 'updates', 'aria-label': 'Progress messages' });
  const output = h('pre', { class: 'log' });
  let latest = task;
  const download = h('button', { type: 'button', class: 'secondary', text: 'Download log', onclick: () => saveBlob(new Blob([taskLog(latest)], { type: 'text/plain' }), `task-${idOf(task.uri)}.log`) });
  /** @param {import('../resources.js').Task} t */
  const detail = (t) => {
    latest = t;
    const messages = t.progressUpdates ?? [];
    replace(updates, messages.length === 0 ? h('li', { class: 'empty', text: 'No progress messages' }) : messages.map((u) => h('li', {}, h('time', { datetime: u.timestamp, text: formatTime(u.timestamp) }), ` ${u.statusUpdate}`)));
    output.textContent = (t.taskOutput ?? []).join('\n') || '(no output)';
  };
  detail(task);
  replace(ctx.main,
    pageHeader(`Task ${task.name}`, download),
    h('p', {}, link('/tasks', '← All tasks')),
    view,
    h('dl', { class: 'properties' },
      h('dt', { text: 'Owner' }), h('dd', { text: task.owner ?? '—' }),
      h('dt', { text: 'Created' }), h('dd', { text: formatTime(task.created) }),
      h('dt', { text: 'Uri' }), h('dd', {}, h('code', { text: task.uri }))),
    h('h2', { text: 'Progress messages' }), updates,
    h('h2', { text: 'Output' }), output);
  // Followed in the background: the page is shown while the task runs on.
  void watchTask(ctx, view, task, detail).catch(() => undefined);
}
