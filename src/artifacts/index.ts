// Artifacts: plan scripts, OS build plans, deployment plans, deployment groups and the OneView views.
export { PlanScripts, planScriptInput, planTypes, type PlanScript, type PlanScriptDoc, type PlanType } from './plan-scripts.js';
export { BuildPlans, buildPlanInput, type BuildPlan, type BuildPlanDoc, type BuildStep } from './build-plans.js';
export { DeploymentPlans, deploymentPlanInput, type DeploymentPlan, type DeploymentPlanAttribute, type GoldenImageLookup, type DeploymentPlanUsage } from './deployment-plans.js';
export { DeploymentGroups, DEFAULT_GROUP_NAME, type DeploymentGroup } from './deployment-groups.js';
export { OneViewViews, osDeploymentPlan, type ApplianceIdentity, type OsDeploymentPlan } from './oneview.js';
export { diffLines, type LineChange } from './line-diff.js';
export { envelope, looseBoolean, parseInput, idFromUri, resourceName, type Envelope } from './resource.js';
export type { CustomAttribute } from './script-attributes.js';
export { GoldenImages, goldenImageUpdateInput, type GoldenImage, type GoldenImageBytes, type GoldenImageDoc, type GoldenImageExports, type GoldenImageLineage } from './golden-images.js';
