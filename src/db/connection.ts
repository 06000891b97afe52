// Opens the embedded SQLite database (WAL, foreign keys) as a Kysely instance and migrates it.
// A PostgreSQL back end is another Kysely dialect feeding the same repositories.
import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrations } from './migrations/index.js';
import type { Schema } from './schema.js';

export function openSqlite(path: string): Kysely<Schema> {
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
}

/** Applies every pending numbered migration; throws with the failing migration's name. */
export async function migrate(db: Kysely<Schema>): Promise<void> {
  // Migrations were numbered by parallel work (0002 landed after 0003 and 0004): a data directory made in
  // between has the later ones applied and must still take the earlier one.
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) }, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Cannot migrate the database: migration "${failed}" failed`, { cause: error });
  }
}
