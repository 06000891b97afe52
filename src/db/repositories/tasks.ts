// Persisted tasks: the JSON document plus state and resource columns for queries.
import type { Kysely } from 'kysely';
import type { Schema, TaskRow } from '../schema.js';

export class TaskTable {
  constructor(private readonly db: Kysely<Schema>) {}

  async upsert(row: TaskRow): Promise<void> {
    await this.db
      .insertInto('tasks')
      .values(row)
      .onConflict((oc) => oc.column('id').doUpdateSet({ name: row.name, state: row.state, resource_uri: row.resource_uri, modified: row.modified, doc: row.doc }))
      .execute();
  }

  get(id: string): Promise<TaskRow | undefined> {
    return this.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  list(): Promise<TaskRow[]> {
    return this.db.selectFrom('tasks').selectAll().orderBy('created', 'desc').orderBy('id').execute();
  }

  listInStates(states: readonly string[]): Promise<TaskRow[]> {
    return this.db.selectFrom('tasks').selectAll().where('state', 'in', states).execute();
  }
}

export class MetaTable {
  constructor(private readonly db: Kysely<Schema>) {}

  async get(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async set(key: string, value: string): Promise<void> {
    await this.db.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
  }
}

/** The fields of a task document SQL needs to see; the rest is stored as JSON. */
export interface TaskDocumentShape {
  id: string;
  name: string;
  taskState: string;
  associatedResource: { resourceUri: string | null };
  created: string;
  modified: string;
}

/** Stores whole task documents (the task engine's repository interface) in the tasks table. */
export class TaskDocuments<T extends TaskDocumentShape> {
  private readonly table: TaskTable;

  constructor(
    db: Kysely<Schema>,
    private readonly activeStates: readonly string[],
  ) {
    this.table = new TaskTable(db);
  }

  async save(task: T): Promise<void> {
    await this.table.upsert({
      id: task.id,
      name: task.name,
      state: task.taskState,
      resource_uri: task.associatedResource.resourceUri,
      created: task.created,
      modified: task.modified,
      doc: JSON.stringify(task),
    });
  }

  async get(id: string): Promise<T | undefined> {
    const row = await this.table.get(id);
    return row === undefined ? undefined : (JSON.parse(row.doc) as T);
  }

  async list(): Promise<T[]> {
    return (await this.table.list()).map((r) => JSON.parse(r.doc) as T);
  }

  async listActive(): Promise<T[]> {
    return (await this.table.listInStates(this.activeStates)).map((r) => JSON.parse(r.doc) as T);
  }
}
