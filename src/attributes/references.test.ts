import { describe, expect, it } from 'vitest';
import { scanReferences, substitute, tokenize } from './references.js';

describe('scanReferences', () => {
  it('finds plain, defaulted, dotted and dotted-with-default references in order', () => {
    const refs = scanReferences('a @Host@ b @Size:20@ c @Nic1.mac@ d @Nic1.vlanid:0@');
    expect(refs.map((r) => [r.name, r.field, r.defaultValue])).toEqual([
      ['Host', undefined, undefined],
      ['Size', undefined, '20'],
      ['Nic1', 'mac', undefined],
      ['Nic1', 'vlanid', '0'],
    ]);
  });

  it('accepts names starting with "_" and holding "-", defaults with spaces and "!"', () => {
    const refs = scanReferences('@_Initiator1.mac@ @Cluster-VC@ @S:Hello World!@');
    expect(refs.map((r) => [r.name, r.field, r.defaultValue])).toEqual([
      ['_Initiator1', 'mac', undefined],
      ['Cluster-VC', undefined, undefined],
      ['S', undefined, 'Hello World!'],
    ]);
  });

  it('leaves bash "$@" and ${a[@]} alone', () => {
    const text = 'for x in "$@"; do echo "${array[@]}" @Name@; done';
    expect(scanReferences(text).map((r) => r.name)).toEqual(['Name']);
    expect(substitute(text, { Name: 'v' }).text).toBe('for x in "$@"; do echo "${array[@]}" v; done');
  });

  it('does not let a default run over a newline', () => {
    expect(scanReferences('@A:x\ny@')).toEqual([]);
    expect(substitute('@A:x\ny@', { A: 'v' }).text).toBe('@A:x\ny@');
  });

  it('reports offsets that slice back to the reference', () => {
    const text = 'x @@ @N:d@ y';
    const [ref] = scanReferences(text);
    expect(text.slice(ref!.start, ref!.end)).toBe('@N:d@');
  });
});

describe('substitute', () => {
  it('turns root@@@Node1Hostname@ into root@ and the value', () => {
    expect(substitute('ssh root@@@Node1Hostname@', { Node1Hostname: 'n1' }).text).toBe('ssh root@n1');
  });

  it('reads root@@Node1Hostname@ left to right: "@@" is "@", the rest is literal', () => {
    expect(substitute('ssh root@@Node1Hostname@', { Node1Hostname: 'n1' }).text).toBe('ssh root@Node1Hostname@');
    expect(tokenize('root@@Node1Hostname@')).toEqual([{ kind: 'text', text: 'root@Node1Hostname@' }]);
  });

  it('uses value, else default, else the empty string, and lists what had neither', () => {
    const result = substitute('@A@|@B:b@|@C@|@N.mac@|@N.vlanid:0@|@C@', { A: 'a', 'N.mac': 'm' });
    expect(result.text).toBe('a|b||m|0|');
    expect(result.unresolved).toEqual(['C']);
  });

  it('counts an empty-string value as set and null as unset', () => {
    expect(substitute('@A:d@,@B:d@', { A: '', B: null }).text).toBe(',d');
  });

  it('inserts values raw, without re-reading them for references', () => {
    expect(substitute('@A@', { A: '@B@ @@ $x "q"' }).text).toBe('@B@ @@ $x "q"');
  });

  it('keeps a lone "@" and an e-mail address', () => {
    expect(substitute('mail admin@example.com @ end', {}).text).toBe('mail admin@example.com @ end');
  });
});
