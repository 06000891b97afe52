// FAT12/16/32 filesystems (UEFI system partitions) read-write in-process, as ImageFs.
export { openFat, type OpenFatOptions } from './fat-fs.js';
export { parseBootSector, type FatGeometry, type FatWidth } from './boot-sector.js';
