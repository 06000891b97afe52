// Extract: creates a bundle's artifacts on the appliance, all or nothing. Artifacts keep their ids; with
// `forceImport` an artifact with the same id (or else the same name) is overwritten in place, without it
// such a clash is a conflict naming the artifact. Golden images stream into the volume store first (they
// are too big for a database transaction) and are removed again if the transaction fails. A plan script
// that does not parse is extracted all the same, as HPE's appliance does, and reported as a warning.
import type { BuildPlans, DeploymentPlans, PlanScripts } from '../artifacts/index.js';
import { AppError, conflict, toAppError } from '../core/errors.js';
import type { Store } from '../db/index.js';
import { scriptSyntaxProblems } from '../planscript/index.js';
import type { GoldenImagePort } from './golden-images.js';
import { openPayload, readBundle, type ApplianceRefs, type BundleArtifact, type BundleContent } from './reader.js';
import type { ZipLimits } from './zip-reader.js';

export interface ArtifactServices {
  planScripts: PlanScripts;
  buildPlans: BuildPlans;
  deploymentPlans: DeploymentPlans;
}

/**
 * Builds the artifact services over a Store (the appliance's, or a transaction's). Everything they read
 * must go through that Store (including the deployment plans' golden image lookup): on SQLite a read
 * through another Store waits for the transaction forever.
 */
export type ArtifactsOver = (store: Store) => ArtifactServices;

export interface ExtractPorts {
  store: Store;
  artifactsOver: ArtifactsOver;
  goldenImages: GoldenImagePort | undefined;
  limits?: ZipLimits | undefined;
}

export interface ExtractPlan {
  path: string;
  label: string;
  content: BundleContent;
  forceImport: boolean;
}

export interface ExtractSummary {
  created: number;
  overwritten: number;
  /** One line per extracted plan script that does not parse, naming it and each problem's line and column. */
  warnings: string[];
}

const what: Record<BundleArtifact['kind'], string> = { planscript: 'plan script', buildplan: 'build plan', deploymentplan: 'deployment plan', goldenimage: 'golden image' };

/** References a bundle may leave to the appliance (reader.ts). */
export function applianceRefs(store: Store, images: GoldenImagePort | undefined): ApplianceRefs {
  return {
    planScriptExists: async (id) => (await store.documents('plan-scripts').get(id)) !== undefined,
    buildPlanExists: async (name) => (await store.documents('build-plans').getByName(name)) !== undefined,
    goldenImageExists: async (name) => (await images?.find({ name })) !== undefined,
  };
}

/** The existing artifact a bundle artifact would overwrite: same id, else same name. */
async function existing(store: Store, images: GoldenImagePort | undefined, a: BundleArtifact): Promise<{ id: string; name: string } | undefined> {
  if (a.kind === 'goldenimage') return images?.find({ id: a.id, name: a.name });
  const repo = a.kind === 'planscript' ? store.documents('plan-scripts') : a.kind === 'buildplan' ? store.documents('build-plans') : store.deploymentPlans();
  const byId = await repo.get(a.id);
  const byName = await repo.getByName(a.name);
  if (byId !== undefined && byName !== undefined && byId.id !== byName.id) {
    throw conflict('BUNDLE_ARTIFACT_CLASH', `Cannot extract ${what[a.kind]} "${a.name}" (entry "${a.entry}"): its id belongs to "${byId.name}" and its name to another ${what[a.kind]} (id "${byName.id}")`, {
      recommendedActions: [`Rename or delete one of those ${what[a.kind]}s, then extract again`],
    });
  }
  return byId ?? byName;
}

async function targets(plan: ExtractPlan, ports: ExtractPorts, store: Store, options: { goldenImages: boolean }): Promise<Map<string, { id: string; name: string } | undefined>> {
  const { content } = plan;
  const found = new Map<string, { id: string; name: string } | undefined>();
  for (const a of [...content.planScripts, ...(options.goldenImages ? content.goldenImages : []), ...content.buildPlans, ...content.deploymentPlans]) {
    const target = await existing(store, ports.goldenImages, a);
    if (target !== undefined && !plan.forceImport) {
      throw conflict('BUNDLE_ARTIFACT_EXISTS', `Cannot extract bundle "${plan.label}": ${what[a.kind]} "${a.name}" already exists on the appliance${target.id === a.id ? '' : ` (id "${target.id}")`}`, {
        recommendedActions: ['Extract with forceImport=true to overwrite it, or rename or delete the existing artifact'],
        data: { entry: a.entry, id: target.id },
      });
    }
    found.set(a.entry, target);
  }
  return found;
}

