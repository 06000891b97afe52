import { describe, expect, it } from 'vitest';
import { diskConformance } from '../../test/storage/disk-conformance.js';
import { MemoryDisk } from './memory-disk.js';

diskConformance('MemoryDisk', { make: (size) => Promise.resolve(new MemoryDisk(size)) });

describe('MemoryDisk', () => {
  it('discard() releases whole blocks and extents() report them as holes', async () => {
    const disk = new MemoryDisk(1024 * 1024);
    await disk.write(0, Buffer.alloc(256 * 1024, 1));
    expect(disk.allocatedBytes).toBe(256 * 1024);
    await disk.discard(64 * 1024, 128 * 1024);
    expect(disk.allocatedBytes).toBe(128 * 1024);
    expect(await disk.extents(0, 1024 * 1024)).toEqual([
      { offset: 0, length: 65536, hole: false, zero: false },
      { offset: 65536, length: 131072, hole: true, zero: true },
      { offset: 196608, length: 65536, hole: false, zero: false },
      { offset: 262144, length: 786432, hole: true, zero: true },
    ]);
  });
});
