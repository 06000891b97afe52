// @ts-check
// OS volumes: size, allocated space, NBD export, the profile that owns each, and the deployment log.
import { badge, formatBytes, formatTime, h, link, pageHeader, replace, table } from '../dom.js';
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

/** @param {PageContext} ctx */
export async function osVolumePage(ctx) {
  const v = await ctx.api.resource('os-volumes', ctx.params['id'] ?? '', ctx.signal);
  const related = resourceLinks(ctx);
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
    h('h2', { text: 'Deployment log' }), h('pre', { class: 'log', text: log !== '' ? log : '(empty)' }));
}
