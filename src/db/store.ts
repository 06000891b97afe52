// The Store: every repository over one Kysely connection, and transactions that hand out the same
// repositories bound to the transaction. Domain code sees only this face, never SQL.
import type { Kysely } from 'kysely';
import { BuildPlanStepTable } from './repositories/build-plan-steps.js';
import { BundleTable } from './repositories/bundles.js';
import { DeploymentPlanTable, type DeploymentPlanRefs } from './repositories/deployment-plans.js';
import { DocumentTable, type DocumentRepository } from './repositories/documents.js';
import { MetaTable, TaskDocuments, TaskTable, type TaskDocumentShape } from './repositories/tasks.js';
import { SessionTable, UserTable } from './repositories/users.js';
import type { Schema } from './schema.js';

export type PlainDocumentKind = 'plan-scripts' | 'build-plans' | 'deployment-groups' | 'server-hardware' | 'golden-images';

const plainTables = {
  'plan-scripts': 'plan_scripts',
  'build-plans': 'build_plans',
  'deployment-groups': 'deployment_groups',
  'server-hardware': 'server_hardware',
  'golden-images': 'golden_images',
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

  /** Server profile templates; `columns` derives the indexed reference columns from a document. */
  serverProfileTemplates<T>(columns: (doc: T) => { deployment_plan_id: string | null }): DocumentRepository<T> {
    return new DocumentTable<T>(this.db, 'server_profile_templates', 'server-profile-templates', columns);
  }

  /** Server profiles; at most one per compute module (unique server_hardware_id). */
  serverProfiles<T>(columns: (doc: T) => { deployment_plan_id: string | null; template_id: string | null; server_hardware_id: string | null }): DocumentRepository<T> {
    return new DocumentTable<T>(this.db, 'server_profiles', 'server-profiles', columns);
  }

  /** OS volumes, indexed by the golden image below them and the profile they belong to. */
  osVolumes<T>(columns: (doc: T) => { golden_image_id: string | null; server_profile_id: string | null }): DocumentRepository<T> {
    return new DocumentTable<T>(this.db, 'os_volumes', 'os-volumes', columns);
  }

  /** Artifact bundle records (`bundles`) or the backup records (`backups`). */
  artifactBundles<T>(kind: 'bundles' | 'backups'): DocumentRepository<T> {
    return new BundleTable<T>(this.db, kind);
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
