// @ts-check
// Plan scripts: the list, and an editor with guestfish highlighting, the attributes the script uses, and
// the appliance's validation errors marked at their lines.
import { ApiError } from '../api.js';
import { createEditor } from '../editor.js';
import { badge, field, filteredTable, formatTime, h, link, pageHeader, replace } from '../dom.js';
import { attributeReferences, scriptProblems } from '../highlight.js';
import { noticeSlot } from '../notice.js';
import { watchTask } from '../task-view.js';

/** @typedef {import('../router.js').PageContext} PageContext */

/** @param {PageContext} ctx */
export async function planScriptListPage(ctx) {
  const scripts = await ctx.api.list('plan-scripts', ctx.signal);
  scripts.sort((a, b) => a.name.localeCompare(b.name));
  replace(ctx.main,
    pageHeader('Plan scripts', h('a', { class: 'button', href: '/plan-scripts/new', 'data-nav': '', text: 'New plan script' })),
    filteredTable({
      caption: 'Plan scripts', rows: scripts, text: (s) => `${s.name} ${s.planType} ${s.description ?? ''}`,
      columns: [
        { label: 'Name', cell: (s) => link(`/plan-scripts/${s.id}`, s.name) },
        { label: 'Type', cell: (s) => s.planType },
        { label: 'Read only', cell: (s) => (s.hpProvided ? 'Yes' : 'No') },
        { label: 'Description', cell: (s) => s.description ?? '' },
        { label: 'Modified', cell: (s) => formatTime(s.modified) },
      ],
    }));
}

/**
 * Line-numbered problems in an appliance error: `data.problems[{line, message}]`, `data.line`, or
 * "line N" in the message or details.
 * @param {unknown} error @returns {Map<number, string>}
 */
export function lineErrors(error) {
  /** @type {Map<number, string>} */
  const marks = new Map();
  if (!(error instanceof ApiError)) return marks;
  const data = error.body.data ?? {};
  const problems = /** @type {{ line?: unknown, column?: unknown, message?: unknown }[]} */ (Array.isArray(data['problems']) ? data['problems'] : []);
  for (const p of problems) {
    if (typeof p.line === 'number') marks.set(p.line, `${typeof p.column === 'number' ? `column ${p.column}: ` : ''}${typeof p.message === 'string' ? p.message : ''}`);
  }
  if (marks.size === 0 && typeof data['line'] === 'number') marks.set(data['line'], error.body.message ?? '');
  if (marks.size === 0) {
    for (const text of [error.body.message ?? '', ...(error.body.details ?? '').split('\n')]) {
      const m = /line (\d+)/i.exec(text);
      if (m !== null) marks.set(Number(m[1]), text);
    }
  }
  return marks;
}

