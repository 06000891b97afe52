// Checking attribute values against their types and constraints (reference §4.8). Every bad value is
// reported at once, so a user fixes a form in one round; password values never appear in a message.
import { invalid, type AppError } from '../core/errors.js';
import {
  booleanProblem,
  domainProblem,
  fqdnProblem,
  hostnameProblem,
  ipv4Problem,
  macProblem,
  netmaskProblem,
  parseDecimal,
} from './formats.js';
import type { AttributeValues } from './references.js';
import { isAttributeType, NIC_PROFILE_FIELDS, parseConstraints, type Constraints, type CustomAttribute } from './types.js';

/** One bad value: the key (`HostName`, `Nic1.ipaddress`) and a sentence saying what is wrong. */
export interface AttributeProblem {
  name: string;
  message: string;
}

/** Reference §4.8: strings hold at most 254 characters. */
export const STRING_MAX_LENGTH = 254;

function quoted(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

function stringProblem(value: string, c: Constraints): string | undefined {
  const maxlen = Math.min(c.maxlen ?? STRING_MAX_LENGTH, STRING_MAX_LENGTH);
  if (value.length > maxlen) return `is longer than ${maxlen} characters`;
  if (c.minlen !== undefined && value.length < c.minlen) return `is shorter than ${c.minlen} characters`;
  if (c.regex !== undefined && c.regex !== '') {
    let pattern: RegExp;
    try {
      pattern = new RegExp(`^(?:${c.regex})$`);
    } catch {
      return `cannot be checked: the regex ${quoted(c.regex)} is not valid`;
    }
    if (!pattern.test(value)) return `does not match the pattern ${quoted(c.regex)}`;
  }
  return undefined;
}

function numberProblem(value: string, c: Constraints): string | undefined {
  const n = parseDecimal(value);
  if (n === undefined) return 'is not a number';
  const unit = c.unit === undefined || c.unit === '' ? '' : ` ${c.unit}`;
  if (c.minimum !== undefined && n < c.minimum) return `is less than the minimum ${c.minimum}${unit}`;
  if (c.maximum !== undefined && n > c.maximum) return `is more than the maximum ${c.maximum}${unit}`;
  if (c.increment !== undefined && c.increment > 0) {
    const steps = (n - (c.minimum ?? 0)) / c.increment;
    if (Math.abs(steps - Math.round(steps)) > 1e-9) return `is not a step of ${c.increment}${unit} from ${c.minimum ?? 0}`;
  }
  return undefined;
}

function passwordProblem(value: string, c: Constraints): string | undefined {
  if (c.minlen !== undefined && value.length < c.minlen) return `is shorter than ${c.minlen} characters`;
  if (c.maxlen !== undefined && value.length > c.maxlen) return `is longer than ${c.maxlen} characters`;
  return undefined;
}

/** The cause for one scalar value, or undefined; `type` is a known non-NIC type. */
function scalarProblem(type: string, value: string, c: Constraints): string | undefined {
  switch (type) {
    case 'string':
      return stringProblem(value, c);
    case 'number':
      return numberProblem(value, c);
    case 'option':
      return (c.options ?? []).includes(value) ? undefined : `is not one of the options ${(c.options ?? []).map(quoted).join(', ')}`;
    case 'password':
      return passwordProblem(value, c);
    case 'ipv4':
      return ipv4Problem(value);
    case 'hostname':
      return hostnameProblem(value);
    case 'fqdn':
      return fqdnProblem(value);
    default:
      return undefined;
  }
}

/** The format a NIC sub-field's value must have, by field name (`ipaddress1`, `dns2`, `mac`…). */
function nicFieldProblem(field: string, value: string): string | undefined {
  const base = field.replace(/\d+$/, '');
  if (base === 'mac') return macProblem(value);
  if (base === 'netmask') return netmaskProblem(value);
  if (['ipaddress', 'ip', 'gateway', 'dns'].includes(base)) return ipv4Problem(value);
  if (field === 'dhcp' || field === 'ipv4disable') return booleanProblem(value);
  if (field === 'vlanid') {
    const n = parseDecimal(value);
    return n !== undefined && Number.isInteger(n) && n >= 0 && n <= 4094 ? undefined : 'is not a VLAN id (0-4094)';
  }
  if (field === 'domain') return domainProblem(value);
  if (field === 'constraint') {
    return ['auto', 'dhcp', 'userspecified'].includes(value) ? undefined : 'must be "auto", "dhcp" or "userspecified"';
  }
  return undefined;
}

function nicProblems(attribute: CustomAttribute, c: Constraints, values: AttributeValues): AttributeProblem[] {
  const problems: AttributeProblem[] = [];
  const prefix = `${attribute.name}.`;
  const fields = new Map<string, string>();
  for (const [key, value] of Object.entries(values)) {
    if (key.startsWith(prefix) && value !== null && value !== undefined && value !== '') fields.set(key.slice(prefix.length), value);
  }
  const allowed = new Set<string>([...(c.parameters ?? []), ...NIC_PROFILE_FIELDS]);
  for (const [field, value] of fields) {
    const name = prefix + field;
    if ((c.parameters ?? []).length > 0 && !allowed.has(field)) {
      problems.push({ name, message: `Attribute "${name}": "${field}" is not a parameter of NIC "${attribute.name}" (it has ${[...(c.parameters ?? [])].join(', ')})` });
      continue;
    }
    const cause = nicFieldProblem(field, value);
    if (cause !== undefined) problems.push({ name, message: `Attribute "${name}": ${quoted(value)} ${cause}` });
  }
  const dhcp = fields.get('dhcp') === 'true' || fields.get('constraint') === 'dhcp';
  const disabled = fields.get('ipv4disable') === 'true';
  const staticAddress = !dhcp && !disabled && (fields.has('ipaddress') || fields.has('ipaddress1') || fields.get('constraint') === 'userspecified' || fields.get('constraint') === 'auto');
  const refuse = (what: string) => problems.push({ name: attribute.name, message: `Attribute "${attribute.name}": this NIC does not allow ${what}` });
  if (dhcp && c.ipv4dhcp === false) refuse('DHCP');
  if (disabled && c.ipv4disable === false) refuse('disabling IPv4');
  if (staticAddress && c.ipv4static === false) refuse('a static IPv4 address');
  return problems;
}

export interface ValidateOptions {
  /** Report keys that name no attribute of the list (default true). */
  rejectUnknown?: boolean;
}

/**
 * Every problem with `values` against `attributes`: unknown types or unreadable constraints, values of the
 * wrong form, and (by default) keys that are no attribute's. Unset values (`null`, missing, `""`) pass.
 */
export function attributeProblems(
  attributes: readonly CustomAttribute[],
  values: AttributeValues,
  options: ValidateOptions = {},
): AttributeProblem[] {
  const problems: AttributeProblem[] = [];
  const byName = new Map(attributes.map((a) => [a.name, a]));
  for (const attribute of attributes) {
    if (!isAttributeType(attribute.type)) {
      problems.push({ name: attribute.name, message: `Attribute "${attribute.name}": type "${attribute.type}" is not one of string, number, option, password, ipv4, hostname, fqdn, nic` });
      continue;
    }
    let c: Constraints;
    try {
      c = parseConstraints(attribute.constraints, attribute.name);
    } catch (error) {
      problems.push({ name: attribute.name, message: (error as AppError).message });
      continue;
    }
    if (attribute.type === 'nic') {
      problems.push(...nicProblems(attribute, c, values));
      continue;
    }
    const value = Object.hasOwn(values, attribute.name) ? values[attribute.name] : undefined;
    if (value === null || value === undefined || value === '') continue;
    const cause = scalarProblem(attribute.type, value, c);
    if (cause === undefined) continue;
    const shown = attribute.type === 'password' ? 'the password' : quoted(value);
    problems.push({ name: attribute.name, message: `Attribute "${attribute.name}": ${shown} ${cause}` });
  }
  if (options.rejectUnknown !== false) {
    for (const key of Object.keys(values)) {
      const base = key.includes('.') ? key.slice(0, key.indexOf('.')) : key;
      const owner = byName.get(base);
      if (owner === undefined) problems.push({ name: key, message: `Attribute "${key}" is not an attribute of this plan` });
      else if (key !== base && owner.type !== 'nic') problems.push({ name: key, message: `Attribute "${key}": "${base}" is a ${owner.type}, not a NIC` });
    }
  }
  return problems;
}

/**
 * Throws one AppError `invalid` `ATTRIBUTE_VALUES_INVALID` naming every problem (in `details`, one per
 * line, and in `data.problems`), or returns when all values are acceptable.
 */
export function validateAttributeValues(
  attributes: readonly CustomAttribute[],
  values: AttributeValues,
  options: ValidateOptions = {},
): void {
  const problems = attributeProblems(attributes, values, options);
  if (problems.length === 0) return;
  const count = problems.length === 1 ? '1 value is not acceptable' : `${problems.length} values are not acceptable`;
  throw invalid('ATTRIBUTE_VALUES_INVALID', `Cannot accept the custom attribute values: ${count}`, {
    details: problems.map((p) => p.message).join('\n'),
    data: { problems },
    recommendedActions: ['Correct the values named in the details and try again'],
  });
}

/**
 * Checks the attribute definitions themselves (types, constraints JSON, and each default against its own
 * type), every problem at once; throws AppError `invalid` `ATTRIBUTE_DEFINITIONS_INVALID`.
 */
export function validateAttributeDefinitions(attributes: readonly CustomAttribute[]): void {
  const problems: AttributeProblem[] = [];
  const seen = new Set<string>();
  for (const attribute of attributes) {
    if (!/^[A-Za-z0-9_-]+$/.test(attribute.name)) problems.push({ name: attribute.name, message: `Attribute name ${quoted(attribute.name)} may hold only letters, digits, "_" and "-"` });
    if (seen.has(attribute.name)) problems.push({ name: attribute.name, message: `Attribute "${attribute.name}" is listed twice` });
    seen.add(attribute.name);
    const defaults = attribute.type === 'nic' ? {} : { [attribute.name]: attribute.value };
    problems.push(...attributeProblems([attribute], defaults, { rejectUnknown: false }));
  }
  if (problems.length === 0) return;
  throw invalid('ATTRIBUTE_DEFINITIONS_INVALID', `Cannot accept the custom attributes: ${problems.length === 1 ? '1 problem' : `${problems.length} problems`}`, {
    details: problems.map((p) => p.message).join('\n'),
    data: { problems },
  });
}
