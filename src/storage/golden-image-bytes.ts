// The adapter from the volume store to the GoldenImageBytes port of src/artifacts/golden-images.ts.
import type { Readable } from 'node:stream';
import type { ImportedImage, ImportOptions } from './image-import.js';
import type { VolumeStore } from './volume-store.js';

/** Structurally the `GoldenImageBytes` port (artifacts may not be imported from storage). */
export interface GoldenImageBytesAdapter {
  importImage(source: Readable, options: ImportOptions): Promise<ImportedImage>;
  importImageFile(path: string, options: ImportOptions): Promise<ImportedImage>;
  deleteImage(imageId: string): Promise<void>;
  exportZip(imageId: string): Promise<Readable>;
  dependents(imageId: string): Promise<number>;
  allocation(imageId: string): Promise<{ provisionedBytes: number; allocatedBytes: number }>;
}

export function goldenImageBytes(store: VolumeStore): GoldenImageBytesAdapter {
  return {
    importImage: (source, options) => store.importImage(source, options),
    importImageFile: (path, options) => store.importImageFile(path, options),
    deleteImage: (imageId) => store.deleteImage(imageId),
    exportZip: (imageId) => store.exportZip(imageId),
    dependents: (imageId) => store.dependents(imageId),
    allocation: (imageId) => store.allocation(imageId),
  };
}
