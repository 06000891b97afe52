// @ts-check
// Compute modules (/rest/server-hardware): power on, off and reset, the profile each carries, and the
// serial console of modules that have one (qemu), followed live while the page is open.
import { sleep } from '../api.js';
import { badge, field, h, idOf, link, pageHeader, replace, table } from '../dom.js';
import { noticeSlot } from '../notice.js';
import { watchTask } from '../task-view.js';

/** @typedef {import('../router.js').PageContext} PageContext */

/**
 * OneView's power call: PUT {uri}/powerState {powerState, powerControl}; answers a task, or the module.
 * @param {PageContext} ctx @param {import('../resources.js').ServerHardware} hw @param {string} state @param {string} control
 * @returns {Promise<{ category?: string }>}
 */
async function power(ctx, hw, state, control) {
  const answer = await ctx.api.request('PUT', `${hw.uri}/powerState`, { body: { powerState: state, powerControl: control } });
  return typeof answer === 'object' && answer !== null ? answer : {};
}

/** @param {PageContext} ctx */
export async function hardwareListPage(ctx) {
  const modules = await ctx.api.list('server-hardware', ctx.signal);
  modules.sort((a, b) => a.name.localeCompare(b.name));
  const notice = noticeSlot();
  const taskEl = h('div');
  const name = field('Module name', h('input', { required: true }));
  const driver = field('Driver', h('select', {}, h('option', { value: 'virtual', text: 'virtual (recorded power only)' }), h('option', { value: 'qemu', text: 'qemu (a VM on the appliance host)' })));
  const add = async () => {
    notice.clear();
    try {
      const final = await watchTask(ctx, taskEl, await ctx.api.task('POST', '/rest/server-hardware', { body: { name: name.input.value, driver: driver.input.value } }));
      if (final.taskState !== 'Error') ctx.navigate('/server-hardware');
    } catch (error) {
      notice.error(error, 'Cannot add the compute module');
    }
  };
  replace(ctx.main,
    pageHeader('Compute modules'),
    notice.el,
    h('form', { class: 'inline-form', 'aria-label': 'Add a compute module', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); void add(); } },
      h('div', { class: 'form-row' }, name.wrapper, driver.wrapper, h('button', { type: 'submit', text: 'Add module' }))),
    taskEl,
    table({
      caption: 'Compute modules', rows: modules,
      columns: [
        { label: 'Name', cell: (m) => link(`/server-hardware/${m.id}`, m.name) },
        { label: 'Driver', cell: (m) => m.driver ?? m.model ?? '—' },
        { label: 'Power', cell: (m) => badge(m.powerState) },
        { label: 'Server profile', cell: (m) => (m.serverProfileUri ? link(`/server-profiles/${idOf(m.serverProfileUri)}`, m.serverProfileName ?? idOf(m.serverProfileUri)) : 'none') },
        { label: 'Status', cell: (m) => badge(m.status) },
      ],
    }));
}

/** @param {PageContext} ctx */
export async function hardwarePage(ctx) {
  const hw = await ctx.api.resource('server-hardware', ctx.params['id'] ?? '', ctx.signal);
  const notice = noticeSlot();
  const taskEl = h('div');
  const state = h('span', {}, badge(hw.powerState));
  const consoleEl = h('pre', { class: 'console', tabindex: '0', 'aria-label': 'Serial console', 'aria-live': 'off' });
  /** @param {string} s @param {string} control */
  const act = async (s, control) => {
    notice.clear();
    try {
      const answer = await power(ctx, hw, s, control);
      const final = answer.category === 'tasks' ? await watchTask(ctx, taskEl, /** @type {import('../resources.js').Task} */ (answer)) : undefined;
      const fresh = await ctx.api.resource('server-hardware', hw.uri, ctx.signal);
      replace(state, badge(fresh.powerState));
      if (final?.taskState === 'Error') return;
      ctx.announce(`${hw.name} is ${fresh.powerState}`);
    } catch (error) {
      notice.error(error, `Cannot power ${s.toLowerCase()}`);
    }
  };
  replace(ctx.main,
    pageHeader(`Compute module ${hw.name}`, state,
      h('button', { type: 'button', text: 'Power on', onclick: () => void act('On', 'MomentaryPress') }),
      h('button', { type: 'button', class: 'secondary', text: 'Power off', onclick: () => void act('Off', 'PressAndHold') }),
      h('button', { type: 'button', class: 'secondary', text: 'Reset', onclick: () => void act('On', 'Reset') })),
    h('p', {}, link('/server-hardware', '← All compute modules')),
    notice.el, taskEl,
    h('dl', { class: 'properties' },
      h('dt', { text: 'Driver' }), h('dd', { text: hw.driver ?? hw.model ?? '—' }),
      h('dt', { text: 'Server profile' }), h('dd', {}, hw.serverProfileUri ? link(`/server-profiles/${idOf(hw.serverProfileUri)}`, hw.serverProfileName ?? idOf(hw.serverProfileUri)) : 'none'),
      h('dt', { text: 'Status' }), h('dd', {}, badge(hw.status))),
    h('h2', { text: 'Console' }), consoleEl);
  // Follow the console while this page is open; a module without one says so once.
  void (async () => {
    while (!ctx.signal.aborted) {
      try {
        const text = await ctx.api.text(`${hw.uri}/console`, ctx.signal);
        const atBottom = consoleEl.scrollTop + consoleEl.clientHeight >= consoleEl.scrollHeight - 4;
        consoleEl.textContent = text;
        if (atBottom) consoleEl.scrollTop = consoleEl.scrollHeight;
      } catch {
        if (ctx.signal.aborted) return;
        consoleEl.textContent = hw.driver === 'virtual' ? 'A virtual module has no console.' : 'No console output is available for this module.';
        return;
      }
      await sleep(1500, ctx.signal).catch(() => undefined);
    }
  })();
}
