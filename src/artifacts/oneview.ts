// The OneView side of Image Streamer (reference §6): OS deployment plans as OneView shows them, and this
// appliance as the one deployment server. Read-only views over the artifacts.
import { notFound } from '../core/errors.js';
import type { DeploymentPlan, DeploymentPlans } from './deployment-plans.js';

export interface ApplianceIdentity {
  id: string;
  name: string;
  /** Address clients reach the appliance at (shown as deploymentApplianceIpv4). */
  address: string;
  created: string;
}

export interface OsDeploymentPlan {
  type: 'OsdpV2';
  id: string;
  uri: string;
  name: string;
  description: string | null;
  category: 'os-deployment-plans';
  deploymentType: 'I3S';
  nativePlanUri: string;
  osType: string;
  architecture: string;
  osdpSize: string;
  deploymentAppliance: string;
  deploymentApplianceIpv4: string;
  additionalParameters: { name: string; value: string | null; description: string; caId: string; caType: string; caConstraints: string; caEditable: boolean; caVisible: boolean }[];
  state: string;
  status: string;
  eTag: string;
  created: string;
  modified: string;
}

export function osDeploymentPlan(plan: DeploymentPlan, appliance: ApplianceIdentity): OsDeploymentPlan {
  return {
    type: 'OsdpV2',
    id: plan.id,
    uri: `/rest/os-deployment-plans/${plan.id}`,
    name: plan.name,
    description: plan.description,
    category: 'os-deployment-plans',
    deploymentType: 'I3S',
    nativePlanUri: plan.uri,
    osType: 'Other',
    architecture: 'x86_64',
    osdpSize: plan.goldenImageURI === null ? '0GB' : 'auto',
    deploymentAppliance: appliance.id,
    deploymentApplianceIpv4: appliance.address,
    additionalParameters: plan.customAttributes.map((a) => ({
      name: a.name,
      value: a.type === 'password' ? null : a.value,
      description: a.description,
      caId: a.id,
      caType: a.type,
      caConstraints: a.constraints,
      caEditable: a.editable,
      caVisible: a.visible,
    })),
    state: plan.state,
    status: plan.status,
    eTag: plan.eTag,
    created: plan.created,
    modified: plan.modified,
  };
}

export class OneViewViews {
  constructor(
    private readonly plans: DeploymentPlans,
    private readonly appliance: ApplianceIdentity,
  ) {}

  async osDeploymentPlans(): Promise<OsDeploymentPlan[]> {
    return (await this.plans.list()).map((p) => osDeploymentPlan(p, this.appliance));
  }

  async osDeploymentPlan(id: string): Promise<OsDeploymentPlan> {
    return osDeploymentPlan(await this.plans.get(id), this.appliance);
  }

  deploymentServers(): Record<string, unknown>[] {
    const a = this.appliance;
    return [
      {
        type: 'DeploymentServerV1',
        id: a.id,
        uri: `/rest/deployment-servers/${a.id}`,
        category: 'deployment-servers',
        name: a.name,
        description: 'Streamer appliance',
        state: 'Connected',
        status: 'OK',
        applianceUri: `/rest/deployment-servers/image-streamer-appliances/${a.id}`,
        primaryActiveAppliance: `/rest/deployment-servers/image-streamer-appliances/${a.id}`,
        mgmtNetworkUri: null,
        deplManagersType: 'I3S',
        created: a.created,
        modified: a.created,
        eTag: String(Date.parse(a.created)),
      },
    ];
  }

  deploymentServer(id: string): Record<string, unknown> {
    const server = this.deploymentServers().find((s) => s['id'] === id);
    if (server === undefined) throw notFound('DEPLOYMENT_SERVER_NOT_FOUND', `Cannot find deployment server "${id}"`);
    return server;
  }

  appliances(): Record<string, unknown>[] {
    const a = this.appliance;
    return [
      {
        type: 'ImageStreamerAppliance',
        id: a.id,
        uri: `/rest/deployment-servers/image-streamer-appliances/${a.id}`,
        category: 'image-streamer-appliances',
        name: a.name,
        applianceIpv4: a.address,
        state: 'Connected',
        status: 'OK',
        isActive: true,
        created: a.created,
        modified: a.created,
      },
    ];
  }

  applianceById(id: string): Record<string, unknown> {
    const found = this.appliances().find((s) => s['id'] === id);
    if (found === undefined) throw notFound('APPLIANCE_NOT_FOUND', `Cannot find image streamer appliance "${id}"`);
    return found;
  }
}
