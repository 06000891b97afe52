// The NBD server against real clients: nbdinfo (list, map), nbdcopy both ways, qemu-img convert/compare.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportRegistry, startNbdServer, type NbdServer } from '../../src/nbd/index.js';
import { PlainFileDisk, SparseMemoryDisk } from './test-disks.js';
import { requireTool, tool } from './tools.js';

const MiB = 1024 * 1024;
let dir: string;
let server: NbdServer;
let registry: ExportRegistry;
let sparse: SparseMemoryDisk;
let url: (name: string) => string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'streamer-nbd-interop-'));
  registry = new ExportRegistry();
  sparse = new SparseMemoryDisk(64 * MiB);
  await sparse.write(4 * MiB, Buffer.alloc(MiB, 0xab));
  await sparse.write(40 * MiB, Buffer.alloc(128 * 1024, 0xcd));
  registry.add('sparse', sparse, { readOnly: false, description: 'a sparse memory disk' });
  registry.add('golden', new SparseMemoryDisk(8 * MiB), { readOnly: true, description: 'read-only' });
  server = await startNbdServer({ host: '127.0.0.1', port: 0, registry });
  url = (name) => `nbd://127.0.0.1:${server.port}/${name}`;
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('nbdinfo', () => {
  it('--list shows every export with its size, description and read-only flag', async () => {
    requireTool('nbdinfo', 'libnbd-bin');
    const out = JSON.parse(await tool('nbdinfo', ['--list', '--json', `nbd://127.0.0.1:${server.port}`]));
    const byName = new Map<string, any>(out.exports.map((e: any) => [e['export-name'], e]));
    expect(byName.get('sparse')).toMatchObject({ 'export-size': 64 * MiB, 'is_read_only': false, description: 'a sparse memory disk' });
    expect(byName.get('golden')).toMatchObject({ 'export-size': 8 * MiB, 'is_read_only': true, can_multi_conn: true });
    expect(byName.get('sparse').can_multi_conn).toBe(false);
    expect(out.protocol).toBe('newstyle-fixed');
  });

  it('--map reports the allocated ranges of a sparse disk and holes elsewhere', async () => {
    requireTool('nbdinfo', 'libnbd-bin');
    const out = JSON.parse(await tool('nbdinfo', ['--map', '--json', url('sparse')]));
    const data = out.filter((e: any) => (e.type & 1) === 0).map((e: any) => [e.offset, e.length]);
    expect(data).toEqual([[4 * MiB, MiB], [40 * MiB, 128 * 1024]]);
    const total = out.reduce((n: number, e: any) => n + e.length, 0);
    expect(total).toBe(64 * MiB);
  });

  it('an unknown export name is refused and the server goes on', async () => {
    requireTool('nbdinfo', 'libnbd-bin');
    await expect(tool('nbdinfo', [url('nope')])).rejects.toThrow();
    await tool('nbdinfo', [url('sparse')]);
  });
});

describe('nbdcopy', () => {
  it('copies a file into an export and back out byte for byte', async () => {
    requireTool('nbdcopy', 'libnbd-bin');
    const src = join(dir, 'src.img');
    const back = join(dir, 'back.img');
    const content = randomBytes(16 * MiB);
    writeFileSync(src, content);
    writeFileSync(join(dir, 'target.img'), Buffer.alloc(0));
    const target = join(dir, 'target.img');
    writeFileSync(target, Buffer.alloc(16 * MiB));
    const disk = await PlainFileDisk.open(target);
    registry.add('copy', disk, { readOnly: false });
    try {
      await tool('nbdcopy', [src, url('copy')]);
      expect(readFileSync(target).equals(content)).toBe(true);
      await tool('nbdcopy', ['--connections=1', url('copy'), back]);
      expect(readFileSync(back).equals(content)).toBe(true);
    } finally {
      await registry.remove('copy');
      await disk.close();
    }
  });

  it('copying out of a read-only export works; writing into it fails', async () => {
    requireTool('nbdcopy', 'libnbd-bin');
    const out = join(dir, 'golden.img');
    await tool('nbdcopy', [url('golden'), out]);
    expect(readFileSync(out).length).toBe(8 * MiB);
    writeFileSync(join(dir, 'small.img'), Buffer.alloc(MiB, 1));
    await expect(tool('nbdcopy', [join(dir, 'small.img'), url('golden')])).rejects.toThrow();
  });
});

describe('qemu-img', () => {
  it('converts an export to qcow2 and compares it equal; a change makes compare differ', async () => {
    requireTool('qemu-img', 'qemu-utils');
    const qcow = join(dir, 'out.qcow2');
    await tool('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', url('sparse'), qcow]);
    await tool('qemu-img', ['compare', '-f', 'raw', '-F', 'qcow2', url('sparse'), qcow]);
    await tool('qemu-img', ['compare', '-F', 'raw', '-f', 'qcow2', qcow, url('sparse')]);
    await sparse.write(10 * MiB, Buffer.from('different'));
    await expect(tool('qemu-img', ['compare', '-f', 'raw', '-F', 'qcow2', url('sparse'), qcow])).rejects.toThrow(/differ|Content mismatch|failed/);
    await sparse.discard(10 * MiB, 64 * 1024);
  });

  it('converts a qcow2 image into a writable export (write zeroes, trim, flush)', async () => {
    requireTool('qemu-img', 'qemu-utils');
    const qcow = join(dir, 'in.qcow2');
    const raw = join(dir, 'in.raw');
    const content = Buffer.alloc(8 * MiB);
    randomBytes(MiB).copy(content, 2 * MiB);
    writeFileSync(raw, content);
    await tool('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow]);
    const target = new SparseMemoryDisk(8 * MiB);
    await target.write(0, Buffer.alloc(8 * MiB, 0xff));
    registry.add('into', target, { readOnly: false });
    try {
      await tool('qemu-img', ['convert', '-n', '-f', 'qcow2', '-O', 'raw', qcow, url('into')]);
      expect((await target.read(0, 8 * MiB)).equals(content)).toBe(true);
      await tool('qemu-img', ['compare', '-f', 'qcow2', '-F', 'raw', qcow, url('into')]);
      expect(target.flushes).toBeGreaterThan(0);
    } finally {
      await registry.remove('into');
    }
  });
});
