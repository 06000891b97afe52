// Reads the ext2/3/4 superblock straight from a Disk (no libext2fs): type detection, the
// needs_recovery check before a read-write open, and the counters statvfs reports.
import type { Disk } from '../../storage/disk.js';

/** The superblock starts 1024 bytes into the filesystem (kernel Documentation/filesystems/ext4/super.rst). */
const SUPERBLOCK_OFFSET = 1024;
const SUPERBLOCK_SIZE = 1024;
const EXT_MAGIC = 0xef53;

const COMPAT_HAS_JOURNAL = 0x4;
const INCOMPAT_RECOVER = 0x4;
const INCOMPAT_JOURNAL_DEV = 0x8;
export const INCOMPAT_EXTENTS = 0x40;
const INCOMPAT_64BIT = 0x80;
const INCOMPAT_FLEX_BG = 0x200;
const RO_COMPAT_HUGE_FILE = 0x8;
const RO_COMPAT_GDT_CSUM = 0x10;
const RO_COMPAT_DIR_NLINK = 0x20;
const RO_COMPAT_EXTRA_ISIZE = 0x40;
const RO_COMPAT_METADATA_CSUM = 0x400;

export interface ExtSuperblock {
  /** What blkid / guestfish's list-filesystems would call it. */
  type: 'ext2' | 'ext3' | 'ext4';
  blockSize: number;
  blocksCount: number;
  freeBlocks: number;
  reservedBlocks: number;
  inodesCount: number;
  freeInodes: number;
  featureCompat: number;
  featureIncompat: number;
  featureRoCompat: number;
  /** INCOMPAT_RECOVER: the journal holds transactions that were never checkpointed. */
  needsRecovery: boolean;
  hasJournal: boolean;
  volumeName: string;
  uuid: string;
  /**
   * Blocks Linux leaves out of statfs' f_blocks (superblocks, group descriptors, bitmaps, inode tables,
   * the journal): s_overhead_clusters when mke2fs recorded it, else computed the way ext4 does.
   */
  overheadBlocks: number;
  /** statfs' f_fsid: the two halves of the UUID xor-ed, as a signed 64-bit number. */
  fsid: bigint;
}

/** Parses a 1024-byte superblock; returns undefined when the magic is not 0xEF53. */
export function parseExtSuperblock(sb: Uint8Array): ExtSuperblock | undefined {
  if (sb.length < SUPERBLOCK_SIZE) return undefined;
  const view = new DataView(sb.buffer, sb.byteOffset, sb.byteLength);
  if (view.getUint16(0x38, true) !== EXT_MAGIC) return undefined;
  const featureCompat = view.getUint32(0x5c, true);
  const featureIncompat = view.getUint32(0x60, true);
  const featureRoCompat = view.getUint32(0x64, true);
  const is64 = (featureIncompat & INCOMPAT_64BIT) !== 0;
  const hi = (off: number): number => (is64 ? view.getUint32(off, true) * 2 ** 32 : 0);
  const hasJournal = (featureCompat & COMPAT_HAS_JOURNAL) !== 0;
  const ext4Incompat = INCOMPAT_EXTENTS | INCOMPAT_64BIT | INCOMPAT_FLEX_BG | INCOMPAT_JOURNAL_DEV;
  const ext4RoCompat =
    RO_COMPAT_HUGE_FILE | RO_COMPAT_GDT_CSUM | RO_COMPAT_DIR_NLINK | RO_COMPAT_EXTRA_ISIZE | RO_COMPAT_METADATA_CSUM;
  const type =
    (featureIncompat & ext4Incompat) !== 0 || (featureRoCompat & ext4RoCompat) !== 0
      ? 'ext4'
      : hasJournal
        ? 'ext3'
        : 'ext2';
  const uuid = Buffer.from(sb.subarray(0x68, 0x78)).toString('hex');
  const nameBytes = sb.subarray(0x78, 0x88);
  const nul = nameBytes.indexOf(0);
  const blockSize = 1024 * 2 ** view.getUint32(0x18, true);
  const blocksCount = view.getUint32(0x4, true) + hi(0x150);
  return {
    type,
    overheadBlocks: view.getUint32(0x248, true) || computeOverhead(view, blockSize, blocksCount, is64, hasJournal),
    fsid: BigInt.asIntN(64, view.getBigUint64(0x68, true) ^ view.getBigUint64(0x70, true)),
    blockSize,
    blocksCount: view.getUint32(0x4, true) + hi(0x150),
    reservedBlocks: view.getUint32(0x8, true) + hi(0x154),
    freeBlocks: view.getUint32(0xc, true) + hi(0x158),
    inodesCount: view.getUint32(0x0, true),
    freeInodes: view.getUint32(0x10, true),
    featureCompat,
    featureIncompat,
    featureRoCompat,
    needsRecovery: (featureIncompat & INCOMPAT_RECOVER) !== 0,
    hasJournal,
    volumeName: Buffer.from(nul < 0 ? nameBytes : nameBytes.subarray(0, nul)).toString('utf8'),
    uuid: `${uuid.slice(0, 8)}-${uuid.slice(8, 12)}-${uuid.slice(12, 16)}-${uuid.slice(16, 20)}-${uuid.slice(20)}`,
  };
}

/** ext4_calculate_overhead for a filesystem without meta_bg: metadata of every group, plus the journal. */
function computeOverhead(view: DataView, blockSize: number, blocksCount: number, is64: boolean, hasJournal: boolean): number {
  const firstDataBlock = view.getUint32(0x14, true);
  const blocksPerGroup = view.getUint32(0x20, true);
  const inodesPerGroup = view.getUint32(0x28, true);
  const inodeSize = view.getUint32(0x4c, true) === 0 ? 128 : view.getUint16(0x58, true);
  const reservedGdt = view.getUint16(0xce, true);
  const descSize = is64 ? view.getUint16(0xfe, true) || 64 : 32;
  const sparse = (view.getUint32(0x64, true) & 0x1) !== 0;
  const groups = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);
  const gdtBlocks = Math.ceil(groups / (blockSize / descSize));
  const isPower = (n: number, base: number): boolean => {
    let x = base;
    while (x < n) x *= base;
    return x === n;
  };
  let overhead = firstDataBlock + groups * (2 + Math.ceil((inodesPerGroup * inodeSize) / blockSize));
  for (let g = 0; g < groups; g++) {
    if (!sparse || g <= 1 || isPower(g, 3) || isPower(g, 5) || isPower(g, 7)) overhead += 1 + gdtBlocks + reservedGdt;
  }
  if (hasJournal && view.getUint32(0xe0, true) === 8) {
    // s_jnl_blocks keeps a copy of the journal inode's size in its last two words
    overhead += Math.floor((view.getUint32(0x10c + 16 * 4, true) + view.getUint32(0x10c + 15 * 4, true) * 2 ** 32) / blockSize);
  }
  return overhead;
}

/** Reads the superblock of the filesystem at the start of `disk`; undefined when it is not ext2/3/4. */
export async function readExtSuperblock(disk: Disk): Promise<ExtSuperblock | undefined> {
  if (disk.sizeBytes < SUPERBLOCK_OFFSET + SUPERBLOCK_SIZE) return undefined;
  return parseExtSuperblock(await disk.read(SUPERBLOCK_OFFSET, SUPERBLOCK_SIZE));
}

/** True when the ext3/4 journal must be replayed before the filesystem can be written safely. */
export async function needsRecovery(disk: Disk): Promise<boolean> {
  return (await readExtSuperblock(disk))?.needsRecovery ?? false;
}
