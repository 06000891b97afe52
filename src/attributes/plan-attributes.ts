// Which custom attributes a plan script or a build plan has: the union of the references in its scripts
// (reference §4.2: in step order, with script defaults), with the plan's own entries laid over them.
import { scanReferences } from './references.js';
import { parseDecimal } from './formats.js';
import { formatConstraints, type CustomAttribute } from './types.js';

interface Seen {
  name: string;
  fields: Set<string>;
  defaultValue: string | undefined;
}

function collect(contents: readonly string[]): Seen[] {
  const byName = new Map<string, Seen>();
  for (const content of contents) {
    for (const reference of scanReferences(content)) {
      let seen = byName.get(reference.name);
      if (seen === undefined) {
        seen = { name: reference.name, fields: new Set(), defaultValue: undefined };
        byName.set(reference.name, seen);
      }
      if (reference.field !== undefined) seen.fields.add(reference.field);
      // The first default a plain reference gives wins; NIC sub-field defaults stay in the script text.
      else if (seen.defaultValue === undefined) seen.defaultValue = reference.defaultValue;
    }
  }
  return [...byName.values()];
}

/**
 * A best guess at the type of an attribute nobody has typed yet: `nic` when referenced with a sub-field
 * (its `parameters` are the sub-fields used, sorted, as HPE's bundles list them), `number` for
 * `VolumeSize` or a numeric default, `password` when the name says so, else `string`.
 */
function inferred(seen: Seen): CustomAttribute {
  const base = { name: seen.name, description: '' };
  if (seen.fields.size > 0) {
    const constraints = { ipv4static: true, ipv4dhcp: true, ipv4disable: false, ipv4noteaming: false, parameters: [...seen.fields].sort() };
    return { ...base, value: null, type: 'nic', constraints: formatConstraints(constraints) };
  }
  const value = seen.defaultValue ?? '';
  if (seen.name === 'VolumeSize' || (seen.defaultValue !== undefined && parseDecimal(seen.defaultValue) !== undefined)) {
    return { ...base, value, type: 'number', constraints: seen.name === 'VolumeSize' ? formatConstraints({ unit: 'MiB' }) : '{}' };
  }
  if (/password/i.test(seen.name)) return { ...base, value, type: 'password', constraints: '{}' };
  return { ...base, value, type: 'string', constraints: '{}' };
}

/** The attributes one script refers to, in first-use order, each with its first default and a guessed type. */
export function scriptAttributes(content: string): CustomAttribute[] {
  return collect([content]).map(inferred);
}

/**
 * A build plan's attributes: the union over its step scripts (in step order, first use first, the first
 * script default as value), with `overrides` (the plan's own list) replacing type, constraints and
 * description and, when not null, value. Overrides for names no script refers to are dropped: the
 * scripts decide which attributes exist.
 */
export function buildPlanAttributes(contents: readonly string[], overrides: readonly CustomAttribute[] = []): CustomAttribute[] {
  const own = new Map(overrides.map((a) => [a.name, a]));
  return collect(contents).map((seen) => {
    const guess = inferred(seen);
    const override = own.get(seen.name);
    if (override === undefined) return guess;
    return {
      name: seen.name,
      value: override.value ?? guess.value,
      type: override.type,
      constraints: override.constraints,
      description: override.description ?? '',
    };
  });
}
