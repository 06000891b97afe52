// Sets an inode's times directly on an unmounted ext2/3/4 filesystem (the ext2fs module has no call for
// it): locates the inode through the group descriptors, writes atime/mtime/ctime with their nanosecond
// extras, and recomputes the metadata_csum inode checksum. Layout: kernel Documentation/filesystems/ext4.
import type { Disk } from '../../storage/disk.js';

const INCOMPAT_64BIT = 0x80;
const INCOMPAT_CSUM_SEED = 0x2000;
const RO_COMPAT_METADATA_CSUM = 0x400;
const GOOD_OLD_INODE_SIZE = 128;

/** CRC32C (Castagnoli) without the final inversion, as ext4 chains it (ext2fs_crc32c_le). */
export function crc32c(crc: number, data: Uint8Array): number {
  let c = crc >>> 0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0x82f63b78 & -(c & 1));
  }
  return c >>> 0;
}

function le32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

/** The low 32 bits of the seconds and the 2 epoch bits the extra field carries (ext4 "inode timestamps"). */
function splitTime(ms: number): { lo: number; extra: number } {
  const sec = Math.floor(ms / 1000);
  const ns = Math.round((ms - sec * 1000) * 1e6);
  const lo = sec >>> 0;
  const signedLo = lo | 0;
  const epoch = Math.round((sec - signedLo) / 2 ** 32) & 3;
  return { lo, extra: ((ns << 2) | epoch) >>> 0 };
}

export interface InodeTimes {
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** Writes the times of inode `ino`; the filesystem must not be mounted by the module meanwhile. */
export async function setInodeTimes(disk: Disk, ino: number, times: InodeTimes): Promise<void> {
  const sb = await disk.read(1024, 1024);
  const v = new DataView(sb.buffer, sb.byteOffset, sb.byteLength);
  const blockSize = 1024 * 2 ** v.getUint32(0x18, true);
  const inodesPerGroup = v.getUint32(0x28, true);
  const inodeSize = v.getUint16(0x58, true) || GOOD_OLD_INODE_SIZE;
  const firstDataBlock = v.getUint32(0x14, true);
  const incompat = v.getUint32(0x60, true);
  const is64 = (incompat & INCOMPAT_64BIT) !== 0;
  const descSize = is64 ? v.getUint16(0xfe, true) || 32 : 32;
  const metadataCsum = (v.getUint32(0x64, true) & RO_COMPAT_METADATA_CSUM) !== 0;

  const group = Math.floor((ino - 1) / inodesPerGroup);
  const index = (ino - 1) % inodesPerGroup;
  const gdOffset = (firstDataBlock + 1) * blockSize + group * descSize;
  const gd = await disk.read(gdOffset, descSize);
  const g = new DataView(gd.buffer, gd.byteOffset, gd.byteLength);
  const tableBlock = g.getUint32(0x8, true) + (descSize >= 64 ? g.getUint32(0x28, true) * 2 ** 32 : 0);
  const inodeOffset = tableBlock * blockSize + index * inodeSize;

  const raw = Buffer.from(await disk.read(inodeOffset, inodeSize));
  const d = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const extraIsize = inodeSize > GOOD_OLD_INODE_SIZE ? d.getUint16(0x80, true) : 0;
  const fits = (offset: number, size: number): boolean =>
    inodeSize > GOOD_OLD_INODE_SIZE && GOOD_OLD_INODE_SIZE + extraIsize >= offset + size;
  const fields: [number, number, number][] = [
    [0x08, 0x8c, times.atimeMs],
    [0x0c, 0x84, times.ctimeMs],
    [0x10, 0x88, times.mtimeMs],
  ];
  for (const [loAt, extraAt, ms] of fields) {
    if (fits(extraAt, 4)) {
      const t = splitTime(ms);
      d.setUint32(loAt, t.lo, true);
      d.setUint32(extraAt, t.extra, true);
    } else {
      // no extra field (128-byte inodes): clamp to what 32 signed bits hold, as the kernel does
      const sec = Math.min(2 ** 31 - 1, Math.max(-(2 ** 31), Math.floor(ms / 1000)));
      d.setInt32(loAt, sec, true);
    }
  }

  if (metadataCsum) {
    const seed =
      (incompat & INCOMPAT_CSUM_SEED) !== 0 ? v.getUint32(0x270, true) : crc32c(0xffffffff, sb.subarray(0x68, 0x78));
    const hiFits = fits(0x82, 2);
    d.setUint16(0x7c, 0, true);
    if (hiFits) d.setUint16(0x82, 0, true);
    let crc = crc32c(seed, le32(ino));
    crc = crc32c(crc, le32(d.getUint32(0x64, true))); // i_generation
    crc = crc32c(crc, raw);
    d.setUint16(0x7c, crc & 0xffff, true);
    if (hiFits) d.setUint16(0x82, crc >>> 16, true);
  }
  await disk.write(inodeOffset, raw);
  await disk.flush();
}
