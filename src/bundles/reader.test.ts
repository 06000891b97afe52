import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBundle } from './reader.js';

const fixtures = '/work/shared/fixtures/bundles';
const expected: Record<string, [number, number, number, number]> = {
  'HPE-ImageStreamer-Developer-2017-08-28-v5.0.zip': [7, 5, 2, 1],
  'HPE-Support-Artifacts-2017-11-29-v5.0.zip': [3, 2, 2, 1],
  'HPE_Foundation_Artifacts-5_00.zip': [2, 3, 1, 0],
  'LinuxMultiDistro-AB-v0.1-HPE-Legacy.zip': [15, 3, 0, 0],
  'LinuxMultiDistro-AB-v0.3-HPE-UEFI.zip': [9, 4, 0, 0],
};

describe('readBundle', () => {
  for (const file of readdirSync(fixtures).filter((f) => f.endsWith('.zip'))) {
    it(`reads and verifies ${file}`, async () => {
      const content = await readBundle(join(fixtures, file), { label: file });
      const counts = [content.planScripts.length, content.buildPlans.length, content.deploymentPlans.length, content.goldenImages.length];
      expect(counts).toEqual(expected[file]);
      expect(content.entries.at(-1)?.name).toBe('MANIFEST.MF');
    });
  }

  it('names the bundle and the cause for a file that is not a zip', async () => {
    await expect(readBundle('/etc/hostname', { label: 'x' })).rejects.toThrow(/^Cannot read bundle "x": it is not a readable zip file/);
  });
});
