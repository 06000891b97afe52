// @ts-check
// Editing the attribute list of a build or deployment plan: defaults, and for deployment plans whether a
// profile may change an attribute (editable) and sees it (visible). Password values arrive masked and are
// sent back masked, which keeps the stored value.
import { h } from './dom.js';

/** @typedef {{ name: string, value: string | null, type: string, constraints?: string, description?: string, editable?: boolean, visible?: boolean }} Attribute */

/**
 * @param {Attribute[]} attributes @param {{ flags: boolean, readOnly: boolean }} options
 * @returns {{ el: HTMLElement, values: () => Attribute[] }}
 */
export function attributeTable(attributes, options) {
  const rows = attributes.map((a) => {
    const input = h('input', { type: a.type === 'password' ? 'password' : 'text', value: a.value ?? '', 'aria-label': `Default for ${a.name}`, readonly: options.readOnly || a.type === 'nic', autocomplete: 'off' });
    const editable = h('input', { type: 'checkbox', checked: a.editable !== false, 'aria-label': `${a.name} editable`, disabled: options.readOnly });
    const visible = h('input', { type: 'checkbox', checked: a.visible !== false, 'aria-label': `${a.name} visible`, disabled: options.readOnly });
    return { a, input, editable, visible };
  });
  const el = rows.length === 0 ? h('p', { class: 'empty', text: 'No custom attributes' }) : h('table', { class: 'data attributes' },
    h('caption', { class: 'visually-hidden', text: 'Custom attributes' }),
    h('thead', {}, h('tr', {}, ['Name', 'Type', 'Default', ...(options.flags ? ['Editable', 'Visible'] : []), 'Constraints'].map((t) => h('th', { scope: 'col', text: t })))),
    h('tbody', {}, rows.map((r) => h('tr', {},
      h('th', { scope: 'row' }, h('code', { text: r.a.name })),
      h('td', { text: r.a.type }),
      h('td', {}, r.input),
      options.flags ? [h('td', {}, r.editable), h('td', {}, r.visible)] : null,
      h('td', { class: 'constraints', text: r.a.constraints ?? '' })))));
  return {
    el,
    values: () => rows.map((r) => ({
      ...r.a,
      value: r.a.type === 'nic' ? r.a.value : r.input.value,
      ...(options.flags ? { editable: r.editable.checked, visible: r.visible.checked } : {}),
    })),
  };
}
