// Migration 4: golden images and OS volumes (their bytes live in the volume store, not here).
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
  await documentTable(db, 'golden_images').execute();
  await documentTable(db, 'os_volumes')
    .addColumn('golden_image_id', 'text')
    .addColumn('server_profile_id', 'text')
    .execute();
  await db.schema.createIndex('os_volumes_gi').on('os_volumes').column('golden_image_id').execute();
  await db.schema.createIndex('os_volumes_profile').on('os_volumes').column('server_profile_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('os_volumes').execute();
  await db.schema.dropTable('golden_images').execute();
}
