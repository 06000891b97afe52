// @ts-check
// Error and success panels: the appliance's message, details and recommended actions, as OneView shows them.
import { ApiError } from './api.js';
import { h } from './dom.js';

/**
 * An error panel for anything thrown; role=alert so it is read at once. `action` ("Cannot upload the
 * bundle") leads the message unless the appliance's message already says what failed ("Cannot …").
 * @param {unknown} error @param {string} [action]
 */
export function errorPanel(error, action) {
  const body = error instanceof ApiError ? error.body : { message: error instanceof Error ? error.message : String(error) };
  const message = body.message ?? 'Error';
  return h(
    'div',
    { class: 'notice notice-error', role: 'alert' },
    h('strong', { text: action === undefined || /^Cannot /.test(message) ? message : `${action}: ${message}` }),
    body.details !== undefined && body.details !== '' ? h('pre', { class: 'details', text: body.details }) : null,
    (body.recommendedActions ?? []).length > 0
      ? h('div', { class: 'recommended' }, h('span', { text: 'Recommended action: ' }), h('ul', {}, (body.recommendedActions ?? []).map((a) => h('li', { text: a }))))
      : null,
  );
}

/** @param {string} text */
export function successPanel(text) {
  return h('div', { class: 'notice notice-ok', role: 'status', text });
}

/** A slot that shows at most one notice at a time. */
export function noticeSlot() {
  const el = h('div', { class: 'notice-slot' });
  return {
    el,
    /** @param {unknown} error @param {string} [action] */
    error(error, action) {
      el.replaceChildren(errorPanel(error, action));
    },
    /** @param {string} text */
    ok(text) {
      el.replaceChildren(successPanel(text));
    },
    clear() {
      el.replaceChildren();
    },
  };
}
