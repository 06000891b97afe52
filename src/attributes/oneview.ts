// Attribute values as OneView's server profile carries them (reference §6): `osCustomAttributes`, with
// each NIC expanded into dotted names, booleans as "true"/"false" strings; and the order values win in.
import type { AttributeValues } from './references.js';
import { parseConstraints, type CustomAttribute } from './types.js';

/** One entry of a server profile's `osDeploymentSettings.osCustomAttributes`. */
export interface OsCustomAttribute {
  name: string;
  value: string;
  type?: string;
  constraints?: string;
}

/** What OneView adds to every NIC, with the value it sends when the user chose nothing. */
const NIC_PROFILE_DEFAULTS: ReadonlyArray<readonly [string, string]> = [
  ['connectionid', ''],
  ['dhcp', 'false'],
  ['ipv4disable', 'false'],
  ['networkuri', ''],
  ['constraint', 'auto'],
];

function valueOf(values: AttributeValues, key: string): string | undefined {
  const v = Object.hasOwn(values, key) ? values[key] : undefined;
  return v === null ? undefined : v;
}

/**
 * The `osCustomAttributes` a profile shows for these attributes and values: ordinary attributes by name
 * (value, else the attribute's default, else ""), a NIC as `<Nic>.connectionid`, `.dhcp`, `.ipv4disable`,
 * `.networkuri`, `.constraint` then one entry per parameter (`.mac`, `.ipaddress`…).
 */
export function toOsCustomAttributes(attributes: readonly CustomAttribute[], values: AttributeValues): OsCustomAttribute[] {
  const out: OsCustomAttribute[] = [];
  for (const attribute of attributes) {
    if (attribute.type !== 'nic') {
      out.push({ name: attribute.name, value: valueOf(values, attribute.name) ?? attribute.value ?? '', type: attribute.type, constraints: attribute.constraints });
      continue;
    }
    let parameters: string[] = [];
    try {
      parameters = parseConstraints(attribute.constraints).parameters ?? [];
    } catch {
      // Unreadable constraints: only the profile fields; validation reports the constraints.
    }
    const fields = [...NIC_PROFILE_DEFAULTS, ...parameters.filter((p) => !NIC_PROFILE_DEFAULTS.some(([f]) => f === p)).map((p) => [p, ''] as const)];
    for (const [field, fallback] of fields) {
      const name = `${attribute.name}.${field}`;
      out.push({ name, value: valueOf(values, name) ?? fallback });
    }
  }
  return out;
}

/**
 * Values keyed by name (`HostName`, `Nic1.ipaddress`) from a profile's `osCustomAttributes`, whatever
 * the client sent: booleans and numbers become strings, `null` values and nameless entries are left out.
 */
export function fromOsCustomAttributes(list: ReadonlyArray<{ name?: unknown; value?: unknown }>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const entry of list) {
    if (typeof entry.name !== 'string' || entry.name === '') continue;
    const v = entry.value;
    if (typeof v === 'string') values[entry.name] = v;
    else if (typeof v === 'boolean' || typeof v === 'number') values[entry.name] = String(v);
  }
  return values;
}

/** A NIC's sub-field values (`{ mac, ipaddress, … }`) out of dotted values. */
export function nicFields(values: AttributeValues, nicName: string): Record<string, string> {
  const prefix = `${nicName}.`;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key.startsWith(prefix) && typeof value === 'string') out[key.slice(prefix.length)] = value;
  }
  return out;
}

/** Values from an attribute list (build plan or deployment plan): each non-null `value` by name. */
export function attributeValues(attributes: readonly Pick<CustomAttribute, 'name' | 'value'>[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const a of attributes) if (a.value !== null && a.value !== undefined) values[a.name] = a.value;
  return values;
}

/**
 * Layers values, first layer winning (reference §6: profile, then deployment plan, then build plan;
 * script defaults apply last, at substitution). `null`/`undefined` in a layer means "not set here".
 */
export function layerValues(...layers: AttributeValues[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const layer of [...layers].reverse()) {
    for (const [key, value] of Object.entries(layer)) if (value !== null && value !== undefined) out[key] = value;
  }
  return out;
}
