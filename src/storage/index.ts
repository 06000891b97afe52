// The storage domain's face: the Disk interface, flat disks (file, memory), and the copy-on-write volume store.
export type { Disk, DiskExtent, ReadOptions } from './disk.js';
export { FileDisk, type FileDiskOptions } from './file-disk.js';
export { MemoryDisk } from './memory-disk.js';
export { fileMappingSupport } from './file-mapping.js';
export { openVolumeStore, VolumeStore, type StoreRecord, type VolumeStoreOptions } from './volume-store.js';
export type { ImportedImage, ImportOptions } from './image-import.js';
export { detectFormat, type ImageFormat } from './image-format.js';
export { diskStream } from './image-export.js';
export { goldenImageBytes, type GoldenImageBytesAdapter } from './golden-image-bytes.js';
