// OS build plans (reference §4.2): ordered plan-script steps; their custom attributes are the union of the
// `@attr@` references of the step scripts, with script defaults, overridable by the plan.
import { z } from 'zod';
import { conflict, forbidden, invalid, notFound } from '../core/errors.js';
import { newResourceId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import type { Store, StoredDocument } from '../db/index.js';
import type { PlanScriptDoc } from './plan-scripts.js';
import { envelope, idFromUri, looseBoolean, parseInput, resourceName, type Envelope } from './resource.js';
import { mergeAttributes, type CustomAttribute } from './script-attributes.js';

export const buildPlanTypes = ['deploy', 'capture'] as const;
export type BuildPlanType = (typeof buildPlanTypes)[number];

export interface BuildStep {
  serialNumber: string;
  planScriptUri: string;
  planScriptName: string;
  parameters: string | null;
}

export interface BuildPlanDoc {
  type: string;
  description: string;
  oeBuildPlanType: BuildPlanType;
  buildStep: BuildStep[];
  /** Plan-level overrides of the attributes found in the scripts. */
  customAttributes: CustomAttribute[];
  hpProvided: boolean;
  dependentArtifacts: unknown[] | null;
}

export interface BuildPlan extends Envelope, Omit<BuildPlanDoc, 'type'> {
  buildPlanid: string;
}

const stepInput = z.object({
  serialNumber: z.union([z.string(), z.number()]).optional(),
  planScriptUri: z.string().optional(),
  planScriptName: z.string().optional(),
  parameters: z.string().nullish(),
});

const attributeInput = z.object({
  name: z.string().min(1),
  value: z.union([z.string(), z.number(), z.boolean()]).nullish(),
  type: z.string().optional(),
  constraints: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
  description: z.string().nullish(),
});

export const buildPlanInput = z.object({
  type: z.string().optional(),
  name: resourceName,
  description: z.string().nullish(),
  oeBuildPlanType: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(buildPlanTypes, { message: 'must be deploy or capture' })),
  buildStep: z.array(stepInput).nullish(),
  customAttributes: z.array(attributeInput).nullish(),
  hpProvided: looseBoolean.optional(),
  id: z.string().optional(),
  buildPlanid: z.string().optional(),
});

export class BuildPlans {
  constructor(private readonly store: Store) {}

  private get repo() {
    return this.store.documents<BuildPlanDoc>('build-plans');
  }

  async stored(id: string): Promise<StoredDocument<BuildPlanDoc>> {
    const stored = await this.repo.get(id);
    if (stored === undefined) throw notFound('BUILD_PLAN_NOT_FOUND', `Cannot find build plan "${id}"`, { recommendedActions: ['List build plans with GET /rest/build-plans'] });
    return stored;
  }

  async present(stored: StoredDocument<BuildPlanDoc>, scripts?: Map<string, StoredDocument<PlanScriptDoc>>): Promise<BuildPlan> {
    const contents: string[] = [];
    for (const step of stored.doc.buildStep) {
      const id = idFromUri(step.planScriptUri, 'plan-scripts') ?? '';
      const script = scripts?.get(id) ?? (await this.store.documents<PlanScriptDoc>('plan-scripts').get(id));
      if (script !== undefined) contents.push(script.doc.content);
    }
    const { type, ...doc } = stored.doc;
    return {
      ...envelope(stored, { type, category: 'build-plans' }),
      ...doc,
      customAttributes: stored.doc.oeBuildPlanType === 'capture' && contents.every((c) => !c.includes('@')) ? [] : mergeAttributes(contents, stored.doc.customAttributes),
      buildPlanid: stored.id,
    };
  }

  async list(): Promise<BuildPlan[]> {
    const scripts = new Map((await this.store.documents<PlanScriptDoc>('plan-scripts').list()).map((s) => [s.id, s]));
    return Promise.all((await this.repo.list()).map((p) => this.present(p, scripts)));
  }

  async get(id: string): Promise<BuildPlan> {
    return this.present(await this.stored(id));
  }

  /** Resolves steps to existing plan scripts of an allowed type; unknown scripts → invalid. */
  private async resolveSteps(steps: z.output<typeof stepInput>[], planType: BuildPlanType, action: string): Promise<BuildStep[]> {
    const scripts = this.store.documents<PlanScriptDoc>('plan-scripts');
    const problems: string[] = [];
    const resolved: BuildStep[] = [];
    const ordered = steps
      .map((s, i) => ({ s, order: s.serialNumber === undefined ? i + 1 : Number(s.serialNumber) }))
      .sort((a, b) => a.order - b.order);
    for (const [index, { s }] of ordered.entries()) {
      const id = s.planScriptUri === undefined ? undefined : idFromUri(s.planScriptUri, 'plan-scripts');
      const script = id !== undefined ? await scripts.get(id) : s.planScriptName !== undefined ? await scripts.getByName(s.planScriptName) : undefined;
      if (script === undefined) {
        problems.push(`step ${index + 1}: plan script "${s.planScriptUri ?? s.planScriptName ?? '(none)'}" does not exist`);
        continue;
      }
      if (script.doc.planType !== 'general' && script.doc.planType !== planType) {
        problems.push(`step ${index + 1}: plan script "${script.name}" is of type ${script.doc.planType}, a ${planType} build plan takes general and ${planType} scripts`);
        continue;
      }
      resolved.push({ serialNumber: String(index + 1), planScriptUri: `/rest/plan-scripts/${script.id}`, planScriptName: script.name, parameters: s.parameters ?? null });
    }
    if (problems.length > 0) throw invalid('BUILD_PLAN_INVALID_STEP', `Cannot ${action}: ${problems.join('; ')}`, { details: problems.join('\n'), recommendedActions: ['Refer to existing plan scripts by their uri'] });
    return resolved;
  }

