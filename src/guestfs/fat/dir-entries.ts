// The 32-byte directory entries (FAT spec §6, long names §7): parsing a directory's bytes into named
// entries (long-name slots checked by sequence and checksum, as Linux does), building the slots of a new
// entry, and the FAT date/time fields (UTC, like guestfish's appliance).
import { aliasChecksum, LFN_CHARS, longNameUnits, readShortName, SHORT_NAME_BYTES } from './names.js';

export const ENTRY_BYTES = 32;
export const ATTR_READ_ONLY = 0x01;
export const ATTR_VOLUME = 0x08;
export const ATTR_DIRECTORY = 0x10;
export const ATTR_ARCHIVE = 0x20;
export const ATTR_LONG_NAME = 0x0f;
export const DELETED = 0xe5;

/** Byte positions inside a short entry. */
export const OFF = { attr: 11, lcase: 12, ctimeCs: 13, ctime: 14, cdate: 16, adate: 18, startHigh: 20, time: 22, date: 24, start: 26, size: 28 } as const;

/** One file or directory of a directory listing. */
export interface DirEntry {
  /** The long name, or the short name as read (lower-case flags applied). */
  name: string;
  /** The 11 bytes of the short name, as latin1. */
  alias: string;
  /** Slot of the first long-name entry (or of the short entry when there is none) and of the short entry. */
  firstSlot: number;
  slot: number;
  attr: number;
  isDir: boolean;
  start: number;
  sizeBytes: number;
  mtimeMs: number;
}

/** A FAT date and time (and 10 ms units, 0–199) as Unix milliseconds, read as UTC. */
export function fatTimeToMs(date: number, time = 0, centis = 0): number {
  const year = 1980 + (date >> 9);
  const month = Math.max(1, (date >> 5) & 0xf);
  const day = Math.max(1, date & 0x1f);
  return Date.UTC(year, month - 1, day, time >> 11, (time >> 5) & 0x3f, (time & 0x1f) * 2) + centis * 10;
}

/** Unix milliseconds as FAT date, time and 10 ms units, clamped to 1980–2107 like Linux. */
export function msToFatTime(ms: number): { date: number; time: number; centis: number } {
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (year < 1980) return { date: (1 << 5) | 1, time: 0, centis: 0 };
  if (year > 2107) return { date: (127 << 9) | (12 << 5) | 31, time: (23 << 11) | (59 << 5) | 29, centis: 199 };
  const date = ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  const time = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1);
  const centis = (d.getUTCSeconds() & 1) * 100 + Math.floor(d.getUTCMilliseconds() / 10);
  return { date, time, centis };
}

/** Writes the modification time (and the access date) of the short entry at `at`. */
export function setMtime(data: Buffer, at: number, ms: number): void {
  const t = msToFatTime(ms);
  data.writeUInt16LE(t.time, at + OFF.time);
  data.writeUInt16LE(t.date, at + OFF.date);
  data.writeUInt16LE(t.date, at + OFF.adate);
}

/** Writes the change time Linux keeps in the creation fields. */
export function setCtime(data: Buffer, at: number, ms: number): void {
  const t = msToFatTime(ms);
  data[at + OFF.ctimeCs] = t.centis;
  data.writeUInt16LE(t.time, at + OFF.ctime);
  data.writeUInt16LE(t.date, at + OFF.cdate);
}

export function entryStart(data: Buffer, at: number): number {
  return (data.readUInt16LE(at + OFF.startHigh) << 16) | data.readUInt16LE(at + OFF.start);
}

export function setEntryStart(data: Buffer, at: number, cluster: number): void {
  data.writeUInt16LE(cluster >>> 16, at + OFF.startHigh);
  data.writeUInt16LE(cluster & 0xffff, at + OFF.start);
}

/** The 13 UTF-16 units of one long-name slot, by their byte positions in the entry. */
const LFN_UNIT_OFFSETS = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];

/**
 * The live entries of a directory's bytes, in order, without `.`, `..` and volume labels. Parsing stops at
 * the first never-used slot. Long-name slots whose sequence or checksum does not lead to the short entry
 * that follows are ignored, and that entry reads by its short name (as Linux reads it).
 */
