// Numbered migrations, applied in order by the Kysely migrator. Never edit a landed migration: add one.
import type { Migration } from 'kysely';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-bundles.js';
import * as m0003 from './0003-deploy.js';
import * as m0004 from './0004-volumes.js';

export const migrations: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-bundles': m0002,
  '0003-deploy': m0003,
  '0004-volumes': m0004,
};
