// The build plan → plan script references, kept as rows so "in use" checks are SQL, not JSON scans.
import type { Kysely } from 'kysely';
import type { Schema } from '../schema.js';

export interface BuildPlanStepRepository {
  /** Replaces the plan's step references (serial order = array order). */
  replace(buildPlanId: string, planScriptIds: string[]): Promise<void>;
  /** Ids of build plans that have a step running this plan script. */
  buildPlansUsing(planScriptId: string): Promise<string[]>;
}

export class BuildPlanStepTable implements BuildPlanStepRepository {
  constructor(private readonly db: Kysely<Schema>) {}

  async replace(buildPlanId: string, planScriptIds: string[]): Promise<void> {
    await this.db.deleteFrom('build_plan_steps').where('build_plan_id', '=', buildPlanId).execute();
    if (planScriptIds.length === 0) return;
    await this.db
      .insertInto('build_plan_steps')
      .values(planScriptIds.map((plan_script_id, i) => ({ build_plan_id: buildPlanId, serial: i + 1, plan_script_id })))
      .execute();
  }

  async buildPlansUsing(planScriptId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('build_plan_steps')
      .select('build_plan_id')
      .distinct()
      .where('plan_script_id', '=', planScriptId)
      .execute();
    return rows.map((r) => r.build_plan_id);
  }
}
