// The deploy work behind server profiles: clone the golden image, personalize the clone with the build
// plan, export it over NBD and boot the compute module from it — and the reverse. Each part of the
// appliance it needs is a narrow port, so the flow reads top to bottom and tests can swap a part.
import { exportUri, type NbdEndpoint } from '../nbd/endpoint.js';
import { randomBytes } from 'node:crypto';
import { AppError, isAppError, toAppError } from '../core/errors.js';
import { idFromUri, type BuildPlans, type DeploymentPlan, type GoldenImages, type PlanScripts } from '../artifacts/index.js';
import type { CustomAttribute } from '../attributes/index.js';
import type { Disk } from '../storage/disk.js';
import type { TaskContext } from '../tasks/index.js';
import type { OsVolumes } from './os-volumes.js';
import type { Deployer, DeployRequest, HardwareRef } from './ports.js';

/** The volume store as the deployer uses it. */
export interface VolumeBackend {
  cloneVolume(imageId: string): Promise<string>;
  createEmptyVolume(sizeBytes: number): Promise<string>;
  openDisk(volumeId: string, options?: { readOnly?: boolean }): Promise<Disk>;
  deleteVolume(volumeId: string): Promise<void>;
}

/** Volumes served over the network (the NBD export registry). */
export interface VolumeExports {
  readonly endpoint: NbdEndpoint;
  /** Serves `disk` under `name`; the registry closes the disk when the export is removed. */
  add(name: string, disk: Disk): void;
  /** Stops serving `name` (closing its sessions and its disk); nothing when it is not served. */
  remove(name: string): Promise<void>;
}

export interface BootTarget {
  host: string;
  port: number;
  exportName: string;
}

/** Compute modules as the deployer drives them. */
export interface ComputeModules {
  /** Sets the module to boot from the export and powers it on (off first when it runs). */
  boot(hardwareId: string, target: BootTarget, signal?: AbortSignal): Promise<void>;
  powerOff(hardwareId: string): Promise<void>;
}

export interface PersonalizeStep {
  name: string;
  content: string;
}

export interface PersonalizeFailure {
  step: string;
  line: number;
  command: string;
  cause: string;
}

/** Runs a build plan's scripts on a disk (the plan-script engine); failures are results, not throws. */
export type Personalize = (
  disk: Disk,
  run: { steps: PersonalizeStep[]; values: Record<string, string>; attributes: CustomAttribute[]; signal: AbortSignal; log: (line: string) => void },
) => Promise<{ ok: boolean; failure?: PersonalizeFailure }>;

export interface DeployerParts {
  planScripts: PlanScripts;
  buildPlans: BuildPlans;
  goldenImages: GoldenImages;
  osVolumes: OsVolumes;
  volumes: VolumeBackend;
  exports: VolumeExports;
  modules: ComputeModules;
  personalize: Personalize;
}

const MiB = 1024 * 1024;

/** A build plan's plan scripts in step order, as the engine runs them. */
export async function buildPlanSteps(artifacts: { planScripts: PlanScripts; buildPlans: BuildPlans }, buildPlanId: string): Promise<PersonalizeStep[]> {
  const buildPlan = await artifacts.buildPlans.get(buildPlanId);
  const ordered = [...buildPlan.buildStep].sort((a, b) => Number(a.serialNumber) - Number(b.serialNumber));
  const steps: PersonalizeStep[] = [];
  for (const step of ordered) {
    const script = await artifacts.planScripts.get(idFromUri(step.planScriptUri, 'plan-scripts') ?? step.planScriptUri);
    steps.push({ name: script.name, content: script.content });
  }
  return steps;
}

/** An unguessable NBD export name: only holders of the OS volume record learn it. */
export function newExportName(): string {
  return `osvol-${randomBytes(16).toString('hex')}`;
}

export class VolumeDeployer implements Deployer {
  constructor(private readonly p: DeployerParts) {}

