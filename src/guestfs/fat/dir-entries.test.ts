import { describe, expect, it } from 'vitest';
import { buildEntry, DELETED, ENTRY_BYTES, fatTimeToMs, msToFatTime, parseEntries } from './dir-entries.js';
import { makeShortName } from './names.js';

const entry = (name: string, nowMs = Date.UTC(2026, 10, 25, 6, 5, 31, 250)): Buffer => {
  const alias = makeShortName(name, () => false);
  return buildEntry({ name, alias: alias.bytes, alone: alias.alone, attr: 0x20, start: 7, sizeBytes: 3, nowMs });
};

describe('FAT times', () => {
  it('round-trip in UTC with two-second resolution, clamped to 1980', () => {
    const t = msToFatTime(Date.UTC(2026, 10, 25, 6, 5, 31, 250));
    expect(fatTimeToMs(t.date, t.time)).toBe(Date.UTC(2026, 10, 25, 6, 5, 30));
    expect(t.centis).toBe(125);
    expect(fatTimeToMs(msToFatTime(0).date, msToFatTime(0).time)).toBe(Date.UTC(1980, 0, 1));
  });
});

describe('parseEntries', () => {
  it('reads a long name spread over several slots, and the short name when there is none', () => {
    const long = entry('a name longer than thirteen characters.conf');
    // 43 characters: four long-name slots of 13, then the short entry
    expect(long.length).toBe(5 * ENTRY_BYTES);
    const data = Buffer.concat([long, entry('README'), Buffer.alloc(ENTRY_BYTES)]);
    const [first, second] = parseEntries(data);
    expect(first).toMatchObject({ name: 'a name longer than thirteen characters.conf', firstSlot: 0, slot: 4, start: 7, sizeBytes: 3, isDir: false });
    expect(first!.mtimeMs).toBe(Date.UTC(2026, 10, 25, 6, 5, 30));
    expect(second).toMatchObject({ name: 'README', firstSlot: 5, slot: 5 });
  });

  it('ignores long-name slots whose checksum or order is wrong, and deleted entries', () => {
    const long = entry('longfilename.txt');
    long[13] = long[13]! ^ 0xff; // the one slot's checksum no longer matches its alias
    const deleted = entry('gone.txt');
    deleted[0] = DELETED;
    deleted[ENTRY_BYTES] = DELETED;
    const names = parseEntries(Buffer.concat([long, deleted, entry('kept.txt')])).map((e) => e.name);
    expect(names).toEqual(['LONGFI~1.TXT', 'kept.txt']);
  });

  it('stops at the first never-used slot', () => {
    expect(parseEntries(Buffer.concat([entry('A'), Buffer.alloc(ENTRY_BYTES), entry('B')])).map((e) => e.name)).toEqual(['A']);
  });
});
