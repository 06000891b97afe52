// @ts-check
// Element building and small formatters shared by every page. No framework: pages build DOM with h().

/** @typedef {string | number | Node | null | undefined | false | unknown[]} Child Arrays nest children. */

/**
 * Creates an element. Props: `class`, `text`, `on<event>` handlers, `dataset`, booleans (set when true)
 * and any other attribute. Children may be strings, nodes, null/false (skipped) or arrays.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, unknown>} [props]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset' && typeof value === 'object') Object.assign(el.dataset, value);
    // Through CSSOM: the content security policy forbids inline style attributes.
    else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else if (value === true) el.setAttribute(key, '');
    else if (key === 'class') el.className = asText(value);
    else if (key === 'text') el.textContent = asText(value);
    else if (key === 'value' && 'value' in el) /** @type {HTMLInputElement} */ (el).value = asText(value);
    else el.setAttribute(key, asText(value));
  }
  append(el, children);
  return el;
}

/** @param {Element} parent @param {unknown[]} children */
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : asText(child));
  }
}

/** Text for a value shown in the page: strings and numbers as they are, anything else as JSON. @param {unknown} value */
export function asText(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? '';
}

/** Replaces every child of `el`. @param {Element} el @param {...Child} children */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** @param {number | null | undefined} bytes */
export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** @param {string | null | undefined} iso */
export function formatTime(iso) {
  if (iso === null || iso === undefined || iso === '') return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** The last path segment of a resource uri. @param {string | null | undefined} uri */
export function idOf(uri) {
  if (uri === null || uri === undefined) return '';
  const parts = uri.split('?')[0]?.split('/').filter((p) => p !== '') ?? [];
  return parts[parts.length - 1] ?? '';
}

/** A status or state shown as a badge whose colour follows its meaning. @param {string | null | undefined} text */
export function badge(text) {
  const t = text ?? 'Unknown';
  const tone = /^(ok|completed|normal|on|connected)$/i.test(t)
    ? 'good'
    : /^(error|critical|failed|killed|terminated|interrupted)$/i.test(t)
      ? 'bad'
      : /^(warning|disabled|off)$/i.test(t)
        ? 'warn'
        : /^(running|starting|pending|new|creating|updating|deleting|stopping|poweringon|poweringoff)$/i.test(t)
          ? 'busy'
          : 'neutral';
  return h('span', { class: `badge badge-${tone}`, text: t });
}

/**
 * A labelled form field. The input gets an id, its label points at it, and a hint/error line is
 * described-by the input so screen readers read the error with the field.
 * @param {string} label
 * @param {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} input
 * @param {{ hint?: string, id?: string }} [options]
 */
export function field(label, input, options = {}) {
  const id = options.id ?? input.id ?? '';
  input.id = id !== '' ? id : `f-${Math.random().toString(36).slice(2, 9)}`;
  const message = h('div', { class: 'field-message', id: `${input.id}-msg`, 'aria-live': 'polite' });
  const hint = options.hint === undefined ? null : h('div', { class: 'field-hint', id: `${input.id}-hint`, text: options.hint });
  input.setAttribute('aria-describedby', [hint === null ? '' : `${input.id}-hint`, `${input.id}-msg`].join(' ').trim());
  const wrapper = h('div', { class: 'field' }, h('label', { for: input.id, text: label }), input, hint, message);
  return { wrapper, input, message };
}

/** Marks a field invalid with a message, or clears it. @param {{input: HTMLElement, message: HTMLElement}} f @param {string | undefined} error */
export function setFieldError(f, error) {
  if (error === undefined || error === '') {
    f.input.removeAttribute('aria-invalid');
    f.message.textContent = '';
  } else {
    f.input.setAttribute('aria-invalid', 'true');
    f.message.textContent = error;
  }
}

/**
 * A simple data table. Columns map a row to a cell.
 * @template T
 * @param {{ caption: string, columns: { label: string, cell: (row: T) => Child }[], rows: T[], empty?: string }} spec
 */
export function table(spec) {
  if (spec.rows.length === 0) return h('p', { class: 'empty', text: spec.empty ?? `No ${spec.caption.toLowerCase()} yet` });
  return h(
    'table',
    { class: 'data' },
    h('caption', { class: 'visually-hidden', text: spec.caption }),
    h('thead', {}, h('tr', {}, spec.columns.map((c) => h('th', { scope: 'col', text: c.label })))),
    h('tbody', {}, spec.rows.map((row) => h('tr', {}, spec.columns.map((c) => h('td', {}, c.cell(row)))))),
  );
}

/** A link handled by the client router. @param {string} href @param {Child} text */
export function link(href, text) {
  return h('a', { href, 'data-nav': '' }, text);
}

/** Page heading with optional action buttons on the right. @param {string} title @param {...Child} actions */
export function pageHeader(title, ...actions) {
  return h('div', { class: 'page-header' }, h('h1', { tabindex: '-1', text: title }), h('div', { class: 'actions' }, actions));
}

/**
 * A table with a filter box above it: rows whose `text` contains what is typed (any case) stay.
 * @template T
 * @param {{ caption: string, columns: { label: string, cell: (row: T) => Child }[], rows: T[], text: (row: T) => string, empty?: string }} spec
 */
export function filteredTable(spec) {
  const input = h('input', { type: 'search', placeholder: 'Filter by name', autocomplete: 'off' });
  const box = field(`Filter ${spec.caption.toLowerCase()}`, input);
  const count = h('span', { class: 'filter-count', 'aria-live': 'polite' });
  const slot = h('div');
  const render = () => {
    const needle = input.value.trim().toLowerCase();
    const rows = needle === '' ? spec.rows : spec.rows.filter((r) => spec.text(r).toLowerCase().includes(needle));
    count.textContent = `${needle === '' ? '' : `${rows.length} of `}${spec.rows.length} ${spec.caption.toLowerCase()}`;
    replace(slot, table({ ...spec, rows, empty: needle === '' ? spec.empty : 'Nothing matches the filter' }));
  };
  input.addEventListener('input', render);
  render();
  return h('div', { class: 'filtered' }, h('div', { class: 'filter-row' }, box.wrapper, count), slot);
}
