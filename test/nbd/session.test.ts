// Sessions over real sockets: errors go back as NBD replies and the session goes on; a protocol
// violation closes only its own session; DISC finishes what is in flight; replies may come out of order.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExportRegistry, startNbdServer, type NbdServer } from '../../src/nbd/index.js';
import * as C from '../../src/nbd/protocol/constants.js';
import { RawClient } from './raw-client.js';
import type { ReadOptions } from '../../src/storage/disk.js';
import { SparseMemoryDisk } from './test-disks.js';

const MiB = 1 << 20;
let server: NbdServer;
let registry: ExportRegistry;

/** A disk whose reads at offset 0 are slow, to see replies overtake each other. */
class SlowFirstBlockDisk extends SparseMemoryDisk {
  override async read(offset: number, length: number): Promise<Buffer> {
    if (offset === 0) await new Promise((r) => setTimeout(r, 200));
    return super.read(offset, length);
  }
}

/** Records whether each READ was asked to copy on a pool thread; READs at offset 0 wait for `release()`. */
class OffloadRecordingDisk extends SparseMemoryDisk {
  readonly offloads: { offset: number; length: number; offload: boolean }[] = [];
  private held: (() => void)[] = [];

  async readInto(out: Buffer, at: number, offset: number, length: number, options?: ReadOptions): Promise<void> {
    this.offloads.push({ offset, length, offload: options?.offload === true });
    if (offset === 0) await new Promise<void>((resolve) => this.held.push(resolve));
    (await this.read(offset, length)).copy(out, at);
  }

  release(): void {
    for (const r of this.held.splice(0)) r();
  }
}

const offloading = new OffloadRecordingDisk(4 * MiB);

beforeAll(async () => {
  registry = new ExportRegistry();
  registry.add('offload', offloading, { readOnly: true });
  registry.add('rw', new SparseMemoryDisk(4 * MiB), { readOnly: false });
  registry.add('ro', new SparseMemoryDisk(MiB), { readOnly: true });
  registry.add('slow', new SlowFirstBlockDisk(MiB), { readOnly: false });
  server = await startNbdServer({ host: '127.0.0.1', port: 0, registry });
});
afterAll(() => server.close());

