// The composition root: builds every part of one appliance over a data directory, wires them, and
// starts/stops the servers. `main.ts` (the `streamer` command) and the tests both use it.
import { chmod, lstat, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import pino, { type Logger } from 'pino';
import { Accounts } from './accounts/index.js';
import { createApp } from './api/app.js';
import { registerApplianceRoutes } from './api/routes/appliance.js';
import { registerArtifactRoutes } from './api/routes/artifacts.js';
import { registerBundleRoutes } from './api/routes/bundles.js';
import { registerComputeModuleRoutes } from './api/routes/compute-modules.js';
import { registerGoldenImageRoutes } from './api/routes/golden-images.js';
import { registerOsVolumeRoutes } from './api/routes/os-volumes.js';
import { registerPreviewRoutes } from './api/routes/preview.js';
import { registerProfileRoutes } from './api/routes/profiles.js';
import { registerTaskRoutes } from './api/routes/tasks.js';
import { registerViewRoutes } from './api/routes/views.js';
import { listen, loadOrCreateCertificate, type HttpServerHandle } from './api/server.js';
import { loadDemoArtifacts } from './artifacts/demo.js';
import { BuildPlans, DeploymentGroups, DeploymentPlans, GoldenImages, OneViewViews, PlanScripts, type DeploymentPlanUsage, type GoldenImageExports, type GoldenImageLookup } from './artifacts/index.js';
import { goldenImagePort } from './bundles/index.js';
import { ComputeModules, probeAccelerator, rememberAcceleratorIn } from './compute/index.js';
import { resolveAttributes } from './deploy/attribute-resolver.js';
import { Capture } from './deploy/capture.js';
import { VolumeDeployer, buildPlanSteps, reconcileVolumes, type VolumeExports } from './deploy/deployer.js';
import { OsVolumes } from './deploy/os-volumes.js';
import { planScriptPersonalizer } from './deploy/personalizer.js';
import { ServerProfileTemplates } from './deploy/server-profile-templates.js';
import { ServerProfiles } from './deploy/server-profiles.js';
import { ExtWorkerPool } from './guestfs/ext/index.js';
import { openGuestSession } from './guestfs/open-session.js';
import { ExportRegistry, startNbdServer, type ExportOptions, type NbdEndpoint, type NbdServer } from './nbd/index.js';
import { HostSandbox, type HostLimits } from './planscript/host.js';
import { fileMappingSupport, goldenImageBytes, openVolumeStore, type Disk, type VolumeStore } from './storage/index.js';
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
  /**
   * The NBD server OS volumes are exported from; `streamer serve` uses 0.0.0.0:10809. Without it (tests,
   * embedding) 127.0.0.1 on any free port. `advertise` is the address compute modules reach it on.
   */
  nbd?: {
    host: string;
    port: number;
    advertise?: string;
    /**
     * TLS with NBD_OPT_STARTTLS, with this certificate and key (PEM): offered or required. When required,
     * compute modules boot over TLS, verifying the certificate (written to tls/nbd-ca/ca-cert.pem).
     */
    tls?: { mode: 'allow' | 'require'; cert: string; key: string };
  };
  /**
   * Plan-script host commands: where each run's scratch directory is made (default the OS temp directory;
   * keep it outside `dataDir`) and the limits of one host command (default DEFAULT_HOST_LIMITS).
   */
  planScriptHost?: { scratchParent?: string; limits?: Partial<HostLimits> };
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
  readonly goldenImages: GoldenImages;
  readonly osVolumes: OsVolumes;
  readonly profiles: ServerProfiles;
  readonly templates: ServerProfileTemplates;
  readonly computeModules: ComputeModules;
  readonly volumeStore: VolumeStore;
  readonly nbd: NbdServer;
  /** Where clients reach the NBD server, and its TLS. */
  readonly nbdEndpoint: NbdEndpoint;
  readonly logger: Logger;
  /** Set when this start created the first administrator with a generated password. */
  readonly generatedAdminPassword: string | undefined;
  /** Tasks a previous process left running, ended as Error at this start. */
  readonly recoveredTasks: Task[];
  close(): Promise<void>;
}

