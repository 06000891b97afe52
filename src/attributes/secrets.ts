// Keeping password values out of everything we show: API bodies, logs, error messages.
import type { AttributeValues } from './references.js';
import type { CustomAttribute } from './types.js';

/** What a set password looks like on output. An input equal to it means "keep the stored password". */
export const PASSWORD_MASK = '********';

/** The list with every non-empty password value replaced by PASSWORD_MASK; other values as they are. */
export function maskAttributes<T extends Pick<CustomAttribute, 'type' | 'value'>>(attributes: readonly T[]): T[] {
  return attributes.map((a) => (a.type === 'password' && a.value !== null && a.value !== '' ? { ...a, value: PASSWORD_MASK } : a));
}

/**
 * Takes incoming attributes and, where a password arrives as PASSWORD_MASK, puts back the stored value
 * of the same name (so a client that GETs then PUTs does not turn a password into asterisks).
 */
export function unmaskAttributes<T extends Pick<CustomAttribute, 'name' | 'type' | 'value'>>(incoming: readonly T[], stored: readonly Pick<CustomAttribute, 'name' | 'value'>[]): T[] {
  const before = new Map(stored.map((a) => [a.name, a.value]));
  return incoming.map((a) => (a.type === 'password' && a.value === PASSWORD_MASK && before.has(a.name) ? { ...a, value: before.get(a.name) ?? null } : a));
}

/** The password values in use (non-empty), longest first, for maskSecrets. */
export function secretValues(attributes: readonly Pick<CustomAttribute, 'name' | 'type'>[], values: AttributeValues): string[] {
  const secrets = new Set<string>();
  for (const a of attributes) {
    if (a.type !== 'password') continue;
    const v = Object.hasOwn(values, a.name) ? values[a.name] : undefined;
    if (typeof v === 'string' && v !== '') secrets.add(v);
  }
  return [...secrets].sort((x, y) => y.length - x.length);
}

/** The text with every occurrence of each secret replaced by PASSWORD_MASK (for log lines). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join(PASSWORD_MASK);
  return out;
}