  async deploy(context: TaskContext, request: DeployRequest): Promise<{ osVolumeUri: string }> {
    const { plan, profile } = request;
    await context.step('Validate attributes');
    const steps = await this.steps(plan);
    const attributes = plan.customAttributes;
    context.output(`Deploying "${plan.name}" for server profile "${profile.name}"`);

    if (request.previousVolumeUri !== null && request.hardware !== null) {
      await this.p.modules.powerOff(request.hardware.id);
      context.output(`Powered off compute module "${request.hardware.name}" for the redeploy`);
    }

    await context.step('Clone golden image');
    const made = await this.makeVolume(plan);
    const exportName = newExportName();
    let record: Awaited<ReturnType<OsVolumes['record']>> | undefined;
    let disk: Disk | undefined;
    let exported = false;
    const log: string[] = [];
    const note = (line: string): void => {
      log.push(line);
      context.output(line);
    };
    try {
      record = await this.p.osVolumes.record({
        description: `OS volume of server profile "${profile.name}"`,
        storageId: made.volumeId,
        sizeBytes: made.sizeBytes,
        goldenImageId: made.goldenImageId,
        serverProfileId: profile.id,
        serverProfileName: profile.name,
        deploymentPlanId: plan.id,
        exportName,
        log: [`${new Date().toISOString()} Cloned ${made.from}`],
      });
      context.setResource({ uri: profile.uri, name: profile.name, category: 'server-profiles' });
      await context.progress(25, `Created ${record.name} from ${made.from}`);

      await context.step('Personalize');
      disk = await this.p.volumes.openDisk(made.volumeId);
      if (steps.length > 0) {
        const result = await this.p.personalize(disk, { steps, values: request.attributes, attributes, signal: context.signal, log: note });
        if (!result.ok) {
          const f = result.failure;
          const where = f === undefined ? '' : ` (plan script "${f.step}", line ${f.line}: ${f.command})`;
          throw new AppError('invalid', 'PERSONALIZE_FAILED', `Cannot personalize ${record.name}${where}: ${f?.cause ?? 'the build plan failed'}`, {
            recommendedActions: ['Read the log in this task\'s output, correct the plan script or the attribute values, and apply the profile again'],
            data: f === undefined ? {} : { ...f },
          });
        }
      }
      await disk.flush();
      await this.p.osVolumes.appendLog(record.id, log);
      await context.progress(60, `Personalized ${record.name} with build plan "${plan.oeBuildPlanName}"`);

      await context.step('Export volume');
      this.p.exports.add(exportName, disk);
      exported = true;
      disk = undefined;
      const { host, port } = this.p.exports.endpoint;
      await context.progress(75, `Exported ${record.name} at ${exportUri(this.p.exports.endpoint, '<export name>')}`);

      await context.step('Boot compute module');
      if (request.hardware !== null) {
        const tls = this.p.exports.endpoint.tls;
        const target = { host, port, exportName, ...(tls?.mode === 'require' ? { tls: { caDir: tls.caDir } } : {}) };
        await this.p.modules.boot(request.hardware.id, target, context.signal);
        await context.progress(95, `Compute module "${request.hardware.name}" boots from ${record.name}`);
      } else {
        context.output('No compute module assigned: the volume is ready and exported');
      }
    } catch (error) {
      await this.discard({ record, volumeId: made.volumeId, exportName: exported ? exportName : undefined, disk });
      throw isAppError(error) ? error : toAppError(error, 'DEPLOY_FAILED');
    }

    if (request.previousVolumeUri !== null) await this.removeVolume(request.previousVolumeUri, context);
    return { osVolumeUri: record.uri };
  }

  async undeploy(context: TaskContext, request: { hardware: HardwareRef | null; osVolumeUri: string | null }): Promise<void> {
    if (request.hardware !== null) {
      await context.progress(10, `Powering off compute module "${request.hardware.name}"`);
      await this.p.modules.powerOff(request.hardware.id);
    }
    if (request.osVolumeUri !== null) await this.removeVolume(request.osVolumeUri, context);
  }

  private async steps(plan: DeploymentPlan): Promise<PersonalizeStep[]> {
    const buildPlanId = idFromUri(plan.oeBuildPlanURI, 'build-plans');
    if (buildPlanId === undefined) throw new AppError('invalid', 'DEPLOYMENT_PLAN_NO_BUILD_PLAN', `Cannot deploy "${plan.name}": it names no OS build plan`);
    return buildPlanSteps(this.p, buildPlanId);
  }