/**
 * Exports that own their Disk: removing one closes its sessions, then the Disk. OS volumes are offered
 * read-write, golden images read-only; both under unguessable names that NBD_OPT_LIST does not show.
 */
function ownedExports(registry: ExportRegistry): { add(name: string, disk: Disk, options: ExportOptions): void; remove(name: string): Promise<boolean> } {
  const disks = new Map<string, Disk>();
  return {
    add(name, disk, options) {
      registry.add(name, disk, options);
      disks.set(name, disk);
    },
    async remove(name) {
      const had = await registry.remove(name);
      const disk = disks.get(name);
      disks.delete(name);
      await disk?.close();
      return had;
    },
  };
}

/** The NBD registry as the deployer sees it. */
function volumeExports(registry: ExportRegistry, endpoint: NbdEndpoint): VolumeExports {
  const owned = ownedExports(registry);
  return {
    endpoint,
    add: (name, disk) => owned.add(name, disk, { readOnly: false, flushIsGlobal: true, unlisted: true, description: 'Streamer OS volume' }),
    remove: async (name) => void (await owned.remove(name)),
  };
}

/** The NBD registry as golden images see it: each export holds the image open, read-only. */
function goldenImageExports(registry: ExportRegistry, endpoint: NbdEndpoint, volumes: VolumeStore): GoldenImageExports {
  const owned = ownedExports(registry);
  return {
    endpoint,
    async add(name, storageId) {
      const disk = await volumes.openDisk(storageId, { readOnly: true });
      try {
        owned.add(name, disk, { readOnly: true, unlisted: true, description: 'Streamer golden image' });
      } catch (error) {
        await disk.close();
        throw error;
      }
    },
    remove: (name) => owned.remove(name),
    has: (name) => registry.has(name),
  };
}