/** @param {PageContext} ctx */
export async function planScriptPage(ctx) {
  const isNew = ctx.params['id'] === 'new';
  /** @type {import('../resources.js').PlanScript} */
  const script = isNew
    ? { id: '', uri: '', created: '', modified: '', customAttributes: null, name: '', description: '', planType: 'deploy', content: '# Mount the guest, change it, unmount\nmount /dev/sda1 /\necho "ImageStreamerLog: hello @HostName@"\nunmount /\n', hpProvided: false }
    : await ctx.api.resource('plan-scripts', ctx.params['id'] ?? '', ctx.signal);
  const readOnly = script.hpProvided === true;
  const notice = noticeSlot();
  const name = field('Name', h('input', { name: 'name', required: true, value: script.name, readonly: readOnly }));
  const description = field('Description', h('input', { name: 'description', value: script.description ?? '', readonly: readOnly }));
  const planType = field('Type', h('select', { name: 'planType', disabled: readOnly }, ['deploy', 'capture', 'general'].map((t) => h('option', { value: t, selected: t === script.planType, text: t }))));
  const attributes = h('div', { class: 'attribute-list', 'aria-live': 'polite' });
  const problems = h('ul', { class: 'line-problems', id: 'script-problems', 'aria-label': 'Problems by line', 'aria-live': 'polite' });
  const taskEl = h('div');
  const differences = h('div', { class: 'differences' });
  /** What the appliance said at its last refusal, by line; kept until the next save. @type {Map<number, string>} */
  let serverMarks = new Map();
  const editor = createEditor({ value: script.content, label: 'Script content', readOnly, onInput: (v) => { showAttributes(v); showProblems(); } });
  // Screen readers read the problems with the editor.
  editor.textarea.setAttribute('aria-describedby', 'script-problems');

  /** Marks in the editor and the list below it: what the editor sees as you type, and what the appliance said. */
  const showProblems = () => {
    /** @type {Map<number, string>} */
    const marks = new Map(scriptProblems(editor.value).map((p) => [p.line, p.message]));
    for (const [line, message] of serverMarks) marks.set(line, message);
    editor.setErrors(marks);
    replace(problems, [...marks].sort(([a], [b]) => a - b).map(([line, message]) => h('li', {}, h('button', { type: 'button', class: 'linklike', onclick: () => editor.goToLine(line), text: `Line ${line}` }), `: ${message}`)));
  };

  /** @param {string} content */
  const showAttributes = (content) => {
    const refs = attributeReferences(content);
    replace(attributes, refs.length === 0 ? h('p', { class: 'empty', text: 'This script uses no custom attributes' }) : h('ul', {}, refs.map((r) =>
      h('li', {}, h('code', { text: `@${r.name}@` }), r.defaultValue === undefined ? '' : ` default "${r.defaultValue}"`, ' — line ',
        r.lines.map((l, i) => [i > 0 ? ', ' : '', h('button', { type: 'button', class: 'linklike', 'aria-label': `Go to line ${l}`, onclick: () => editor.goToLine(l), text: String(l) })])))));
  };
  showAttributes(script.content);
  showProblems();

  /** @param {unknown} error @param {string} action */
  const showError = (error, action) => {
    notice.error(error, action);
    serverMarks = lineErrors(error);
    showProblems();
    const first = [...serverMarks.keys()][0];
    if (first !== undefined) editor.goToLine(first);
  };

  const save = async () => {
    notice.clear();
    serverMarks = new Map();
    showProblems();
    const body = { ...(isNew ? { type: 'PlanScript' } : script), name: name.input.value, description: description.input.value, planType: planType.input.value, content: editor.value };
    try {
      const task = isNew ? await ctx.api.task('POST', '/rest/plan-scripts', { body }) : await ctx.api.task('PUT', script.uri, { body });
      const final = await watchTask(ctx, taskEl, task);
      if (final.taskState === 'Error') return;
      notice.ok('Plan script saved');
      if (isNew && final.associatedResource.resourceUri !== null) ctx.navigate(`/plan-scripts/${final.associatedResource.resourceUri.split('/').pop()}`);
    } catch (error) {
      showError(error, 'Cannot save the plan script');
    }
  };

  const compare = async () => {
    try {
      const reply = /** @type {{ differences?: { kind: string, line?: number, text?: string }[] } | null} */ (await ctx.api.request('POST', `/rest/plan-scripts/differences/${script.id}`, { body: editor.value }));
      const diffs = reply?.differences ?? [];
      replace(differences, h('h2', { text: 'Changes from the stored script' }), diffs.length === 0 ? h('p', { class: 'empty', text: 'No changes' }) :
        h('pre', { class: 'diff' }, diffs.map((d) => h('span', { class: `diff-${d.kind}` }, `${d.kind === 'added' ? '+' : d.kind === 'removed' ? '-' : ' '}${d.line ?? ''}\t${d.text ?? ''}\n`))));
    } catch (error) {
      showError(error, 'Cannot compare');
    }
  };

  const remove = async () => {
    if (!confirm(`Delete plan script "${script.name}"?`)) return;
    try {
      const final = await watchTask(ctx, taskEl, await ctx.api.task('DELETE', script.uri));
      if (final.taskState !== 'Error') ctx.navigate('/plan-scripts');
    } catch (error) {
      showError(error, 'Cannot delete the plan script');
    }
  };

  const form = h('form', { class: 'editor-form', onsubmit: (/** @type {Event} */ e) => { e.preventDefault(); void save(); } },
    h('div', { class: 'form-row' }, name.wrapper, planType.wrapper, description.wrapper),
    h('div', { class: 'editor-layout' },
      h('div', { class: 'editor-main' }, h('label', { class: 'editor-label', text: 'Content' }), editor.el, problems),
      h('aside', { class: 'editor-side', 'aria-label': 'Custom attributes' }, h('h2', { text: 'Custom attributes' }), attributes)),
    readOnly ? h('p', { class: 'hint', text: 'This plan script is read only (HPE provided or imported read only).' }) : h('div', { class: 'form-actions' },
      h('button', { type: 'submit', text: isNew ? 'Create' : 'Save' }),
      isNew ? null : h('button', { type: 'button', class: 'secondary', onclick: () => void compare(), text: 'Show changes' }),
      isNew ? null : h('button', { type: 'button', class: 'danger', onclick: () => void remove(), text: 'Delete' })));

  replace(ctx.main,
    pageHeader(isNew ? 'New plan script' : `Plan script ${script.name}`, isNew ? null : badge(script.status)),
    h('p', {}, link('/plan-scripts', '← All plan scripts')),
    notice.el, form, taskEl, differences);
}
