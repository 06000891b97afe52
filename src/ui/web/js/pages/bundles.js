// @ts-check
// Artifact bundles: upload (with progress), create from chosen artifacts, extract, download, delete;
// and backups of a deployment group: create, download, restore.
import { badge, field, formatBytes, formatTime, h, idOf, link, pageHeader, replace, table } from '../dom.js';
import { noticeSlot } from '../notice.js';
import { watchTask } from '../task-view.js';
import { uploadForm } from '../upload.js';

/** @typedef {import('../router.js').PageContext} PageContext */

/** Checkboxes to choose artifacts of one kind. @param {string} legend @param {import('../resources.js').Resource[]} items @param {string} key */
function chooser(legend, items, key) {
  const boxes = items.map((i) => ({ uri: i.uri, box: h('input', { type: 'checkbox', value: i.uri, id: `pick-${key}-${i.id}` }), name: i.name }));
  return {
    el: h('fieldset', { class: 'chooser' }, h('legend', { text: legend }), boxes.length === 0 ? h('p', { class: 'empty', text: 'None' }) :
      boxes.map((b) => h('div', { class: 'check' }, b.box, h('label', { for: b.box.id, text: b.name })))),
    chosen: () => boxes.filter((b) => b.box.checked).map((b) => ({ resourceUri: b.uri, readOnly: false })),
  };
}

