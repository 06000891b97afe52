// The FAT boot sector's BIOS parameter block (Microsoft's "FAT: General Overview of On-Disk Format", §3):
// where the FATs, the root directory and the data clusters lie, and which FAT width the volume uses.

export type FatWidth = 12 | 16 | 32;

export interface FatGeometry {
  width: FatWidth;
  sectorSize: number;
  clusterSize: number;
  /** Byte offset of the first FAT; the copies follow it, `fatBytes` apart. */
  fatOffset: number;
  fatBytes: number;
  fatCount: number;
  /** FAT12/16: the fixed root directory region (bytes); zero length on FAT32. */
  rootDirOffset: number;
  rootDirBytes: number;
  /** FAT32: the root directory's first cluster; 0 on FAT12/16. */
  rootCluster: number;
  /** Byte offset of cluster 2. */
  dataOffset: number;
  /** Data clusters (numbered 2 … clusterCount + 1). */
  clusterCount: number;
  /** FAT32: byte offset of the FSInfo sector, or 0 when there is none. */
  fsInfoOffset: number;
}

/** Stops parsing with the reason the sector is not a usable FAT boot sector. */
function invalid(reason: string): never {
  throw new Error(reason);
}

const powerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/**
 * Reads the BPB of a FAT boot sector (the partition's first 512 bytes at least) on a volume of `sizeBytes`.
 * The width follows Linux: FAT32 when the 16-bit FAT size is zero, else FAT16 above 4084 clusters, else FAT12.
 * Throws an Error naming what is wrong.
 */
export function parseBootSector(sector: Buffer, sizeBytes: number): FatGeometry {
  if (sector.length < 512) invalid('the boot sector is short');
  const sectorSize = sector.readUInt16LE(11);
  const sectorsPerCluster = sector[13]!;
  const reserved = sector.readUInt16LE(14);
  const fatCount = sector[16]!;
  const rootEntries = sector.readUInt16LE(17);
  const total16 = sector.readUInt16LE(19);
  const fat16Size = sector.readUInt16LE(22);
  const total32 = sector.readUInt32LE(32);
  if (![512, 1024, 2048, 4096].includes(sectorSize)) invalid(`bad sector size ${sectorSize}`);
  if (!powerOfTwo(sectorsPerCluster)) invalid(`bad sectors per cluster ${sectorsPerCluster}`);
  if (reserved === 0 || fatCount === 0) invalid('no reserved sectors or no FAT');
  const fat32 = fat16Size === 0;
  const fatSectors = fat32 ? sector.readUInt32LE(36) : fat16Size;
  if (fatSectors === 0) invalid('the FAT size is zero');
  if (fat32 && rootEntries !== 0) invalid('a FAT32 volume with a fixed root directory');
  const totalSectors = total16 !== 0 ? total16 : total32;
  if (totalSectors === 0 || totalSectors * sectorSize > sizeBytes) invalid(`the volume (${totalSectors} sectors) does not fit its ${sizeBytes} bytes`);
  const rootDirBytes = Math.ceil((rootEntries * 32) / sectorSize) * sectorSize;
  const rootDirOffset = (reserved + fatCount * fatSectors) * sectorSize;
  const dataOffset = rootDirOffset + rootDirBytes;
  const clusterSize = sectorsPerCluster * sectorSize;
  let clusterCount = Math.floor((totalSectors * sectorSize - dataOffset) / clusterSize);
  if (clusterCount <= 0) invalid('no data clusters');
  const width: FatWidth = fat32 ? 32 : clusterCount > 4084 ? 16 : 12;
  // a FAT smaller than the data area limits the clusters (as Linux's calc_fat_clusters does)
  const fatEntries = Math.floor((fatSectors * sectorSize * 8) / width);
  clusterCount = Math.min(clusterCount, fatEntries - 2);
  const rootCluster = fat32 ? sector.readUInt32LE(44) : 0;
  if (fat32 && (rootCluster < 2 || rootCluster >= clusterCount + 2)) invalid(`bad root cluster ${rootCluster}`);
  const fsInfoSector = fat32 ? sector.readUInt16LE(48) : 0;
  return {
    width,
    sectorSize,
    clusterSize,
    fatOffset: reserved * sectorSize,
    fatBytes: fatSectors * sectorSize,
    fatCount,
    rootDirOffset: fat32 ? 0 : rootDirOffset,
    rootDirBytes: fat32 ? 0 : rootDirBytes,
    rootCluster,
    dataOffset,
    clusterCount,
    fsInfoOffset: fat32 && fsInfoSector !== 0 && fsInfoSector < reserved ? fsInfoSector * sectorSize : 0,
  };
}

/** Byte offset of a data cluster (>= 2). */
export function clusterOffset(geometry: FatGeometry, cluster: number): number {
  return geometry.dataOffset + (cluster - 2) * geometry.clusterSize;
}

/**
 * Takes the dirty sector numbers out of `dirty` as runs of consecutive sectors, [first, last] each, so that a
 * flush writes each run once; `joins(prev, next)` may refuse to join two consecutive sectors.
 */
export function takeDirtyRuns(dirty: Set<number>, joins: (prev: number, next: number) => boolean = () => true): [number, number][] {
  const sectors = [...dirty].sort((a, b) => a - b);
  dirty.clear();
  const runs: [number, number][] = [];
  for (const sector of sectors) {
    const run = runs[runs.length - 1];
    if (run !== undefined && sector === run[1] + 1 && joins(run[1], sector)) run[1] = sector;
    else runs.push([sector, sector]);
  }
  return runs;
}
