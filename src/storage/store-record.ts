// What the volume store keeps per image and per volume (DIR/records/<id>.json), and its options.
import type { LayerMeta } from './cow-layer.js';

export interface StoreRecord {
  kind: 'image' | 'volume';
  /** The top layer: an image's is frozen, a volume's is its writable layer. */
  layer: string;
  sizeBytes: number;
  createdAt: string;
  format?: string;
  sha256?: string;
  /** The top layer's meta when it was created without syncing: enough to recreate it after a crash. */
  layerMeta?: LayerMeta;
}

export interface VolumeStoreOptions {
  /** Chains deeper than this are flattened in the background after a clone or freeze (default 8). */
  maxChainDepth?: number;
  /** Where failures of background work (flattening) are reported. */
  onBackgroundError?: (error: unknown) => void;
}
