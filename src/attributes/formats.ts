// Value formats the attribute types share: IPv4 addresses, netmasks, MAC addresses, host names, numbers.
// Each check returns a short cause ("has 5 parts") or undefined when the value is fine.

export function ipv4Problem(value: string): string | undefined {
  const parts = value.split('.');
  if (parts.length !== 4) return 'is not an IPv4 address (four numbers 0-255 separated by dots)';
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return 'is not an IPv4 address (four numbers 0-255 separated by dots)';
  }
  return undefined;
}

export function netmaskProblem(value: string): string | undefined {
  const problem = ipv4Problem(value);
  if (problem !== undefined) return problem.replace('an IPv4 address', 'a netmask');
  const bits = value.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  // A mask is ones then zeros: inverted, plus one, it is a power of two.
  const inverted = 0xffffffff - bits;
  return (inverted & (inverted + 1)) === 0 ? undefined : 'is not a netmask (ones then zeros, like 255.255.255.0)';
}

export function macProblem(value: string): string | undefined {
  return /^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/.test(value)
    ? undefined
    : 'is not a MAC address (six hex pairs like 00:1A:2B:3C:4D:5E)';
}

const LABEL = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** Reference §4.8: alphanumerics, `-` and `_`, not starting with `-` or `_`; no dots. */
export function hostnameProblem(value: string): string | undefined {
  if (value.includes('.')) return 'must not contain dots (a host name, not a fully qualified name)';
  if (value.length > 63) return 'is longer than 63 characters';
  return LABEL.test(value) ? undefined : 'may hold only letters, digits, "-" and "_", and must start with a letter or digit';
}

/** Reference §4.8: at least one dot; each label like a host name. */
export function fqdnProblem(value: string): string | undefined {
  if (!value.includes('.')) return 'is not a fully qualified name (it needs at least one dot)';
  if (value.length > 254) return 'is longer than 254 characters';
  for (const label of value.replace(/\.$/, '').split('.')) {
    if (label.length > 63) return `has a label longer than 63 characters ("${label.slice(0, 20)}…")`;
    if (!LABEL.test(label)) return 'may hold only letters, digits, "-", "_" and dots, each label starting with a letter or digit';
  }
  return undefined;
}

/** Host name or FQDN, for a NIC's `domain`. */
export function domainProblem(value: string): string | undefined {
  return value.includes('.') ? fqdnProblem(value) : hostnameProblem(value);
}

/** An integer or a decimal (reference §4.8), optionally signed. */
export function parseDecimal(value: string): number | undefined {
  return /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : undefined;
}

export function booleanProblem(value: string): string | undefined {
  return value === 'true' || value === 'false' ? undefined : 'must be "true" or "false"';
}
