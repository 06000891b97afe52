// Backups (reference §3, §5.6): a bundle of every artifact on the appliance for a deployment group; one
// exists at a time (a new one replaces the old). Restore extracts it with forceImport. Zips live in
// `<dataDir>/backups/<id>.zip`.
import type { Readable } from 'node:stream';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { idFromUri } from '../artifacts/index.js';
import { invalid, notFound } from '../core/errors.js';
import { newResourceId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import type { Task } from '../tasks/index.js';
import { ArtifactBundles, type BundleServiceOptions } from './bundles.js';
import { collectArtifacts, everything } from './collect.js';
import type { ArtifactBundle } from './records.js';

/** The deployment groups backups target (read-only, artifacts/deployment-groups.ts). */
export interface DeploymentGroupLookup {
  get(id: string): Promise<{ id: string; name: string; uri: string }>;
}

export interface BackupServiceOptions extends BundleServiceOptions {
  deploymentGroups: DeploymentGroupLookup;
}

export class ArtifactBackups extends ArtifactBundles {
  constructor(private readonly backupOptions: BackupServiceOptions) {
    super(backupOptions);
  }

  protected override get kind(): 'bundles' | 'backups' {
    return 'backups';
  }

  /** The deployment group a request names (`/rest/deployment-groups/<id>` or a bare id). */
  async group(uri: unknown): Promise<{ id: string; name: string; uri: string }> {
    if (typeof uri !== 'string' || uri.trim() === '') {
      throw invalid('INVALID_INPUT', 'Cannot back up or restore: "deploymentGroupURI" is required', { recommendedActions: ['Send {"deploymentGroupURI": "/rest/deployment-groups/<id>"}; list groups with GET /rest/deployment-groups'] });
    }
    const id = idFromUri(uri, 'deployment-groups');
    if (id === undefined) throw invalid('INVALID_INPUT', `Cannot back up or restore: "${uri}" is not a /rest/deployment-groups/<id> uri`);
    return this.backupOptions.deploymentGroups.get(id);
  }

  /** Removes every backup but `keep` (one backup exists at a time). */
  private async removeOthers(keep: string): Promise<void> {
    for (const old of await this.repo().list()) {
      if (old.id === keep) continue;
      await this.repo().delete(old.id);
      await rm(join(this.dir, old.doc.fileName), { force: true });
    }
  }

  /** Backs up every artifact (golden images included) as a task; the new backup replaces the old one. */
  async backup(deploymentGroupURI: unknown, owner: string): Promise<Task> {
    const group = await this.group(deploymentGroupURI);
    const services = this.options.artifactsOver(this.options.store);
    return this.options.tasks.start({
      name: 'Create',
      owner,
      resource: { uri: null, name: null, category: 'artifact-bundles' },
      run: async (context) => {
        const id = newResourceId();
        const stamp = isoNow();
        const name = `Backup-${group.name}-${stamp.replace(/[:.]/g, '-')}`;
        const chosen = await everything(services, this.options.goldenImages);
        const toWrite = await collectArtifacts({ name, description: `Backup of deployment group "${group.name}" taken ${stamp}`, ...chosen }, { services, images: this.options.goldenImages, bundleId: id });
        await context.progress(10, `Writing backup "${name}"`);
        const stored = await this.writeAndRecord(toWrite, { id, name, origin: 'backup', extra: { deploymentGroupURI: group.uri }, signal: context.signal });
        await this.removeOthers(stored.id);
        context.setResource({ uri: `/rest/artifact-bundles/backups/${stored.id}`, name: stored.name, category: 'artifact-bundles' });
      },
    });
  }

  /** Restores a backup: extracts it with forceImport. `id` undefined → the one current backup. */
  async restore(id: string | undefined, deploymentGroupURI: unknown, owner: string): Promise<Task> {
    if (deploymentGroupURI !== undefined) await this.group(deploymentGroupURI);
    let backupId = id;
    if (backupId === undefined) {
      const current = (await this.repo().list()).at(-1);
      if (current === undefined) throw notFound('BACKUP_NOT_FOUND', 'Cannot restore: this appliance has no backup', { recommendedActions: ['Create one with POST /rest/artifact-bundles/backups, or upload one'] });
      backupId = current.id;
    }
    return this.extract(backupId, { forceImport: true, owner, name: 'Restore' });
  }

  /** Receives an uploaded backup zip (validated like any bundle); `adopt` then makes it current and restores it. */
  async receiveBackup(source: Readable, options: { fileName: string; signal?: AbortSignal }): Promise<ArtifactBundle> {
    const name = `${options.fileName.replace(/^.*[/\\]/, '').replace(/\.zip$/i, '') || 'Backup'}-${isoNow().replace(/[:.]/g, '-')}`;
    return this.receive(source, { fileName: options.fileName, name, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  }

  /**
   * Makes an uploaded backup the current one for a deployment group and restores it (a task). A bad
   * group removes the uploaded backup again.
   */
  async adopt(id: string, deploymentGroupURI: unknown, owner: string): Promise<Task> {
    let group;
    try {
      group = await this.group(deploymentGroupURI);
    } catch (error) {
      await this.delete(id).catch(() => undefined);
      throw error;
    }
    const current = await this.stored(id);
    await this.repo().update(id, { name: current.name, modified: isoNow(), doc: { ...current.doc, deploymentGroupURI: group.uri } });
    await this.removeOthers(id);
    return this.restore(id, undefined, owner);
  }

  /** The backup zip; remembers when it was last downloaded. */
  override async download(id: string): Promise<{ name: string; sizeBytes: number; stream: Readable }> {
    const result = await super.download(id);
    const current = await this.stored(id);
    await this.repo().update(id, { name: current.name, modified: current.modified, doc: { ...current.doc, lastBackUpDownload: isoNow() } });
    return result;
  }
}
