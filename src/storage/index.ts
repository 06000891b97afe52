// The storage domain's face: the Disk interface, flat disks (file, memory), and the copy-on-write volume store.
export type { Disk, DiskExtent } from './disk.js';
export { FileDisk, type FileDiskOptions } from './file-disk.js';
export { MemoryDisk } from './memory-disk.js';
