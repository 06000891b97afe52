// Server profile templates: the deployment plan and attribute values profiles start from, a new-profile
// body (OneView's `new-profile`), and a compliance view (what a profile changed from its template).
import { z } from 'zod';
import { conflict, invalid, notFound } from '../core/errors.js';
import { newResourceId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import { envelope, idFromUri, parseInput, resourceName, type DeploymentPlans, type Envelope } from '../artifacts/index.js';
import type { Store, StoredDocument } from '../db/index.js';
import { normalizeSettings, osDeploymentSettingsInput, type OsDeploymentSettings } from './os-deployment-settings.js';
import { planId, type ServerProfile, type ServerProfiles } from './server-profiles.js';

export interface TemplateDoc {
  description: string;
  serverProfileDescription: string;
  osDeploymentSettings: OsDeploymentSettings;
}

export interface ServerProfileTemplate extends Envelope {
  description: string;
  serverProfileDescription: string;
  osDeploymentSettings: Omit<OsDeploymentSettings, 'osVolumeUri'>;
}

export const templateInput = z.object({
  type: z.string().optional(),
  name: resourceName,
  description: z.string().nullish(),
  serverProfileDescription: z.string().nullish(),
  osDeploymentSettings: osDeploymentSettingsInput.nullish(),
});

export interface Compliance {
  templateCompliance: 'Compliant' | 'NonCompliant' | 'Unknown';
  /** One line per difference, as OneView's compliance preview lists manual updates. */
  manualUpdates: string[];
  automaticUpdates: string[];
  isOnlineUpdate: boolean;
}

const columns = (doc: TemplateDoc) => ({
  deployment_plan_id: doc.osDeploymentSettings.osDeploymentPlanUri === null ? null : (planId(doc.osDeploymentSettings.osDeploymentPlanUri) ?? null),
});

export class ServerProfileTemplates {
  constructor(
    private readonly store: Store,
    private readonly deploymentPlans: DeploymentPlans,
    private readonly profiles: () => ServerProfiles,
  ) {}

  private get repo() {
    return this.store.serverProfileTemplates<TemplateDoc>(columns);
  }

  present(stored: StoredDocument<TemplateDoc>): ServerProfileTemplate {
    const { osVolumeUri: _unused, ...settings } = stored.doc.osDeploymentSettings;
    return {
      ...envelope(stored, { type: 'ServerProfileTemplateV8', category: 'server-profile-templates' }),
      description: stored.doc.description,
      serverProfileDescription: stored.doc.serverProfileDescription,
      osDeploymentSettings: settings,
    };
  }

  async stored(id: string): Promise<StoredDocument<TemplateDoc>> {
    const found = await this.repo.get(id);
    if (found === undefined) throw notFound('SERVER_PROFILE_TEMPLATE_NOT_FOUND', `Cannot find server profile template "${id}"`);
    return found;
  }

  async list(): Promise<ServerProfileTemplate[]> {
    return (await this.repo.list()).map((t) => this.present(t));
  }

  async get(id: string): Promise<ServerProfileTemplate> {
    return this.present(await this.stored(id));
  }

  async usingPlan(deploymentPlanId: string): Promise<ServerProfileTemplate[]> {
    return (await this.repo.listWhere('deployment_plan_id', deploymentPlanId)).map((t) => this.present(t));
  }

  private async validate(parsed: z.output<typeof templateInput>, action: string): Promise<OsDeploymentSettings> {
    const settings = normalizeSettings(parsed.osDeploymentSettings);
    if (settings.osDeploymentPlanUri !== null) {
      const id = planId(settings.osDeploymentPlanUri);
      const plan = id === undefined ? undefined : await this.deploymentPlans.get(id).catch(() => undefined);
      if (plan === undefined) throw invalid('SERVER_PROFILE_TEMPLATE_INVALID_REFERENCE', `Cannot ${action}: deployment plan "${settings.osDeploymentPlanUri}" does not exist`);
    }
    return { ...settings, osVolumeUri: null };
  }

  async create(input: unknown): Promise<ServerProfileTemplate> {
    const parsed = parseInput(templateInput, input, 'create the server profile template');
    const settings = await this.validate(parsed, `create server profile template "${parsed.name}"`);
    const stored = await this.repo.insert({
      id: newResourceId(),
      name: parsed.name,
      created: isoNow(),
      doc: { description: parsed.description ?? '', serverProfileDescription: parsed.serverProfileDescription ?? '', osDeploymentSettings: settings },
    });
    return this.present(stored);
  }

  async update(id: string, input: unknown): Promise<ServerProfileTemplate> {
    const current = await this.stored(id);
    const parsed = parseInput(templateInput, { name: current.name, osDeploymentSettings: current.doc.osDeploymentSettings, ...(input as object) }, `update server profile template "${current.name}"`);
    const settings = await this.validate(parsed, `update server profile template "${current.name}"`);
    const stored = await this.repo.update(id, {
      name: parsed.name,
      modified: isoNow(),
      doc: { description: parsed.description ?? current.doc.description, serverProfileDescription: parsed.serverProfileDescription ?? current.doc.serverProfileDescription, osDeploymentSettings: settings },
    });
    return this.present(stored);
  }

  async delete(id: string): Promise<ServerProfileTemplate> {
    const current = await this.stored(id);
    const users = await this.profiles().usingTemplate(id);
    if (users.length > 0) {
      throw conflict('SERVER_PROFILE_TEMPLATE_IN_USE', `Cannot delete server profile template "${current.name}": server profiles ${users.map((u) => `"${u.name}"`).join(', ')} were made from it`, {
        recommendedActions: ['Delete those profiles first'],
      });
    }
    await this.repo.delete(id);
    return this.present(current);
  }

  /** A profile body made from the template (OneView's GET …/new-profile): POST it with a name and module. */
  async newProfile(id: string): Promise<Record<string, unknown>> {
    const t = await this.stored(id);
    return {
      type: 'ServerProfileV12',
      name: '',
      description: t.doc.serverProfileDescription,
      serverProfileTemplateUri: `/rest/server-profile-templates/${t.id}`,
      serverHardwareUri: null,
      osDeploymentSettings: { osDeploymentPlanUri: t.doc.osDeploymentSettings.osDeploymentPlanUri, osCustomAttributes: t.doc.osDeploymentSettings.osCustomAttributes },
    };
  }

  /**
   * Merges a profile input over its template: the template's deployment plan when the profile names none,
   * the template's attribute values under the profile's own.
   */
  async fill(templateUri: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = idFromUri(templateUri, 'server-profile-templates');
    const t = id === undefined ? undefined : await this.repo.get(id);
    if (t === undefined) throw invalid('SERVER_PROFILE_TEMPLATE_NOT_FOUND', `Cannot create the server profile: template "${templateUri}" does not exist`);
    const own = (input['osDeploymentSettings'] ?? {}) as { osDeploymentPlanUri?: string | null; osCustomAttributes?: { name: string; value: unknown }[] | null };
    const values = new Map(t.doc.osDeploymentSettings.osCustomAttributes.map((a) => [a.name, a.value as unknown]));
    for (const a of own.osCustomAttributes ?? []) values.set(a.name, a.value);
    return {
      description: t.doc.serverProfileDescription,
      ...input,
      osDeploymentSettings: {
        ...own,
        osDeploymentPlanUri: own.osDeploymentPlanUri ?? t.doc.osDeploymentSettings.osDeploymentPlanUri,
        osCustomAttributes: [...values].map(([name, value]) => ({ name, value })),
      },
    };
  }

  /** What the profile changed from its template. */
  async compliance(profile: ServerProfile): Promise<Compliance> {
    const templateId = profile.serverProfileTemplateUri === null ? undefined : idFromUri(profile.serverProfileTemplateUri, 'server-profile-templates');
    const t = templateId === undefined ? undefined : await this.repo.get(templateId);
    if (t === undefined) return { templateCompliance: 'Unknown', manualUpdates: [], automaticUpdates: [], isOnlineUpdate: true };
    const differences: string[] = [];
    const tp = t.doc.osDeploymentSettings;
    const pp = profile.osDeploymentSettings;
    if (planId(tp.osDeploymentPlanUri ?? '') !== planId(pp.osDeploymentPlanUri ?? '')) differences.push(`Deployment plan: template "${tp.osDeploymentPlanUri ?? 'none'}", profile "${pp.osDeploymentPlanUri ?? 'none'}"`);
    const profileValues = new Map(pp.osCustomAttributes.map((a) => [a.name, a.value]));
    for (const a of tp.osCustomAttributes) {
      const mine = profileValues.get(a.name);
      if (mine !== undefined && mine !== a.value) differences.push(`Attribute "${a.name}": template "${a.value}", profile "${mine}"`);
    }
    return { templateCompliance: differences.length === 0 ? 'Compliant' : 'NonCompliant', manualUpdates: differences, automaticUpdates: [], isOnlineUpdate: true };
  }
}
