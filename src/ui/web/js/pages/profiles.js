// @ts-check
// Server profiles: create from a template (attribute fields generated from the deployment plan, checked
// as you type), deploy, redeploy with changed values, delete; the OS volume and the deployment task.
import { attributeProblemsOf } from '../api.js';
import { keepFresh } from '../refresh.js';
import { resourceLinks } from '../resource-link.js';
import { attributeForm } from '../attribute-form.js';
import { badge, field, formatTime, h, idOf, link, pageHeader, replace, table } from '../dom.js';
import { noticeSlot } from '../notice.js';
import { watchTask } from '../task-view.js';

/** @typedef {import('../router.js').PageContext} PageContext */

/** @param {PageContext} ctx */
export async function profileListPage(ctx) {
  const [profiles, templates] = await Promise.all([
    ctx.api.list('server-profiles', ctx.signal),
    ctx.api.list('server-profile-templates', ctx.signal).catch(() => /** @type {import('../resources.js').ServerProfileTemplate[]} */ ([])),
  ]);
  const first = templates[0];
  /** @param {import('../resources.js').ServerProfile[]} rows */
  const profileTable = (rows) => table({
    caption: 'Server profiles', rows,
    columns: [
      { label: 'Name', cell: (p) => link(`/server-profiles/${p.id}`, p.name) },
      { label: 'State', cell: (p) => badge(p.state) },
      { label: 'Status', cell: (p) => badge(p.status) },
      { label: 'Compute module', cell: (p) => (p.serverHardwareUri ? link(`/server-hardware/${idOf(p.serverHardwareUri)}`, p.serverHardwareName ?? idOf(p.serverHardwareUri)) : 'unassigned') },
      { label: 'OS volume', cell: (p) => (p.osDeploymentSettings?.osVolumeUri ? link(`/os-volumes/${idOf(p.osDeploymentSettings.osVolumeUri)}`, idOf(p.osDeploymentSettings.osVolumeUri)) : '—') },
      { label: 'Modified', cell: (p) => formatTime(p.modified) },
    ],
  });
  const slot = h('div', {}, profileTable(profiles));
  replace(ctx.main,
    pageHeader('Server profiles', first === undefined ? null : h('a', { class: 'button', href: `/server-profiles/new?template=${first.id}`, 'data-nav': '', text: 'Create profile' })),
    slot);
  // States change as deployments run (Creating → Normal): keep them current.
  keepFresh(ctx, slot, 3000, async () => replace(slot, profileTable(await ctx.api.list('server-profiles', ctx.signal))));
}

/** Shows per-attribute problems from an appliance error on the form. @param {unknown} error @param {{ showProblems: (problems: { name: string, message: string }[]) => void }} form */
function showServerProblems(error, form) {
  form.showProblems(attributeProblemsOf(error));
}

/** @param {PageContext} ctx */
export async function newProfilePage(ctx) {
  const templates = await ctx.api.list('server-profile-templates', ctx.signal);
  const [hardware, plans] = await Promise.all([
    ctx.api.list('server-hardware', ctx.signal).catch(() => /** @type {import('../resources.js').ServerHardware[]} */ ([])),
    ctx.api.list('deployment-plans', ctx.signal),
  ]);
  const notice = noticeSlot();
  const taskEl = h('div');
  const chosenId = ctx.query.get('template') ?? templates[0]?.id ?? '';
  const template = field('Template', h('select', {}, templates.map((t) => h('option', { value: t.id, selected: t.id === chosenId, text: t.name }))));
  template.input.addEventListener('change', () => ctx.navigate(`/server-profiles/new?template=${template.input.value}`));
  if (templates.length === 0) {
    replace(ctx.main, pageHeader('New server profile'), h('p', {}, 'Create a ', link('/server-profile-templates/new', 'server profile template'), ' first.'));
    return;
  }
  // The template's body for a new profile: its description and osDeploymentSettings.
  const base = /** @type {import('../resources.js').ServerProfile} */ (await ctx.api.get(`/rest/server-profile-templates/${encodeURIComponent(chosenId)}/new-profile`, ctx.signal));
  const plan = plans.find((p) => p.id === idOf(base.osDeploymentSettings?.osDeploymentPlanUri));
  const free = hardware.filter((m) => !m.serverProfileUri);
  const name = field('Name', h('input', { required: true, value: '', autocomplete: 'off' }));
  const module = field('Compute module', h('select', {}, h('option', { value: '', text: 'Unassigned (deploy the OS volume only)' }), free.map((m) => h('option', { value: m.uri, text: `${m.name} (${m.driver ?? m.model ?? 'module'})` }))));
  /** @type {Record<string, string>} */
  const initial = {};
  for (const a of base.osDeploymentSettings?.osCustomAttributes ?? []) initial[a.name] = a.value;
  const form = attributeForm(plan?.customAttributes ?? [], { initial });
  const submit = h('button', { type: 'submit', text: 'Create and deploy' });
  const create = async () => {
    notice.clear();
    if (!form.validate()) {
      notice.error(new Error('Some values are not acceptable: see the marked fields'));
      return;
    }
    submit.disabled = true;
    const body = { ...base, name: name.input.value, serverHardwareUri: module.input.value || null, osDeploymentSettings: { ...base.osDeploymentSettings, osCustomAttributes: form.values() } };
    try {
      const final = await watchTask(ctx, taskEl, await ctx.api.task('POST', '/rest/server-profiles', { body }));
      if (final.taskState === 'Error') return;
      ctx.navigate(`/server-profiles/${idOf(final.associatedResource.resourceUri)}`);
    } catch (error) {
      notice.error(error, 'Cannot create the server profile');
      showServerProblems(error, form);
    } finally {
      submit.disabled = false;
    }
  };
  replace(ctx.main,
    pageHeader('New server profile'),
    h('p', {}, link('/server-profiles', '← All server profiles')),
    notice.el,
    h('form', { novalidate: true, onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); void create(); } },
      h('div', { class: 'form-row' }, template.wrapper, name.wrapper, module.wrapper),
      h('p', { class: 'hint' }, 'Deployment plan: ', plan === undefined ? 'none' : link(`/deployment-plans/${plan.id}`, plan.name),
        plan === undefined ? '' : [' · ', link(`/deployment-plans/${plan.id}/preview`, 'preview its changes')]),
      h('h2', { text: 'Attribute values' }), form.el,
      h('div', { class: 'form-actions' }, submit)),
    taskEl);
}

