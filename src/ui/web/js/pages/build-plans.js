// @ts-check
// OS build plans: ordered steps (drag to reorder, or Move up / Move down from the keyboard), the plan
// scripts to add, and the attribute defaults the steps' scripts declare.
import { attributeTable } from '../attribute-table.js';
import { badge, field, filteredTable, formatTime, h, link, pageHeader, replace } from '../dom.js';
import { noticeSlot } from '../notice.js';
import { watchTask } from '../task-view.js';

/** @typedef {import('../router.js').PageContext} PageContext @typedef {import('../resources.js').BuildStep} Step @typedef {import('../resources.js').BuildPlan} BuildPlan */

/** @param {PageContext} ctx */
export async function buildPlanListPage(ctx) {
  const plans = await ctx.api.list('build-plans', ctx.signal);
  plans.sort((a, b) => a.name.localeCompare(b.name));
  replace(ctx.main,
    pageHeader('OS build plans', h('a', { class: 'button', href: '/build-plans/new', 'data-nav': '', text: 'New build plan' })),
    filteredTable({
      caption: 'OS build plans', rows: plans, text: (p) => `${p.name} ${p.oeBuildPlanType}`,
      columns: [
        { label: 'Name', cell: (p) => link(`/build-plans/${p.id}`, p.name) },
        { label: 'Type', cell: (p) => p.oeBuildPlanType },
        { label: 'Steps', cell: (p) => String((p.buildStep ?? []).length) },
        { label: 'Read only', cell: (p) => (p.hpProvided ? 'Yes' : 'No') },
        { label: 'Attributes', cell: (p) => String((p.customAttributes ?? []).length) },
        { label: 'Modified', cell: (p) => formatTime(p.modified) },
      ],
    }));
}

/**
 * An ordered list whose items move by drag and drop or by buttons; the order is what `steps()` returns.
 * @param {Step[]} initial @param {{ readOnly: boolean, announce: (t: string) => void }} options
 */
