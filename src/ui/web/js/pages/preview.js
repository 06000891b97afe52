// @ts-check
// Preview: a dry run of a deployment plan with attribute values (typed in, or taken from a server
// profile), showing which files the plan would add, remove or change, with diffs, before deploying.
// Contract: POST /rest/deployment-plans/{id}/preview {osCustomAttributes} →
// { log, changes: [{ path, change: 'added'|'removed'|'modified', diff? }] }.
import { ApiError, attributeProblemsOf } from '../api.js';
import { attributeForm } from '../attribute-form.js';
import { field, h, link, pageHeader, replace } from '../dom.js';
import { noticeSlot } from '../notice.js';


/**
 * A diff with its lines coloured by kind: a unified-diff text, or the appliance's line changes
 * ({kind: 'added'|'removed', line, text}), shown as "+"/"-" lines.
 * @param {string | { kind: string, line: number, text: string }[]} diff
 */
export function diffView(diff) {
  const lines = typeof diff === 'string' ? diff.split('\n') : diff.map((c) => `${c.kind === 'added' ? '+' : '-'}${String(c.line).padStart(4)} ${c.text}`);
  return h('pre', { class: 'diff' }, lines.map((line) =>
    h('span', { class: line.startsWith('+') && !line.startsWith('+++') ? 'diff-added' : line.startsWith('-') && !line.startsWith('---') ? 'diff-removed' : line.startsWith('@@') ? 'diff-hunk' : 'diff-same' }, `${line}\n`)));
}

/** @param {import('../resources.js').Preview} result */
export function previewResult(result) {
  const changes = result.changes ?? [];
  const log = Array.isArray(result.log) ? result.log.join('\n') : result.log ?? '';
  const counts = ['added', 'modified', 'removed'].map((k) => `${changes.filter((c) => c.change === k).length} ${k}`).join(', ');
  return h('section', { class: 'preview-result', 'aria-labelledby': 'preview-changes' },
    h('h2', { id: 'preview-changes', text: `File changes (${counts})` }),
    changes.length === 0 ? h('p', { class: 'empty', text: 'The plan changes no file' }) : h('ul', { class: 'changes' }, changes.map((c) =>
      h('li', { class: `change change-${c.change}` },
        h('details', { open: changes.length <= 5 },
          h('summary', {}, h('span', { class: `badge badge-${c.change === 'removed' ? 'bad' : c.change === 'added' ? 'good' : 'warn'}`, text: c.change }), ' ', h('code', { text: c.path })),
          c.diff ? diffView(c.diff) : h('p', { class: 'hint', text: 'No text diff (binary or directory)' }))))),
    h('h2', { text: 'Run log' }),
    h('pre', { class: 'log', text: log || '(empty)' }));
}

/** @param {import('../router.js').PageContext} ctx */
export async function previewPage(ctx) {
  const id = ctx.params['id'] ?? '';
  const [plan, profiles] = await Promise.all([
    ctx.api.resource('deployment-plans', id, ctx.signal),
    ctx.api.list('server-profiles', ctx.signal).catch(() => /** @type {import('../resources.js').ServerProfile[]} */ ([])),
  ]);
  const notice = noticeSlot();
  const result = h('div');
  const using = profiles.filter((p) => (p.osDeploymentSettings?.osDeploymentPlanUri ?? '').endsWith(`/${id}`));
  const profilePick = field('Values from server profile', h('select', {}, h('option', { value: '', text: 'None: type values below' }), using.map((p) => h('option', { value: p.uri, text: p.name }))));
  const formSlot = h('div');
  /** @param {Record<string, string>} initial */
  const buildForm = (initial) => {
    const form = attributeForm(plan.customAttributes ?? [], { initial });
    replace(formSlot, form.el);
    return form;
  };
  let form = buildForm({});
  profilePick.input.addEventListener('change', () => {
    const profile = using.find((p) => p.uri === profilePick.input.value);
    /** @type {Record<string, string>} */
    const initial = {};
    for (const a of profile?.osDeploymentSettings?.osCustomAttributes ?? []) initial[a.name] = a.value;
    form = buildForm(initial);
  });
  const run = h('button', { type: 'submit', text: 'Run preview' });
  const submit = async () => {
    notice.clear();
    if (!form.validate()) return;
    run.disabled = true;
    replace(result, h('p', { class: 'loading', text: 'Running the plan on a throw-away copy…' }));
    ctx.announce('Preview running');
    try {
      const answer = /** @type {import('../resources.js').Preview} */ (await ctx.api.request('POST', `/rest/deployment-plans/${encodeURIComponent(id)}/preview`, { body: { osCustomAttributes: form.values() } }));
      replace(result, previewResult(answer));
      // The changes are what the user came for: bring them into view and start reading there.
      const heading = /** @type {HTMLElement | null} */ (result.querySelector('h2'));
      heading?.setAttribute('tabindex', '-1');
      heading?.focus();
      ctx.announce(`Preview done: ${(answer.changes ?? []).length} files change`);
    } catch (error) {
      result.replaceChildren();
      if (error instanceof ApiError && error.status === 404 && error.body.errorCode === 'RESOURCE_NOT_FOUND') notice.error(error, 'This appliance offers no preview yet');
      else notice.error(error, 'Cannot preview');
      form.showProblems(attributeProblemsOf(error));
    } finally {
      run.disabled = false;
    }
  };
  replace(ctx.main,
    pageHeader(`Preview ${plan.name}`),
    h('p', {}, link(`/deployment-plans/${id}`, '← Back to the deployment plan')),
    h('p', { class: 'hint', text: 'Runs the deployment plan on a temporary copy of its golden image and lists the files it would change. Nothing is deployed.' }),
    notice.el,
    h('form', { onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); void submit(); } }, using.length > 0 ? profilePick.wrapper : null, formSlot, h('div', { class: 'form-actions' }, run)),
    result);
}
