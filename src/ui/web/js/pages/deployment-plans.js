// @ts-check
// Deployment plans: build plan, golden image, and the attribute defaults with editable/visible flags;
// a link to the dry-run preview.
import { attributeTable } from '../attribute-table.js';
import { badge, field, filteredTable, formatTime, h, idOf, link, pageHeader, replace } from '../dom.js';
import { noticeSlot } from '../notice.js';
import { watchTask } from '../task-view.js';

/** @typedef {import('../router.js').PageContext} PageContext */

/** @param {PageContext} ctx */
export async function deploymentPlanListPage(ctx) {
  const plans = await ctx.api.list('deployment-plans', ctx.signal);
  plans.sort((a, b) => a.name.localeCompare(b.name));
  replace(ctx.main,
    pageHeader('Deployment plans', h('a', { class: 'button', href: '/deployment-plans/new', 'data-nav': '', text: 'New deployment plan' })),
    filteredTable({
      caption: 'Deployment plans', rows: plans, text: (p) => p.name,
      columns: [
        { label: 'Name', cell: (p) => link(`/deployment-plans/${p.id}`, p.name) },
        { label: 'Build plan', cell: (p) => (p.oeBuildPlanURI ? link(`/build-plans/${idOf(p.oeBuildPlanURI)}`, p.oeBuildPlanName ?? idOf(p.oeBuildPlanURI)) : '—') },
        { label: 'Golden image', cell: (p) => (p.goldenImageURI ? link(`/golden-images/${idOf(p.goldenImageURI)}`, p.goldenImageName ?? idOf(p.goldenImageURI)) : 'none (empty volume)') },
        { label: 'Attributes', cell: (p) => String((p.customAttributes ?? []).length) },
        { label: 'Modified', cell: (p) => formatTime(p.modified) },
      ],
    }));
}

/** @param {PageContext} ctx */
export async function deploymentPlanPage(ctx) {
  const isNew = ctx.params['id'] === 'new';
  /** @type {import('../resources.js').DeploymentPlan} */
  const blank = { id: '', uri: '', created: '', modified: '', name: '', description: '', oeBuildPlanURI: '', goldenImageURI: '', customAttributes: [], hpProvided: false };
  const [plan, buildPlans, images] = await Promise.all([
    isNew ? Promise.resolve(blank) : ctx.api.resource('deployment-plans', ctx.params['id'] ?? '', ctx.signal),
    ctx.api.list('build-plans', ctx.signal),
    ctx.api.list('golden-images', ctx.signal).catch(() => /** @type {import('../resources.js').GoldenImage[]} */ ([])),
  ]);
  const readOnly = plan.hpProvided === true;
  const notice = noticeSlot();
  const taskEl = h('div');
  const name = field('Name', h('input', { required: true, value: plan.name, readonly: readOnly }));
  const description = field('Description', h('input', { value: plan.description ?? '', readonly: readOnly }));
  const buildPlan = field('OS build plan', h('select', { disabled: readOnly, required: true },
    h('option', { value: '', text: 'Choose a build plan' }),
    buildPlans.filter((b) => b.oeBuildPlanType === 'deploy').map((b) => h('option', { value: b.uri, selected: b.uri === plan.oeBuildPlanURI, text: b.name }))));
  const image = field('Golden image', h('select', { disabled: readOnly },
    h('option', { value: '', text: 'None: an empty volume of VolumeSize MiB' }),
    images.map((g) => h('option', { value: g.uri, selected: g.uri === plan.goldenImageURI, text: g.name }))));
  const attributes = attributeTable(plan.customAttributes ?? [], { flags: true, readOnly });
  const save = async () => {
    notice.clear();
    const body = { ...(isNew ? { type: 'OEDeploymentPlanV5', hpProvided: false } : plan), name: name.input.value, description: description.input.value, oeBuildPlanURI: buildPlan.input.value, goldenImageURI: image.input.value, ...(isNew ? {} : { customAttributes: attributes.values() }) };
    try {
      const final = await watchTask(ctx, taskEl, await ctx.api.task(isNew ? 'POST' : 'PUT', isNew ? '/rest/deployment-plans' : plan.uri, { body }));
      if (final.taskState === 'Error') return;
      notice.ok('Deployment plan saved');
      if (isNew && final.associatedResource.resourceUri !== null) ctx.navigate(`/deployment-plans/${idOf(final.associatedResource.resourceUri)}`);
    } catch (error) {
      notice.error(error, 'Cannot save the deployment plan');
    }
  };
  replace(ctx.main,
    pageHeader(isNew ? 'New deployment plan' : `Deployment plan ${plan.name}`, isNew ? null : badge(plan.status),
      isNew ? null : h('a', { class: 'button secondary', href: `/deployment-plans/${plan.id}/preview`, 'data-nav': '', text: 'Preview a deployment' })),
    h('p', {}, link('/deployment-plans', '← All deployment plans')),
    notice.el,
    h('form', { onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); void save(); } },
      h('div', { class: 'form-row' }, name.wrapper, description.wrapper),
      h('div', { class: 'form-row' }, buildPlan.wrapper, image.wrapper),
      isNew ? h('p', { class: 'hint', text: 'The attributes are copied from the build plan when the plan is created.' }) : [
        h('h2', { text: 'Custom attributes' }),
        h('p', { class: 'hint', text: 'Editable: a server profile may set the value. Visible: the profile form shows it.' }),
        attributes.el],
      readOnly ? h('p', { class: 'hint', text: 'This deployment plan is read only.' }) : h('div', { class: 'form-actions' }, h('button', { type: 'submit', text: isNew ? 'Create' : 'Save' }),
        isNew ? null : h('button', { type: 'button', class: 'danger', text: 'Delete', onclick: async () => {
          if (!confirm(`Delete deployment plan "${plan.name}"?`)) return;
          try {
            const final = await watchTask(ctx, taskEl, await ctx.api.task('DELETE', plan.uri));
            if (final.taskState !== 'Error') ctx.navigate('/deployment-plans');
          } catch (error) { notice.error(error, 'Cannot delete the deployment plan'); }
        } }))),
    taskEl);
}