export function stepList(initial, options) {
  /** @type {Step[]} */
  const steps = [...initial];
  const list = h('ol', { class: 'steps', 'aria-label': 'Build steps' });
  /** @type {number | undefined} */
  let dragging;
  /** @param {number} from @param {number} to @param {boolean} [focus] */
  const move = (from, to, focus = false) => {
    if (to < 0 || to >= steps.length || from === to) return;
    const [step] = steps.splice(from, 1);
    if (step === undefined) return;
    steps.splice(to, 0, step);
    render();
    options.announce(`${step.planScriptName} moved to position ${to + 1} of ${steps.length}`);
    if (focus) /** @type {HTMLElement | null} */ (list.children[to]?.querySelector(to > from ? '.move-down' : '.move-up') ?? list.children[to]?.querySelector('button') ?? null)?.focus();
  };
  const render = () => {
    list.replaceChildren(...steps.map((s, i) => {
      const item = h('li', { class: 'step-item', draggable: options.readOnly ? 'false' : 'true', dataset: { index: String(i) } },
        h('span', { class: 'drag-handle', 'aria-hidden': 'true', text: '⋮⋮' }),
        h('span', { class: 'step-number', text: `${i + 1}.` }),
        h('span', { class: 'step-script' }, link(`/plan-scripts/${s.planScriptUri.split('/').pop()}`, s.planScriptName)),
        options.readOnly ? null : h('span', { class: 'step-actions' },
          h('button', { type: 'button', class: 'secondary small move-up', disabled: i === 0, 'aria-label': `Move ${s.planScriptName} up`, onclick: () => move(i, i - 1, true), text: '↑' }),
          h('button', { type: 'button', class: 'secondary small move-down', disabled: i === steps.length - 1, 'aria-label': `Move ${s.planScriptName} down`, onclick: () => move(i, i + 1, true), text: '↓' }),
          h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove ${s.planScriptName}`, onclick: () => { steps.splice(i, 1); render(); options.announce(`${s.planScriptName} removed`); }, text: 'Remove' })));
      item.addEventListener('dragstart', (e) => { dragging = i; e.dataTransfer?.setData('text/plain', String(i)); item.classList.add('dragging'); });
      item.addEventListener('dragend', () => item.classList.remove('dragging'));
      item.addEventListener('dragover', (e) => { e.preventDefault(); item.classList.add('drop-target'); });
      item.addEventListener('dragleave', () => item.classList.remove('drop-target'));
      item.addEventListener('drop', (e) => {
        e.preventDefault();
        const from = dragging ?? Number(e.dataTransfer?.getData('text/plain'));
        dragging = undefined;
        move(from, i);
      });
      return item;
    }));
    if (steps.length === 0) list.append(h('li', { class: 'empty', text: 'No steps: the golden image is deployed as is' }));
  };
  render();
  return {
    el: list,
    /** @param {Step} step */
    add(step) {
      steps.push(step);
      render();
      options.announce(`${step.planScriptName} added as step ${steps.length}`);
    },
    steps: () => steps.map((s, i) => ({ ...s, serialNumber: String(i + 1) })),
  };
}

/** @param {PageContext} ctx */
export async function buildPlanPage(ctx) {
  const isNew = ctx.params['id'] === 'new';
  /** @type {BuildPlan} */
  const blank = { id: '', uri: '', created: '', modified: '', name: '', description: '', oeBuildPlanType: 'deploy', buildStep: [], customAttributes: [], hpProvided: false };
  const [plan, scripts] = await Promise.all([
    isNew ? Promise.resolve(blank) : ctx.api.resource('build-plans', ctx.params['id'] ?? '', ctx.signal),
    ctx.api.list('plan-scripts', ctx.signal),
  ]);
  const readOnly = plan.hpProvided === true;
  const notice = noticeSlot();
  const taskEl = h('div');
  const name = field('Name', h('input', { required: true, value: plan.name, readonly: readOnly }));
  const description = field('Description', h('input', { value: plan.description ?? '', readonly: readOnly }));
  const type = field('Type', h('select', { disabled: readOnly || !isNew }, ['deploy', 'capture'].map((t) => h('option', { value: t, selected: t === plan.oeBuildPlanType, text: t }))));
  const steps = stepList([...(plan.buildStep ?? [])].sort((a, b) => Number(a.serialNumber) - Number(b.serialNumber)), { readOnly, announce: ctx.announce });
  const attributes = attributeTable(plan.customAttributes ?? [], { flags: false, readOnly });
  const usable = () => scripts.filter((s) => s.planType === 'general' || s.planType === type.input.value).sort((a, b) => a.name.localeCompare(b.name));
  const picker = field('Plan script to add', h('select', {}, usable().map((s) => h('option', { value: s.uri, text: `${s.name} (${s.planType})` }))));
  const save = async () => {
    notice.clear();
    const body = { ...(isNew ? { type: 'OeBuildPlanV5' } : plan), name: name.input.value, description: description.input.value, oeBuildPlanType: type.input.value, buildStep: steps.steps(), customAttributes: attributes.values() };
    try {
      const final = await watchTask(ctx, taskEl, await ctx.api.task(isNew ? 'POST' : 'PUT', isNew ? '/rest/build-plans' : plan.uri, { body }));
      if (final.taskState === 'Error') return;
      notice.ok('Build plan saved');
      if (isNew && final.associatedResource.resourceUri !== null) ctx.navigate(`/build-plans/${final.associatedResource.resourceUri.split('/').pop()}`);
    } catch (error) {
      notice.error(error, 'Cannot save the build plan');
    }
  };
  replace(ctx.main,
    pageHeader(isNew ? 'New OS build plan' : `OS build plan ${plan.name}`, isNew ? null : badge(plan.status)),
    h('p', {}, link('/build-plans', '← All build plans')),
    notice.el,
    h('form', { onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); void save(); } },
      h('div', { class: 'form-row' }, name.wrapper, type.wrapper, description.wrapper),
      h('h2', { text: 'Steps' }),
      h('p', { class: 'hint', text: 'Steps run in this order as one session. Drag a step, or use its arrow buttons, to reorder.' }),
      steps.el,
      readOnly ? null : h('div', { class: 'form-row add-step' }, picker.wrapper, h('button', { type: 'button', class: 'secondary', text: 'Add step', onclick: () => {
        const script = scripts.find((s) => s.uri === picker.input.value);
        if (script !== undefined) steps.add({ planScriptUri: script.uri, planScriptName: script.name, parameters: null });
      } })),
      h('h2', { text: 'Custom attributes' }),
      h('p', { class: 'hint', text: 'The union of the attributes the step scripts use; a default here overrides the script default.' }),
      attributes.el,
      readOnly ? h('p', { class: 'hint', text: 'This build plan is read only.' }) : h('div', { class: 'form-actions' }, h('button', { type: 'submit', text: isNew ? 'Create' : 'Save' }),
        isNew ? null : h('button', { type: 'button', class: 'danger', text: 'Delete', onclick: async () => {
          if (!confirm(`Delete build plan "${plan.name}"?`)) return;
          try {
            const final = await watchTask(ctx, taskEl, await ctx.api.task('DELETE', plan.uri));
            if (final.taskState !== 'Error') ctx.navigate('/build-plans');
          } catch (error) { notice.error(error, 'Cannot delete the build plan'); }
        } }))),
    taskEl);
}
