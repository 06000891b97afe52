// Server profiles (reference §6): a compute module, a deployment plan and per-server values. Creating or
// changing the deployment settings deploys (a task on the "deploy" queue); deleting undeploys.
import { z } from 'zod';
import { AppError, conflict, invalid, notFound } from '../core/errors.js';
import { newResourceId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import { envelope, idFromUri, parseInput, resourceName, type DeploymentPlan, type DeploymentPlans, type Envelope } from '../artifacts/index.js';
import type { Store, StoredDocument } from '../db/index.js';
import type { Task, TaskEngine } from '../tasks/index.js';
import { deploymentSignature, normalizeSettings, osDeploymentSettingsInput, type OsDeploymentSettings } from './os-deployment-settings.js';
import type { AttributeResolver, Deployer, HardwareCatalog, HardwareRef } from './ports.js';

export interface ServerProfileDoc {
  description: string;
  serverHardwareId: string | null;
  templateId: string | null;
  osDeploymentSettings: OsDeploymentSettings;
  /** What the current OS volume was deployed from; equal signature → nothing to do (idempotent apply). */
  deployedSignature: string | null;
  state: 'Normal' | 'Creating' | 'Updating' | 'Deleting';
  status: 'OK' | 'Warning' | 'Critical';
  lastTaskUri: string | null;
}

export interface ServerProfile extends Envelope {
  description: string;
  serverHardwareUri: string | null;
  serverProfileTemplateUri: string | null;
  osDeploymentSettings: OsDeploymentSettings;
  taskUri: string | null;
}

export const serverProfileInput = z.object({
  type: z.string().optional(),
  name: resourceName,
  description: z.string().nullish(),
  serverHardwareUri: z.string().nullish(),
  serverProfileTemplateUri: z.string().nullish(),
  osDeploymentSettings: osDeploymentSettingsInput.nullish(),
});

const columns = (doc: ServerProfileDoc) => ({
  deployment_plan_id: doc.osDeploymentSettings.osDeploymentPlanUri === null ? null : (planId(doc.osDeploymentSettings.osDeploymentPlanUri) ?? null),
  template_id: doc.templateId,
  server_hardware_id: doc.serverHardwareId,
});

/** Deployment plans are named by OneView's `/rest/os-deployment-plans/<id>` or the I3S uri; same id. */
export function planId(uri: string): string | undefined {
  return idFromUri(uri, 'os-deployment-plans') ?? idFromUri(uri, 'deployment-plans');
}

export interface ServerProfileServices {
  store: Store;
  tasks: TaskEngine;
  deploymentPlans: DeploymentPlans;
  hardware: HardwareCatalog;
  resolveAttributes: AttributeResolver;
  deployer: Deployer;
  /** Fills a profile input from its template (osDeploymentSettings merged under the profile's own). */
  fromTemplate?: (templateUri: string, input: Record<string, unknown>) => Promise<Record<string, unknown>>;
}

export class ServerProfiles {
  constructor(private readonly s: ServerProfileServices) {}

  private get repo() {
    return this.s.store.serverProfiles<ServerProfileDoc>(columns);
  }

  present(stored: StoredDocument<ServerProfileDoc>): ServerProfile {
    const d = stored.doc;
    return {
      ...envelope(stored, { type: 'ServerProfileV12', category: 'server-profiles', state: d.state, status: d.status }),
      description: d.description,
      serverHardwareUri: d.serverHardwareId === null ? null : `/rest/server-hardware/${d.serverHardwareId}`,
      serverProfileTemplateUri: d.templateId === null ? null : `/rest/server-profile-templates/${d.templateId}`,
      osDeploymentSettings: d.osDeploymentSettings,
      taskUri: d.lastTaskUri,
    };
  }

  async stored(id: string): Promise<StoredDocument<ServerProfileDoc>> {
    const stored = await this.repo.get(id);
    if (stored === undefined) throw notFound('SERVER_PROFILE_NOT_FOUND', `Cannot find server profile "${id}"`, { recommendedActions: ['List server profiles with GET /rest/server-profiles'] });
    return stored;
  }

  async list(): Promise<ServerProfile[]> {
    return (await this.repo.list()).map((p) => this.present(p));
  }

  async get(id: string): Promise<ServerProfile> {
    return this.present(await this.stored(id));
  }

  /**
   * After a restart: profiles a cut-short task left Creating, Updating or Deleting go back to Normal with
   * status Critical (their task ended as Error); returns their names.
   */
  async recover(): Promise<string[]> {
    const names: string[] = [];
    for (const p of await this.repo.list()) {
      if (p.doc.state === 'Normal') continue;
      await this.patch(p.id, (doc) => ({ ...doc, state: 'Normal', status: 'Critical' }));
      names.push(p.name);
    }
    return names;
  }

  /** Profiles using a deployment plan (for `usedby` and in-use checks). */
  async usingPlan(deploymentPlanId: string): Promise<ServerProfile[]> {
    return (await this.repo.listWhere('deployment_plan_id', deploymentPlanId)).map((p) => this.present(p));
  }

  async usingTemplate(templateId: string): Promise<StoredDocument<ServerProfileDoc>[]> {
    return this.repo.listWhere('template_id', templateId);
  }

  /** Validates everything that can be checked now (all problems at once), synchronously to the request. */
  private async check(input: z.output<typeof serverProfileInput>, selfId: string | undefined, action: string) {
    const problems: string[] = [];
    let hardware: HardwareRef | undefined;
    if (input.serverHardwareUri !== undefined && input.serverHardwareUri !== null && input.serverHardwareUri !== '') {
      hardware = await this.s.hardware.find(input.serverHardwareUri);
      if (hardware === undefined) problems.push(`compute module "${input.serverHardwareUri}" does not exist`);
      else {
        const holder = (await this.repo.listWhere('server_hardware_id', hardware.id)).find((p) => p.id !== selfId);
        if (holder !== undefined) throw conflict('SERVER_HARDWARE_IN_USE', `Cannot ${action}: compute module "${hardware.name}" already carries server profile "${holder.name}"`, { recommendedActions: ['Choose a free compute module, or delete that profile first'] });
      }
    }
    const settings = normalizeSettings(input.osDeploymentSettings);
    let plan: DeploymentPlan | undefined;
    let attributes: Record<string, string> = {};
    if (settings.osDeploymentPlanUri !== null) {
      const id = planId(settings.osDeploymentPlanUri);
      plan = id === undefined ? undefined : await this.s.deploymentPlans.get(id).catch(() => undefined);
      if (plan === undefined) problems.push(`deployment plan "${settings.osDeploymentPlanUri}" does not exist`);
    }
    if (problems.length > 0) throw invalid('SERVER_PROFILE_INVALID_REFERENCE', `Cannot ${action}: ${problems.join('; ')}`, { details: problems.join('\n') });
    if (plan !== undefined) attributes = this.s.resolveAttributes(plan, settings.osCustomAttributes);
    return { hardware, settings, plan, attributes };
  }

  private async withTemplate(input: unknown): Promise<unknown> {
    const templateUri = (input as { serverProfileTemplateUri?: unknown } | null)?.serverProfileTemplateUri;
    if (typeof templateUri !== 'string' || templateUri === '' || this.s.fromTemplate === undefined) return input;
    return this.s.fromTemplate(templateUri, input as Record<string, unknown>);
  }

  /** Creates the profile and, when it names a deployment plan, deploys it. Returns the task. */
  async create(input: unknown, owner: string): Promise<Task> {
    const parsed = parseInput(serverProfileInput, await this.withTemplate(input), 'create the server profile');
    const { hardware, settings, plan, attributes } = await this.check(parsed, undefined, `create server profile "${parsed.name}"`);
    const stored = await this.repo.insert({
      id: newResourceId(),
      name: parsed.name,
      created: isoNow(),
      doc: {
        description: parsed.description ?? '',
        serverHardwareId: hardware?.id ?? null,
        templateId: parsed.serverProfileTemplateUri === undefined || parsed.serverProfileTemplateUri === null ? null : (idFromUri(parsed.serverProfileTemplateUri, 'server-profile-templates') ?? null),
        osDeploymentSettings: { ...settings, osVolumeUri: null },
        deployedSignature: null,
        state: plan === undefined ? 'Normal' : 'Creating',
        status: 'OK',
        lastTaskUri: null,
      },
    });
    if (hardware !== undefined) await this.s.hardware.assign(hardware.id, { uri: `/rest/server-profiles/${stored.id}`, name: stored.name });
    const profile = this.present(stored);
    if (plan === undefined) return this.s.tasks.recordCompleted({ name: 'Create', owner, resource: { uri: profile.uri, name: profile.name, category: 'server-profiles' } });
    return this.startDeploy(stored, { name: 'Create', owner, hardware: hardware ?? null, plan, attributes });
  }

  /** Applies changes; redeploys only when the deployment settings changed (or `forceOsDeployment`). */
  async update(id: string, input: unknown, owner: string): Promise<Task> {
    const current = await this.stored(id);
    if (current.doc.state !== 'Normal') throw conflict('SERVER_PROFILE_BUSY', `Cannot update server profile "${current.name}": it is ${current.doc.state.toLowerCase()}`, { recommendedActions: ['Wait for its task to finish'] });
    const merged = { name: current.name, serverHardwareUri: this.present(current).serverHardwareUri, osDeploymentSettings: current.doc.osDeploymentSettings, ...(input as object) };
    const parsed = parseInput(serverProfileInput, merged, `update server profile "${current.name}"`);
    const { hardware, settings, plan, attributes } = await this.check(parsed, id, `update server profile "${current.name}"`);
    const force = String(parsed.osDeploymentSettings?.forceOsDeployment ?? 'false').toLowerCase() === 'true';
    const changed = deploymentSignature(settings) !== current.doc.deployedSignature;
    const updated = await this.repo.update(id, {
      name: parsed.name,
      modified: isoNow(),
      doc: {
        ...current.doc,
        description: parsed.description ?? current.doc.description,
        serverHardwareId: hardware?.id ?? null,
        osDeploymentSettings: { ...settings, osVolumeUri: current.doc.osDeploymentSettings.osVolumeUri },
        state: plan !== undefined && (changed || force) ? 'Updating' : 'Normal',
      },
    });
    if (hardware?.id !== current.doc.serverHardwareId) {
      if (current.doc.serverHardwareId !== null) await this.s.hardware.assign(current.doc.serverHardwareId, null);
      if (hardware !== undefined) await this.s.hardware.assign(hardware.id, { uri: `/rest/server-profiles/${id}`, name: updated.name });
    }
    const resource = { uri: `/rest/server-profiles/${id}`, name: updated.name, category: 'server-profiles' };
    if (plan === undefined || (!changed && !force)) return this.s.tasks.recordCompleted({ name: 'Update', owner, resource });
    return this.startDeploy(updated, { name: 'Update', owner, hardware: hardware ?? null, plan, attributes });
  }

  private async startDeploy(
    stored: StoredDocument<ServerProfileDoc>,
    o: { name: string; owner: string; hardware: HardwareRef | null; plan: DeploymentPlan; attributes: Record<string, string> },
  ): Promise<Task> {
    const profileRef = { id: stored.id, uri: `/rest/server-profiles/${stored.id}`, name: stored.name };
    const previousVolumeUri = stored.doc.osDeploymentSettings.osVolumeUri;
    const task = await this.s.tasks.start({
      name: o.name,
      owner: o.owner,
      queue: 'deploy',
      resource: { uri: profileRef.uri, name: profileRef.name, category: 'server-profiles' },
      steps: ['Validate attributes', 'Clone golden image', 'Personalize', 'Export volume', 'Boot compute module'],
      run: async (context) => {
        try {
          const { osVolumeUri } = await this.s.deployer.deploy(context, { profile: profileRef, hardware: o.hardware, plan: o.plan, attributes: o.attributes, previousVolumeUri });
          await this.patch(stored.id, (doc) => ({ ...doc, state: 'Normal', status: 'OK', deployedSignature: deploymentSignature(doc.osDeploymentSettings), osDeploymentSettings: { ...doc.osDeploymentSettings, osVolumeUri } }));
        } catch (error) {
          await this.patch(stored.id, (doc) => ({ ...doc, state: 'Normal', status: 'Critical' }));
          throw error;
        }
      },
    });
    await this.patch(stored.id, (doc) => ({ ...doc, lastTaskUri: task.uri }));
    return task;
  }

  private async patch(id: string, change: (doc: ServerProfileDoc) => ServerProfileDoc): Promise<void> {
    const current = await this.repo.get(id);
    if (current === undefined) return;
    await this.repo.update(id, { name: current.name, modified: isoNow(), doc: change(current.doc) });
  }

  /** Powers the module off, removes the OS volume, then the profile (a task named `Delete`). */
  async delete(id: string, owner: string): Promise<Task> {
    const current = await this.stored(id);
    if (current.doc.state === 'Creating' || current.doc.state === 'Updating' || current.doc.state === 'Deleting') {
      throw conflict('SERVER_PROFILE_BUSY', `Cannot delete server profile "${current.name}": it is ${current.doc.state.toLowerCase()}`, { recommendedActions: ['Wait for its task to finish'] });
    }
    await this.patch(id, (doc) => ({ ...doc, state: 'Deleting' }));
    const hardware = current.doc.serverHardwareId === null ? null : ((await this.s.hardware.find(current.doc.serverHardwareId)) ?? null);
    return this.s.tasks.start({
      name: 'Delete',
      owner,
      queue: 'deploy',
      resource: { uri: null, name: current.name, category: 'server-profiles' },
      run: async (context) => {
        try {
          await this.s.deployer.undeploy(context, { hardware, osVolumeUri: current.doc.osDeploymentSettings.osVolumeUri });
        } catch (error) {
          await this.patch(id, (doc) => ({ ...doc, state: 'Normal', status: 'Critical' }));
          throw error instanceof AppError ? error : new AppError('internal', 'UNDEPLOY_FAILED', `Cannot delete server profile "${current.name}": ${(error as Error).message}`, { cause: error });
        }
        if (hardware !== null) await this.s.hardware.assign(hardware.id, null);
        await this.repo.delete(id);
      },
    });
  }
}
