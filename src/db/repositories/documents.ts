// Generic repository for document tables: (id, name, created, modified, version, doc JSON).
import type { Kysely } from 'kysely';
import { duplicateName, isUniqueViolation } from '../unique.js';
import type { DocumentRow, DocumentTableName, Schema } from '../schema.js';

export interface StoredDocument<T> {
  id: string;
  name: string;
  created: string;
  modified: string;
  version: number;
  doc: T;
}

export interface NewDocument<T> {
  id: string;
  name: string;
  created: string;
  doc: T;
}

export interface DocumentRepository<T> {
  get(id: string): Promise<StoredDocument<T> | undefined>;
  getByName(name: string): Promise<StoredDocument<T> | undefined>;
  list(): Promise<StoredDocument<T>[]>;
  /** Fails with a conflict AppError when the name is taken. */
  insert(document: NewDocument<T>): Promise<StoredDocument<T>>;
  /** Bumps `version`; fails with a conflict AppError when the new name is taken. */
  update(id: string, change: { name: string; modified: string; doc: T }): Promise<StoredDocument<T>>;
  /** Returns false when nothing had that id. */
  delete(id: string): Promise<boolean>;
  /** Documents whose indexed reference column (see ColumnsOf) equals `value`. */
  listWhere(column: string, value: string): Promise<StoredDocument<T>[]>;
}

export function fromRow<T>(row: DocumentRow): StoredDocument<T> {
  return { id: row.id, name: row.name, created: row.created, modified: row.modified, version: Number(row.version), doc: JSON.parse(row.doc) as T };
}

/** Extra indexed columns derived from a document (references that SQL must see). */
export type ColumnsOf<T> = (doc: T) => Record<string, string | null>;

// Seen through this alias, every document table has the common columns (plus any extras).
type DocumentDb = Kysely<Record<string, DocumentRow>>;

export class DocumentTable<T> implements DocumentRepository<T> {
  protected readonly db: DocumentDb;

  constructor(
    db: Kysely<Schema>,
    protected readonly table: DocumentTableName,
    protected readonly category: string,
    private readonly columnsOf: ColumnsOf<T> = () => ({}),
  ) {
    this.db = db as unknown as DocumentDb;
  }

  async get(id: string): Promise<StoredDocument<T> | undefined> {
    const row = await this.db.selectFrom(this.table).selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : fromRow<T>(row);
  }

  async getByName(name: string): Promise<StoredDocument<T> | undefined> {
    const row = await this.db.selectFrom(this.table).selectAll().where('name', '=', name).executeTakeFirst();
    return row === undefined ? undefined : fromRow<T>(row);
  }

  async list(): Promise<StoredDocument<T>[]> {
    const rows = await this.db.selectFrom(this.table).selectAll().orderBy('created').orderBy('id').execute();
    return rows.map((r) => fromRow<T>(r));
  }

  async insert(document: NewDocument<T>): Promise<StoredDocument<T>> {
    const row: DocumentRow = { ...document, modified: document.created, version: 1, doc: JSON.stringify(document.doc) };
    try {
      await this.db.insertInto(this.table).values({ ...row, ...this.columnsOf(document.doc) }).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateName(this.category, document.name, error);
      throw error;
    }
    return fromRow<T>(row);
  }

  async update(id: string, change: { name: string; modified: string; doc: T }): Promise<StoredDocument<T>> {
    try {
      const row = await this.db
        .updateTable(this.table)
        .set((eb) => ({
          ...this.columnsOf(change.doc),
          name: change.name,
          modified: change.modified,
          doc: JSON.stringify(change.doc),
          version: eb('version', '+', 1),
        }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      return fromRow<T>(row);
    } catch (error) {
      if (isUniqueViolation(error)) throw duplicateName(this.category, change.name, error);
      throw error;
    }
  }

  async listWhere(column: string, value: string): Promise<StoredDocument<T>[]> {
    const rows = await this.db.selectFrom(this.table).selectAll().where(column as 'id', '=', value).orderBy('created').execute();
    return rows.map((r) => fromRow<T>(r));
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom(this.table).where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
