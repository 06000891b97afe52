// Artifact bundles and backups: plain document tables (the zip files themselves live in the data directory).
import type { Kysely } from 'kysely';
import type { Schema } from '../schema.js';
import { DocumentTable } from './documents.js';

export class BundleTable<T> extends DocumentTable<T> {
  constructor(db: Kysely<Schema>, kind: 'bundles' | 'backups') {
    super(db, kind === 'bundles' ? 'artifact_bundles' : 'artifact_backups', kind === 'bundles' ? 'artifact-bundles' : 'artifact-bundles/backups');
  }
}
