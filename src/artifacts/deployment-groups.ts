// Deployment groups (reference §4.7): read-only; one default group always exists and backups target it.
import { notFound } from '../core/errors.js';
import { newResourceId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import type { Store, StoredDocument } from '../db/index.js';
import { envelope, type Envelope } from './resource.js';

export interface DeploymentGroupDoc {
  description: string;
}

export type DeploymentGroup = Envelope & DeploymentGroupDoc;

export const DEFAULT_GROUP_NAME = 'OSS';

const present = (stored: StoredDocument<DeploymentGroupDoc>): DeploymentGroup => ({
  ...envelope(stored, { type: 'DeploymentGroup', category: 'deployment-groups' }),
  description: stored.doc.description,
});

export class DeploymentGroups {
  constructor(private readonly store: Store) {}

  private get repo() {
    return this.store.documents<DeploymentGroupDoc>('deployment-groups');
  }

  /** Creates the default group when none exists (idempotent; run at start-up). */
  async ensureDefault(): Promise<DeploymentGroup> {
    const existing = await this.repo.getByName(DEFAULT_GROUP_NAME);
    if (existing !== undefined) return present(existing);
    return present(await this.repo.insert({ id: newResourceId(), name: DEFAULT_GROUP_NAME, created: isoNow(), doc: { description: 'Default deployment group of this appliance' } }));
  }

  async list(): Promise<DeploymentGroup[]> {
    return (await this.repo.list()).map(present);
  }

  async get(id: string): Promise<DeploymentGroup> {
    const stored = await this.repo.get(id);
    if (stored === undefined) throw notFound('DEPLOYMENT_GROUP_NOT_FOUND', `Cannot find deployment group "${id}"`, { recommendedActions: ['List deployment groups with GET /rest/deployment-groups'] });
    return present(stored);
  }
}
