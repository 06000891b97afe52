// @ts-check
// The REST resources as the pages read them (reference §4, §6, and src/api/routes): the fields the UI
// uses, not every field the appliance sends. Types only; this module exports nothing at run time.

/**
 * @typedef {{ id: string, uri: string, name: string, description?: string | null, status?: string, state?: string,
 *   created: string, modified: string, eTag?: string }} Resource
 * @typedef {{ name: string, value: string | null, type: string, constraints?: string, description?: string,
 *   editable?: boolean, visible?: boolean }} Attribute
 * @typedef {{ name: string, value: string }} OsCustomAttribute
 * @typedef {{ osDeploymentPlanUri: string | null, osCustomAttributes: OsCustomAttribute[], osVolumeUri: string | null,
 *   forceOsDeployment?: boolean }} OsDeploymentSettings
 * @typedef {Resource & { planType: string, content: string, hpProvided: boolean, customAttributes: string | null }} PlanScript
 * @typedef {{ serialNumber?: string, planScriptUri: string, planScriptName: string, parameters: string | null }} BuildStep
 * @typedef {Resource & { oeBuildPlanType: string, buildStep: BuildStep[], customAttributes: Attribute[], hpProvided: boolean }} BuildPlan
 * @typedef {Resource & { oeBuildPlanURI: string, oeBuildPlanName?: string, goldenImageURI: string | null, goldenImageName?: string,
 *   customAttributes: Attribute[], hpProvided: boolean }} DeploymentPlan
 * @typedef {Resource & { size: number, checkSum: string | null, readOnly: boolean, imageCapture: boolean, osVolumeURI: string | null,
 *   osVolumeName?: string, buildPlanUri: string | null, buildPlanName: string | null, sourceGoldenImageUri: string | null,
 *   importedFromBundle: boolean, bundleName: string | null, format?: string }} GoldenImage
 * @typedef {Resource & { size: number, oeVolumeId: string, oeVolumeIQN: string, oeVolumeIp: string, statelessServerUri: string | null,
 *   statelessServerName?: string, goldenVolumeUri: string | null, goldenImageName?: string }} OsVolume
 * @typedef {{ provisionedCapacity?: number, allocatedCapacity?: number, exportUri?: string | null }} OsVolumeStorage
 * @typedef {{ deploymentplanName: string, oebpName?: string }} BundleDeploymentPlan
 * @typedef {Resource & { artifactsCount?: number, size?: number, readOnly?: boolean, checkSum?: string, downloadURI: string,
 *   deploymentGroupURI?: string, planScripts?: { planScriptName: string }[], buildPlans?: { buildPlanName: string }[],
 *   deploymentPlans?: BundleDeploymentPlan[], goldenimage?: BundleGoldenImage[],
 *   goldenImages?: BundleGoldenImage[] }} Bundle
 * @typedef {{ goldenimageName?: string, name?: string }} BundleGoldenImage
 * @typedef {Resource} DeploymentGroup
 * @typedef {Resource & { driver?: string, model?: string, powerState?: string, serverProfileUri?: string | null,
 *   serverProfileName?: string }} ServerHardware
 * @typedef {Resource & { osDeploymentSettings: OsDeploymentSettings }} ServerProfileTemplate
 * @typedef {Resource & { serverHardwareUri: string | null, serverHardwareName?: string, serverProfileTemplateUri: string | null,
 *   osDeploymentSettings: OsDeploymentSettings, taskUri?: string | null }} ServerProfile
 * @typedef {{ path: string, change: 'added' | 'removed' | 'modified', diff?: string | { kind: string, line: number, text: string }[] }} FileChange
 * @typedef {{ log?: string | string[], changes?: FileChange[] }} Preview
 * @typedef {{ errorCode?: string, message?: string, details?: string, recommendedActions?: string[], data?: Record<string, unknown> }} ErrorBody
 * @typedef {{ name: string, state: string, startTime: string | null, endTime: string | null }} TaskStep
 * @typedef {{ id: number, statusUpdate: string, timestamp: string }} ProgressUpdate
 * @typedef {{ resourceUri: string | null, resourceName: string | null, resourceCategory: string | null }} AssociatedResource
 * @typedef {{ uri: string, id: string, category: string, name: string, owner?: string, taskState: string, taskStatus: string,
 *   percentComplete: number, taskErrors: ErrorBody[], associatedResource: AssociatedResource, progressUpdates: ProgressUpdate[],
 *   taskOutput: string[], steps?: TaskStep[], created: string, modified: string }} Task
 *
 * @typedef {{ 'plan-scripts': PlanScript, 'build-plans': BuildPlan, 'deployment-plans': DeploymentPlan,
 *   'golden-images': GoldenImage, 'os-volumes': OsVolume, 'artifact-bundles': Bundle, 'artifact-bundles/backups': Bundle,
 *   'deployment-groups': DeploymentGroup, 'server-hardware': ServerHardware, 'server-profile-templates': ServerProfileTemplate,
 *   'server-profiles': ServerProfile, tasks: Task }} Collections
 */

export {};
