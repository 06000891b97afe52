// Bundle and backup records as the API shows them (reference §4.6): the lists of what a bundle holds are
// filled from its files at upload, so clients can read them before extract.
import { envelope, type Envelope } from '../artifacts/index.js';
import type { StoredDocument } from '../db/index.js';
import type { BundleContent } from './reader.js';

export interface PlanScriptItem { psID: string; planScriptName: string; description: string; readOnly: boolean }
export interface BuildPlanItem { bpID: string; buildPlanName: string; planScriptName: string; description: string; readOnly: boolean }
export interface DeploymentPlanItem { dpId: string; deploymentplanName: string; oebpName: string; goldenImageName: string; description: string; readOnly: boolean }
export interface GoldenImageItem { giId: string; goldenimageName: string; description: string; readOnly: boolean }

export interface BundleLists {
  planScripts: PlanScriptItem[];
  buildPlans: BuildPlanItem[];
  deploymentPlans: DeploymentPlanItem[];
  goldenImages: GoldenImageItem[];
}

export interface BundleDoc extends BundleLists {
  description: string;
  readOnly: boolean;
  /** The zip's file name inside the bundles (or backups) folder of the data directory. */
  fileName: string;
  sizeBytes: number;
  /** sha256 of the zip file. */
  checkSum: string;
  origin: 'upload' | 'created' | 'backup';
  deploymentGroupURI: string | null;
  lastBackUpDownload: string | null;
}

export interface ArtifactBundle extends Envelope, Omit<BundleLists, 'goldenImages'> {
  description: string;
  artifactsbundleID: string;
  artifactsCount: number;
  size: number;
  readOnly: boolean;
  backupService: boolean;
  importbundle: boolean;
  recoverBundle: boolean;
  checkSum: string;
  downloadURI: string;
  lastBackUpDownload: string;
  goldenimage: GoldenImageItem[];
  goldenImages: GoldenImageItem[];
  deploymentGroupURI?: string | null;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The lists of §4.6, from a validated bundle. */
export function listsOf(content: BundleContent): BundleLists {
  return {
    planScripts: content.planScripts.map((a) => ({ psID: a.id, planScriptName: a.name, description: text(a.json['description']), readOnly: a.json['hpProvided'] === true })),
    buildPlans: content.buildPlans.map((a) => ({
      bpID: a.id,
      buildPlanName: a.name,
      planScriptName: (Array.isArray(a.json['buildStep']) ? (a.json['buildStep'] as { planScriptName?: unknown }[]) : []).map((s) => text(s.planScriptName)).join(', '),
      description: text(a.json['description']),
      readOnly: a.json['hpProvided'] === true,
    })),
    deploymentPlans: content.deploymentPlans.map((a) => ({
      dpId: a.id,
      deploymentplanName: a.name,
      oebpName: text(a.json['oeBuildPlanURI']),
      goldenImageName: text(a.json['goldenImageURI']),
      description: text(a.json['description']),
      readOnly: a.json['hpProvided'] === true,
    })),
    goldenImages: content.goldenImages.map((a) => ({ giId: a.id, goldenimageName: a.name, description: text(a.json['description']), readOnly: a.json['readOnly'] === true })),
  };
}

export function presentBundle(stored: StoredDocument<BundleDoc>, options: { backup: boolean }): ArtifactBundle {
  const d = stored.doc;
  const base = envelope(stored, { type: 'ArtifactsBundle', category: 'artifact-bundles' });
  return {
    ...base,
    uri: options.backup ? `/rest/artifact-bundles/backups/${stored.id}` : base.uri,
    description: d.description,
    artifactsbundleID: stored.id,
    artifactsCount: d.planScripts.length + d.buildPlans.length + d.deploymentPlans.length + d.goldenImages.length,
    size: d.sizeBytes,
    readOnly: d.readOnly,
    backupService: options.backup,
    importbundle: d.origin === 'upload',
    recoverBundle: false,
    checkSum: d.checkSum,
    downloadURI: options.backup ? `/rest/artifact-bundles/backups/archive/${stored.id}` : `/rest/artifact-bundles/download/${stored.id}`,
    lastBackUpDownload: d.lastBackUpDownload ?? '',
    planScripts: d.planScripts,
    buildPlans: d.buildPlans,
    deploymentPlans: d.deploymentPlans,
    goldenimage: d.goldenImages,
    goldenImages: d.goldenImages,
    ...(options.backup ? { deploymentGroupURI: d.deploymentGroupURI } : {}),
  };
}