/** @param {PageContext} ctx */
export async function profilePage(ctx) {
  const profile = await ctx.api.resource('server-profiles', ctx.params['id'] ?? '', ctx.signal);
  const planUri = profile.osDeploymentSettings?.osDeploymentPlanUri;
  const plan = planUri ? await ctx.api.resource('deployment-plans', idOf(planUri), ctx.signal).catch(() => undefined) : undefined;
  const notice = noticeSlot();
  const taskEl = h('div');
  /** @type {Record<string, string>} */
  const initial = {};
  for (const a of profile.osDeploymentSettings?.osCustomAttributes ?? []) initial[a.name] = a.value;
  const form = attributeForm(plan?.customAttributes ?? [], { initial });
  /** @param {boolean} force */
  const apply = async (force) => {
    notice.clear();
    if (!form.validate()) return;
    const body = { ...profile, osDeploymentSettings: { ...profile.osDeploymentSettings, osCustomAttributes: form.values(), ...(force ? { forceOsDeployment: true } : {}) } };
    try {
      const final = await watchTask(ctx, taskEl, await ctx.api.task('PUT', profile.uri, { body }));
      if (final.taskState !== 'Error') ctx.navigate(`/server-profiles/${profile.id}`);
    } catch (error) {
      notice.error(error, 'Cannot update the server profile');
      showServerProblems(error, form);
    }
  };
  const volume = profile.osDeploymentSettings?.osVolumeUri;
  const related = resourceLinks(ctx);
  replace(ctx.main,
    pageHeader(`Server profile ${profile.name}`, badge(profile.state), badge(profile.status),
      h('button', { type: 'button', class: 'secondary', text: 'Redeploy', onclick: () => void apply(true) }),
      h('button', { type: 'button', class: 'danger', text: 'Delete', onclick: async () => {
        if (!confirm(`Delete server profile "${profile.name}"? Its module is powered off and its OS volume deleted.`)) return;
        try {
          const final = await watchTask(ctx, taskEl, await ctx.api.task('DELETE', profile.uri));
          if (final.taskState !== 'Error') ctx.navigate('/server-profiles');
        } catch (error) { notice.error(error, 'Cannot delete the server profile'); }
      } })),
    h('p', {}, link('/server-profiles', '← All server profiles')),
    notice.el, taskEl,
    h('dl', { class: 'properties' },
      h('dt', { text: 'Compute module' }), h('dd', {}, profile.serverHardwareUri ? related(profile.serverHardwareUri, profile.serverHardwareName) : 'unassigned'),
      h('dt', { text: 'Deployment plan' }), h('dd', {}, plan ? link(`/deployment-plans/${plan.id}`, plan.name) : '—'),
      h('dt', { text: 'OS volume' }), h('dd', {}, related(volume)),
      h('dt', { text: 'Template' }), h('dd', {}, related(profile.serverProfileTemplateUri)),
      h('dt', { text: 'Last task' }), h('dd', {}, profile.taskUri ? link(`/tasks/${idOf(profile.taskUri)}`, idOf(profile.taskUri)) : '—')),
    h('h2', { text: 'Attribute values' }),
    h('p', { class: 'hint', text: 'Changing a value and applying redeploys: a new OS volume replaces the old one once it is ready.' }),
    h('form', { novalidate: true, onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); void apply(false); } }, form.el,
      h('div', { class: 'form-actions' }, h('button', { type: 'submit', text: 'Apply changes' }), plan ? h('a', { class: 'button secondary', href: `/deployment-plans/${plan.id}/preview`, 'data-nav': '', text: 'Preview' }) : null)));
}
