// @ts-check
// OS volumes: size, allocated space, NBD export, the profile that owns each, and the deployment log.
import { badge, field, formatBytes, formatTime, h, idOf, link, pageHeader, replace, table } from '../dom.js';
import { noticeSlot } from '../notice.js';
import { watchTask } from '../task-view.js';
import { resourceLinks } from '../resource-link.js';

/** @typedef {import('../router.js').PageContext} PageContext */

/** @param {PageContext} ctx */
export async function osVolumeListPage(ctx) {
  const volumes = await ctx.api.list('os-volumes', ctx.signal);
  const related = resourceLinks(ctx);
  replace(ctx.main,
    pageHeader('OS volumes'),
    table({
      caption: 'OS volumes', rows: volumes,
      columns: [
        { label: 'Name', cell: (v) => link(`/os-volumes/${v.id}`, v.name) },
        { label: 'Size', cell: (v) => formatBytes(v.size) },
        { label: 'Golden image', cell: (v) => related(v.goldenVolumeUri, v.goldenImageName) },
        { label: 'Server profile', cell: (v) => related(v.statelessServerUri, v.statelessServerName) },
        { label: 'Status', cell: (v) => badge(v.status) },
        { label: 'Created', cell: (v) => formatTime(v.created) },
      ],
    }));
}

/**
 * Capture: a golden image made from this volume by a capture build plan (it generalizes a copy; the
 * volume itself is not changed). POST /rest/golden-images {imageCapture, osVolumeURI, buildPlanUri}.
 * @param {PageContext} ctx @param {import('../resources.js').OsVolume} v @param {import('../resources.js').BuildPlan[]} plans
 */
function captureForm(ctx, v, plans) {
  const notice = noticeSlot();
  const taskEl = h('div');
  const name = field('Golden image name', h('input', { required: true, autocomplete: 'off' }));
  const description = field('Description', h('input', { autocomplete: 'off' }));
  const plan = field('Capture build plan', h('select', { required: true }, plans.map((p) => h('option', { value: p.uri, text: p.name }))));
  const submit = h('button', { type: 'submit', text: 'Capture', disabled: plans.length === 0 });
  const form = h('form', { class: 'panel', 'aria-labelledby': 'capture-title' },
    h('h2', { id: 'capture-title', text: 'Capture a golden image' }),
    plans.length === 0 ? h('p', { class: 'hint', text: 'No capture build plan yet: import or create one to capture from this volume.' }) : null,
    notice.el,
    h('div', { class: 'form-row' }, name.wrapper, description.wrapper, plan.wrapper, h('div', { class: 'field field-button' }, submit)),
    taskEl);
  form.addEventListener('submit', (e) => void (async () => {
    e.preventDefault();
    notice.clear();
    submit.disabled = true;
    try {
      const body = { type: 'GoldenImage', name: name.input.value.trim(), description: description.input.value, imageCapture: true, osVolumeURI: v.uri, buildPlanUri: plan.input.value };
      const final = await watchTask(ctx, taskEl, await ctx.api.task('POST', '/rest/golden-images', { body }));
      if (final.taskState !== 'Error' && final.associatedResource.resourceUri !== null) ctx.navigate(`/golden-images/${idOf(final.associatedResource.resourceUri)}`);
    } catch (error) {
      notice.error(error, 'Cannot capture');
    } finally {
      submit.disabled = plans.length === 0;
    }
  })());
  return form;
}

/** @param {PageContext} ctx */
export async function osVolumePage(ctx) {
  const v = await ctx.api.resource('os-volumes', ctx.params['id'] ?? '', ctx.signal);
  const related = resourceLinks(ctx);
  const capturePlans = (await ctx.api.list('build-plans', ctx.signal).catch(() => /** @type {import('../resources.js').BuildPlan[]} */ ([])))
    .filter((b) => b.oeBuildPlanType === 'capture');
  const [storage, log] = await Promise.all([
    ctx.api.get(`/rest/os-volumes/${v.id}/storage`, ctx.signal).then((s) => /** @type {import('../resources.js').OsVolumeStorage} */ (s), () => undefined),
    ctx.api.text(`/rest/os-volumes/archive/${v.id}`, ctx.signal).catch(() => ''),
  ]);
  const allocated = storage?.allocatedCapacity;
  const provisioned = storage?.provisionedCapacity ?? v.size;
  const percent = typeof allocated === 'number' && provisioned > 0 ? Math.round((allocated / provisioned) * 100) : undefined;
  /** @type {string | undefined} */
  const exportName = storage?.exportUri ?? (v.oeVolumeIQN || undefined);
  /** @type {[string, import('../dom.js').Child][]} */
  const rows = [
    ['Size (provisioned)', `${formatBytes(provisioned)} (${provisioned} bytes)`],
    ['Allocated', typeof allocated === 'number' ? `${formatBytes(allocated)}${percent === undefined ? '' : ` (${percent}%)`}` : '—'],
    ['Export (NBD)', exportName === undefined ? '—' : h('code', { text: exportName })],
    ['Volume id', h('code', { text: v.oeVolumeId ?? v.id })],
    ['Golden image', related(v.goldenVolumeUri, v.goldenImageName)],
    ['Server profile', related(v.statelessServerUri, v.statelessServerName)],
    ['Created', formatTime(v.created)],
  ];
  replace(ctx.main,
    pageHeader(`OS volume ${v.name}`, badge(v.status)),
    h('p', {}, link('/os-volumes', '← All OS volumes')),
    h('dl', { class: 'properties' }, rows.map(([k, x]) => [h('dt', { text: k }), h('dd', {}, x)])),
    percent === undefined ? null : h('div', { class: 'progress', role: 'meter', 'aria-label': 'Allocated share', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': String(percent) }, h('div', { class: 'progress-bar', style: { width: `${percent}%` } })),
    storage === undefined ? null : h('details', {}, h('summary', { text: 'Storage details' }), h('pre', { class: 'log', text: JSON.stringify(storage, null, 2) })),
    h('h2', { text: 'Deployment log' }), h('pre', { class: 'log', text: log !== '' ? log : '(empty)' }),
    captureForm(ctx, v, capturePlans));
}
