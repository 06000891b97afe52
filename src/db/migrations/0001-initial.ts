// Migration 1: accounts, tasks and the artifact tables of the core (plan scripts, build plans, deployment plans).
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
  await db.schema
    .createTable('meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_name', 'text', (c) => c.notNull().unique())
    .addColumn('full_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('modified', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('last_used_ms', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('resource_uri', 'text')
    .addColumn('created', 'text', (c) => c.notNull())
    .addColumn('modified', 'text', (c) => c.notNull())
    .addColumn('doc', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tasks_state').on('tasks').column('state').execute();
  await documentTable(db, 'plan_scripts').execute();
  await documentTable(db, 'build_plans').execute();
  await db.schema
    .createTable('build_plan_steps')
    .addColumn('build_plan_id', 'text', (c) => c.notNull().references('build_plans.id').onDelete('cascade'))
    .addColumn('serial', 'integer', (c) => c.notNull())
    .addColumn('plan_script_id', 'text', (c) => c.notNull().references('plan_scripts.id'))
    .addPrimaryKeyConstraint('build_plan_steps_pk', ['build_plan_id', 'serial'])
    .execute();
  await db.schema.createIndex('build_plan_steps_script').on('build_plan_steps').column('plan_script_id').execute();
  await documentTable(db, 'deployment_plans')
    .addColumn('build_plan_id', 'text', (c) => c.notNull().references('build_plans.id'))
    .addColumn('golden_image_id', 'text')
    .execute();
  await db.schema.createIndex('deployment_plans_bp').on('deployment_plans').column('build_plan_id').execute();
  await documentTable(db, 'deployment_groups').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['deployment_groups', 'deployment_plans', 'build_plan_steps', 'build_plans', 'plan_scripts', 'tasks', 'sessions', 'users', 'meta']) {
    await db.schema.dropTable(t).execute();
  }
}
