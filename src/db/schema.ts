// Table shapes as Kysely sees them. Artifacts are stored as JSON documents beside the few columns that SQL
// must see (names for uniqueness, references for "in use" checks); SQL lives only in this folder.


/** Columns every document table has. `doc` is the resource's JSON without the envelope columns. */
export interface DocumentRow {
  id: string;
  name: string;
  created: string;
  modified: string;
  version: number;
  doc: string;
}

export interface UserRow {
  id: string;
  user_name: string;
  full_name: string;
  email: string;
  role: string;
  password_hash: string;
  enabled: number;
  created: string;
  modified: string;
}

export interface SessionRow {
  id: string;
  user_id: string;
  created: string;
  last_used_ms: number;
}

export interface TaskRow {
  id: string;
  name: string;
  state: string;
  resource_uri: string | null;
  created: string;
  modified: string;
  doc: string;
}

export interface BuildPlanStepRow {
  build_plan_id: string;
  serial: number;
  plan_script_id: string;
}

export interface DeploymentPlanRow extends DocumentRow {
  build_plan_id: string;
  golden_image_id: string | null;
}

export interface MetaRow {
  key: string;
  value: string;
}

export interface Schema {
  meta: MetaRow;
  users: UserRow;
  sessions: SessionRow;
  tasks: TaskRow;
  plan_scripts: DocumentRow;
  build_plans: DocumentRow;
  build_plan_steps: BuildPlanStepRow;
  deployment_plans: DeploymentPlanRow;
  deployment_groups: DocumentRow;
  server_hardware: DocumentRow;
  golden_images: DocumentRow;
  artifact_bundles: DocumentRow;
  artifact_backups: DocumentRow;
  os_volumes: DocumentRow & { golden_image_id: string | null; server_profile_id: string | null };
  server_profile_templates: DocumentRow & { deployment_plan_id: string | null };
  server_profiles: DocumentRow & { deployment_plan_id: string | null; template_id: string | null; server_hardware_id: string | null };
}

/** Tables with the DocumentRow columns (some add indexed reference columns). */
export type DocumentTableName = 'plan_scripts' | 'build_plans' | 'deployment_plans' | 'deployment_groups' | 'server_hardware' | 'server_profile_templates' | 'server_profiles' | 'golden_images' | 'os_volumes' | 'artifact_bundles' | 'artifact_backups';
