// Artifact bundles and backups: HPE's bundle zip format (read with validation, written byte-compatibly),
// the bundle and backup records, extract, and the golden-image port bundles stream payloads through.
import { ArtifactBackups, type DeploymentGroupLookup } from './backups.js';
import { ArtifactBundles, type BundleServiceOptions } from './bundles.js';

export { ArtifactBundles, nameFromFile, renameInput, type BundleServiceOptions } from './bundles.js';
export { ArtifactBackups, type BackupServiceOptions, type DeploymentGroupLookup } from './backups.js';
export { bundleInput, type BundleInput } from './collect.js';
export type { ArtifactServices, ArtifactsOver, ExtractSummary } from './extract.js';
export { goldenImagePort, type GoldenImagePort, type GoldenImageSink, type GoldenImageSource, type GoldenImageInfo } from './golden-images.js';
export { readBundle, type BundleContent, type BundleArtifact, type ApplianceRefs } from './reader.js';
export { writeBundle, type BundleToWrite, type WrittenBundle } from './writer.js';
export { parseManifest, formatManifest, type Manifest } from './manifest.js';
export { defaultZipLimits, type ZipLimits } from './zip-reader.js';
export type { ArtifactBundle, BundleDoc } from './records.js';

export interface BundleServices {
  bundles: ArtifactBundles;
  backups: ArtifactBackups;
}

/** Builds the bundle and backup services of one appliance. */
export function createBundleServices(options: BundleServiceOptions & { deploymentGroups: DeploymentGroupLookup }): BundleServices {
  return { bundles: new ArtifactBundles(options), backups: new ArtifactBackups(options) };
}
