// Deployment plans: documents plus the build plan and golden image they reference, as indexed columns.
import type { Kysely } from 'kysely';
import type { Schema } from '../schema.js';
import { DocumentTable } from './documents.js';

export interface DeploymentPlanRefs {
  buildPlanId: string;
  goldenImageId: string | null;
}

export class DeploymentPlanTable<T extends DeploymentPlanRefs> extends DocumentTable<T> {
  constructor(private readonly kdb: Kysely<Schema>) {
    super(kdb, 'deployment_plans', 'deployment-plans', (doc) => ({ build_plan_id: doc.buildPlanId, golden_image_id: doc.goldenImageId }));
  }

  async usingBuildPlan(buildPlanId: string): Promise<string[]> {
    const rows = await this.kdb.selectFrom('deployment_plans').select('id').where('build_plan_id', '=', buildPlanId).execute();
    return rows.map((r) => r.id);
  }

  async usingGoldenImage(goldenImageId: string): Promise<string[]> {
    const rows = await this.kdb.selectFrom('deployment_plans').select('id').where('golden_image_id', '=', goldenImageId).execute();
    return rows.map((r) => r.id);
  }
}