/**
 * Validates the bundle again (it may have changed on disk; multi-GiB payloads are verified while they
 * stream, not here, so this answers quickly) and checks every clash, without changing anything: bad
 * bundle → invalid, clash without forceImport → conflict, no golden image store → unavailable.
 */
export async function prepareExtract(path: string, options: { label: string; forceImport: boolean; ports: ExtractPorts }): Promise<ExtractPlan> {
  const { ports } = options;
  const content = await readBundle(path, { label: options.label, appliance: applianceRefs(ports.store, ports.goldenImages), skipPayloadDigests: true, ...(ports.limits === undefined ? {} : { limits: ports.limits }) });
  if (content.goldenImages.length > 0 && ports.goldenImages === undefined) {
    throw new AppError('unavailable', 'GOLDEN_IMAGES_UNAVAILABLE', `Cannot extract bundle "${options.label}": it holds golden image "${content.goldenImages[0]!.name}" and this appliance has no golden image store`, {
      recommendedActions: ['Configure the volume store, or extract a bundle without golden images'],
    });
  }
  const plan = { path, label: options.label, content, forceImport: options.forceImport };
  await targets(plan, ports, ports.store, { goldenImages: true });
  return plan;
}

/** The warning for a bundled plan script that does not parse, or undefined when it parses. */
function syntaxWarning(ps: BundleArtifact): string | undefined {
  const content = ps.json['content'];
  if (typeof content !== 'string') return undefined;
  const problems = scriptSyntaxProblems(content);
  if (problems.length === 0) return undefined;
  const where = problems.map((p) => `line ${p.line}, column ${p.column}: ${p.message}`).join('; ');
  const consequence = problems.some((p) => !p.ignored)
    ? 'a deploy that runs it will fail until the script is fixed'
    : 'a deploy that runs it will log an error at those "-" lines and go on';
  return `Plan script "${ps.name}" (entry "${ps.entry}") does not parse (${where}): it was extracted as it is, but ${consequence}`;
}

function atEntry(plan: ExtractPlan, a: BundleArtifact, error: unknown): AppError {
  const e = toAppError(error);
  if (e.data['entry'] !== undefined) return e; // already names its entry (a reader error)
  return new AppError(e.kind, e.code, `Cannot extract bundle "${plan.label}" at entry "${a.entry}": ${e.message}`, { details: e.details, recommendedActions: e.recommendedActions, data: { ...e.data, entry: a.entry }, cause: error });
}

