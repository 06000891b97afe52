import { describe, expect, it } from 'vitest';
import { formatManifest, parseManifest } from './manifest.js';

describe('MANIFEST.MF', () => {
  const text = 'Artifact Name:HPE_Foundation_Artifacts-4_10\nDescription:a: b \\n "c"\nRead Only:true\nTime Stamp:2018-01-30T17:10:09.925Z\nArtifact Type:USER';

  it('parses the five lines, keeping colons and escapes inside the description', () => {
    expect(parseManifest(text, 'b')).toEqual({ artifactName: 'HPE_Foundation_Artifacts-4_10', description: 'a: b \\n "c"', readOnly: true, timeStamp: '2018-01-30T17:10:09.925Z', artifactType: 'USER' });
  });

  it('formats exactly as HPE writes it: LF, no trailing newline', () => {
    expect(formatManifest(parseManifest(text, 'b'))).toBe(text);
    expect(formatManifest({ artifactName: 'x', description: 'two\nlines', readOnly: false, timeStamp: 't', artifactType: 'USER' })).toBe('Artifact Name:x\nDescription:two\\nlines\nRead Only:false\nTime Stamp:t\nArtifact Type:USER');
  });

  it('refuses a manifest without a name or with a bad Read Only, naming the entry', () => {
    expect(() => parseManifest('Read Only:true', 'b')).toThrow('Cannot read bundle "b" at entry "MANIFEST.MF": it has no "Artifact Name" line');
    expect(() => parseManifest('Artifact Name:x\nRead Only:maybe', 'b')).toThrow('"Read Only" must be true or false, got "maybe"');
  });
});
