// Deployment plans (reference §4.3): a build plan bound to a golden image (or none: an empty volume of
// VolumeSize MiB), with attribute defaults marked editable/visible for profiles.
import { z } from 'zod';
import { conflict, forbidden, invalid, notFound } from '../core/errors.js';
import { newResourceId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import type { Store, StoredDocument } from '../db/index.js';
import { BuildPlans, type BuildPlan } from './build-plans.js';
import { envelope, idFromUri, looseBoolean, parseInput, resourceName, type Envelope } from './resource.js';
import type { CustomAttribute } from './script-attributes.js';

export interface DeploymentPlanAttribute extends CustomAttribute {
  id: string;
  editable: boolean;
  visible: boolean;
}

export interface DeploymentPlanDoc {
  type: string;
  description: string | null;
  buildPlanId: string;
  goldenImageId: string | null;
  customAttributes: DeploymentPlanAttribute[];
  hpProvided: boolean;
  importMetadata: boolean;
}

export interface DeploymentPlan extends Envelope {
  description: string | null;
  oeBuildPlanURI: string;
  oeBuildPlanName: string;
  goldenImageURI: string | null;
  goldenImageName: string | null;
  customAttributes: DeploymentPlanAttribute[];
  hpProvided: boolean;
  importMetadata: boolean;
}

/** What deployment plans need to know about golden images (the volume store's catalogue). */
export interface GoldenImageLookup {
  /** Finds an image by id, or by name when `byName`; undefined when there is none. */
  find(idOrName: string, options?: { byName?: boolean }): Promise<{ id: string; name: string } | undefined>;
}

/** Who uses a deployment plan (server profiles and templates), answered by the deploy domain. */
export interface DeploymentPlanUsage {
  usersOf(deploymentPlanId: string): Promise<{ serverProfiles: { name: string; uri: string }[]; serverProfileTemplates: { name: string; uri: string }[] }>;
}

const attributeInput = z.object({
  id: z.string().optional(),
  name: z.string().min(1),
  value: z.union([z.string(), z.number(), z.boolean()]).nullish(),
  editable: looseBoolean.optional(),
  visible: looseBoolean.optional(),
  type: z.string().optional(),
  constraints: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
  description: z.string().nullish(),
});

export const deploymentPlanInput = z.object({
  type: z.string().optional(),
  name: resourceName,
  description: z.string().nullish(),
  oeBuildPlanURI: z.string({ message: 'is required: the build plan\'s uri' }).min(1, 'is required: the build plan\'s uri'),
  goldenImageURI: z.string().nullish(),
  customAttributes: z.array(attributeInput).nullish(),
  hpProvided: looseBoolean.optional(),
  importMetadata: looseBoolean.optional(),
  id: z.string().optional(),
});

export class DeploymentPlans {
  constructor(
    private readonly store: Store,
    private readonly goldenImages: GoldenImageLookup,
    private readonly usage: DeploymentPlanUsage,
  ) {}

  private get repo() {
    return this.store.deploymentPlans<DeploymentPlanDoc>();
  }

  private with(store: Store): DeploymentPlans {
    return new DeploymentPlans(store, this.goldenImages, this.usage);
  }

  async stored(id: string): Promise<StoredDocument<DeploymentPlanDoc>> {
    const stored = await this.repo.get(id);
    if (stored === undefined) throw notFound('DEPLOYMENT_PLAN_NOT_FOUND', `Cannot find deployment plan "${id}"`, { recommendedActions: ['List deployment plans with GET /rest/deployment-plans'] });
    return stored;
  }

  async present(stored: StoredDocument<DeploymentPlanDoc>, buildPlan?: BuildPlan): Promise<DeploymentPlan> {
    const plan = buildPlan ?? (await new BuildPlans(this.store).get(stored.doc.buildPlanId));
    const image = stored.doc.goldenImageId === null ? undefined : await this.goldenImages.find(stored.doc.goldenImageId);
    return {
      ...envelope(stored, { type: stored.doc.type, category: 'deployment-plans' }),
      description: stored.doc.description,
      oeBuildPlanURI: `/rest/build-plans/${stored.doc.buildPlanId}`,
      oeBuildPlanName: plan.name,
      goldenImageURI: stored.doc.goldenImageId === null ? null : `/rest/golden-images/${stored.doc.goldenImageId}`,
      goldenImageName: image?.name ?? null,
      customAttributes: effectiveAttributes(plan.customAttributes, stored.doc.customAttributes),
      hpProvided: stored.doc.hpProvided,
      importMetadata: stored.doc.importMetadata,
    };
  }

  async list(): Promise<DeploymentPlan[]> {
    const plans = new Map((await new BuildPlans(this.store).list()).map((p) => [p.id, p]));
    return Promise.all((await this.repo.list()).map((d) => this.present(d, plans.get(d.doc.buildPlanId))));
  }

  async get(id: string): Promise<DeploymentPlan> {
    return this.present(await this.stored(id));
  }

  private async resolveRefs(parsed: z.output<typeof deploymentPlanInput>, action: string): Promise<{ buildPlan: BuildPlan; goldenImageId: string | null }> {
    const problems: string[] = [];
    const buildPlans = new BuildPlans(this.store);
    const bpId = idFromUri(parsed.oeBuildPlanURI, 'build-plans');
    let buildPlan: BuildPlan | undefined;
    if (bpId === undefined) problems.push(`"oeBuildPlanURI" must be a /rest/build-plans/<id> uri, got "${parsed.oeBuildPlanURI}"`);
    else {
      buildPlan = await buildPlans.get(bpId).catch(() => undefined);
      if (buildPlan === undefined) problems.push(`build plan "${parsed.oeBuildPlanURI}" does not exist`);
      else if (buildPlan.oeBuildPlanType !== 'deploy') problems.push(`build plan "${buildPlan.name}" is a ${buildPlan.oeBuildPlanType} plan; a deployment plan needs a deploy build plan`);
    }
    let goldenImageId: string | null = null;
    const giUri = parsed.goldenImageURI?.trim() ?? '';
    if (giUri !== '') {
      const giId = idFromUri(giUri, 'golden-images');
      const image = giId === undefined ? undefined : await this.goldenImages.find(giId);
      if (image === undefined) problems.push(`golden image "${giUri}" does not exist`);
      else goldenImageId = image.id;
    }
    if (problems.length > 0 || buildPlan === undefined) {
      throw invalid('DEPLOYMENT_PLAN_INVALID_REFERENCE', `Cannot ${action}: ${problems.join('; ')}`, { details: problems.join('\n'), recommendedActions: ['Refer to an existing deploy build plan and golden image by uri'] });
    }
    return { buildPlan, goldenImageId };
  }

  async create(input: unknown, options: { keepId?: boolean } = {}): Promise<DeploymentPlan> {
    const parsed = parseInput(deploymentPlanInput, input, 'create the deployment plan');
    const { buildPlan, goldenImageId } = await this.resolveRefs(parsed, `create deployment plan "${parsed.name}"`);
    const stored = await this.repo.insert({
      id: options.keepId === true && parsed.id !== undefined ? parsed.id : newResourceId(),
      name: parsed.name,
      created: isoNow(),
      doc: {
        type: parsed.type ?? 'OEDeploymentPlanV5',
        description: parsed.description ?? null,
        buildPlanId: buildPlan.id,
        goldenImageId,
        customAttributes: overrides(buildPlan.customAttributes, parsed.customAttributes ?? []),
        hpProvided: parsed.hpProvided ?? false,
        importMetadata: parsed.importMetadata ?? false,
      },
    });
    return this.present(stored, buildPlan);
  }

  async update(id: string, input: unknown, options: { overwriteReadOnly?: boolean } = {}): Promise<DeploymentPlan> {
    const current = await this.stored(id);
    if (current.doc.hpProvided && options.overwriteReadOnly !== true) {
      throw forbidden('DEPLOYMENT_PLAN_READ_ONLY', `Cannot update deployment plan "${current.name}": it is read-only (hpProvided)`, { recommendedActions: ['Create a copy of the deployment plan and edit the copy'] });
    }
    const body = {
      name: current.name,
      oeBuildPlanURI: `/rest/build-plans/${current.doc.buildPlanId}`,
      goldenImageURI: current.doc.goldenImageId === null ? null : `/rest/golden-images/${current.doc.goldenImageId}`,
      ...(input as object),
    };
    const parsed = parseInput(deploymentPlanInput, body, `update deployment plan "${current.name}"`);
    const { buildPlan, goldenImageId } = await this.resolveRefs(parsed, `update deployment plan "${current.name}"`);
    const stored = await this.repo.update(id, {
      name: parsed.name,
      modified: isoNow(),
      doc: {
        ...current.doc,
        description: parsed.description === undefined ? current.doc.description : parsed.description,
        buildPlanId: buildPlan.id,
        goldenImageId,
        customAttributes: parsed.customAttributes === undefined || parsed.customAttributes === null ? current.doc.customAttributes : overrides(buildPlan.customAttributes, parsed.customAttributes),
        hpProvided: options.overwriteReadOnly === true ? (parsed.hpProvided ?? current.doc.hpProvided) : current.doc.hpProvided,
      },
    });
    return this.present(stored, buildPlan);
  }

  async usedBy(id: string): Promise<Awaited<ReturnType<DeploymentPlanUsage['usersOf']>>> {
    await this.stored(id);
    return this.usage.usersOf(id);
  }

  async delete(id: string, options: { force?: boolean } = {}): Promise<DeploymentPlan> {
    const current = await this.get(id);
    const users = await this.usage.usersOf(id);
    const names = [...users.serverProfiles, ...users.serverProfileTemplates].map((u) => `"${u.name}"`);
    if (names.length > 0 && options.force !== true) {
      throw conflict('DEPLOYMENT_PLAN_IN_USE', `Cannot delete deployment plan "${current.name}": it is used by ${names.join(', ')}`, {
        recommendedActions: ['Change or delete those server profiles and templates first, or delete with ?force=true'],
      });
    }
    await this.with(this.store).repo.delete(id);
    return current;
  }
}

/** The attributes a profile sees: the build plan's union, with this plan's values and flags over it. */
function effectiveAttributes(fromBuildPlan: CustomAttribute[], stored: DeploymentPlanAttribute[]): DeploymentPlanAttribute[] {
  const byName = new Map(stored.map((a) => [a.name, a]));
  return fromBuildPlan.map((a) => {
    const own = byName.get(a.name);
    return { ...a, id: own?.id ?? a.name, value: own?.value ?? a.value, editable: own?.editable ?? true, visible: own?.visible ?? true };
  });
}

function overrides(fromBuildPlan: CustomAttribute[], input: z.output<typeof attributeInput>[]): DeploymentPlanAttribute[] {
  const byName = new Map(input.map((a) => [a.name, a]));
  return fromBuildPlan.map((a) => {
    const given = byName.get(a.name);
    return {
      ...a,
      id: given?.id ?? newResourceId(),
      value: given?.value === undefined || given.value === null ? a.value : String(given.value),
      editable: given?.editable ?? true,
      visible: given?.visible ?? true,
    };
  });
}
