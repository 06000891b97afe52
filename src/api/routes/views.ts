// Read-only views: deployment groups, and OneView's OS deployment plans and deployment servers (reference §6).
import type { DeploymentGroups } from '../../artifacts/deployment-groups.js';
import type { OneViewViews } from '../../artifacts/oneview.js';
import { json, type ApiRouter } from '../router.js';
import { collection } from './respond.js';

export interface ViewServices {
  deploymentGroups: DeploymentGroups;
  oneView: OneViewViews;
}

export function registerViewRoutes(api: ApiRouter, s: ViewServices): void {
  const read = 'session' as const;
  api.add({
    method: 'get', path: '/rest/deployment-groups', tag: 'Deployment groups', access: read, summary: 'List deployment groups', returns: 'DeploymentGroupCollection',
    handler: async (r) => collection(r, await s.deploymentGroups.list(), { category: 'deployment-groups', type: 'DeploymentGroupCollection' }),
  });
  api.add({
    method: 'get', path: '/rest/deployment-groups/:id', tag: 'Deployment groups', access: read, summary: 'Get a deployment group', returns: 'DeploymentGroup',
    handler: async (r) => json(await s.deploymentGroups.get(r.param('id'))),
  });
  api.add({
    method: 'get', path: '/rest/os-deployment-plans', tag: 'OneView', access: read, summary: 'List OS deployment plans (OneView view)', returns: 'OsdpCollection',
    handler: async (r) => collection(r, await s.oneView.osDeploymentPlans(), { category: 'os-deployment-plans', type: 'OsdpCollectionV2' }),
  });
  api.add({
    method: 'get', path: '/rest/os-deployment-plans/:id', tag: 'OneView', access: read, summary: 'Get an OS deployment plan (OneView view)', returns: 'Osdp',
    handler: async (r) => json(await s.oneView.osDeploymentPlan(r.param('id'))),
  });
  api.add({
    method: 'get', path: '/rest/deployment-plans/:id/osdp', tag: 'Deployment plans', access: read, summary: 'Get the OneView OS deployment plan of a deployment plan', returns: 'Osdp',
    handler: async (r) => json(await s.oneView.osDeploymentPlan(r.param('id'))),
  });
  for (const base of ['/rest/deployment-servers', '/rest/os-deployment-servers']) {
    api.add({
      method: 'get', path: `${base}/image-streamer-appliances`, tag: 'OneView', access: read, summary: 'List Image Streamer appliances', returns: 'ImageStreamerApplianceCollection',
      handler: (r) => collection(r, s.oneView.appliances(), { category: 'image-streamer-appliances', type: 'ImageStreamerApplianceCollection' }),
    });
    api.add({
      method: 'get', path: `${base}/image-streamer-appliances/:id`, tag: 'OneView', access: read, summary: 'Get an Image Streamer appliance', returns: 'ImageStreamerAppliance',
      handler: (r) => json(s.oneView.applianceById(r.param('id'))),
    });
    api.add({
      method: 'get', path: `${base}/network`, tag: 'OneView', access: read, summary: 'List networks usable as the deployment management network', returns: 'NetworkCollection',
      handler: (r) => collection(r, [], { category: 'ethernet-networks', type: 'NetworkCollection' }),
    });
    api.add({
      method: 'get', path: base, tag: 'OneView', access: read, summary: 'List deployment servers', returns: 'DeploymentServerCollection',
      handler: (r) => collection(r, s.oneView.deploymentServers(), { category: 'deployment-servers', type: 'DeploymentServerCollectionV1' }),
    });
    api.add({
      method: 'get', path: `${base}/:id`, tag: 'OneView', access: read, summary: 'Get a deployment server', returns: 'DeploymentServer',
      handler: (r) => json(s.oneView.deploymentServer(r.param('id'))),
    });
  }
}