  async create(input: unknown, options: { keepId?: boolean } = {}): Promise<BuildPlan> {
    const parsed = parseInput(buildPlanInput, input, 'create the build plan');
    return this.store.transaction(async (tx) => {
      const plans = new BuildPlans(tx);
      const steps = await plans.resolveSteps(parsed.buildStep ?? [], parsed.oeBuildPlanType, `create build plan "${parsed.name}"`);
      const requestedId = parsed.id ?? parsed.buildPlanid;
      const stored = await plans.repo.insert({
        id: options.keepId === true && requestedId !== undefined ? requestedId : newResourceId(),
        name: parsed.name,
        created: isoNow(),
        doc: {
          type: parsed.type ?? 'OeBuildPlanV5',
          description: parsed.description ?? '',
          oeBuildPlanType: parsed.oeBuildPlanType,
          buildStep: steps,
          customAttributes: normalizeAttributes(parsed.customAttributes ?? []),
          hpProvided: parsed.hpProvided ?? false,
          dependentArtifacts: null,
        },
      });
      await tx.buildPlanSteps.replace(stored.id, steps.map((s) => idFromUri(s.planScriptUri, 'plan-scripts') ?? ''));
      return plans.present(stored);
    });
  }

  async update(id: string, input: unknown, options: { overwriteReadOnly?: boolean } = {}): Promise<BuildPlan> {
    return this.store.transaction(async (tx) => {
      const plans = new BuildPlans(tx);
      const current = await plans.stored(id);
      if (current.doc.hpProvided && options.overwriteReadOnly !== true) {
        throw forbidden('BUILD_PLAN_READ_ONLY', `Cannot update build plan "${current.name}": it is read-only (hpProvided)`, { recommendedActions: ['Create a copy of the build plan and edit the copy'] });
      }
      const body = { oeBuildPlanType: current.doc.oeBuildPlanType, name: current.name, ...(input as object) };
      const parsed = parseInput(buildPlanInput, body, `update build plan "${current.name}"`);
      if (parsed.oeBuildPlanType !== current.doc.oeBuildPlanType) {
        throw invalid('BUILD_PLAN_TYPE_FIXED', `Cannot update build plan "${current.name}": its type (${current.doc.oeBuildPlanType}) cannot change after creation`, { recommendedActions: ['Create a new build plan of the other type'] });
      }
      const steps = parsed.buildStep === undefined || parsed.buildStep === null ? current.doc.buildStep : await plans.resolveSteps(parsed.buildStep, current.doc.oeBuildPlanType, `update build plan "${current.name}"`);
      const stored = await plans.repo.update(id, {
        name: parsed.name,
        modified: isoNow(),
        doc: {
          ...current.doc,
          description: parsed.description ?? current.doc.description,
          buildStep: steps,
          customAttributes: parsed.customAttributes === undefined || parsed.customAttributes === null ? current.doc.customAttributes : normalizeAttributes(parsed.customAttributes),
          hpProvided: options.overwriteReadOnly === true ? (parsed.hpProvided ?? current.doc.hpProvided) : current.doc.hpProvided,
        },
      });
      await tx.buildPlanSteps.replace(id, steps.map((s) => idFromUri(s.planScriptUri, 'plan-scripts') ?? ''));
      return plans.present(stored);
    });
  }

  async delete(id: string, options: { force?: boolean } = {}): Promise<BuildPlan> {
    return this.store.transaction(async (tx) => {
      const plans = new BuildPlans(tx);
      const current = await plans.stored(id);
      const users = await tx.deploymentPlans().usingBuildPlan(id);
      if (users.length > 0 && options.force !== true) {
        const names = await Promise.all(users.map(async (u) => `"${(await tx.deploymentPlans().get(u))?.name ?? u}"`));
        throw conflict('BUILD_PLAN_IN_USE', `Cannot delete build plan "${current.name}": it is used by deployment plan${users.length > 1 ? 's' : ''} ${names.join(', ')}`, {
          recommendedActions: ['Delete those deployment plans first, or delete with ?force=true (which deletes them too)'],
        });
      }
      for (const user of users) await tx.deploymentPlans().delete(user);
      const presented = await plans.present(current);
      await plans.repo.delete(id);
      return presented;
    });
  }
}

function normalizeAttributes(list: z.output<typeof attributeInput>[]): CustomAttribute[] {
  return list.map((a) => ({
    name: a.name,
    value: a.value === undefined || a.value === null ? null : String(a.value),
    type: a.type ?? 'string',
    constraints: typeof a.constraints === 'string' ? a.constraints : JSON.stringify(a.constraints ?? {}),
    description: a.description ?? '',
  }));
}
