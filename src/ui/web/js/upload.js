// @ts-check
// An upload form: file input, progress bar while bytes go up, then the appliance's task watched live.
import { ApiError } from './api.js';
import { field, formatBytes, h, replace } from './dom.js';
import { watchTask } from './task-view.js';

/**
 * @param {import('./router.js').PageContext} ctx
 * @param {{ label: string, accept: string, action: string, path: (file: File) => string, extra?: HTMLElement[],
 *   onError: (error: unknown) => void, onDone: (task: import('./api.js').Task) => void }} options
 */
export function uploadForm(ctx, options) {
  const file = field(options.label, h('input', { type: 'file', accept: options.accept, required: true }));
  const bar = h('div', { class: 'progress-bar' });
  const progress = h('div', { class: 'progress', role: 'progressbar', 'aria-label': 'Upload progress', 'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-valuenow': '0', hidden: true }, bar);
  const status = h('div', { class: 'upload-status', 'aria-live': 'polite' });
  const taskEl = h('div');
  const submit = h('button', { type: 'submit', text: options.action });
  /** @type {AbortController | undefined} */
  let cancelling;
  const cancel = h('button', { type: 'button', class: 'secondary', text: 'Cancel upload', hidden: true, onclick: () => cancelling?.abort() });
  const form = h('form', { class: 'upload-form' }, h('div', { class: 'form-row' }, file.wrapper, options.extra ?? [], h('div', { class: 'field field-button' }, submit)), progress, h('div', { class: 'upload-line' }, status, cancel), taskEl);
  form.addEventListener('submit', (e) => void (async () => {
    e.preventDefault();
    const chosen = /** @type {HTMLInputElement} */ (file.input).files?.[0];
    if (chosen === undefined) return;
    submit.disabled = true;
    progress.hidden = false;
    const controller = new AbortController();
    cancelling = controller;
    cancel.hidden = false;
    let lastAnnounced = -25;
    try {
      const task = await ctx.api.upload(options.path(chosen), chosen, {
        signal: AbortSignal.any([ctx.signal, controller.signal]),
        onProgress: (sent, total) => {
          const percent = total > 0 ? Math.floor((sent / total) * 100) : 0;
          bar.style.width = `${percent}%`;
          progress.setAttribute('aria-valuenow', String(percent));
          status.textContent = `Uploading ${chosen.name}: ${formatBytes(sent)} of ${formatBytes(total)} (${percent}%)`;
          if (percent - lastAnnounced >= 25) {
            lastAnnounced = percent;
            ctx.announce(`Upload ${percent}%`);
          }
        },
      });
      status.textContent = `Uploaded ${chosen.name}`;
      cancel.hidden = true;
      const final = task?.category === 'tasks' ? await watchTask(ctx, taskEl, task) : task;
      if (final.taskState !== 'Error') options.onDone(final);
    } catch (error) {
      if (controller.signal.aborted) {
        status.textContent = `Upload of ${chosen.name} cancelled`;
        ctx.announce('Upload cancelled');
      } else {
        if (error instanceof ApiError || error instanceof Error) options.onError(error);
        replace(status);
      }
    } finally {
      submit.disabled = false;
      progress.hidden = true;
      cancel.hidden = true;
      cancelling = undefined;
    }
  })());
  return form;
}
