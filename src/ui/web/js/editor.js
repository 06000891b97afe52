// @ts-check
// A code editor for plan scripts: a plain textarea (so typing, selection, undo and screen readers work as
// usual) laid over a highlighted copy of its text, with line numbers and error marks by line.
import { h } from './dom.js';
import { highlightLines } from './highlight.js';

/**
 * @param {{ value: string, label: string, readOnly?: boolean, onInput?: (value: string) => void }} options
 */
export function createEditor(options) {
  const textarea = h('textarea', { class: 'code-input', spellcheck: 'false', autocapitalize: 'off', autocomplete: 'off', wrap: 'off', 'aria-label': options.label });
  textarea.value = options.value;
  textarea.readOnly = options.readOnly === true;
  const highlighted = h('pre', { class: 'code-highlight', 'aria-hidden': 'true' });
  const gutter = h('div', { class: 'code-gutter', 'aria-hidden': 'true' });
  const el = h('div', { class: 'code-editor' }, gutter, h('div', { class: 'code-area' }, highlighted, textarea));
  /** @type {Map<number, string>} */
  let errors = new Map();

  const render = () => {
    const lines = highlightLines(textarea.value);
    highlighted.replaceChildren(...lines.map((tokens, i) => {
      const line = h('span', { class: errors.has(i + 1) ? 'line line-error' : 'line' }, tokens.map((t) => h('span', { class: `tok-${t.kind}`, text: t.text })));
      return h('span', {}, line, '\n');
    }));
    gutter.replaceChildren(...lines.map((_, i) => h('div', { class: errors.has(i + 1) ? 'gutter-error' : '', title: errors.get(i + 1) ?? '', text: String(i + 1) })));
    syncScroll();
  };
  const syncScroll = () => {
    highlighted.scrollTop = textarea.scrollTop;
    highlighted.scrollLeft = textarea.scrollLeft;
    gutter.scrollTop = textarea.scrollTop;
  };
  textarea.addEventListener('input', () => {
    render();
    options.onInput?.(textarea.value);
  });
  textarea.addEventListener('scroll', syncScroll);
  // Tab indents instead of leaving the editor; Escape then Tab leaves it (keyboard users are not trapped).
  let escaped = false;
  textarea.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      escaped = true;
      return;
    }
    if (e.key === 'Tab' && !e.shiftKey && !escaped && !textarea.readOnly) {
      e.preventDefault();
      textarea.setRangeText('  ', textarea.selectionStart, textarea.selectionEnd, 'end');
      textarea.dispatchEvent(new Event('input'));
    }
    escaped = false;
  });
  render();

  return {
    el,
    textarea,
    get value() {
      return textarea.value;
    },
    /** Marks lines as wrong (1-based line → message), replacing earlier marks. @param {Map<number, string>} marks */
    setErrors(marks) {
      errors = marks;
      render();
    },
    /** Puts the caret at the start of a 1-based line and scrolls it into view. @param {number} line */
    goToLine(line) {
      const starts = textarea.value.split('\n').slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
      textarea.focus();
      textarea.setSelectionRange(starts, starts);
      const lineHeight = parseFloat(getComputedStyle(textarea).lineHeight) || 18;
      textarea.scrollTop = Math.max(0, (line - 3) * lineHeight);
      syncScroll();
    },
  };
}
