// @ts-check
// The profile form's attribute fields, generated from a deployment plan's typed custom attributes
// (reference §4.8) and checked as the user types. The appliance checks again on submit; its per-attribute
// problems (`data.problems[{name, message}]`) land on the same fields.
import { field, h, setFieldError } from './dom.js';

/** @typedef {import('./attribute-table.js').Attribute} Attribute */

/** @param {string | undefined} raw @returns {Record<string, unknown>} */
function constraintsOf(raw) {
  try {
    const c = /** @type {unknown} */ (JSON.parse(raw ?? '{}'));
    return typeof c === 'object' && c !== null ? /** @type {Record<string, unknown>} */ (c) : {};
  } catch {
    return {};
  }
}

/** A constraint that is a list of strings (`options`, `parameters`); [] when absent. @param {unknown} value @returns {string[]} */
function stringsOf(value) {
  return Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
}

/** A constraint shown in text (constraint numbers are strings in bundles). @param {unknown} value */
function constraintText(value) {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

const LABEL = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const ipv4 = (/** @type {string} */ v) => /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(v) && v.split('.').every((p) => Number(p) <= 255);
const toNumber = (/** @type {unknown} */ v) => (v === undefined || v === null || v === '' ? undefined : Number(v));

/**
 * Why `value` is not acceptable for an attribute of `type` with constraints `c`, or undefined.
 * @param {string} type @param {string} value @param {Record<string, any>} c
 */
export function valueProblem(type, value, c) {
  if (value === '') return undefined;
  switch (type) {
    case 'string': {
      const max = Math.min(toNumber(c['maxlen']) ?? 254, 254);
      if (value.length > max) return `Must be at most ${max} characters`;
      if (typeof c['regex'] === 'string' && c['regex'] !== '') {
        try {
          if (!new RegExp(`^(?:${c['regex']})$`).test(value)) return `Must match the pattern ${c['regex']}`;
        } catch {
          return undefined;
        }
      }
      return undefined;
    }
    case 'number': {
      if (!/^-?\d+(\.\d+)?$/.test(value.trim())) return 'Must be a number';
      const n = Number(value);
      const unit = constraintText(c['unit']) ? ` ${constraintText(c['unit'])}` : '';
      const min = toNumber(c['minimum']);
      const max = toNumber(c['maximum']);
      if (min !== undefined && n < min) return `Must be at least ${min}${unit}`;
      if (max !== undefined && n > max) return `Must be at most ${max}${unit}`;
      const step = toNumber(c['increment']);
      if (step !== undefined && step > 0 && Math.abs((n - (min ?? 0)) / step - Math.round((n - (min ?? 0)) / step)) > 1e-9) return `Must be a step of ${step}${unit} from ${min ?? 0}`;
      return undefined;
    }
    case 'option':
      return stringsOf(c['options']).includes(value) ? undefined : `Must be one of ${stringsOf(c['options']).join(', ')}`;
    case 'password': {
      const min = toNumber(c['minlen']);
      const max = toNumber(c['maxlen']);
      if (min !== undefined && value.length < min) return `Must be at least ${min} characters`;
      if (max !== undefined && value.length > max) return `Must be at most ${max} characters`;
      return undefined;
    }
    case 'ipv4':
      return ipv4(value) ? undefined : 'Must be an IPv4 address, like 192.0.2.10';
    case 'hostname':
      if (value.includes('.')) return 'Must be a host name without dots';
      if (value.length > 63) return 'Must be at most 63 characters';
      return LABEL.test(value) ? undefined : 'May hold only letters, digits, "-" and "_", starting with a letter or digit';
    case 'fqdn':
      if (!value.includes('.')) return 'Must be a fully qualified name with at least one dot';
      return value.replace(/\.$/, '').split('.').every((l) => l.length <= 63 && LABEL.test(l)) ? undefined : 'Each label may hold only letters, digits, "-" and "_", starting with a letter or digit';
    default:
      return undefined;
  }
}

/** @param {string} field @param {string} value */
function nicFieldProblem(field, value) {
  if (value === '') return undefined;
  const base = field.replace(/\d+$/, '');
  if (['ipaddress', 'gateway', 'dns'].includes(base)) return ipv4(value) ? undefined : 'Must be an IPv4 address';
  if (base === 'netmask') return ipv4(value) ? undefined : 'Must be a netmask, like 255.255.255.0';
  if (base === 'mac') return /^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/.test(value) ? undefined : 'Must be a MAC address';
  return undefined;
}

/**
 * Builds the fields for the plan's editable, visible attributes. `values()` gives the dotted
 * osCustomAttributes (NICs expanded); `valid()` is true when no field shows a problem.
 * @param {Attribute[]} attributes @param {{ initial?: Record<string, string> }} [options]
 */
export function attributeForm(attributes, options = {}) {
  const initial = options.initial ?? {};
  /** @type {{ key: string, type: string, f: ReturnType<typeof field>, check: () => string | undefined }[]} */
  const fields = [];
  const shown = attributes.filter((a) => a.visible !== false && a.editable !== false);
  const sections = shown.map((a) => {
    const c = constraintsOf(a.constraints);
    if (a.type === 'nic') {
      const params = Array.isArray(c['parameters']) ? stringsOf(c['parameters']).filter((p) => p !== 'mac') : ['ipaddress', 'netmask', 'gateway', 'dns1', 'dns2', 'domain'];
      const mode = field(`${a.name} addressing`, h('select', { name: `${a.name}.constraint` },
        [c['ipv4dhcp'] !== false ? ['dhcp', 'DHCP'] : null, c['ipv4static'] !== false ? ['userspecified', 'Static'] : null].filter((x) => x !== null).map((o) => h('option', { value: o?.[0], selected: initial[`${a.name}.constraint`] === o?.[0], text: o?.[1] }))));
      fields.push({ key: `${a.name}.constraint`, type: 'nic-mode', f: mode, check: () => undefined });
      const subs = params.map((p) => {
        const f = field(`${a.name} ${p}`, h('input', { name: `${a.name}.${p}`, value: initial[`${a.name}.${p}`] ?? '', autocomplete: 'off' }));
        fields.push({ key: `${a.name}.${p}`, type: 'nic-field', f, check: () => nicFieldProblem(p, f.input.value.trim()) });
        return f.wrapper;
      });
      return h('fieldset', { class: 'nic' }, h('legend', { text: `${a.name} (NIC)` }), a.description ? h('p', { class: 'hint', text: a.description }) : null, mode.wrapper, h('div', { class: 'nic-fields' }, subs));
    }
    const value = initial[a.name] ?? (a.type === 'password' ? '' : a.value ?? '');
    const input = a.type === 'option'
      ? h('select', { name: a.name }, stringsOf(c['options']).map((o) => h('option', { value: o, selected: o === value, text: o })))
      : h('input', { name: a.name, value, type: a.type === 'password' ? 'password' : 'text', inputmode: a.type === 'number' ? 'decimal' : undefined, autocomplete: 'off' });
    const hint = [a.description, constraintText(c['unit']) ? `Unit: ${constraintText(c['unit'])}` : '', constraintText(c['minimum']) ? `From ${constraintText(c['minimum'])}` : '', constraintText(c['maximum']) ? `to ${constraintText(c['maximum'])}` : ''].filter((s) => s).join(' · ');
    const f = field(`${a.name} (${a.type})`, input, hint === '' ? {} : { hint });
    const check = () => valueProblem(a.type, f.input.value.trim(), c);
    fields.push({ key: a.name, type: a.type, f, check });
    return f.wrapper;
  });
  for (const entry of fields) {
    entry.f.input.addEventListener('input', () => setFieldError(entry.f, entry.check()));
    entry.f.input.addEventListener('change', () => setFieldError(entry.f, entry.check()));
  }
  return {
    el: h('div', { class: 'attribute-form' }, shown.length === 0 ? h('p', { class: 'empty', text: 'This deployment plan has no attributes to set' }) : sections),
    /** @returns {{ name: string, value: string }[]} */
    values: () => fields.filter((e) => e.f.input.value !== '' || e.type === 'nic-mode').map((e) => ({ name: e.key, value: e.f.input.value.trim() })),
    /** Shows every problem; true when there is none. */
    validate() {
      let ok = true;
      for (const e of fields) {
        const problem = e.check();
        setFieldError(e.f, problem);
        if (problem !== undefined) ok = false;
      }
      /** @type {HTMLElement | null} */ (fields.find((e) => e.f.input.getAttribute('aria-invalid') === 'true')?.f.input ?? null)?.focus();
      return ok;
    },
    /** Puts the appliance's per-attribute problems on their fields. @param {{ name: string, message: string }[]} problems */
    showProblems(problems) {
      for (const p of problems) {
        const e = fields.find((x) => x.key === p.name) ?? fields.find((x) => x.key.startsWith(`${p.name}.`));
        if (e !== undefined) setFieldError(e.f, p.message);
      }
    },
  };
}