/** @param {PageContext} ctx */
export async function bundleListPage(ctx) {
  const [bundles, backups, groups, scripts, buildPlans, deploymentPlans, images] = await Promise.all([
    ctx.api.list('artifact-bundles', ctx.signal),
    ctx.api.list('artifact-bundles/backups', ctx.signal).catch(() => /** @type {import('../resources.js').Bundle[]} */ ([])),
    ctx.api.list('deployment-groups', ctx.signal).catch(() => /** @type {import('../resources.js').DeploymentGroup[]} */ ([])),
    ctx.api.list('plan-scripts', ctx.signal),
    ctx.api.list('build-plans', ctx.signal),
    ctx.api.list('deployment-plans', ctx.signal),
    ctx.api.list('golden-images', ctx.signal).catch(() => /** @type {import('../resources.js').GoldenImage[]} */ ([])),
  ]);
  const notice = noticeSlot();
  const taskEl = h('div');
  const upload = uploadForm(ctx, {
    label: 'Bundle zip', accept: '.zip', action: 'Upload bundle', path: () => '/rest/artifact-bundles',
    onError: (error) => notice.error(error, 'Cannot upload the bundle'),
    onDone: (task) => ctx.navigate(`/artifact-bundles/${idOf(task.associatedResource.resourceUri)}`),
  });
  const name = field('Bundle name', h('input', { required: true }));
  const description = field('Description', h('input', {}));
  const pickers = [chooser('Deployment plans', deploymentPlans, 'dp'), chooser('OS build plans', buildPlans, 'bp'), chooser('Plan scripts', scripts, 'ps'), chooser('Golden images', images, 'gi')];
  const create = h('form', { class: 'create-bundle' },
    h('div', { class: 'form-row' }, name.wrapper, description.wrapper),
    h('p', { class: 'hint', text: 'What a chosen plan uses comes along (build plan, plan scripts); golden images only when chosen.' }),
    h('div', { class: 'choosers' }, pickers.map((p) => p.el)),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', text: 'Create bundle' })));
  create.addEventListener('submit', (e) => void (async () => {
    e.preventDefault();
    notice.clear();
    const [dp, bp, ps, gi] = pickers.map((p) => p.chosen());
    try {
      const final = await watchTask(ctx, taskEl, await ctx.api.task('POST', '/rest/artifact-bundles', { body: { name: name.input.value, description: description.input.value, deploymentPlans: dp, buildPlans: bp, planScripts: ps, goldenImages: gi } }));
      if (final.taskState !== 'Error') ctx.navigate(`/artifact-bundles/${idOf(final.associatedResource.resourceUri)}`);
    } catch (error) {
      notice.error(error, 'Cannot create the bundle');
    }
  })());
  const group = field('Deployment group', h('select', {}, groups.map((g) => h('option', { value: g.uri, text: g.name }))));
  const backup = async () => {
    try {
      await watchTask(ctx, taskEl, await ctx.api.task('POST', '/rest/artifact-bundles/backups', { body: { deploymentGroupURI: group.input.value } }));
      ctx.navigate('/artifact-bundles');
    } catch (error) { notice.error(error, 'Cannot back up'); }
  };
  /** @param {import('../resources.js').Bundle} b */
  const restore = async (b) => {
    if (!confirm(`Restore backup "${b.name}"? Artifacts with the same ids are overwritten.`)) return;
    try {
      await watchTask(ctx, taskEl, await ctx.api.task('PUT', b.uri, { body: { deploymentGroupURI: b.deploymentGroupURI ?? group.input.value } }));
    } catch (error) { notice.error(error, 'Cannot restore the backup'); }
  };
  replace(ctx.main,
    pageHeader('Artifact bundles'),
    notice.el, taskEl,
    table({
      caption: 'Artifact bundles', rows: bundles,
      columns: [
        { label: 'Name', cell: (b) => link(`/artifact-bundles/${b.id}`, b.name) },
        { label: 'Artifacts', cell: (b) => String(b.artifactsCount ?? 0) },
        { label: 'Size', cell: (b) => formatBytes(b.size) },
        { label: 'Read only', cell: (b) => (b.readOnly ? 'Yes' : 'No') },
        { label: 'Status', cell: (b) => badge(b.status) },
        { label: 'Created', cell: (b) => formatTime(b.created) },
      ],
    }),
    h('section', { class: 'panel', 'aria-labelledby': 'upload-title' }, h('h2', { id: 'upload-title', text: 'Upload a bundle' }), upload),
    h('details', { class: 'panel' }, h('summary', {}, h('h2', { text: 'Create a bundle' })), create),
    h('section', { class: 'panel', 'aria-labelledby': 'backups-title' },
      h('h2', { id: 'backups-title', text: 'Backups' }),
      h('div', { class: 'form-row' }, group.wrapper, h('div', { class: 'field field-button' }, h('button', { type: 'button', class: 'secondary', text: 'Back up now', onclick: () => void backup() }))),
      table({
        caption: 'Backups', rows: backups,
        columns: [
          { label: 'Name', cell: (b) => b.name },
          { label: 'Artifacts', cell: (b) => String(b.artifactsCount ?? 0) },
          { label: 'Created', cell: (b) => formatTime(b.created) },
          { label: 'Actions', cell: (b) => [
            h('button', { type: 'button', class: 'secondary small', text: 'Download', onclick: () => void ctx.api.download(b.downloadURI, `${b.name}.zip`).catch((/** @type {unknown} */ e) => notice.error(e, 'Cannot download')) }), ' ',
            h('button', { type: 'button', class: 'secondary small', text: 'Restore', onclick: () => void restore(b) })] },
        ],
      })));
}

/** @template T @param {string} title @param {T[] | undefined} items @param {(i: T) => import('../dom.js').Child} label */
function contents(title, items, label) {
  return [h('h3', { text: `${title} (${(items ?? []).length})` }), (items ?? []).length === 0 ? h('p', { class: 'empty', text: 'None' }) : h('ul', {}, (items ?? []).map((i) => h('li', {}, label(i))))];
}

/** @param {PageContext} ctx */
export async function bundlePage(ctx) {
  const b = await ctx.api.resource('artifact-bundles', ctx.params['id'] ?? '', ctx.signal);
  const notice = noticeSlot();
  const taskEl = h('div');
  const force = h('input', { type: 'checkbox', id: 'force-import' });
  const extract = async () => {
    notice.clear();
    try {
      const final = await watchTask(ctx, taskEl, await ctx.api.task('PUT', `${b.uri}?extract=true&forceImport=${force.checked}`, { text: '' }));
      if (final.taskState !== 'Error') notice.ok(`Extracted ${b.name}: its artifacts are now on the appliance`);
    } catch (error) {
      notice.error(error, 'Cannot extract the bundle');
    }
  };
  replace(ctx.main,
    pageHeader(`Artifact bundle ${b.name}`, badge(b.status),
      h('button', { type: 'button', text: 'Extract', onclick: () => void extract() }),
      h('button', { type: 'button', class: 'secondary', text: 'Download', onclick: () => void ctx.api.download(b.downloadURI, `${b.name}.zip`).catch((/** @type {unknown} */ e) => notice.error(e, 'Cannot download')) }),
      h('button', { type: 'button', class: 'danger', text: 'Delete', onclick: async () => {
        if (!confirm(`Delete bundle "${b.name}"? Extracted artifacts stay.`)) return;
        try {
          const final = await watchTask(ctx, taskEl, await ctx.api.task('DELETE', b.uri));
          if (final.taskState !== 'Error') ctx.navigate('/artifact-bundles');
        } catch (error) { notice.error(error, 'Cannot delete the bundle'); }
      } })),
    h('p', {}, link('/artifact-bundles', '← All bundles')),
    h('div', { class: 'check' }, force, h('label', { for: 'force-import', text: 'On extract, overwrite artifacts with the same id or name' })),
    notice.el, taskEl,
    h('dl', { class: 'properties' },
      h('dt', { text: 'Description' }), h('dd', { text: b.description || '—' }),
      h('dt', { text: 'Size' }), h('dd', { text: formatBytes(b.size) }),
      h('dt', { text: 'Checksum' }), h('dd', {}, h('code', { text: b.checkSum || '—' })),
      h('dt', { text: 'Read only' }), h('dd', { text: b.readOnly ? 'Yes' : 'No' })),
    h('h2', { text: 'Contents' }),
    h('div', { class: 'bundle-contents' },
      h('div', {}, contents('Deployment plans', b.deploymentPlans, (d) => `${d.deploymentplanName} (build plan ${d.oebpName ?? '—'})`)),
      h('div', {}, contents('OS build plans', b.buildPlans, (d) => d.buildPlanName)),
      h('div', {}, contents('Plan scripts', b.planScripts, (d) => d.planScriptName)),
      h('div', {}, contents('Golden images', b.goldenimage ?? b.goldenImages, (d) => d.goldenimageName ?? d.name ?? ''))));
}
