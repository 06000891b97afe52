// What bundles need from golden images: import a payload (HPE's zip of one raw disk, §7) with the id and
// name the bundle gives it, export one, and remove one again when an extract is rolled back.
import type { Readable } from 'node:stream';
import type { GoldenImages } from '../artifacts/golden-images.js';
import type { GoldenImageInfo } from './artifact-json.js';

export type { GoldenImageInfo } from './artifact-json.js';

/** Where bundle extract streams golden image payloads (multi-GiB: never buffered). */
export interface GoldenImageSink {
  /** The image with this id, else the one with this name; undefined when neither exists. */
  find(ref: { id?: string; name?: string }): Promise<GoldenImageInfo | undefined>;
  /** Imports a payload stream as a golden image with this id and name; atomic. Resolves with its id. */
  importPayload(payload: Readable, options: { id: string; name: string; description: string | null; readOnly: boolean; bundle: { name: string; uri: string }; signal?: AbortSignal }): Promise<string>;
  /** Removes an image (rolls back an import, or makes room for a forced one). */
  remove(id: string): Promise<void>;
}

/** Where bundle create and backups read golden images from. */
export interface GoldenImageSource {
  get(id: string): Promise<GoldenImageInfo | undefined>;
  list(): Promise<GoldenImageInfo[]>;
  /** The image in HPE's download format (a zip holding one raw disk). */
  exportPayload(id: string): Promise<Readable>;
}

export type GoldenImagePort = GoldenImageSink & GoldenImageSource;

const info = (g: { id: string; name: string; description: string | null; readOnly: boolean }): GoldenImageInfo => ({ id: g.id, name: g.name, description: g.description, readOnly: g.readOnly });

/**
 * The port over the golden-image records of `artifacts/golden-images.ts` (bytes in the volume store).
 * `deploymentPlansUsing` is what GoldenImages.delete needs; removals are forced.
 */
export function goldenImagePort(images: GoldenImages, deploymentPlansUsing: (id: string) => Promise<string[]>): GoldenImagePort {
  return {
    async find(ref) {
      if (ref.id !== undefined) {
        const byId = await images.get(ref.id).catch(() => undefined);
        if (byId !== undefined) return info(byId);
      }
      const byName = ref.name === undefined ? undefined : await images.find(ref.name, { byName: true });
      return byName === undefined ? undefined : info(await images.get(byName.id));
    },
    async importPayload(payload, o) {
      const image = await images.importFrom(payload, { id: o.id, name: o.name, description: o.description, readOnly: o.readOnly, bundle: o.bundle, ...(o.signal === undefined ? {} : { signal: o.signal }) });
      return image.id;
    },
    async remove(id) {
      await images.delete(id, { force: true, deploymentPlansUsing });
    },
    async get(id) {
      const image = await images.get(id).catch(() => undefined);
      return image === undefined ? undefined : info(image);
    },
    async list() {
      return (await images.list()).map(info);
    },
    async exportPayload(id) {
      return (await images.download(id)).stream;
    },
  };
}
