// The resources the CLI manages, one line each: command name → REST collection, the field that names a
// member, the columns of the human table, and which verbs the collection accepts.
export type Member = Record<string, unknown>;

export interface Column {
  header: string;
  /** A field path (`a.b`), or a function of the member. */
  value: string | ((member: Member) => unknown);
}

export interface ResourceSpec {
  /** Command name, e.g. `plan-scripts`. */
  name: string;
  /** REST collection path, e.g. `/rest/plan-scripts`. */
  path: string;
  /** One member in messages, e.g. `plan script`. */
  singular: string;
  /** The field that names a member (tasks have none: id only). */
  nameField: string | null;
  columns: Column[];
  /** Read-only collections get only `list` and `get`. */
  readOnly?: boolean;
  /** A shorter command name (`bundles`). */
  alias?: string;
}

const tail = (field: string) => (m: Member): unknown => {
  const v = m[field];
  return typeof v === 'string' ? v.slice(v.lastIndexOf('/') + 1) : v;
};
const count = (field: string) => (m: Member): unknown => (Array.isArray(m[field]) ? m[field].length : 0);
const name: Column = { header: 'NAME', value: 'name' };
const status: Column = { header: 'STATUS', value: 'status' };
const state: Column = { header: 'STATE', value: 'state' };
const modified: Column = { header: 'MODIFIED', value: 'modified' };

export const resources: ResourceSpec[] = [
  { name: 'plan-scripts', path: '/rest/plan-scripts', singular: 'plan script', nameField: 'name', columns: [name, { header: 'TYPE', value: 'planType' }, { header: 'READ-ONLY', value: 'hpProvided' }, status, modified] },
  { name: 'build-plans', path: '/rest/build-plans', singular: 'build plan', nameField: 'name', columns: [name, { header: 'TYPE', value: 'oeBuildPlanType' }, { header: 'STEPS', value: count('buildStep') }, { header: 'ATTRIBUTES', value: count('customAttributes') }, status, modified] },
  { name: 'deployment-plans', path: '/rest/deployment-plans', singular: 'deployment plan', nameField: 'name', columns: [name, { header: 'BUILD PLAN', value: 'oeBuildPlanName' }, { header: 'GOLDEN IMAGE', value: 'goldenImageName' }, status, modified] },
  { name: 'golden-images', path: '/rest/golden-images', singular: 'golden image', nameField: 'name', columns: [name, { header: 'SIZE', value: 'size' }, { header: 'CAPTURED', value: 'imageCapture' }, status, modified] },
  { name: 'os-volumes', path: '/rest/os-volumes', singular: 'OS volume', nameField: 'name', readOnly: true, columns: [name, { header: 'SIZE', value: 'size' }, { header: 'SERVER', value: tail('statelessServerUri') }, status, modified] },
  { name: 'deployment-groups', path: '/rest/deployment-groups', singular: 'deployment group', nameField: 'name', readOnly: true, columns: [name, { header: 'ID', value: 'id' }, status, modified] },
  { name: 'artifact-bundles', alias: 'bundles', path: '/rest/artifact-bundles', singular: 'artifact bundle', nameField: 'name', columns: [name, { header: 'ARTIFACTS', value: 'artifactsCount' }, { header: 'SIZE', value: 'size' }, status, modified] },
  { name: 'tasks', path: '/rest/tasks', singular: 'task', nameField: null, readOnly: true, columns: [{ header: 'ID', value: 'id' }, name, { header: 'STATE', value: 'taskState' }, { header: '%', value: 'percentComplete' }, { header: 'RESOURCE', value: 'associatedResource.resourceName' }, { header: 'OWNER', value: 'owner' }, modified] },
  { name: 'users', path: '/rest/users', singular: 'user', nameField: 'userName', columns: [{ header: 'USER', value: 'userName' }, { header: 'ROLE', value: 'role' }, { header: 'ENABLED', value: 'enabled' }, { header: 'FULL NAME', value: 'fullName' }, modified] },
  { name: 'server-profiles', path: '/rest/server-profiles', singular: 'server profile', nameField: 'name', columns: [name, state, status, { header: 'HARDWARE', value: tail('serverHardwareUri') }, { header: 'DEPLOYMENT PLAN', value: tail('osDeploymentSettings.osDeploymentPlanUri') }, modified] },
  { name: 'server-profile-templates', path: '/rest/server-profile-templates', singular: 'server profile template', nameField: 'name', columns: [name, { header: 'DEPLOYMENT PLAN', value: tail('osDeploymentSettings.osDeploymentPlanUri') }, status, modified] },
  { name: 'server-hardware', path: '/rest/server-hardware', singular: 'server hardware', nameField: 'name', columns: [name, { header: 'POWER', value: 'powerState' }, state, status, { header: 'MODEL', value: 'model' }, modified] },
];

export function fieldValue(member: Member, path: string): unknown {
  let value: unknown = member;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Member)[key];
  }
  return value;
}
