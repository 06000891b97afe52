// GoldenImages and its NBD export port: what happens when offering an image fails, and the order of
// withdrawing an export and deleting the bytes. The volume store and the NBD server have their own tests
// (and test/deploy/golden-image-export.test.ts runs the real ones together); here they are recorded calls.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { conflict } from '../core/errors.js';
import { openSqliteStore, type Store } from '../db/index.js';
import { GoldenImages, type GoldenImageBytes, type GoldenImageExports } from './golden-images.js';

let dir: string;
let store: Store;
const calls: string[] = [];

function bytes(options: { refuseDelete?: boolean } = {}): GoldenImageBytes {
  let n = 0;
  return {
    async importImage(source) {
      let size = 0;
      for await (const chunk of source) size += (chunk as Buffer).length;
      return { imageId: `img-${++n}`, sizeBytes: size, sha256: 'x', format: 'raw' };
    },
    deleteImage(imageId) {
      calls.push(`delete ${imageId}`);
      if (options.refuseDelete === true) return Promise.reject(conflict('STORAGE_IMAGE_IN_USE', `Cannot delete image "${imageId}": it is being read`));
      return Promise.resolve();
    },
    exportZip: () => Promise.resolve(Readable.from([])),
    dependents: () => Promise.resolve(0),
    allocation: () => Promise.resolve({ provisionedBytes: 3, allocatedBytes: 4096 }),
  };
}

function exports(options: { failAdd?: boolean } = {}): GoldenImageExports {
  const live = new Set<string>();
  return {
    endpoint: { host: '192.0.2.7', port: 10809 },
    add(name, storageId) {
      calls.push(`add ${storageId}`);
      if (options.failAdd === true) return Promise.reject(new Error('the layer files are missing'));
      live.add(name);
      return Promise.resolve();
    },
    remove(name) {
      calls.push('remove');
      return Promise.resolve(live.delete(name));
    },
    has: (name) => live.has(name),
  };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'golden-images-'));
  store = await openSqliteStore(join(dir, 'db.sqlite'));
  calls.length = 0;
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const noPlans = { deploymentPlansUsing: () => Promise.resolve([]) };

describe('GoldenImages over the export port', () => {
  it('an image whose export fails is kept, and its log says why; storage details show no export', async () => {
    const images = new GoldenImages(store, bytes(), exports({ failAdd: true }));
    const image = await images.importFrom(Readable.from([Buffer.from('abc')]), { name: 'base' });
    expect(calls).toEqual(['add img-1']);
    expect(await images.archive(image.id)).toMatch(/not exported over NBD: the layer files are missing/);
    expect(await images.storage(image.id)).toMatchObject({ provisionedCapacity: 3, allocatedCapacity: 4096, exportName: null, exportUri: null });
    expect((await images.list()).map((i) => i.name)).toEqual(['base']);
  });

  it('withdraws the export before deleting the bytes, and offers it again when the delete is refused', async () => {
    const port = exports();
    const refusing = new GoldenImages(store, bytes({ refuseDelete: true }), port);
    const image = await refusing.importFrom(Readable.from([Buffer.from('abc')]), { name: 'base' });
    const { exportUri } = await refusing.storage(image.id);
    expect(exportUri).toMatch(/^nbd:\/\/192\.0\.2\.7:10809\/golden-[0-9a-f]{32}$/);
    await expect(refusing.delete(image.id, noPlans)).rejects.toMatchObject({ code: 'STORAGE_IMAGE_IN_USE' });
    expect(calls).toEqual(['add img-1', 'remove', 'delete img-1', 'add img-1']);
    expect((await refusing.storage(image.id)).exportUri).toBe(exportUri);

    calls.length = 0;
    await new GoldenImages(store, bytes(), port).delete(image.id, noPlans);
    expect(calls).toEqual(['remove', 'delete img-1']);
    await expect(refusing.get(image.id)).rejects.toMatchObject({ kind: 'not_found' });
  });
});
