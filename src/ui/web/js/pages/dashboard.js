// @ts-check
// The dashboard: counts and states of everything that matters, running tasks, and recent failures.
import { badge, formatTime, h, link, pageHeader, replace, table } from '../dom.js';
import { isFinal } from '../api.js';
import { keepFresh } from '../refresh.js';
import { routeOf } from '../task-view.js';

/**
 * A collection, or undefined when this appliance does not offer it.
 * @template {keyof import('../resources.js').Collections} K @param {import('../router.js').PageContext} ctx @param {K} category
 */
async function maybeList(ctx, category) {
  try {
    return await ctx.api.list(category, ctx.signal);
  } catch {
    return undefined;
  }
}

/** @param {{ [key: string]: unknown }[]} items @param {string} key */
function countBy(items, key) {
  /** @type {Record<string, number>} */
  const counts = {};
  for (const item of items) {
    const value = item[key];
    const label = typeof value === 'string' && value !== '' ? value : 'Unknown';
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

/** @param {string} title @param {string} href @param {object[] | undefined} items @param {string} [by] */
function tile(title, href, items, by) {
  const counts = items === undefined || by === undefined ? {} : countBy(/** @type {{ [key: string]: unknown }[]} */ (items), by);
  return h('section', { class: 'tile', 'aria-label': title },
    h('h2', {}, link(href, title)),
    h('div', { class: 'tile-count', text: items === undefined ? 'n/a' : String(items.length) }),
    h('div', { class: 'tile-breakdown' }, Object.entries(counts).map(([k, n]) => h('span', {}, badge(k), ` ${n}`))));
}

/** The dashboard's content, read afresh. @param {import('../router.js').PageContext} ctx */
async function dashboardContent(ctx) {
  const [images, volumes, profiles, hardware, plans, tasks] = await Promise.all([
    maybeList(ctx, 'golden-images'), maybeList(ctx, 'os-volumes'), maybeList(ctx, 'server-profiles'),
    maybeList(ctx, 'server-hardware'), maybeList(ctx, 'deployment-plans'), maybeList(ctx, 'tasks'),
  ]);
  const running = (tasks ?? []).filter((t) => !isFinal(t.taskState));
  const failed = (tasks ?? []).filter((t) => t.taskState === 'Error').slice(0, 5);
  const taskTable = (/** @type {import('../resources.js').Task[]} */ rows, /** @type {string} */ caption) => table({
    caption, rows, empty: `No ${caption.toLowerCase()}`,
    columns: [
      { label: 'Task', cell: (t) => link(`/tasks/${t.id}`, t.name) },
      { label: 'Resource', cell: (t) => { const r = routeOf(t.associatedResource?.resourceUri); const n = t.associatedResource?.resourceName ?? ''; return r === undefined ? n : link(r, n); } },
      { label: 'State', cell: (t) => badge(t.taskState) },
      { label: caption === 'Alerts' ? 'Cause' : 'Progress', cell: (t) => (caption === 'Alerts' ? t.taskErrors?.[0]?.message ?? t.taskStatus : `${t.percentComplete}%`) },
      { label: 'Started', cell: (t) => formatTime(t.created) },
    ],
  });
  return [
    h('div', { class: 'tiles' },
      tile('Server profiles', '/server-profiles', profiles, 'state'),
      tile('Compute modules', '/server-hardware', hardware, 'powerState'),
      tile('Golden images', '/golden-images', images, 'status'),
      tile('OS volumes', '/os-volumes', volumes, 'status'),
      tile('Deployment plans', '/deployment-plans', plans)),
    h('section', { 'aria-labelledby': 'running-title' }, h('h2', { id: 'running-title', text: 'Running tasks' }), taskTable(running, 'Running tasks')),
    h('section', { 'aria-labelledby': 'alerts-title' }, h('h2', { id: 'alerts-title', text: 'Alerts' }), taskTable(failed, 'Alerts')),
  ];
}

/** @param {import('../router.js').PageContext} ctx */
export async function dashboardPage(ctx) {
  const content = h('div', {}, await dashboardContent(ctx));
  replace(ctx.main, pageHeader('Dashboard'), content);
  keepFresh(ctx, content, 5000, async () => replace(content, await dashboardContent(ctx)));
}
