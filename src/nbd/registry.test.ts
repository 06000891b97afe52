import { describe, expect, it } from 'vitest';
import { SparseMemoryDisk } from '../../test/nbd/test-disks.js';
import { ExportRegistry } from './registry.js';

describe('ExportRegistry', () => {
  it('leaves unlisted exports out of the list but serves them by name', () => {
    const r = new ExportRegistry();
    r.add('public', new SparseMemoryDisk(4096), { readOnly: true });
    r.add('osvol-secret', new SparseMemoryDisk(4096), { readOnly: false, unlisted: true });
    expect(r.list().map((e) => e.name)).toEqual(['public']);
    expect(r.lookup('osvol-secret')?.unlisted).toBe(true);
  });

  it('adds, lists, refuses duplicates and bad names', () => {
    const r = new ExportRegistry();
    r.add('a', new SparseMemoryDisk(4096), { readOnly: false, description: 'x' });
    expect(r.has('a')).toBe(true);
    expect(r.list()).toEqual([{ name: 'a', description: 'x', readOnly: false, sizeBytes: 4096 }]);
    expect(() => r.add('a', new SparseMemoryDisk(1), { readOnly: true })).toThrow(/Cannot add NBD export "a": an export with that name exists/);
    expect(() => r.add('', new SparseMemoryDisk(1), { readOnly: true })).toThrow(/Cannot add NBD export/);
  });

  it('offers multi-conn only for read-only exports or when flush is global', () => {
    const r = new ExportRegistry();
    r.add('rw', new SparseMemoryDisk(1), { readOnly: false });
    r.add('ro', new SparseMemoryDisk(1), { readOnly: true });
    r.add('diskro', new SparseMemoryDisk(1, true), { readOnly: false });
    r.add('global', new SparseMemoryDisk(1), { readOnly: false, flushIsGlobal: true });
    expect(['rw', 'ro', 'diskro', 'global'].map((n) => r.lookup(n)!.multiConn)).toEqual([false, true, true, true]);
    expect(r.lookup('diskro')!.readOnly).toBe(true);
  });

  it('remove() closes the sessions attached to the export', async () => {
    const r = new ExportRegistry();
    r.add('a', new SparseMemoryDisk(1), { readOnly: false });
    let closed = 0;
    r.attach('a', { close: () => Promise.resolve(void closed++) });
    expect(await r.remove('a')).toBe(true);
    expect(closed).toBe(1);
    expect(r.has('a')).toBe(false);
    expect(await r.remove('a')).toBe(false);
    expect(r.attach('a', { close: () => Promise.resolve() })).toBeUndefined();
  });
});
