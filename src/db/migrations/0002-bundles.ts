// Migration 2: artifact bundles and backups (records only; the zip files live in the data directory).
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
  await documentTable(db, 'artifact_bundles').execute();
  await documentTable(db, 'artifact_backups').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('artifact_backups').execute();
  await db.schema.dropTable('artifact_bundles').execute();
}
