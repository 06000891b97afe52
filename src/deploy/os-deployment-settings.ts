// A server profile's `osDeploymentSettings` (reference §6): the deployment plan and per-server attribute
// values, with NIC attributes as dotted names (`Nic1.ipaddress`); booleans may arrive as strings.
import { z } from 'zod';

export const osCustomAttributeInput = z.object({
  name: z.string().min(1),
  value: z.union([z.string(), z.number(), z.boolean()]).nullish(),
  type: z.string().optional(),
  constraints: z.unknown().optional(),
});

export const osDeploymentSettingsInput = z.object({
  osDeploymentPlanUri: z.string().nullish(),
  osCustomAttributes: z.array(osCustomAttributeInput).nullish(),
  osVolumeUri: z.string().nullish(),
  forceOsDeployment: z.union([z.boolean(), z.string()]).optional(),
  deployMethod: z.string().optional(),
  reapplyState: z.string().optional(),
  complianceControl: z.string().optional(),
});

export interface OsCustomAttribute {
  name: string;
  value: string;
}

export interface OsDeploymentSettings {
  osDeploymentPlanUri: string | null;
  osCustomAttributes: OsCustomAttribute[];
  osVolumeUri: string | null;
}

export function normalizeSettings(input: z.output<typeof osDeploymentSettingsInput> | null | undefined): OsDeploymentSettings {
  const plan = input?.osDeploymentPlanUri?.trim();
  return {
    osDeploymentPlanUri: plan === undefined || plan === '' ? null : plan,
    osCustomAttributes: (input?.osCustomAttributes ?? []).map((a) => ({ name: a.name, value: a.value === undefined || a.value === null ? '' : String(a.value) })),
    osVolumeUri: input?.osVolumeUri ?? null,
  };
}

/** A stable key of what a deployment depends on: the plan and the sorted attribute values. */
export function deploymentSignature(settings: OsDeploymentSettings): string {
  const attributes = [...settings.osCustomAttributes].sort((a, b) => a.name.localeCompare(b.name)).map((a) => `${a.name}=${a.value}`);
  return JSON.stringify([settings.osDeploymentPlanUri, attributes]);
}
