// Image Streamer's roles and what each may do. Areas group REST categories; every route names its area.

export const roles = ['Infrastructure administrator', 'Software administrator', 'Server administrator', 'Read only'] as const;
export type Role = (typeof roles)[number];

/**
 * - `artifacts`: plan scripts, build plans, deployment plans, golden images, bundles and backups.
 * - `profiles`: server profiles and templates, compute modules (power, console), deployments.
 * - `appliance`: users, deployment servers and groups, appliance settings.
 */
export type Area = 'artifacts' | 'profiles' | 'appliance';
export type Action = 'read' | 'write';

const writable: Record<Role, readonly Area[]> = {
  'Infrastructure administrator': ['artifacts', 'profiles', 'appliance'],
  'Software administrator': ['artifacts'],
  'Server administrator': ['profiles'],
  'Read only': [],
};

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

/** Every role may read everything; writing depends on the area. */
export function may(role: Role, area: Area, action: Action): boolean {
  return action === 'read' || writable[role].includes(area);
}