/** Creates or overwrites every artifact of a prepared plan; on failure nothing stays changed (see file top). */
export async function applyExtract(
  plan: ExtractPlan,
  ports: ExtractPorts,
  options: { bundle: { name: string; uri: string }; signal?: AbortSignal; onProgress?: (done: number, total: number) => Promise<void> },
): Promise<ExtractSummary> {
  const { content } = plan;
  const total = content.planScripts.length + content.goldenImages.length + content.buildPlans.length + content.deploymentPlans.length;
  let done = 0;
  // Progress is reported outside the transaction only: the task engine saves through the appliance's
  // Store, which (on SQLite) waits for the transaction to end.
  const step = async (report: boolean) => {
    done += 1;
    options.signal?.throwIfAborted();
    if (report) await options.onProgress?.(done, total);
  };
  const summary: ExtractSummary = { created: 0, overwritten: 0, warnings: [] };
  const imageIds = new Map<string, string>();
  const imported: string[] = [];
  const images = ports.goldenImages;
  try {
    const found = await targets(plan, ports, ports.store, { goldenImages: true });
    for (const gi of content.goldenImages) {
      if (images === undefined) break;
      const target = found.get(gi.entry);
      if (target !== undefined) await images.remove(target.id);
      const payload = await openPayload(plan.path, gi, { label: plan.label, checksumFile: content.checksumFile, ...(ports.limits === undefined ? {} : { limits: ports.limits }) });
      try {
        const id = await images
          .importPayload(payload.stream, {
            id: target?.id ?? gi.id,
            name: gi.name,
            description: typeof gi.json['description'] === 'string' ? gi.json['description'] : null,
            readOnly: gi.json['readOnly'] === true,
            bundle: options.bundle,
            ...(options.signal === undefined ? {} : { signal: options.signal }),
          })
          .catch((error: unknown) => {
            throw atEntry(plan, { ...gi, entry: gi.payload.name }, error);
          });
        imported.push(id);
        imageIds.set(gi.name, id);
      } finally {
        payload.close();
      }
      summary[target === undefined ? 'created' : 'overwritten'] += 1;
      await step(true);
    }
    // Golden images named by deployment plans but not carried: resolved now, since the golden image
    // store is not part of the transaction (and on SQLite would wait for it).
    for (const dp of content.deploymentPlans) {
      const name = dp.json['goldenImageURI'];
      if (typeof name === 'string' && name !== '' && !imageIds.has(name)) {
        const found = await images?.find({ name });
        if (found !== undefined) imageIds.set(name, found.id);
      }
    }
    await ports.store.transaction(async (tx) => {
      const a = ports.artifactsOver(tx);
      // Checked again inside the transaction: the appliance may have changed since prepareExtract.
      const inTx = await targets(plan, ports, tx, { goldenImages: false });
      const scriptIds = new Map<string, string>();
      const planIds = new Map<string, string>();
      const save = async <R extends { id: string }>(artifact: BundleArtifact, create: () => Promise<R>, update: (id: string) => Promise<R>): Promise<string> => {
        const target = inTx.get(artifact.entry);
        try {
          const result = target === undefined ? await create() : await update(target.id);
          summary[target === undefined ? 'created' : 'overwritten'] += 1;
          await step(false);
          return result.id;
        } catch (error) {
          throw atEntry(plan, artifact, error);
        }
      };
      for (const ps of content.planScripts) {
        const input = { ...ps.json, id: inTx.get(ps.entry)?.id ?? ps.id };
        scriptIds.set(ps.id, await save(ps, () => a.planScripts.create(input, { keepId: true }), (id) => a.planScripts.update(id, input, { overwriteReadOnly: true })));
      }
      for (const bp of content.buildPlans) {
        const steps = Array.isArray(bp.json['buildStep']) ? (bp.json['buildStep'] as Record<string, unknown>[]) : [];
        const buildStep = steps.map((s) => {
          const id = String(s['planScriptUri']).replace(/^.*\//, '');
          return { ...s, planScriptUri: `/rest/plan-scripts/${scriptIds.get(id) ?? id}` };
        });
        const id = inTx.get(bp.entry)?.id ?? bp.id;
        const input = { ...bp.json, id, buildPlanid: id, buildStep };
        planIds.set(bp.name, await save(bp, () => a.buildPlans.create(input, { keepId: true }), (target) => a.buildPlans.update(target, input, { overwriteReadOnly: true })));
      }
      for (const dp of content.deploymentPlans) {
        const planName = String(dp.json['oeBuildPlanURI']);
        const planId = planIds.get(planName) ?? (await tx.documents('build-plans').getByName(planName))?.id ?? planName;
        const imageName = typeof dp.json['goldenImageURI'] === 'string' ? dp.json['goldenImageURI'] : '';
        const imageId = imageName === '' ? undefined : (imageIds.get(imageName) ?? imageName);
        const input = { ...dp.json, id: inTx.get(dp.entry)?.id ?? dp.id, oeBuildPlanURI: `/rest/build-plans/${planId}`, goldenImageURI: imageId === undefined ? null : `/rest/golden-images/${imageId}` };
        await save(dp, () => a.deploymentPlans.create(input, { keepId: true }), (id) => a.deploymentPlans.update(id, input, { overwriteReadOnly: true }));
      }
    });
    for (const ps of content.planScripts) {
      const warning = syntaxWarning(ps);
      if (warning !== undefined) summary.warnings.push(warning);
    }
    await options.onProgress?.(total, total);
    return summary;
  } catch (error) {
    for (const id of imported) await images?.remove(id).catch(() => undefined);
    throw error;
  }
}