/** The NBD server without `nbd` options: loopback, any free port. */
const DEFAULT_NBD: NonNullable<ApplianceOptions['nbd']> = { host: '127.0.0.1', port: 0 };

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

  const volumeStore = await openVolumeStore(join(options.dataDir, 'volumes'));
  if (!fileMappingSupport.available) logger.warn({ reason: fileMappingSupport.reason }, 'NBD replies are copied out of the page cache (slower): the file-mapping addon is missing');
  // The data plane: OS volumes (read-write) and golden images (read-only) exported over NBD.
  const registry = new ExportRegistry();
  const nbdOptions = options.nbd ?? DEFAULT_NBD;
  const nbdTls = nbdOptions.tls;
  const nbd = await startNbdServer({ host: nbdOptions.host, port: nbdOptions.port, registry, ...(nbdTls === undefined ? {} : { tls: nbdTls }) });
  const endpoint: NbdEndpoint = { host: nbdOptions.advertise ?? (nbdOptions.host === '0.0.0.0' ? '127.0.0.1' : nbdOptions.host), port: nbd.port };
  if (nbdTls !== undefined) {
    // the layout QEMU's tls-creds-x509 and libnbd's tls-certificates read: what a client trusts the server by
    const caDir = join(options.dataDir, 'tls', 'nbd-ca');
    await mkdir(caDir, { recursive: true });
    await writeFile(join(caDir, 'ca-cert.pem'), nbdTls.cert);
    endpoint.tls = { mode: nbdTls.mode, caDir };
    if (nbdTls.mode === 'require' && !new X509Certificate(nbdTls.cert).ca) {
      logger.warn({ certificate: join(options.dataDir, 'tls', 'cert.pem') }, 'NBD requires TLS but the certificate is not marked as a CA (basicConstraints CA:TRUE): QEMU compute modules will refuse it; move tls/ away to have a new one made at the next start');
    }
  }
  const bytes = goldenImageBytes(volumeStore);
  const goldenImages = new GoldenImages(store, bytes, goldenImageExports(registry, endpoint, volumeStore));
  // Deployment plans find golden images through the same Store they read (a transaction's during extract).
  const goldenLookupOver = (s: Store): GoldenImageLookup => {
    const images = new GoldenImages(s, bytes);
    return { find: (idOrName, o) => images.find(idOrName, o) };
  };
  // Profiles and templates are made further down (they need deployment plans); used only when called.
  const deploymentPlanUsage: DeploymentPlanUsage = {
    async usersOf(id) {
      const ref = (x: { name: string; uri: string }) => ({ name: x.name, uri: x.uri });
      return { serverProfiles: (await profiles.usingPlan(id)).map(ref), serverProfileTemplates: (await templates.usingPlan(id)).map(ref) };
    },
  };
  const planScripts = new PlanScripts(store);
  const buildPlans = new BuildPlans(store);
  const deploymentPlans = new DeploymentPlans(store, goldenLookupOver(store), deploymentPlanUsage);
  const deploymentPlansUsing = async (goldenImageId: string): Promise<string[]> => {
    const ids = await store.deploymentPlans().usingGoldenImage(goldenImageId);
    return Promise.all(ids.map(async (d) => (await store.deploymentPlans().get(d))?.name ?? d));
  };
  const deploymentGroups = new DeploymentGroups(store);
  await deploymentGroups.ensureDefault();
  const bundles = createBundleServices({
    store,
    tasks,
    dataDir: options.dataDir,
    // Everything here reads through `s`: an extract runs in one SQLite transaction.
    artifactsOver: (s) => ({ planScripts: new PlanScripts(s), buildPlans: new BuildPlans(s), deploymentPlans: new DeploymentPlans(s, goldenLookupOver(s), deploymentPlanUsage) }),
    goldenImages: goldenImagePort(goldenImages, deploymentPlansUsing),
    deploymentGroups: { get: (id) => deploymentGroups.get(id) },
  });
  const oneView = new OneViewViews(deploymentPlans, identity);
  if (options.demo === true && (await loadDemoArtifacts({ planScripts, buildPlans, deploymentPlans }))) logger.info('demo artifacts loaded');

  // OS volumes, personalized by the plan-script engine.
  const exports = volumeExports(registry, endpoint);
  const osVolumes = new OsVolumes(store, endpoint, (id) => volumeStore.allocation(id));
  rememberAcceleratorIn(join(options.dataDir, 'accelerator.json'));
  const computeModules = new ComputeModules(store, join(options.dataDir, 'run'));
  const extPool = new ExtWorkerPool();
  const hostSandbox = new HostSandbox({ hiddenPaths: [resolve(options.dataDir)], warn: (message) => logger.warn(message) });
  // Every run's scratch directory is made in one of the appliance's own, which host commands (nobody) may
  // pass through but not list: a run's commands cannot find another run's files to read or change.
  const scratchRoot = await makeScratchRoot(options.planScriptHost?.scratchParent ?? tmpdir(), join(options.dataDir, 'scratch-root'));
  const personalize = planScriptPersonalizer({
    openSession: (disk) => openGuestSession(disk, { pool: extPool }),
    scratchParent: scratchRoot,
    // Host commands must not see the appliance's data (database, sessions, every volume).
    sandbox: hostSandbox,
    ...(options.planScriptHost?.limits === undefined ? {} : { hostLimits: options.planScriptHost.limits }),
    // what the native engine cannot do (a guest binary, XFS, LVM, NTFS…) goes to guestfish when installed
    guestfish: { tcg: async () => (await probeAccelerator()) === 'tcg', hiddenPaths: [resolve(options.dataDir)] },
  });
  const deployer = new VolumeDeployer({ planScripts, buildPlans, goldenImages, osVolumes, volumes: volumeStore, exports, modules: computeModules, personalize });
  const profiles: ServerProfiles = new ServerProfiles({
    store,
    tasks,
    deploymentPlans,
    hardware: computeModules,
    resolveAttributes,
    deployer,
    fromTemplate: (uri, input) => templates.fill(uri, input),
  });
  const templates: ServerProfileTemplates = new ServerProfileTemplates(store, deploymentPlans, () => profiles);
  const capture = new Capture({ tasks, planScripts, buildPlans, goldenImages, osVolumes, volumes: volumeStore, personalize });
  const interrupted = await profiles.recover();
  if (interrupted.length > 0) logger.warn({ profiles: interrupted }, 'server profiles whose task a restart cut short marked Critical');
  const referencedVolumeUris = async (): Promise<Set<string>> => new Set((await profiles.list()).flatMap((p) => (p.osDeploymentSettings.osVolumeUri === null ? [] : [p.osDeploymentSettings.osVolumeUri])));
  const reconciled = await reconcileVolumes({ osVolumes, volumes: volumeStore, exports, storedVolumeIds: () => Promise.resolve(volumeStore.listVolumes().map((v) => v.id)), referencedVolumeUris });
  if (reconciled.orphansDeleted.length > 0) logger.warn({ volumes: reconciled.orphansDeleted }, 'volumes left by an interrupted deploy or capture deleted');
  logger.info({ nbd: `${endpoint.host}:${endpoint.port}`, exported: reconciled.exported }, 'OS volumes exported over NBD');
  const goldenExported = await goldenImages.exportAll();
  logger.info({ exported: goldenExported }, 'golden images exported read-only over NBD');

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
      registerGoldenImageRoutes(router, { goldenImages, tasks, deploymentPlansUsing, dataDir: options.dataDir, capture: (input, owner) => capture.start(input, owner) });
      registerOsVolumeRoutes(router, osVolumes);
      registerProfileRoutes(router, {
        profiles,
        templates,
        tasks,
        passwordAttributes: async (uri) => {
          const id = uri?.split('/').pop();
          const plan = id === undefined || id === '' ? undefined : await deploymentPlans.get(id).catch(() => undefined);
          return new Set((plan?.customAttributes ?? []).filter((a) => a.type === 'password').map((a) => a.name));
        },
      });
      registerComputeModuleRoutes(router, { modules: computeModules, tasks });
      registerPreviewRoutes(router, {
        deploymentPlans,
        goldenImages,
        volumes: volumeStore,
        personalize,
        steps: (buildPlanId) => buildPlanSteps({ planScripts, buildPlans }, buildPlanId),
        openSession: (disk) => openGuestSession(disk, { pool: extPool }),
      });
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
    goldenImages,
    osVolumes,
    profiles,
    templates,
    computeModules,
    volumeStore,
    nbd,
    nbdEndpoint: endpoint,
    logger,
    generatedAdminPassword: admin?.generatedPassword,
    recoveredTasks,
    async close() {
      await tasks.close();
      await computeModules.close();
      await nbd.close();
      await volumeStore.close();
      await extPool.close();
      await hostSandbox.close();
      await rm(scratchRoot, { recursive: true, force: true });
      await store.close();
    },
  };
}

