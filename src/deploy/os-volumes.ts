// OS volumes (reference §4.5): read-only records of the copy-on-write volumes deployments make, with the
// deployment log (`archive`) and storage details (provisioned vs allocated, the NBD export).
import { exportFields, exportUri, type NbdEndpoint } from '../nbd/endpoint.js';
import { notFound } from '../core/errors.js';
import { newResourceId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import { envelope, type Envelope } from '../artifacts/index.js';
import type { Store, StoredDocument } from '../db/index.js';

export interface OsVolumeDoc {
  description: string;
  /** The volume's id in the volume store. */
  storageId: string;
  sizeBytes: number;
  goldenImageId: string | null;
  serverProfileId: string | null;
  serverProfileName: string | null;
  deploymentPlanId: string | null;
  /** Unguessable NBD export name; only OS volume holders learn it. */
  exportName: string;
  log: string[];
  status: 'OK' | 'Warning' | 'Critical';
}

export interface OsVolume extends Envelope {
  description: string;
  size: number;
  oeVolumeId: string;
  oeVolumeIQN: string;
  oeVolumeIp: string;
  statelessServerUri: string | null;
  goldenVolumeUri: string | null;
  deploymentPlanUri: string | null;
  deploymentClusterUri: string | null;
  dependentArtifacts: unknown[] | null;
}

/** Allocation as the volume store reports it. */
export type VolumeAllocation = (storageId: string) => Promise<{ provisionedBytes: number; allocatedBytes: number }>;

const columns = (doc: OsVolumeDoc) => ({ golden_image_id: doc.goldenImageId, server_profile_id: doc.serverProfileId });

export class OsVolumes {
  constructor(
    private readonly store: Store,
    private readonly endpoint: NbdEndpoint,
    private readonly allocation: VolumeAllocation,
  ) {}

  private get repo() {
    return this.store.osVolumes<OsVolumeDoc>(columns);
  }

  present(stored: StoredDocument<OsVolumeDoc>): OsVolume {
    const d = stored.doc;
    return {
      ...envelope(stored, { type: 'OSVolume', category: 'os-volumes', status: d.status }),
      description: d.description,
      size: d.sizeBytes,
      oeVolumeId: d.storageId,
      oeVolumeIQN: exportUri(this.endpoint, d.exportName),
      oeVolumeIp: this.endpoint.host,
      statelessServerUri: d.serverProfileId === null ? null : `/rest/server-profiles/${d.serverProfileId}`,
      goldenVolumeUri: d.goldenImageId === null ? null : `/rest/golden-images/${d.goldenImageId}`,
      deploymentPlanUri: d.deploymentPlanId === null ? null : `/rest/deployment-plans/${d.deploymentPlanId}`,
      deploymentClusterUri: null,
      dependentArtifacts: null,
    };
  }

  async list(): Promise<OsVolume[]> {
    return (await this.repo.list()).map((v) => this.present(v));
  }

  async stored(key: string): Promise<StoredDocument<OsVolumeDoc>> {
    const found = (await this.repo.get(key)) ?? (await this.repo.getByName(key)) ?? (await this.repo.list()).find((v) => v.doc.storageId === key);
    if (found === undefined) throw notFound('OS_VOLUME_NOT_FOUND', `Cannot find OS volume "${key}"`, { recommendedActions: ['List OS volumes with GET /rest/os-volumes'] });
    return found;
  }

  /** By id, name or oeVolumeId (clients use all three for `archive`). */
  async get(key: string): Promise<OsVolume> {
    return this.present(await this.stored(key));
  }

  /** Every record as stored (storage ids, export names), for start-up reconciliation. */
  async records(): Promise<StoredDocument<OsVolumeDoc>[]> {
    return this.repo.list();
  }

  async usingGoldenImage(goldenImageId: string): Promise<number> {
    return (await this.repo.listWhere('golden_image_id', goldenImageId)).length;
  }

  /** Records a new volume; its name follows Image Streamer's `OSVolume-<n>`. */
  async record(doc: Omit<OsVolumeDoc, 'log' | 'status'> & { log?: string[] }): Promise<OsVolume> {
    const count = (await this.repo.list()).length;
    let n = count + 1;
    while ((await this.repo.getByName(`OSVolume-${n}`)) !== undefined) n++;
    const stored = await this.repo.insert({ id: newResourceId(), name: `OSVolume-${n}`, created: isoNow(), doc: { ...doc, log: doc.log ?? [], status: 'OK' } });
    return this.present(stored);
  }

  async appendLog(id: string, lines: string[], status?: OsVolumeDoc['status']): Promise<void> {
    const current = await this.stored(id);
    await this.repo.update(current.id, { name: current.name, modified: isoNow(), doc: { ...current.doc, log: [...current.doc.log, ...lines], status: status ?? current.doc.status } });
  }

  async archive(key: string): Promise<string> {
    const v = await this.stored(key);
    return `${v.doc.log.join('\n')}\n`;
  }

  async storage(id: string): Promise<Record<string, unknown>> {
    const v = await this.stored(id);
    const { provisionedBytes, allocatedBytes } = await this.allocation(v.doc.storageId);
    return {
      type: 'OSVolumeStorage',
      osVolumeUri: `/rest/os-volumes/${v.id}`,
      provisionedCapacity: provisionedBytes,
      allocatedCapacity: allocatedBytes,
      protocol: 'nbd',
      ...exportFields(this.endpoint, v.doc.exportName),
    };
  }

  async exportName(storageId: string): Promise<string | undefined> {
    return (await this.repo.list()).find((v) => v.doc.storageId === storageId)?.doc.exportName;
  }

  async remove(id: string): Promise<StoredDocument<OsVolumeDoc>> {
    const v = await this.stored(id);
    await this.repo.delete(v.id);
    return v;
  }
}
