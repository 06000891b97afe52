// The composition root: builds every part of one appliance over a data directory, wires them, and
// starts/stops the servers. `main.ts` (the `streamer` command) and the tests both use it.
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { Accounts } from './accounts/index.js';
import { createApp } from './api/app.js';
import { registerApplianceRoutes } from './api/routes/appliance.js';
import { registerArtifactRoutes } from './api/routes/artifacts.js';
import { registerBundleRoutes } from './api/routes/bundles.js';
import { emptyCatalog, registerStorageRoutes } from './api/routes/storage.js';
import { registerTaskRoutes } from './api/routes/tasks.js';
import { registerViewRoutes } from './api/routes/views.js';
import { listen, loadOrCreateCertificate, type HttpServerHandle } from './api/server.js';
import { loadDemoArtifacts } from './artifacts/demo.js';
import { BuildPlans, DeploymentGroups, DeploymentPlans, OneViewViews, PlanScripts, type GoldenImageLookup } from './artifacts/index.js';
import { newResourceId } from './core/ids.js';
import { isoNow } from './core/time.js';
import { createBundleServices, type BundleServices } from './bundles/index.js';
import { openSqliteStore, type Store } from './db/index.js';
import { TaskEngine, activeStates, type Task } from './tasks/index.js';
import { registerUi } from './ui/index.js';

export const VERSION = '0.1.0';

export interface ApplianceOptions {
  dataDir: string;
  logger?: Logger;
  /** Password for the first administrator; generated (and returned once) when absent. */
  adminPassword?: string;
  idleTimeoutMs?: number;
  /** Concurrency limits per task queue (e.g. { deploy: 8 }). */
  taskLimits?: Record<string, number>;
  jsonLimitBytes?: number;
  /** Load demo artifacts when the appliance has none. */
  demo?: boolean;
}

export interface Appliance {
  readonly app: ReturnType<typeof createApp>['app'];
  readonly store: Store;
  readonly tasks: TaskEngine;
  readonly accounts: Accounts;
  readonly planScripts: PlanScripts;
  readonly buildPlans: BuildPlans;
  readonly deploymentPlans: DeploymentPlans;
  readonly deploymentGroups: DeploymentGroups;
  readonly bundles: BundleServices;
  readonly logger: Logger;
  /** Set when this start created the first administrator with a generated password. */
  readonly generatedAdminPassword: string | undefined;
  /** Tasks a previous process left running, ended as Error at this start. */
  readonly recoveredTasks: Task[];
  close(): Promise<void>;
}

const noGoldenImages: GoldenImageLookup = { find: () => Promise.resolve(undefined) };

export async function createAppliance(options: ApplianceOptions): Promise<Appliance> {
  const logger = options.logger ?? pino({ level: 'info' });
  await mkdir(options.dataDir, { recursive: true });
  const store = await openSqliteStore(join(options.dataDir, 'streamer.db'));

  const tasks = new TaskEngine({
    repository: store.taskDocuments<Task>(activeStates),
    limits: options.taskLimits ?? {},
    onError: (error, task) => logger.error({ err: error, task: task.id }, 'task bookkeeping failed'),
  });
  const recoveredTasks = await tasks.recover();
  for (const task of recoveredTasks) logger.warn({ task: task.id, name: task.name }, 'task interrupted by restart marked Error');

  const accounts = new Accounts(store, options.idleTimeoutMs ?? 24 * 3600 * 1000);
  const admin = await accounts.ensureAdministrator(options.adminPassword);

  let applianceId = await store.meta.get('appliance.id');
  if (applianceId === undefined) {
    applianceId = newResourceId();
    await store.meta.set('appliance.id', applianceId);
    await store.meta.set('appliance.created', isoNow());
  }
  const identity = { id: applianceId, name: `Streamer ${hostname()}`, address: '127.0.0.1', created: (await store.meta.get('appliance.created')) ?? isoNow() };

  const planScripts = new PlanScripts(store);
  const buildPlans = new BuildPlans(store);
  const deploymentPlanUsage = { usersOf: () => Promise.resolve({ serverProfiles: [], serverProfileTemplates: [] }) };
  const deploymentPlans = new DeploymentPlans(store, noGoldenImages, deploymentPlanUsage);
  const deploymentGroups = new DeploymentGroups(store);
  await deploymentGroups.ensureDefault();
  const bundles = createBundleServices({
    store,
    tasks,
    dataDir: options.dataDir,
    // Everything here reads through `s`: an extract runs in one SQLite transaction.
    artifactsOver: (s) => ({ planScripts: new PlanScripts(s), buildPlans: new BuildPlans(s), deploymentPlans: new DeploymentPlans(s, noGoldenImages, deploymentPlanUsage) }),
    goldenImages: undefined,
    deploymentGroups: { get: (id) => deploymentGroups.get(id) },
  });
  const oneView = new OneViewViews(deploymentPlans, identity);
  if (options.demo === true && (await loadDemoArtifacts({ planScripts, buildPlans, deploymentPlans }))) logger.info('demo artifacts loaded');

  const { app } = createApp({
    logger,
    version: VERSION,
    authenticate: (sessionId) => accounts.authenticate(sessionId),
    jsonLimitBytes: options.jsonLimitBytes ?? 8 * 1024 * 1024,
    extra: (app) => registerUi(app),
    register: (router) => {
      registerApplianceRoutes(router, { accounts, tasks });
      registerTaskRoutes(router, tasks);
      registerArtifactRoutes(router, { planScripts, buildPlans, deploymentPlans, tasks });
      registerViewRoutes(router, { deploymentGroups, oneView });
      registerBundleRoutes(router, { ...bundles, tasks });
      registerStorageRoutes(router, emptyCatalog);
    },
  });

  return {
    app,
    store,
    tasks,
    accounts,
    planScripts,
    buildPlans,
    deploymentPlans,
    deploymentGroups,
    bundles,
    logger,
    generatedAdminPassword: admin?.generatedPassword,
    recoveredTasks,
    async close() {
      await tasks.close();
      await store.close();
    },
  };
}

export interface ServeOptions extends ApplianceOptions {
  host: string;
  port: number;
  http: boolean;
}

export interface RunningAppliance {
  appliance: Appliance;
  server: HttpServerHandle;
  stop(): Promise<void>;
}

export async function serveAppliance(options: ServeOptions): Promise<RunningAppliance> {
  const appliance = await createAppliance(options);
  const tls = options.http ? undefined : await loadOrCreateCertificate(options.dataDir, ['localhost', '127.0.0.1', hostname()]);
  const server = await listen(appliance.app, { host: options.host, port: options.port, ...(tls === undefined ? {} : { tls }) });
  return {
    appliance,
    server,
    async stop() {
      await server.close();
      await appliance.close();
    },
  };
}
