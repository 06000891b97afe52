// Long and short (8.3) names as Linux's vfat creates them with its default options (shortname=mixed,
// codepage 437): which long names are valid, the short alias (an all-upper-case 8.3 name is stored alone;
// anything else gets a long name and an alias, with a ~N tail unless it is already a valid 8.3 name),
// the alias checksum, and how a short name reads back (the 0x08/0x10 lower-case flags honoured).
import { fail } from './errno.js';

/** Code page 437, bytes 0x80–0xFF, as Unicode (the volume's short-name code page). */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';
const CP437_BY_CHAR = new Map([...CP437_HIGH].map((ch, i) => [ch, 0x80 + i]));
/** Linux's nls_cp437 upper-case pairs above 0x7F (lower → upper). */
const CP437_UPPER = new Map([
  [0x81, 0x9a], [0x82, 0x90], [0x84, 0x8e], [0x86, 0x8f], [0x87, 0x80], [0x91, 0x92], [0x94, 0x99], [0xa4, 0xa5],
]);
const CP437_LOWER = new Map([...CP437_UPPER].map(([lower, upper]) => [upper, lower]));

/** Size of a short name: 8 of base and 3 of extension, space-padded. */
export const SHORT_NAME_BYTES = 11;
/** Characters per long-name slot. */
export const LFN_CHARS = 13;

/** Characters Linux refuses in a long name (vfat_bad_char). */
const badChar = (c: number): boolean => c < 0x20 || '*?<>|":/\\'.includes(String.fromCharCode(c));

/**
 * The name as it will be stored: trailing dots dropped (Linux's vfat_striptail_len). ENOENT when nothing is
 * left, EINVAL for a trailing space or a character FAT forbids, ENAMETOOLONG beyond 255 UTF-16 units.
 */
export function storedName(name: string): string {
  const stripped = name.replace(/\.+$/, '');
  if (stripped === '') fail('ENOENT');
  if (Buffer.byteLength(name, 'utf8') > 255 || stripped.length > 255) fail('ENAMETOOLONG');
  if (stripped.endsWith(' ')) fail('EINVAL');
  for (let i = 0; i < stripped.length; i++) if (badChar(stripped.charCodeAt(i))) fail('EINVAL');
  return stripped;
}

/** The key two names are compared under: case-folded like Linux's default iocharset (ASCII and Latin-1 letters). */
export function foldName(name: string): string {
  let out = '';
  for (const ch of name.replace(/\.+$/, '')) {
    const c = ch.charCodeAt(0);
    out += (c >= 0x61 && c <= 0x7a) || (c >= 0xe0 && c <= 0xfe && c !== 0xf7) ? String.fromCharCode(c - 0x20) : ch;
  }
  return out;
}

/** The checksum a long name's slots carry of their short alias (FAT spec §7). */
export function aliasChecksum(short: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < SHORT_NAME_BYTES; i++) sum = (((sum & 1) << 7) + (sum >> 1) + short[i]!) & 0xff;
  return sum;
}

/** A short name's readable form: base, a dot and the extension if any, lower-cased where `lcase` says (0x08 base, 0x10 extension). */
export function readShortName(short: Uint8Array, lcase: number): string {
  const part = (from: number, to: number, lower: boolean): string => {
    let s = '';
    for (let i = from; i < to; i++) {
      let b = short[i]!;
      if (i === 0 && b === 0x05) b = 0xe5;
      if (lower) b = b >= 0x41 && b <= 0x5a ? b + 0x20 : (CP437_LOWER.get(b) ?? b);
      s += b < 0x80 ? String.fromCharCode(b) : CP437_HIGH[b - 0x80]!;
    }
    return s.replace(/ +$/, '');
  };
  const base = part(0, 8, (lcase & 0x08) !== 0);
  const ext = part(8, 11, (lcase & 0x10) !== 0);
  return ext === '' ? base : `${base}.${ext}`;
}

interface CaseInfo {
  valid: boolean;
  lower: boolean;
  upper: boolean;
}

/** Linux's to_shortname_char: the code page 437 bytes one character becomes in a short name (none for '.' and ' '). */
function shortChar(ch: string, info: CaseInfo): number[] {
  if (ch === '.' || ch === ' ') {
    info.valid = false;
    return [];
  }
  if ('[];,+='.includes(ch)) {
    info.valid = false;
    return [0x5f];
  }
  const c = ch.charCodeAt(0);
  let b = c < 0x80 ? c : CP437_BY_CHAR.get(ch);
  if (b === undefined) {
    info.valid = false;
    return [0x5f];
  }
  if (b >= 0x7f) {
    info.lower = false;
    info.upper = false;
    return [CP437_UPPER.get(b) ?? b];
  }
  if (b >= 0x61 && b <= 0x7a) {
    info.upper = false;
    b -= 0x20;
  } else if (b >= 0x41 && b <= 0x5a) info.lower = false;
  return [b];
}