/**
 * The directory every plan-script run's scratch directory is made in (mode 0711: host commands may pass
 * through, not list). Its path is kept in `record`, so that the next start removes what a crash left there.
 */
async function makeScratchRoot(parent: string, record: string): Promise<string> {
  const previous = (await readFile(record, 'utf8').catch(() => '')).trim();
  const st = previous === '' ? undefined : await lstat(previous).catch(() => undefined);
  if (st?.isDirectory() === true && st.uid === process.getuid?.() && basename(previous).startsWith('streamer-scratch-')) await rm(previous, { recursive: true, force: true });
  const root = await mkdtemp(join(parent, 'streamer-scratch-'));
  await chmod(root, 0o711);
  await writeFile(record, `${root}\n`);
  return root;
}

export interface ServeOptions extends ApplianceOptions {
  host: string;
  port: number;
  http: boolean;
  /**
   * TLS on the NBD server with the appliance's certificate (the HTTPS one): off, offered (clients choose) or
   * required. Default: offered with HTTPS, off with plain HTTP.
   */
  nbdTls?: 'off' | 'allow' | 'require';
}

export interface RunningAppliance {
  appliance: Appliance;
  server: HttpServerHandle;
  stop(): Promise<void>;
}

export async function serveAppliance(options: ServeOptions): Promise<RunningAppliance> {
  const nbdTls = options.nbdTls ?? (options.http ? 'off' : 'allow');
  const names = ['localhost', '127.0.0.1', hostname(), ...(options.nbd?.advertise === undefined ? [] : [options.nbd.advertise])];
  const certificate = options.http && nbdTls === 'off' ? undefined : await loadOrCreateCertificate(options.dataDir, names);
  const nbd = options.nbd ?? DEFAULT_NBD;
  const appliance = await createAppliance({
    ...options,
    nbd: certificate === undefined || nbdTls === 'off' ? nbd : { ...nbd, tls: { mode: nbdTls, ...certificate } },
  });
  const tls = options.http ? undefined : certificate;
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
