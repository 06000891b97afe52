// @ts-check
// Server profile templates: a deployment plan and attribute values that new profiles start from.
import { attributeProblemsOf } from '../api.js';
import { attributeForm } from '../attribute-form.js';
import { field, formatTime, h, idOf, link, pageHeader, replace, table } from '../dom.js';
import { noticeSlot } from '../notice.js';
import { watchTask } from '../task-view.js';

/** @typedef {import('../router.js').PageContext} PageContext */

/** @param {PageContext} ctx */
export async function templateListPage(ctx) {
  const templates = await ctx.api.list('server-profile-templates', ctx.signal);
  replace(ctx.main,
    pageHeader('Server profile templates', h('a', { class: 'button', href: '/server-profile-templates/new', 'data-nav': '', text: 'New template' })),
    table({
      caption: 'Server profile templates', rows: templates,
      columns: [
        { label: 'Name', cell: (t) => link(`/server-profile-templates/${t.id}`, t.name) },
        { label: 'Deployment plan', cell: (t) => (t.osDeploymentSettings?.osDeploymentPlanUri ? link(`/deployment-plans/${idOf(t.osDeploymentSettings.osDeploymentPlanUri)}`, idOf(t.osDeploymentSettings.osDeploymentPlanUri)) : '—') },
        { label: 'Description', cell: (t) => t.description ?? '' },
        { label: 'Modified', cell: (t) => formatTime(t.modified) },
        { label: '', cell: (t) => h('a', { class: 'button small', href: `/server-profiles/new?template=${t.id}`, 'data-nav': '', text: 'Create profile' }) },
      ],
    }));
}

/** @param {PageContext} ctx */
export async function templatePage(ctx) {
  const isNew = ctx.params['id'] === 'new';
  /** @type {import('../resources.js').ServerProfileTemplate} */
  const blank = { id: '', uri: '', created: '', modified: '', name: '', description: '', osDeploymentSettings: { osDeploymentPlanUri: '', osCustomAttributes: [], osVolumeUri: null } };
  const [template, plans] = await Promise.all([
    isNew ? Promise.resolve(blank) : ctx.api.resource('server-profile-templates', ctx.params['id'] ?? '', ctx.signal),
    ctx.api.list('deployment-plans', ctx.signal),
  ]);
  const notice = noticeSlot();
  const taskEl = h('div');
  const name = field('Name', h('input', { required: true, value: template.name }));
  const description = field('Description', h('input', { value: template.description ?? '' }));
  const current = idOf(template.osDeploymentSettings?.osDeploymentPlanUri);
  const plan = field('Deployment plan', h('select', { required: true }, h('option', { value: '', text: 'Choose a deployment plan' }), plans.map((p) => h('option', { value: p.uri, selected: p.id === current, text: p.name }))));
  const slot = h('div');
  /** @type {Record<string, string>} */
  const initial = {};
  for (const a of template.osDeploymentSettings?.osCustomAttributes ?? []) initial[a.name] = a.value;
  let form = attributeForm([], {});
  const showForm = () => {
    const chosen = plans.find((p) => p.uri === plan.input.value);
    form = attributeForm(chosen?.customAttributes ?? [], { initial });
    replace(slot, chosen === undefined ? null : [h('h2', { text: 'Attribute values' }), form.el]);
  };
  plan.input.addEventListener('change', showForm);
  showForm();
  const save = async () => {
    notice.clear();
    if (!form.validate()) return;
    const body = { ...(isNew ? { type: 'ServerProfileTemplateV8' } : template), name: name.input.value, description: description.input.value, osDeploymentSettings: { osDeploymentPlanUri: plan.input.value, osCustomAttributes: form.values() } };
    try {
      const final = await watchTask(ctx, taskEl, await ctx.api.task(isNew ? 'POST' : 'PUT', isNew ? '/rest/server-profile-templates' : template.uri, { body }));
      if (final.taskState !== 'Error') ctx.navigate(`/server-profile-templates/${idOf(final.associatedResource.resourceUri)}`);
    } catch (error) {
      notice.error(error, 'Cannot save the template');
      form.showProblems(attributeProblemsOf(error));
    }
  };
  replace(ctx.main,
    pageHeader(isNew ? 'New server profile template' : `Template ${template.name}`, isNew ? null : h('a', { class: 'button', href: `/server-profiles/new?template=${template.id}`, 'data-nav': '', text: 'Create profile' })),
    h('p', {}, link('/server-profile-templates', '← All templates')),
    notice.el,
    h('form', { onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); void save(); } },
      h('div', { class: 'form-row' }, name.wrapper, description.wrapper, plan.wrapper), slot,
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', text: isNew ? 'Create' : 'Save' }),
        isNew ? null : h('button', { type: 'button', class: 'danger', text: 'Delete', onclick: async () => {
          if (!confirm(`Delete template "${template.name}"?`)) return;
          try {
            const final = await watchTask(ctx, taskEl, await ctx.api.task('DELETE', template.uri));
            if (final.taskState !== 'Error') ctx.navigate('/server-profile-templates');
          } catch (error) { notice.error(error, 'Cannot delete the template'); }
        } }))),
    taskEl);
}
