// What server profiles need from the rest of the appliance, as interfaces the composition root fills in:
// compute modules, attribute resolution, and the deploy/undeploy work itself.
import type { DeploymentPlan } from '../artifacts/index.js';
import type { TaskContext } from '../tasks/index.js';
import type { OsCustomAttribute } from './os-deployment-settings.js';

export interface HardwareRef {
  id: string;
  uri: string;
  name: string;
}

export interface HardwareCatalog {
  /** The compute module behind a `/rest/server-hardware/<id>` uri (or bare id); undefined when unknown. */
  find(uriOrId: string): Promise<HardwareRef | undefined>;
  /** Records which profile a module carries (null: none). */
  assign(hardwareId: string, profile: { uri: string; name: string } | null): Promise<void>;
}

/**
 * Resolves a profile's attribute values against a deployment plan (profile, then deployment plan, then
 * build plan, then script defaults), validating every typed value and reporting all bad values at once.
 */
export type AttributeResolver = (plan: DeploymentPlan, given: OsCustomAttribute[]) => Record<string, string>;

export interface DeployRequest {
  profile: { id: string; uri: string; name: string };
  hardware: HardwareRef | null;
  plan: DeploymentPlan;
  attributes: Record<string, string>;
  /** The volume deployed before, replaced once the new one is ready (redeploy). */
  previousVolumeUri: string | null;
}

export interface Deployer {
  /** Clones, personalizes, exports and boots; returns the new OS volume's uri. */
  deploy(context: TaskContext, request: DeployRequest): Promise<{ osVolumeUri: string }>;
  /** Powers the module off and removes the volume (both optional). */
  undeploy(context: TaskContext, request: { hardware: HardwareRef | null; osVolumeUri: string | null }): Promise<void>;
}
