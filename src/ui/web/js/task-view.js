// @ts-check
// A task shown live: progress bar, state, step timeline, progress messages, and on failure the cause and
// the recommended action. Used inline after an action and on the task page.
import { isFinal } from './api.js';
import { badge, formatTime, h, idOf, link, replace } from './dom.js';

/** @typedef {import('./api.js').Task} Task @typedef {import('./router.js').PageContext} PageContext */

/** The client route of a resource uri, when the UI has a page for it. @param {string | null | undefined} uri */
export function routeOf(uri) {
  if (uri === null || uri === undefined) return undefined;
  const m = /^\/rest\/([a-z-]+)\/([^/?]+)$/.exec(uri);
  return m === null ? undefined : `/${m[1]}/${m[2]}`;
}

/** Renders one version of a task into `el`. @param {HTMLElement} el @param {Task} task */
export function renderTask(el, task) {
  const percent = Math.max(0, Math.min(100, task.percentComplete ?? 0));
  const resource = task.associatedResource ?? {};
  const resourceRoute = routeOf(resource.resourceUri);
  const steps = task.steps ?? [];
  replace(
    el,
    h('div', { class: 'task-head' },
      h('span', { class: 'task-name' }, link(`/tasks/${task.id ?? idOf(task.uri)}`, task.name)),
      ' ', badge(task.taskState),
      resource.resourceName ? h('span', { class: 'task-resource' }, ' on ', resourceRoute === undefined ? resource.resourceName : link(resourceRoute, resource.resourceName)) : null),
    h('div', { class: 'progress', role: 'progressbar', 'aria-label': `${task.name} progress`, 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(percent) },
      h('div', { class: `progress-bar ${task.taskState === 'Error' ? 'failed' : ''}`, style: { width: `${percent}%` } })),
    h('div', { class: 'task-status', text: `${percent}% · ${task.taskStatus ?? ''}` }),
    steps.length > 0
      ? h('ol', { class: 'timeline', 'aria-label': 'Steps' }, steps.map((s) =>
          h('li', { class: `step step-${s.state.toLowerCase()}` },
            h('span', { class: 'step-name', text: s.name }), ' ', badge(s.state),
            s.startTime ? h('span', { class: 'step-time', text: ` ${formatTime(s.startTime)}${s.endTime ? ` → ${formatTime(s.endTime)}` : ''}` }) : null)))
      : null,
    (task.taskErrors ?? []).length > 0
      ? h('div', { class: 'notice notice-error', role: 'alert' }, (task.taskErrors ?? []).map((e) => h('div', { class: 'task-error' },
          h('strong', { text: e.message ?? e.errorCode ?? 'Error' }),
          e.errorCode ? h('div', { class: 'error-code', text: `Code: ${e.errorCode}` }) : null,
          e.details ? h('pre', { class: 'details', text: e.details }) : null,
          (e.recommendedActions ?? []).length > 0 ? h('div', { class: 'recommended' }, 'Recommended action: ', h('ul', {}, (e.recommendedActions ?? []).map((a) => h('li', { text: a })))) : null)))
      : null,
  );
}

/**
 * Watches a task in `el` until it ends, announcing state and step changes through `ctx.announce`;
 * `onUpdate` sees every version too. Resolves with the final task.
 * @param {PageContext} ctx @param {HTMLElement} el @param {Task | string} task @param {(task: Task) => void} [onUpdate]
 */
export async function watchTask(ctx, el, task, onUpdate) {
  let lastState = '';
  let lastStep = '';
  el.classList.add('task-card');
  let first = true;
  const final = await ctx.api.waitTask(task, {
    signal: ctx.signal,
    onUpdate: (t) => {
      renderTask(el, t);
      onUpdate?.(t);
      if (first) {
        first = false;
        // Keep the task in sight: forms are often taller than the screen.
        el.scrollIntoView({ block: 'nearest' });
      }
      const running = (t.steps ?? []).find((s) => s.state === 'Running');
      if (t.taskState !== lastState) {
        lastState = t.taskState;
        ctx.announce(`${t.name}: ${t.taskState}${isFinal(t.taskState) ? '' : ` ${t.percentComplete}%`}`);
      } else if (running !== undefined && running.name !== lastStep) {
        lastStep = running.name;
        ctx.announce(`${t.name}: ${running.name}, ${t.percentComplete}%`);
      }
    },
  });
  if (final.taskState === 'Error') ctx.announce(`${final.name} failed: ${final.taskErrors[0]?.message ?? final.taskStatus}`);
  return final;
}
