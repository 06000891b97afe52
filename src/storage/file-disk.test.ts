import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diskConformance } from '../../test/storage/disk-conformance.js';
import type { Disk } from './disk.js';
import { FileDisk } from './file-disk.js';

const dir = mkdtempSync(join(tmpdir(), 'file-disk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

diskConformance('FileDisk', {
  make: async (size) => {
    const path = join(dir, `d${n++}.raw`);
    writeFileSync(path, '');
    truncateSync(path, size);
    return FileDisk.open(path);
  },
  reopenReadOnly: async (disk: Disk) => {
    await disk.close();
    return FileDisk.open((disk as FileDisk).path, { readOnly: true });
  },
  views: true,
});

describe('FileDisk', () => {
  it('discard() punches a hole: the file holds fewer blocks afterwards', async () => {
    const path = join(dir, 'punch.raw');
    writeFileSync(path, Buffer.alloc(8 * 1024 * 1024, 7));
    const disk = await FileDisk.open(path);
    const before = statSync(path).blocks;
    await disk.discard(1024 * 1024, 4 * 1024 * 1024);
    await disk.flush();
    const after = statSync(path).blocks;
    expect(before - after).toBeGreaterThanOrEqual((4 * 1024 * 1024) / 512);
    expect(statSync(path).size).toBe(8 * 1024 * 1024);
    await disk.close();
  });

  it('open() of a missing file fails with kind not_found', async () => {
    await expect(FileDisk.open(join(dir, 'nope.raw'))).rejects.toMatchObject({ kind: 'not_found', message: expect.stringMatching(/^Cannot open disk ".*nope.raw": no such file$/) });
  });
});
