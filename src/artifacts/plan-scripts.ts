// Plan scripts (reference §4.1): guestfish-dialect scripts of type deploy, capture or general.
import { z } from 'zod';
import { conflict, forbidden, notFound } from '../core/errors.js';
import { newResourceId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import type { Store, StoredDocument } from '../db/index.js';
import { diffLines, type LineChange } from './line-diff.js';
import { envelope, looseBoolean, parseInput, resourceName, type Envelope } from './resource.js';
import { scriptAttributes } from './script-attributes.js';

export const planTypes = ['deploy', 'capture', 'general'] as const;
export type PlanType = (typeof planTypes)[number];

export interface PlanScriptDoc {
  description: string;
  planType: PlanType;
  content: string;
  hpProvided: boolean;
  dependentArtifacts: unknown[] | null;
}

export interface PlanScript extends Envelope, Omit<PlanScriptDoc, 'dependentArtifacts'> {
  /** JSON-encoded string (Go declares it a string), listing the attributes found in `content`. */
  customAttributes: string | null;
  dependentArtifacts: unknown[] | null;
}

export const planScriptInput = z.object({
  name: resourceName,
  description: z.string().nullish(),
  planType: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(planTypes, { message: 'must be one of deploy, capture, general' })),
  content: z.string({ message: 'must be a string (the script text)' }).max(1024 * 1024, 'must be at most 1 MiB'),
  hpProvided: looseBoolean.optional(),
  id: z.string().optional(),
});

export type PlanScriptInput = z.input<typeof planScriptInput>;

export function presentPlanScript(stored: StoredDocument<PlanScriptDoc>): PlanScript {
  const attributes = scriptAttributes(stored.doc.content);
  return {
    ...envelope(stored, { type: 'PlanScript', category: 'plan-scripts' }),
    description: stored.doc.description,
    planType: stored.doc.planType,
    content: stored.doc.content,
    hpProvided: stored.doc.hpProvided,
    customAttributes: attributes.length === 0 ? null : JSON.stringify(attributes),
    dependentArtifacts: stored.doc.dependentArtifacts,
  };
}

export class PlanScripts {
  constructor(private readonly store: Store) {}

  private get repo() {
    return this.store.documents<PlanScriptDoc>('plan-scripts');
  }

  async list(): Promise<PlanScript[]> {
    return (await this.repo.list()).map(presentPlanScript);
  }

  async stored(id: string): Promise<StoredDocument<PlanScriptDoc>> {
    const stored = await this.repo.get(id);
    if (stored === undefined) throw notFound('PLAN_SCRIPT_NOT_FOUND', `Cannot find plan script "${id}"`, { recommendedActions: ['List plan scripts with GET /rest/plan-scripts'] });
    return stored;
  }

  async get(id: string): Promise<PlanScript> {
    return presentPlanScript(await this.stored(id));
  }

  /** Creates a plan script; `keepId` honours an `id` in the input (bundle extract). */
  async create(input: unknown, options: { keepId?: boolean } = {}): Promise<PlanScript> {
    const parsed = parseInput(planScriptInput, input, 'create the plan script');
    const stored = await this.repo.insert({
      id: options.keepId === true && parsed.id !== undefined ? parsed.id : newResourceId(),
      name: parsed.name,
      created: isoNow(),
      doc: {
        description: parsed.description ?? '',
        planType: parsed.planType,
        content: parsed.content,
        hpProvided: parsed.hpProvided ?? false,
        dependentArtifacts: null,
      },
    });
    return presentPlanScript(stored);
  }

  /** Replaces the editable fields; read-only (hpProvided) scripts are refused unless `overwriteReadOnly`. */
  async update(id: string, input: unknown, options: { overwriteReadOnly?: boolean } = {}): Promise<PlanScript> {
    const current = await this.stored(id);
    if (current.doc.hpProvided && options.overwriteReadOnly !== true) {
      throw forbidden('PLAN_SCRIPT_READ_ONLY', `Cannot update plan script "${current.name}": it is read-only (hpProvided)`, {
        recommendedActions: ['Create a copy of the plan script and edit the copy'],
      });
    }
    const body = { ...(input as object), name: (input as { name?: unknown }).name ?? current.name };
    const parsed = parseInput(planScriptInput.partial({ planType: true, content: true }), body, `update plan script "${current.name}"`);
    const stored = await this.repo.update(id, {
      name: parsed.name,
      modified: isoNow(),
      doc: {
        ...current.doc,
        description: parsed.description ?? current.doc.description,
        planType: parsed.planType ?? current.doc.planType,
        content: parsed.content ?? current.doc.content,
        hpProvided: options.overwriteReadOnly === true ? (parsed.hpProvided ?? current.doc.hpProvided) : current.doc.hpProvided,
      },
    });
    return presentPlanScript(stored);
  }

  /** Build plans whose steps run this script. */
  async usedBy(id: string): Promise<{ id: string; name: string; uri: string; hpProvided: boolean }[]> {
    await this.stored(id);
    const ids = await this.store.buildPlanSteps.buildPlansUsing(id);
    const plans = this.store.documents<{ hpProvided: boolean }>('build-plans');
    const used = [];
    for (const planId of ids) {
      const plan = await plans.get(planId);
      if (plan !== undefined) used.push({ id: plan.id, name: plan.name, uri: `/rest/build-plans/${plan.id}`, hpProvided: plan.doc.hpProvided });
    }
    return used;
  }

  /**
   * Deletes the script. In use by build plans → conflict, unless `force`: then the steps that run it are
   * removed from those plans in the same transaction.
   */
  async delete(id: string, options: { force?: boolean } = {}): Promise<PlanScript> {
    return this.store.transaction(async (tx) => {
      const scripts = new PlanScripts(tx);
      const current = await scripts.stored(id);
      const users = await scripts.usedBy(id);
      if (users.length > 0 && options.force !== true) {
        throw conflict('PLAN_SCRIPT_IN_USE', `Cannot delete plan script "${current.name}": it is used by build plan${users.length > 1 ? 's' : ''} ${users.map((u) => `"${u.name}"`).join(', ')}`, {
          recommendedActions: ['Remove the script from those build plans first, or delete with ?force=true'],
        });
      }
      for (const user of users) await removeStepsRunning(tx, user.id, id);
      await tx.documents('plan-scripts').delete(id);
      return presentPlanScript(current);
    });
  }

  /** Line differences between the stored content and `content`. */
  async differences(id: string, content: unknown): Promise<{ differences: LineChange[] }> {
    const current = await this.stored(id);
    const next = typeof content === 'string' ? content : typeof (content as { content?: unknown } | null)?.content === 'string' ? (content as { content: string }).content : current.doc.content;
    return { differences: diffLines(current.doc.content, next) };
  }
}

async function removeStepsRunning(tx: Store, buildPlanId: string, planScriptId: string): Promise<void> {
  const plans = tx.documents<{ buildStep: { planScriptUri: string; serialNumber: string }[] }>('build-plans');
  const plan = await plans.get(buildPlanId);
  if (plan === undefined) return;
  const steps = plan.doc.buildStep.filter((s) => !s.planScriptUri.endsWith(`/${planScriptId}`)).map((s, i) => ({ ...s, serialNumber: String(i + 1) }));
  await plans.update(buildPlanId, { name: plan.name, modified: isoNow(), doc: { ...plan.doc, buildStep: steps } });
  await tx.buildPlanSteps.replace(buildPlanId, steps.map((s) => s.planScriptUri.split('/').pop() ?? ''));
}
