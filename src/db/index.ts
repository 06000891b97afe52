// Persistence: the Store (repositories + transactions) over SQLite today, PostgreSQL through the same Kysely code.
import { migrate, openSqlite } from './connection.js';
import { Store } from './store.js';

export { Store, type PlainDocumentKind } from './store.js';
export type { DocumentRepository, StoredDocument, NewDocument } from './repositories/documents.js';
export type { DeploymentPlanRefs } from './repositories/deployment-plans.js';
export type { UserRow, SessionRow, TaskRow } from './schema.js';

/** Opens (creating if needed) and migrates the SQLite database at `path`. */
export async function openSqliteStore(path: string): Promise<Store> {
  const db = openSqlite(path);
  await migrate(db);
  return new Store(db);
}
