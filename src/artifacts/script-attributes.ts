// Custom attributes as artifacts show them: the attributes a script refers to (with defaults), and a
// build plan's union over its steps with plan-level overrides (reference §4.2, §4.8).
// TODO(#2): delegate the scanning to src/attributes once it lands.

export interface CustomAttribute {
  name: string;
  value: string | null;
  type: string;
  /** JSON-encoded constraints, as they travel (reference §4.8). */
  constraints: string;
  description: string;
}

interface Reference {
  name: string;
  field: string | undefined;
  defaultValue: string | undefined;
}

const REFERENCE = /^@([A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_-]+))?(?::([^@\n]*))?@/;

/** Attribute references in script text, left to right; `@@` is a literal `@`. */
function references(content: string): Reference[] {
  const found: Reference[] = [];
  for (let i = content.indexOf('@'); i !== -1; i = content.indexOf('@', i)) {
    if (content[i + 1] === '@') {
      i += 2;
      continue;
    }
    const match = REFERENCE.exec(content.slice(i));
    if (match === null) {
      i += 1;
      continue;
    }
    found.push({ name: match[1]!, field: match[2], defaultValue: match[3] });
    i += match[0].length;
  }
  return found;
}

function inferType(ref: Reference): { type: string; constraints: string } {
  if (ref.field !== undefined) {
    return { type: 'nic', constraints: JSON.stringify({ ipv4static: true, ipv4dhcp: true, ipv4disable: false, parameters: ['dns1', 'dns2', 'domain', 'gateway', 'ipaddress', 'mac', 'netmask', 'vlanid'] }) };
  }
  if (/password/i.test(ref.name)) return { type: 'password', constraints: '{}' };
  return { type: 'string', constraints: '{}' };
}

/** The attributes one script refers to, in first-use order, with the first default seen. */
export function scriptAttributes(content: string): CustomAttribute[] {
  const byName = new Map<string, CustomAttribute>();
  for (const ref of references(content)) {
    const existing = byName.get(ref.name);
    if (existing === undefined) {
      byName.set(ref.name, { name: ref.name, value: ref.field !== undefined ? null : (ref.defaultValue ?? ''), ...inferType(ref), description: '' });
    } else if (ref.field === undefined && (existing.value === '' || existing.value === null) && ref.defaultValue !== undefined && existing.type !== 'nic') {
      existing.value = ref.defaultValue;
    }
  }
  return [...byName.values()];
}

/** The union of the step scripts' attributes in step order, with the plan's own entries laid over them. */
export function mergeAttributes(contents: string[], overrides: CustomAttribute[]): CustomAttribute[] {
  const merged = new Map<string, CustomAttribute>();
  for (const content of contents) {
    for (const attribute of scriptAttributes(content)) {
      const existing = merged.get(attribute.name);
      if (existing === undefined) merged.set(attribute.name, attribute);
      else if ((existing.value === '' || existing.value === null) && attribute.value !== '' && attribute.value !== null) existing.value = attribute.value;
    }
  }
  for (const own of overrides) {
    const existing = merged.get(own.name);
    merged.set(own.name, existing === undefined ? own : { ...existing, ...own, value: own.value ?? existing.value });
  }
  return [...merged.values()];
}