  private async makeVolume(plan: DeploymentPlan): Promise<{ volumeId: string; sizeBytes: number; goldenImageId: string | null; from: string }> {
    const goldenId = plan.goldenImageURI === null ? undefined : idFromUri(plan.goldenImageURI, 'golden-images');
    if (goldenId !== undefined) {
      const image = await this.p.goldenImages.stored(goldenId);
      const volumeId = await this.p.volumes.cloneVolume(image.doc.storageId);
      return { volumeId, sizeBytes: image.doc.size, goldenImageId: image.id, from: `golden image "${image.name}"` };
    }
    const sizeText = plan.customAttributes.find((a) => a.name === 'VolumeSize')?.value ?? '';
    const sizeMiB = Number(sizeText);
    if (!Number.isInteger(sizeMiB) || sizeMiB <= 0) {
      throw new AppError('invalid', 'DEPLOYMENT_PLAN_NO_VOLUME_SIZE', `Cannot deploy "${plan.name}": it has no golden image and no VolumeSize attribute (MiB) for an empty volume`, {
        recommendedActions: ['Give the deployment plan a golden image, or a VolumeSize attribute with the size of the empty volume in MiB'],
      });
    }
    const volumeId = await this.p.volumes.createEmptyVolume(sizeMiB * MiB);
    return { volumeId, sizeBytes: sizeMiB * MiB, goldenImageId: null, from: `an empty volume of ${sizeMiB} MiB` };
  }

  /** Removes whatever a failed deploy made: nothing half-made stays behind. */
  private async discard(made: { record: { id: string } | undefined; volumeId: string; exportName: string | undefined; disk: Disk | undefined }): Promise<void> {
    if (made.exportName !== undefined) await this.p.exports.remove(made.exportName).catch(() => undefined);
    if (made.disk !== undefined) await made.disk.close().catch(() => undefined);
    await this.p.volumes.deleteVolume(made.volumeId).catch(() => undefined);
    if (made.record !== undefined) await this.p.osVolumes.remove(made.record.id).catch(() => undefined);
  }

  private async removeVolume(osVolumeUri: string, context: TaskContext): Promise<void> {
    const id = idFromUri(osVolumeUri, 'os-volumes');
    if (id === undefined) return;
    const volume = await this.p.osVolumes.stored(id).catch(() => undefined);
    if (volume === undefined) return;
    await this.p.exports.remove(volume.doc.exportName);
    await this.p.volumes.deleteVolume(volume.doc.storageId);
    await this.p.osVolumes.remove(volume.id);
    context.output(`Removed ${volume.name}`);
  }
}

/**
 * Makes the running state match the records after a start: every recorded OS volume is exported again;
 * volumes the store holds with no record (a deploy cut short by a restart) are deleted. Returns what it did.
 */
export async function reconcileVolumes(
  parts: Pick<DeployerParts, 'osVolumes' | 'volumes' | 'exports'> & {
    /** Every volume id the store holds (golden images excluded). */
    storedVolumeIds: () => Promise<string[]>;
    /** OS volume uris the server profiles point at. */
    referencedVolumeUris: () => Promise<Set<string>>;
  },
): Promise<{ exported: number; orphansDeleted: string[] }> {
  const referenced = await parts.referencedVolumeUris();
  const orphansDeleted: string[] = [];
  const records = [];
  for (const record of await parts.osVolumes.records()) {
    if (record.doc.serverProfileId === null || referenced.has(`/rest/os-volumes/${record.id}`)) {
      records.push(record);
      continue;
    }
    await parts.osVolumes.remove(record.id);
    orphansDeleted.push(record.doc.storageId);
  }
  const known = new Set(records.map((r) => r.doc.storageId));
  let exported = 0;
  for (const record of records) {
    const disk = await parts.volumes.openDisk(record.doc.storageId).catch(() => undefined);
    if (disk === undefined) continue;
    parts.exports.add(record.doc.exportName, disk);
    exported++;
  }
  for (const id of await parts.storedVolumeIds()) {
    if (known.has(id)) continue;
    await parts.volumes.deleteVolume(id);
    if (!orphansDeleted.includes(id)) orphansDeleted.push(id);
  }
  return { exported, orphansDeleted };
}
