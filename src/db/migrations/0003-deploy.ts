// Migration 3: compute modules, server profile templates and server profiles.
import type { Kysely } from 'kysely';

function documentTable(db: Kysely<unknown>, name: string) {
  return db.schema
    .createTable(name)
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('modified', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('doc', 'text', (c) => c.notNull());
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await documentTable(db, 'server_hardware').execute();
  await documentTable(db, 'server_profile_templates')
    .addColumn('deployment_plan_id', 'text')
    .execute();
  await documentTable(db, 'server_profiles')
    .addColumn('deployment_plan_id', 'text')
    .addColumn('template_id', 'text')
    // One profile per compute module at a time.
    .addColumn('server_hardware_id', 'text', (c) => c.unique())
    .execute();
  await db.schema.createIndex('server_profiles_dp').on('server_profiles').column('deployment_plan_id').execute();
  await db.schema.createIndex('server_profile_templates_dp').on('server_profile_templates').column('deployment_plan_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['server_profiles', 'server_profile_templates', 'server_hardware']) await db.schema.dropTable(t).execute();
}