export interface ShortName {
  /** The 11 bytes of the alias. */
  bytes: Buffer;
  /** True when the name is stored as this short name alone (no long-name slots). */
  alone: boolean;
}

/**
 * The short alias Linux's vfat_create_shortname makes for `name` (already `storedName`), given which
 * aliases the directory holds (`taken`, by their 11 bytes as latin1). EEXIST when an 8.3-valid name's
 * alias is already used by another entry.
 */
export function makeShortName(name: string, taken: (alias: string) => boolean): ShortName {
  const chars = [...name];
  // the extension starts after the last dot, unless that dot ends the name or only dots/spaces precede it
  let dot = chars.lastIndexOf('.');
  if (dot === chars.length - 1 || (dot !== -1 && chars.slice(0, dot).every((c) => c === '.' || c === ' '))) dot = -1;
  const baseChars = dot === -1 ? chars : chars.slice(0, dot);
  const extChars = dot === -1 ? [] : chars.slice(dot + 1);

  const baseInfo: CaseInfo = { valid: true, lower: true, upper: true };
  const extInfo: CaseInfo = { valid: true, lower: true, upper: true };
  let isShort = true;
  const base: number[] = [];
  let tail6 = 6;
  let tail2 = 2;
  for (let i = 0; i < baseChars.length; i++) {
    const bytes = shortChar(baseChars[i]!, baseInfo);
    if (bytes.length === 0) continue;
    if (base.length < 2 && base.length + bytes.length > 2) tail2 = base.length;
    if (base.length < 6 && base.length + bytes.length > 6) tail6 = base.length;
    base.push(...bytes);
    if (base.length >= 8) {
      if (i + 1 < baseChars.length) isShort = false;
      break;
    }
  }
  if (base.length === 0) fail('EINVAL');
  const ext: number[] = [];
  for (let i = 0; i < extChars.length && ext.length < 3; i++) {
    const bytes = shortChar(extChars[i]!, extInfo);
    if (bytes.length === 0) continue;
    ext.push(...bytes);
    if (ext.length >= 3 && i + 1 !== extChars.length) isShort = false;
  }
  if (base[0] === 0xe5) base[0] = 0x05;

  const alias = Buffer.alloc(SHORT_NAME_BYTES, 0x20);
  Buffer.from(base.slice(0, 8)).copy(alias, 0);
  Buffer.from(ext).copy(alias, 8);
  if (isShort && baseInfo.valid && extInfo.valid) {
    if (taken(alias.toString('latin1'))) fail('EEXIST');
    // shortname=mixed creates like Windows 95: only an all-upper-case name is stored without a long name
    return { bytes: alias, alone: baseInfo.upper && extInfo.upper };
  }

  // the ~N numeric tail (Linux always adds one: numtail is its default)
  let baseLength = base.length;
  if (baseLength > 6) {
    baseLength = tail6;
    alias[7] = 0x20;
  }
  for (let n = 1; n < 10; n++) {
    alias[baseLength] = 0x7e;
    alias[baseLength + 1] = 0x30 + n;
    if (!taken(alias.toString('latin1'))) return { bytes: alias, alone: false };
  }
  // then Linux's second form: two characters, four hex digits, ~ and a digit (it starts from the clock)
  if (baseLength > 2) {
    baseLength = tail2;
    alias[7] = 0x20;
  }
  let seed = 0;
  for (const ch of name) seed = (seed * 31 + ch.charCodeAt(0)) & 0xffff;
  alias[baseLength + 4] = 0x7e;
  alias[baseLength + 5] = 0x31 + (seed & 0x7);
  for (let i = 0; i <= 0xffff; i++) {
    alias.write(((seed - i * 11) & 0xffff).toString(16).toUpperCase().padStart(4, '0'), baseLength, 'latin1');
    if (!taken(alias.toString('latin1'))) return { bytes: alias, alone: false };
  }
  return fail('ENOSPC');
}

/** A long name as UTF-16 code units padded for its slots: a 0x0000 terminator then 0xFFFF, unless it fills them exactly. */
export function longNameUnits(name: string): number[] {
  const units: number[] = [];
  for (let i = 0; i < name.length; i++) units.push(name.charCodeAt(i));
  if (units.length % LFN_CHARS !== 0) {
    units.push(0);
    while (units.length % LFN_CHARS !== 0) units.push(0xffff);
  }
  return units;
}
