// @ts-check
// Golden images: upload with progress, download (HPE zip), the creation log, and lineage (captured from
// which OS volume and build plan, on which golden image; or imported from which bundle).
import { badge, field, formatBytes, formatTime, h, idOf, link, pageHeader, replace, table } from '../dom.js';
import { noticeSlot } from '../notice.js';
import { watchTask } from '../task-view.js';
import { uploadForm } from '../upload.js';

/** @typedef {import('../router.js').PageContext} PageContext */

/** @param {PageContext} ctx */
export async function goldenImageListPage(ctx) {
  const images = await ctx.api.list('golden-images', ctx.signal);
  images.sort((a, b) => a.name.localeCompare(b.name));
  const notice = noticeSlot();
  const name = field('Name', h('input', { name: 'name', placeholder: 'From the file name' }));
  const description = field('Description', h('input', { name: 'description' }));
  const upload = uploadForm(ctx, {
    label: 'Image file (HPE zip, .gz, raw, qcow2, vmdk, vhdx, vdi)', accept: '.zip,.gz,.img,.raw,.qcow2,.vmdk,.vhdx,.vdi', action: 'Upload',
    extra: [name.wrapper, description.wrapper],
    path: (file) => `/rest/golden-images?name=${encodeURIComponent(name.input.value.trim() || file.name.replace(/\.(zip|gz|img|raw|qcow2|vmdk|vhdx|vdi)$/i, ''))}&description=${encodeURIComponent(description.input.value)}`,
    onError: (error) => notice.error(error, 'Cannot upload the golden image'),
    onDone: (task) => ctx.navigate(`/golden-images/${idOf(task.associatedResource.resourceUri)}`),
  });
  replace(ctx.main,
    pageHeader('Golden images'),
    notice.el,
    h('section', { 'aria-labelledby': 'upload-title', class: 'panel' }, h('h2', { id: 'upload-title', text: 'Upload a golden image' }), upload),
    table({
      caption: 'Golden images', rows: images,
      columns: [
        { label: 'Name', cell: (g) => link(`/golden-images/${g.id}`, g.name) },
        { label: 'Size', cell: (g) => formatBytes(g.size) },
        { label: 'Origin', cell: (g) => (g.imageCapture ? 'Captured' : g.importedFromBundle ? `Bundle ${g.bundleName ?? ''}` : 'Uploaded') },
        { label: 'Status', cell: (g) => badge(g.status) },
        { label: 'Created', cell: (g) => formatTime(g.created) },
      ],
    }));
}

/** The chain an image came from, as links. @param {import('../resources.js').GoldenImage} g */
function lineage(g) {
  /** @type {import('../dom.js').Child[]} */
  const items = [];
  if (g.sourceGoldenImageUri) items.push(h('li', {}, 'Golden image ', link(`/golden-images/${idOf(g.sourceGoldenImageUri)}`, idOf(g.sourceGoldenImageUri))));
  if (g.osVolumeURI) items.push(h('li', {}, '→ deployed as OS volume ', link(`/os-volumes/${idOf(g.osVolumeURI)}`, g.osVolumeName ?? idOf(g.osVolumeURI))));
  if (g.buildPlanUri) items.push(h('li', {}, '→ captured with build plan ', link(`/build-plans/${idOf(g.buildPlanUri)}`, g.buildPlanName ?? idOf(g.buildPlanUri))));
  if (g.importedFromBundle) items.push(h('li', { text: `Imported from artifact bundle ${g.bundleName ?? ''}` }));
  if (items.length === 0) items.push(h('li', { text: 'Uploaded' }));
  items.push(h('li', {}, h('strong', { text: `→ ${g.name}` })));
  return h('ol', { class: 'lineage', 'aria-label': 'Lineage' }, items);
}

/** @param {PageContext} ctx */
export async function goldenImagePage(ctx) {
  const g = await ctx.api.resource('golden-images', ctx.params['id'] ?? '', ctx.signal);
  const [log, plans, storage] = await Promise.all([
    ctx.api.text(`/rest/golden-images/archive/${g.id}`, ctx.signal).catch(() => ''),
    ctx.api.list('deployment-plans', ctx.signal).catch(() => /** @type {import('../resources.js').DeploymentPlan[]} */ ([])),
    ctx.api.get(`/rest/golden-images/${g.id}/storage`, ctx.signal).then((s) => /** @type {import('../resources.js').OsVolumeStorage} */ (s), () => undefined),
  ]);
  const exportUri = storage?.exportUri ?? undefined;
  const notice = noticeSlot();
  const taskEl = h('div');
  const usedBy = plans.filter((p) => p.goldenImageURI === g.uri);
  replace(ctx.main,
    pageHeader(`Golden image ${g.name}`, badge(g.status),
      h('button', { type: 'button', class: 'secondary', text: 'Download', onclick: () => void ctx.api.download(`/rest/golden-images/download/${g.id}`, `${g.name}.zip`).catch((/** @type {unknown} */ e) => notice.error(e, 'Cannot download')) }),
      h('button', { type: 'button', class: 'danger', text: 'Delete', onclick: async () => {
        if (!confirm(`Delete golden image "${g.name}"?`)) return;
        try {
          const final = await watchTask(ctx, taskEl, await ctx.api.task('DELETE', g.uri));
          if (final.taskState !== 'Error') ctx.navigate('/golden-images');
        } catch (error) { notice.error(error, 'Cannot delete the golden image'); }
      } })),
    h('p', {}, link('/golden-images', '← All golden images')),
    notice.el, taskEl,
    h('dl', { class: 'properties' },
      h('dt', { text: 'Description' }), h('dd', { text: g.description ?? '—' }),
      h('dt', { text: 'Size' }), h('dd', { text: `${formatBytes(g.size)} (${g.size} bytes)` }),
      h('dt', { text: 'Format' }), h('dd', { text: g.format ?? '—' }),
      h('dt', { text: 'Checksum' }), h('dd', {}, h('code', { text: g.checkSum ?? '—' })),
      h('dt', { text: 'Read only' }), h('dd', { text: g.readOnly ? 'Yes' : 'No' }),
      h('dt', { text: 'Export (NBD, read-only)' }), h('dd', {}, exportUri === undefined ? '—' : h('code', { text: exportUri })),
      h('dt', { text: 'Created' }), h('dd', { text: formatTime(g.created) })),
    h('h2', { text: 'Lineage' }), lineage(g),
    h('h2', { text: 'Used by deployment plans' }),
    usedBy.length === 0 ? h('p', { class: 'empty', text: 'No deployment plan uses this image' }) : h('ul', {}, usedBy.map((p) => h('li', {}, link(`/deployment-plans/${p.id}`, p.name)))),
    h('h2', { text: 'Creation log' }), h('pre', { class: 'log', text: log !== '' ? log : '(empty)' }));
}
