// Partition tables as guestfish names them: MBR (primary 1–4, logical from 5 inside the extended
// partition) and GPT (entry order, header CRC checked, backup header when the primary is damaged).
import { AppError } from '../core/errors.js';
import type { Disk } from '../storage/disk.js';
import type { GuestPartition } from './session.js';

const SECTOR = 512;
const EXTENDED_TYPES = new Set([0x05, 0x0f, 0x85]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function guid(bytes: Buffer): string {
  const hex = (from: number, to: number, reverse: boolean): string => {
    const part = Buffer.from(bytes.subarray(from, to));
    return (reverse ? part.reverse() : part).toString('hex');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`.toUpperCase();
}

/** The partitions of the disk in guestfish's order; empty for a disk without a partition table. */
export async function readPartitions(disk: Disk): Promise<GuestPartition[]> {
  if (disk.sizeBytes < SECTOR * 2) return [];
  const mbr = await disk.read(0, SECTOR);
  if (mbr[510] !== 0x55 || mbr[511] !== 0xaa) return [];
  const entries = [0, 1, 2, 3].map((i) => {
    const at = 446 + i * 16;
    return { type: mbr[at + 4]!, start: mbr.readUInt32LE(at + 8), sectors: mbr.readUInt32LE(at + 12) };
  });
  // A filesystem boot sector on the whole disk also ends in 55 AA: a table needs sane entries.
  const plausible = entries.every((e) => e.type === 0 || (e.start > 0 && (e.start + e.sectors) * SECTOR <= disk.sizeBytes + SECTOR));
  if (!plausible || entries.every((e) => e.type === 0)) return [];
  if (entries.some((e) => e.type === 0xee)) return readGpt(disk);

  const partitions: GuestPartition[] = [];
  entries.forEach((e, i) => {
    if (e.type === 0) return;
    partitions.push({ device: `/dev/sda${i + 1}`, number: i + 1, startBytes: e.start * SECTOR, sizeBytes: e.sectors * SECTOR, type: e.type.toString(16).padStart(2, '0') });
  });
  const extended = entries.find((e) => EXTENDED_TYPES.has(e.type));
  if (extended !== undefined) {
    let next = extended.start;
    let number = 5;
    for (let guard = 0; guard < 128 && next !== 0; guard++) {
      const ebr = await disk.read(next * SECTOR, SECTOR);
      if (ebr[510] !== 0x55 || ebr[511] !== 0xaa) break;
      const type = ebr[446 + 4]!;
      const start = ebr.readUInt32LE(446 + 8);
      const sectors = ebr.readUInt32LE(446 + 12);
      if (type !== 0 && sectors > 0) {
        partitions.push({ device: `/dev/sda${number}`, number, startBytes: (next + start) * SECTOR, sizeBytes: sectors * SECTOR, type: type.toString(16).padStart(2, '0') });
        number++;
      }
      const link = ebr.readUInt32LE(446 + 16 + 8);
      next = link === 0 ? 0 : extended.start + link;
    }
  }
  return partitions;
}

async function gptHeader(disk: Disk, lba: number): Promise<{ entriesLba: number; count: number; size: number } | undefined> {
  if ((lba + 1) * SECTOR > disk.sizeBytes) return undefined;
  const header = await disk.read(lba * SECTOR, SECTOR);
  if (header.toString('latin1', 0, 8) !== 'EFI PART') return undefined;
  const headerSize = header.readUInt32LE(12);
  if (headerSize < 92 || headerSize > SECTOR) return undefined;
  const copy = Buffer.from(header.subarray(0, headerSize));
  const stored = copy.readUInt32LE(16);
  copy.writeUInt32LE(0, 16);
  if (crc32(copy) !== stored) return undefined;
  const entriesLba = Number(header.readBigUInt64LE(72));
  const count = header.readUInt32LE(80);
  const size = header.readUInt32LE(84);
  if (size < 128 || count > 1024) return undefined;
  const table = await disk.read(entriesLba * SECTOR, count * size);
  if (crc32(table) !== header.readUInt32LE(88)) return undefined;
  return { entriesLba, count, size };
}

async function readGpt(disk: Disk): Promise<GuestPartition[]> {
  const lastLba = Math.floor(disk.sizeBytes / SECTOR) - 1;
  const header = (await gptHeader(disk, 1)) ?? (await gptHeader(disk, lastLba));
  if (header === undefined) {
    throw new AppError('invalid', 'GUESTFS_GPT_DAMAGED', 'Cannot read the partition table: both GPT headers are damaged (bad signature or checksum)', {
      recommendedActions: ['Repair the image with sgdisk or gdisk, then upload it again'],
    });
  }
  const table = await disk.read(header.entriesLba * SECTOR, header.count * header.size);
  const partitions: GuestPartition[] = [];
  for (let i = 0; i < header.count; i++) {
    const entry = table.subarray(i * header.size, (i + 1) * header.size);
    if (entry.subarray(0, 16).every((b) => b === 0)) continue;
    const first = Number(entry.readBigUInt64LE(32));
    const last = Number(entry.readBigUInt64LE(40));
    partitions.push({ device: `/dev/sda${i + 1}`, number: i + 1, startBytes: first * SECTOR, sizeBytes: (last - first + 1) * SECTOR, type: guid(entry.subarray(0, 16)) });
  }
  return partitions;
}
