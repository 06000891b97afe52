// The Store: every repository over one Kysely connection, and transactions that hand out the same
// repositories bound to the transaction. Domain code sees only this face, never SQL.
import type { Kysely } from 'kysely';
import { BuildPlanStepTable } from './repositories/build-plan-steps.js';
import { DeploymentPlanTable, type DeploymentPlanRefs } from './repositories/deployment-plans.js';
import { DocumentTable, type DocumentRepository } from './repositories/documents.js';
import { MetaTable, TaskDocuments, TaskTable, type TaskDocumentShape } from './repositories/tasks.js';
import { SessionTable, UserTable } from './repositories/users.js';
import type { Schema } from './schema.js';

export type PlainDocumentKind = 'plan-scripts' | 'build-plans' | 'deployment-groups';

const plainTables = {
  'plan-scripts': 'plan_scripts',
  'build-plans': 'build_plans',
  'deployment-groups': 'deployment_groups',
} as const;

export class Store {
  readonly users: UserTable;
  readonly sessions: SessionTable;
  readonly tasks: TaskTable;
  readonly meta: MetaTable;
  readonly buildPlanSteps: BuildPlanStepTable;

  constructor(
    private readonly db: Kysely<Schema>,
    private readonly inTransaction = false,
  ) {
    this.users = new UserTable(db);
    this.sessions = new SessionTable(db);
    this.tasks = new TaskTable(db);
    this.meta = new MetaTable(db);
    this.buildPlanSteps = new BuildPlanStepTable(db);
  }

  /** A typed view of a document table; `T` is the domain's document type (stored as JSON). */
  documents<T>(kind: PlainDocumentKind): DocumentRepository<T> {
    return new DocumentTable<T>(this.db, plainTables[kind], kind);
  }

  /** Whole task documents for the task engine; `activeStates` are the states a restart must end. */
  taskDocuments<T extends TaskDocumentShape>(activeStates: readonly string[]): TaskDocuments<T> {
    return new TaskDocuments<T>(this.db, activeStates);
  }

  deploymentPlans<T extends DeploymentPlanRefs>(): DeploymentPlanTable<T> {
    return new DeploymentPlanTable<T>(this.db);
  }

  /**
   * Runs `fn` in one transaction: every change it makes through the given Store commits together or not at
   * all. Nested calls join the outer transaction.
   */
  async transaction<R>(fn: (tx: Store) => Promise<R>): Promise<R> {
    if (this.inTransaction) return fn(this);
    return this.db.transaction().execute((trx) => fn(new Store(trx, true)));
  }

  async close(): Promise<void> {
    if (!this.inTransaction) await this.db.destroy();
  }
}
