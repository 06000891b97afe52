// Artifacts as a bundle holds them (reference §8.1, §8.3): compact JSON in HPE's key order, with `uri`,
// `eTag`, `created`, `modified` (and `category`, `state`, `status`) nulled and deployment-plan references
// replaced by names. Build steps keep `/rest/plan-scripts/<id>`.
import type { BuildPlan, DeploymentPlan, PlanScript } from '../artifacts/index.js';

type Json = Record<string, unknown>;


export function planScriptJson(s: PlanScript, readOnly: boolean): Json {
  return {
    type: s.type, dependentArtifacts: null, hpProvided: readOnly, eTag: null, created: null, modified: null, customAttributes: null,
    planType: s.planType, description: s.description, category: null, status: null, uri: null, name: s.name, id: s.id, state: null, content: s.content,
  };
}

export function buildPlanJson(p: BuildPlan, readOnly: boolean): Json {
  return {
    type: p.type, dependentArtifacts: null,
    customAttributes: p.customAttributes.map((a) => ({ constraints: a.constraints, description: a.description, name: a.name, value: a.value, type: a.type })),
    buildStep: p.buildStep.map((s) => ({ planScriptName: s.planScriptName, planScriptUri: s.planScriptUri, serialNumber: s.serialNumber, parameters: s.parameters })),
    eTag: null, created: null, modified: null, hpProvided: readOnly, buildPlanid: p.id, oeBuildPlanType: p.oeBuildPlanType,
    description: p.description, category: null, status: null, uri: null, name: p.name,
  };
}

export function deploymentPlanJson(d: DeploymentPlan, options: { readOnly: boolean; buildPlanName: string; goldenImageName: string | null }): Json {
  return {
    type: d.type, hpProvided: options.readOnly,
    customAttributes: d.customAttributes.map((a) => ({ editable: a.editable, visible: a.visible, constraints: a.constraints, description: a.description, name: a.name, value: a.value, id: a.id, type: a.type })),
    importMetadata: d.importMetadata, eTag: null, created: null, modified: null,
    goldenImageURI: options.goldenImageName ?? '', oeBuildPlanURI: options.buildPlanName,
    description: d.description, category: null, status: null, uri: null, name: d.name, id: d.id, state: null,
  };
}

/** What a bundle needs to know of a golden image. */
export interface GoldenImageInfo {
  id: string;
  name: string;
  description: string | null;
  readOnly: boolean;
}

export function goldenImageJson(g: GoldenImageInfo, options: { readOnly: boolean; bundleName: string; bundleId: string }): Json {
  return {
    type: 'GoldenImage', dependentArtifacts: null, osVolumeName: null, checkSum: null, importedFromBundle: true,
    bundleName: options.bundleName, bundleURI: `/rest/artifact-bundles/${options.bundleId}`, artifactBundleCategory: 'artifact-bundles',
    osVolumeCategory: null, buildPlanName: null, buildPlanCategory: null, imageCapture: false, osVolumeURI: null, buildPlanUri: null,
    readOnly: options.readOnly, created: null, modified: null, description: g.description, category: null, status: null, uri: null,
    name: g.name, id: g.id, state: null, size: 0, eTag: null,
  };
}

export const compact = (json: Json): Buffer => Buffer.from(JSON.stringify(json), 'utf8');