describe('NBD session', () => {
  it('answers bad requests with NBD errors and keeps serving', async () => {
    const c = await RawClient.connect(server.port, 'rw');
    c.send(C.NBD_CMD_READ, { handle: 1n, offset: 4n * BigInt(MiB), length: 1 });
    expect(await c.reply()).toMatchObject({ handle: 1n, error: C.NBD_EINVAL });
    c.send(C.NBD_CMD_WRITE, { handle: 2n, offset: 100n, data: Buffer.from('kept') });
    expect(await c.reply()).toMatchObject({ handle: 2n, error: 0 });
    c.send(C.NBD_CMD_BLOCK_STATUS, { handle: 3n, length: 10 });
    expect(await c.reply()).toMatchObject({ handle: 3n, error: C.NBD_EINVAL });
    c.send(C.NBD_CMD_READ, { handle: 4n, offset: 100n, length: 4 });
    expect((await c.reply()).data?.toString()).toBe('kept');
    c.close();
  });

  it('refuses writes to a read-only export with EPERM and goes on', async () => {
    const c = await RawClient.connect(server.port, 'ro');
    c.send(C.NBD_CMD_WRITE, { handle: 9n, data: Buffer.from('no') });
    expect(await c.reply()).toMatchObject({ handle: 9n, error: C.NBD_EPERM });
    c.send(C.NBD_CMD_READ, { handle: 10n, length: 2 });
    expect((await c.reply()).data).toEqual(Buffer.alloc(2));
    c.close();
  });

  it('a bad request magic closes that session only', async () => {
    const good = await RawClient.connect(server.port, 'rw');
    const bad = await RawClient.connect(server.port, 'rw');
    bad.socket.write(Buffer.alloc(28, 0x41));
    await bad.closed();
    good.send(C.NBD_CMD_FLUSH, { handle: 5n });
    expect(await good.reply()).toMatchObject({ handle: 5n, error: 0 });
    good.close();
  });

  it('answers pipelined requests out of order, then DISC closes after the last reply', async () => {
    const c = await RawClient.connect(server.port, 'slow');
    c.send(C.NBD_CMD_READ, { handle: 1n, offset: 0n, length: 512 });
    c.send(C.NBD_CMD_READ, { handle: 2n, offset: 65536n, length: 512 });
    c.send(C.NBD_CMD_DISC, { handle: 3n });
    expect((await c.reply()).handle).toBe(2n);
    expect((await c.reply()).handle).toBe(1n);
    await c.closed();
  });

  it('answers READs pipelined far past what a session reads ahead, then DISC closes after the last one', async () => {
    const c = await RawClient.connect(server.port, 'rw');
    const data = Buffer.alloc(4 * MiB);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32BE(i, i);
    c.send(C.NBD_CMD_WRITE, { handle: 1000n, offset: 0n, data });
    expect(await c.reply()).toMatchObject({ handle: 1000n, error: 0 });
    const chunk = 256 * 1024;
    const count = 48; // 12 MiB asked for at once: several times the read window
    for (let i = 0; i < count; i++) c.send(C.NBD_CMD_READ, { handle: BigInt(i), offset: BigInt((i * chunk) % data.length), length: chunk });
    c.send(C.NBD_CMD_DISC, { handle: 9999n });
    const seen = new Set<bigint>();
    for (let i = 0; i < count; i++) {
      const r = await c.reply();
      const at = (Number(r.handle) * chunk) % data.length;
      expect(r.error).toBe(0);
      expect(r.data?.equals(data.subarray(at, at + chunk))).toBe(true);
      seen.add(r.handle);
    }
    expect(seen.size).toBe(count);
    await c.closed();
  });

  it('large READs copy on a pool thread only while another session reads too; small ones never do', async () => {
    const disk = offloading;
    /** Reads a block at `offset` through `c` and says whether the disk was asked to offload it. */
    const offloaded = async (c: RawClient, offset: number, length = 256 * 1024): Promise<boolean> => {
      const before = disk.offloads.length;
      c.send(C.NBD_CMD_READ, { handle: BigInt(offset), offset: BigInt(offset), length });
      expect(await c.reply()).toMatchObject({ error: 0 });
      return disk.offloads.slice(before).some((r) => r.offset === offset && r.offload);
    };
    /** Whether the next large READ on `c` is offloaded, once the other session's state has settled. */
    const settlesTo = async (c: RawClient, want: boolean): Promise<boolean> => {
      for (let i = 0; i < 100; i++) {
        if ((await offloaded(c, MiB)) === want) return want;
        await new Promise((r) => setTimeout(r, 10));
      }
      return !want;
    };
    const a = await RawClient.connect(server.port, 'offload');
    const b = await RawClient.connect(server.port, 'offload');
    try {
      // alone: on the event loop
      expect(await offloaded(b, MiB)).toBe(false);
      // a's READ at 0 is held: two sessions read, so b's large READs go to the pool, its small ones do not
      a.send(C.NBD_CMD_READ, { handle: 0n, offset: 0n, length: 256 * 1024 });
      await vi.waitFor(() => expect(disk.offloads.some((r) => r.offset === 0)).toBe(true));
      expect(disk.offloads.find((r) => r.offset === 0)?.offload).toBe(false);
      expect(await offloaded(b, MiB)).toBe(true);
      expect(await offloaded(b, 2 * MiB, 4096)).toBe(false);
      // a's reply is sent: b reads alone again
      disk.release();
      expect(await a.reply()).toMatchObject({ handle: 0n, error: 0 });
      expect(await settlesTo(b, false)).toBe(false);
      // a session that closes with a READ in progress stops counting as a reader
      a.send(C.NBD_CMD_READ, { handle: 0n, offset: 0n, length: 256 * 1024 });
      await vi.waitFor(() => expect(disk.offloads.filter((r) => r.offset === 0).length).toBe(2));
      expect(await offloaded(b, MiB)).toBe(true);
      a.close();
      expect(await settlesTo(b, false)).toBe(false);
    } finally {
      disk.release();
      a.close();
      b.close();
    }
  });

  it('removing an export drops its sessions, and the name can no longer be opened', async () => {
    registry.add('temp', new SparseMemoryDisk(MiB), { readOnly: false });
    const c = await RawClient.connect(server.port, 'temp');
    await registry.remove('temp');
    await c.closed();
    await expect(RawClient.connect(server.port, 'temp')).rejects.toThrow(/GO failed/);
  });

  it('a write larger than 32 MiB gets EOVERFLOW, its payload is skipped and the session goes on', async () => {
    const c = await RawClient.connect(server.port, 'rw');
    const size = C.MAX_PAYLOAD_BYTES + 4096;
    c.send(C.NBD_CMD_WRITE, { handle: 1n, offset: 0n, length: size });
    c.socket.write(Buffer.alloc(size, 1));
    c.send(C.NBD_CMD_FLUSH, { handle: 2n });
    expect(await c.reply()).toMatchObject({ handle: 1n, error: C.NBD_EOVERFLOW });
    expect(await c.reply()).toMatchObject({ handle: 2n, error: 0 });
    c.close();
  });
});
