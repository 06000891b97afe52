// Golden images and OS volumes (reference §3, §4.4, §4.5). Until the volume store is wired in, both
// collections answer correctly, and empty.
import { notFound } from '../../core/errors.js';
import { json, type ApiRouter } from '../router.js';
import { collection } from './respond.js';

export interface StorageCatalog {
  goldenImages(): Promise<object[]>;
  osVolumes(): Promise<object[]>;
}

export const emptyCatalog: StorageCatalog = {
  goldenImages: () => Promise.resolve([]),
  osVolumes: () => Promise.resolve([]),
};

export function registerStorageRoutes(api: ApiRouter, catalog: StorageCatalog): void {
  for (const [category, type, list] of [
    ['golden-images', 'GoldenImageCollection', () => catalog.goldenImages()],
    ['os-volumes', 'OSVolumeCollection', () => catalog.osVolumes()],
  ] as const) {
    api.add({
      method: 'get', path: `/rest/${category}`, tag: category, access: 'session', summary: `List ${category.replace('-', ' ')}`, returns: type,
      handler: async (r) => collection(r, await list(), { category, type }),
    });
    api.add({
      method: 'get', path: `/rest/${category}/:id`, tag: category, access: 'session', summary: `Get one of the ${category.replace('-', ' ')}`, returns: 'resource',
      handler: async (r) => {
        const id = r.param('id');
        const found = (await list()).find((m) => (m as { id?: string }).id === id);
        if (found === undefined) throw notFound('RESOURCE_NOT_FOUND', `Cannot find ${category.replace(/s$/, '').replace('-', ' ')} "${id}"`);
        return json(found);
      },
    });
  }
}
