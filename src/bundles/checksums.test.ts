import { describe, expect, it } from 'vitest';
import { formatChecksums, parseChecksums } from './checksums.js';

const d256 = 'ab'.repeat(32);

describe('checksum files', () => {
  it('reads "<name>\\t<hex>" lines (names may hold spaces) and the sha256sum(1) form', () => {
    const parsed = parseChecksums(`HPE - Image 1\t${d256.toUpperCase()}\r\n${d256}  other\n`, { bundle: 'b', file: 'SHA256SUM.sha256sum' });
    expect([...parsed]).toEqual([['HPE - Image 1', d256], ['other', d256]]);
  });

  it('refuses a digest of the wrong length and a name listed twice', () => {
    expect(() => parseChecksums(`a\t${'ab'.repeat(32)}\n`, { bundle: 'b', file: 'SHA1SUM.sha1sum' })).toThrow('Cannot read bundle "b" at entry "SHA1SUM.sha1sum": line 1 is not "<name><TAB><sha1 hex digest>"');
    expect(() => parseChecksums(`a\t${d256}\na\t${d256}\n`, { bundle: 'b', file: 'SHA256SUM.sha256sum' })).toThrow('"a" is listed twice');
  });

  it('writes one line per entry, each ending in LF', () => {
    expect(formatChecksums([{ name: 'a', digest: d256 }, { name: 'MANIFEST.MF', digest: d256 }])).toBe(`a\t${d256}\nMANIFEST.MF\t${d256}\n`);
  });
});