export function parseEntries(data: Buffer): DirEntry[] {
  const out: DirEntry[] = [];
  let units: number[] = [];
  let expect = 0;
  let checksum = -1;
  let firstSlot = -1;
  const count = data.length / ENTRY_BYTES;
  for (let slot = 0; slot < count; slot++) {
    const at = slot * ENTRY_BYTES;
    const head = data[at]!;
    if (head === 0) break;
    if (head === DELETED) {
      expect = 0;
      continue;
    }
    const attr = data[at + OFF.attr]!;
    if (attr === ATTR_LONG_NAME) {
      const seq = head & 0x1f;
      if (head & 0x40) {
        if (seq === 0 || seq > 20) {
          expect = 0;
          continue;
        }
        expect = seq;
        checksum = data[at + 13]!;
        firstSlot = slot;
        units = new Array<number>(seq * LFN_CHARS).fill(0xffff);
      } else if (expect === 0 || seq !== expect || data[at + 13] !== checksum) {
        expect = 0;
        continue;
      }
      LFN_UNIT_OFFSETS.forEach((o, i) => (units[(seq - 1) * LFN_CHARS + i] = data.readUInt16LE(at + o)));
      expect = seq - 1;
      // a completed long name waits for its short entry: expect stays 0 and firstSlot marks it
      if (expect === 0) expect = -1;
      continue;
    }
    const short = data.subarray(at, at + SHORT_NAME_BYTES);
    const hasLong = expect === -1 && aliasChecksum(short) === checksum;
    expect = 0;
    if ((attr & ATTR_VOLUME) !== 0 && (attr & ATTR_DIRECTORY) === 0) continue;
    if (short[0] === 0x2e && (short.toString('latin1') === '.          ' || short.toString('latin1') === '..         ')) continue;
    let name: string;
    if (hasLong) {
      const end = units.indexOf(0);
      name = String.fromCharCode(...(end === -1 ? units : units.slice(0, end)));
    } else {
      name = readShortName(short, data[at + OFF.lcase]!);
    }
    out.push({
      name,
      alias: short.toString('latin1'),
      firstSlot: hasLong ? firstSlot : slot,
      slot,
      attr,
      isDir: (attr & ATTR_DIRECTORY) !== 0,
      start: entryStart(data, at),
      sizeBytes: data.readUInt32LE(at + OFF.size),
      mtimeMs: fatTimeToMs(data.readUInt16LE(at + OFF.date), data.readUInt16LE(at + OFF.time)),
    });
  }
  return out;
}

/**
 * The slots of a new entry: long-name slots (last part first, 0x40 on the first written) unless `alone`,
 * then the short entry with its attributes, start cluster, size and times (all set to `nowMs`).
 */
export function buildEntry(options: { name: string; alias: Buffer; alone: boolean; attr: number; start: number; sizeBytes: number; nowMs: number }): Buffer {
  const units = options.alone ? [] : longNameUnits(options.name);
  const slots = units.length / LFN_CHARS;
  const out = Buffer.alloc((slots + 1) * ENTRY_BYTES);
  const checksum = aliasChecksum(options.alias);
  for (let i = 0; i < slots; i++) {
    const seq = slots - i;
    const at = i * ENTRY_BYTES;
    out[at] = seq | (i === 0 ? 0x40 : 0);
    out[at + OFF.attr] = ATTR_LONG_NAME;
    out[at + 13] = checksum;
    LFN_UNIT_OFFSETS.forEach((o, k) => out.writeUInt16LE(units[(seq - 1) * LFN_CHARS + k]!, at + o));
  }
  const at = slots * ENTRY_BYTES;
  options.alias.copy(out, at);
  out[at + OFF.attr] = options.attr;
  setEntryStart(out, at, options.start);
  out.writeUInt32LE(options.sizeBytes, at + OFF.size);
  setMtime(out, at, options.nowMs);
  setCtime(out, at, options.nowMs);
  return out;
}

/** The `.` and `..` entries that open a new directory's first cluster (`..` of a top-level directory is 0). */
export function dotEntries(self: number, parent: number, nowMs: number): Buffer {
  const dot = buildEntry({ name: '.', alias: Buffer.from('.          ', 'latin1'), alone: true, attr: ATTR_DIRECTORY, start: self, sizeBytes: 0, nowMs });
  const dotdot = buildEntry({ name: '..', alias: Buffer.from('..         ', 'latin1'), alone: true, attr: ATTR_DIRECTORY, start: parent, sizeBytes: 0, nowMs });
  return Buffer.concat([dot, dotdot]);
}
