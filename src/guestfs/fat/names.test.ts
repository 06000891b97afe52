import { describe, expect, it } from 'vitest';
import { aliasChecksum, foldName, longNameUnits, makeShortName, readShortName, storedName } from './names.js';

const alias = (name: string, taken: string[] = []): string => {
  const made = makeShortName(name, (a) => taken.includes(a));
  return `${made.bytes.toString('latin1')}${made.alone ? ' alone' : ''}`;
};

describe('makeShortName', () => {
  it('stores an all-upper-case 8.3 name alone and gives anything else a long name', () => {
    expect(alias('README')).toBe('README      alone');
    expect(alias('BOOTX64.EFI')).toBe('BOOTX64 EFI alone');
    expect(alias('readme')).toBe('README     ');
    expect(alias('Foo.Txt')).toBe('FOO     TXT');
  });

  it('adds ~N tails to names that are not 8.3, past the ones taken', () => {
    expect(alias('longfilename.txt')).toBe('LONGFI~1TXT');
    expect(alias('longfilename.txt', ['LONGFI~1TXT', 'LONGFI~2TXT'])).toBe('LONGFI~3TXT');
    expect(alias('x.html')).toBe('X~1     HTM');
    expect(alias('.bashrc')).toBe('BASHRC~1   ');
    expect(alias('a+b=c.txt')).toBe('A_B_C~1 TXT');
  });

  it('switches to the hex form once ~1 to ~9 are taken', () => {
    const taken = Array.from({ length: 9 }, (_, i) => `LONGFI~${i + 1}TXT`);
    expect(alias('longfilename.txt', taken)).toMatch(/^LO[0-9A-F]{4}~[1-8]TXT$/);
  });

  it('refuses an 8.3 name whose alias another entry has', () => {
    expect(() => alias('foo.txt', ['FOO     TXT'])).toThrow('EEXIST');
  });

  it('maps code page 437 letters to upper case and others to _', () => {
    expect(alias('é.txt')).toBe('\x90       TXT');
    expect(alias('日本.txt')).toBe('__~1    TXT');
  });
});

describe('storedName', () => {
  it('drops trailing dots and refuses what Linux refuses', () => {
    expect(storedName('name...')).toBe('name');
    expect(() => storedName('a:b')).toThrow('EINVAL');
    expect(() => storedName('trailing ')).toThrow('EINVAL');
    expect(() => storedName('x'.repeat(256))).toThrow('ENAMETOOLONG');
    expect(() => storedName('...')).toThrow('ENOENT');
  });
});

describe('short names read back', () => {
  it('honour the lower-case flags for base (0x08) and extension (0x10)', () => {
    const raw = Buffer.from('FOO     TXT', 'latin1');
    expect(readShortName(raw, 0)).toBe('FOO.TXT');
    expect(readShortName(raw, 0x08)).toBe('foo.TXT');
    expect(readShortName(raw, 0x18)).toBe('foo.txt');
    expect(readShortName(Buffer.from('\x05BC        ', 'latin1'), 0)).toBe('σBC');
  });

  it('fold case like Linux compares names', () => {
    expect(foldName('Grub.Cfg')).toBe(foldName('GRUB.CFG'));
    expect(foldName('trail.')).toBe(foldName('TRAIL'));
    expect(foldName('é')).toBe(foldName('É'));
  });
});

it('checksums an alias and pads a long name for its slots', () => {
  // the value Linux wrote in the long-name slots of longfilename.txt
  expect(aliasChecksum(Buffer.from('LONGFI~1TXT', 'latin1'))).toBe(0xd4);
  expect(longNameUnits('abc')).toEqual([0x61, 0x62, 0x63, 0, ...Array<number>(9).fill(0xffff)]);
  expect(longNameUnits('a'.repeat(13))).toHaveLength(13);
});
