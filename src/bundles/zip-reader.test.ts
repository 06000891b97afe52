import { describe, expect, it } from 'vitest';
import { entryNameProblem } from './zip-reader.js';

describe('entryNameProblem', () => {
  it('accepts flat names, spaces included', () => {
    for (const name of ['MANIFEST.MF', 'HPE - Developer 1.0 - UEFI Test Image - 2017-03-24', 'a..b_planscript.json']) expect(entryNameProblem(name)).toBeUndefined();
  });

  it('refuses climbing, absolute, backslash, folder and empty names', () => {
    expect(entryNameProblem('../x')).toMatch(/climbs out/);
    expect(entryNameProblem('a/../../x')).toMatch(/climbs out/);
    expect(entryNameProblem('/etc/passwd')).toMatch(/absolute/);
    expect(entryNameProblem('C:x')).toMatch(/absolute/);
    expect(entryNameProblem('a\\b')).toMatch(/backslash/);
    expect(entryNameProblem('dir/')).toMatch(/directory/);
    expect(entryNameProblem('dir/x')).toMatch(/folder/);
    expect(entryNameProblem('')).toMatch(/empty/);
  });
});
