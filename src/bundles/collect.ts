// Which artifacts a new bundle holds (reference §4.6): the chosen ones, plus their dependencies — a
// deployment plan brings its build plan, a build plan its plan scripts. Golden images only when chosen.
import { z } from 'zod';
import { idFromUri, looseBoolean, resourceName, type BuildPlan, type DeploymentPlan, type PlanScript } from '../artifacts/index.js';
import { invalid, notFound } from '../core/errors.js';
import { isoNow } from '../core/time.js';
import { buildPlanJson, deploymentPlanJson, goldenImageJson, planScriptJson, type GoldenImageInfo } from './artifact-json.js';
import type { ArtifactServices } from './extract.js';
import type { GoldenImageSource } from './golden-images.js';
import type { BundleToWrite } from './writer.js';

const artifactRef = z.object({ resourceUri: z.string().min(1, 'must not be empty'), readOnly: looseBoolean.optional() });

export const bundleInput = z.object({
  type: z.string().optional(),
  name: resourceName,
  description: z.string().nullish(),
  planScripts: z.array(artifactRef).nullish(),
  buildPlans: z.array(artifactRef).nullish(),
  deploymentPlans: z.array(artifactRef).nullish(),
  goldenImages: z.array(artifactRef).nullish(),
});

export type BundleInput = z.output<typeof bundleInput>;

/** Insertion-ordered, first readOnly wins (a dependency inherits the flag of what pulled it in). */
class Chosen<T> {
  readonly items = new Map<string, { item: T; readOnly: boolean }>();
  add(id: string, item: T, readOnly: boolean): void {
    if (!this.items.has(id)) this.items.set(id, { item, readOnly });
  }
  get all() {
    return [...this.items.values()];
  }
}

async function lookup<T>(uri: string, category: string, what: string, bundle: string, get: (id: string) => Promise<T | undefined>): Promise<T> {
  const id = idFromUri(uri, category);
  if (id === undefined) throw invalid('BUNDLE_INVALID_REFERENCE', `Cannot create bundle "${bundle}": "${uri}" is not a /rest/${category}/<id> uri`);
  const found = await get(id);
  if (found === undefined) throw notFound('BUNDLE_ARTIFACT_NOT_FOUND', `Cannot create bundle "${bundle}": ${what} "${uri}" does not exist`, { recommendedActions: [`List ${what}s with GET /rest/${category}`] });
  return found;
}

/**
 * Resolves the chosen artifacts and their dependencies into what the writer needs. Unknown uris →
 * not_found; a golden image without a golden image source → unavailable (invalid).
 */
export async function collectArtifacts(input: BundleInput, options: { services: ArtifactServices; images: GoldenImageSource | undefined; bundleId: string }): Promise<BundleToWrite> {
  const { services, images } = options;
  const name = input.name;
  const quiet = <T>(p: Promise<T>) => p.catch(() => undefined);
  const scripts = new Chosen<PlanScript>();
  const plans = new Chosen<BuildPlan>();
  const deployments = new Chosen<DeploymentPlan>();
  const goldens = new Chosen<GoldenImageInfo>();
  for (const ref of input.planScripts ?? []) {
    const s = await lookup(ref.resourceUri, 'plan-scripts', 'plan script', name, (id) => quiet(services.planScripts.get(id)));
    scripts.add(s.id, s, ref.readOnly ?? false);
  }
  const dpPlans: { uri: string; readOnly: boolean }[] = [];
  for (const ref of input.deploymentPlans ?? []) {
    const d = await lookup(ref.resourceUri, 'deployment-plans', 'deployment plan', name, (id) => quiet(services.deploymentPlans.get(id)));
    deployments.add(d.id, d, ref.readOnly ?? false);
    dpPlans.push({ uri: d.oeBuildPlanURI, readOnly: ref.readOnly ?? false });
  }
  for (const ref of [...(input.buildPlans ?? []).map((r) => ({ uri: r.resourceUri, readOnly: r.readOnly ?? false })), ...dpPlans]) {
    const p = await lookup(ref.uri, 'build-plans', 'build plan', name, (id) => quiet(services.buildPlans.get(id)));
    plans.add(p.id, p, ref.readOnly);
  }
  for (const { item: plan, readOnly } of plans.all) {
    for (const step of plan.buildStep) {
      const s = await lookup(step.planScriptUri, 'plan-scripts', 'plan script', name, (id) => quiet(services.planScripts.get(id)));
      scripts.add(s.id, s, readOnly);
    }
  }
  for (const ref of input.goldenImages ?? []) {
    if (images === undefined) throw invalid('GOLDEN_IMAGES_UNAVAILABLE', `Cannot create bundle "${name}": this appliance has no golden image store`);
    const g = await lookup(ref.resourceUri, 'golden-images', 'golden image', name, (id) => images.get(id));
    goldens.add(g.id, g, ref.readOnly ?? false);
  }
  const all = [...scripts.all, ...plans.all, ...deployments.all, ...goldens.all];
  const planNames = new Map(plans.all.map(({ item }) => [item.id, item.name]));
  return {
    manifest: { artifactName: name, description: input.description ?? '', readOnly: all.length > 0 && all.every((a) => a.readOnly), timeStamp: isoNow(), artifactType: 'USER' },
    planScripts: scripts.all.map(({ item, readOnly }) => planScriptJson(item, readOnly)),
    goldenImages: goldens.all.map(({ item, readOnly }) => ({
      json: goldenImageJson(item, { readOnly, bundleName: name, bundleId: options.bundleId }),
      openPayload: () => images!.exportPayload(item.id),
    })),
    buildPlans: plans.all.map(({ item, readOnly }) => buildPlanJson(item, readOnly)),
    deploymentPlans: deployments.all.map(({ item, readOnly }) =>
      deploymentPlanJson(item, { readOnly, buildPlanName: planNames.get(idFromUri(item.oeBuildPlanURI, 'build-plans') ?? '') ?? item.oeBuildPlanName, goldenImageName: item.goldenImageName }),
    ),
  };
}

/** Every artifact on the appliance (backups), golden images included when there is a source. */
export async function everything(services: ArtifactServices, images: GoldenImageSource | undefined): Promise<Omit<BundleInput, 'name' | 'description' | 'type'>> {
  const refs = (list: { uri: string; hpProvided?: boolean; readOnly?: boolean }[]) => list.map((a) => ({ resourceUri: a.uri, readOnly: a.hpProvided ?? a.readOnly ?? false }));
  return {
    planScripts: refs(await services.planScripts.list()),
    buildPlans: refs(await services.buildPlans.list()),
    deploymentPlans: refs(await services.deploymentPlans.list()),
    goldenImages: images === undefined ? [] : (await images.list()).map((g) => ({ resourceUri: `/rest/golden-images/${g.id}`, readOnly: g.readOnly })),
  };
}
