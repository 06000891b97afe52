import { describe, expect, it } from 'vitest';
import { SparseMemoryDisk } from '../../test/nbd/test-disks.js';
import type { Disk } from '../storage/disk.js';
import { describe as describeExtents, executeRequest, type CommandContext } from './commands.js';
import * as C from './protocol/constants.js';
import type { NbdRequest } from './protocol/request-parser.js';
import { ReplyBuffers } from './reply-buffers.js';

const KiB = 1024;
function ctx(over: Partial<CommandContext> = {}): CommandContext {
  return { disk: new SparseMemoryDisk(1024 * KiB), readOnly: false, structuredReplies: true, baseAllocationId: 1, ...over };
}
const req = (type: number, over: Partial<NbdRequest> = {}): NbdRequest => ({ flags: 0, type, handle: 7n, offset: 0n, length: 0, ...over });
const simpleError = (b: Buffer[]): number => (expect(b[0]!.readUInt32BE(0)).toBe(C.NBD_SIMPLE_REPLY_MAGIC), b[0]!.readUInt32BE(4));
const chunkError = (b: Buffer[]): number => (expect(b[0]!.readUInt16BE(6)).toBe(C.NBD_REPLY_TYPE_ERROR), b[0]!.readUInt32BE(20));

describe('executeRequest', () => {
  it('reads with a structured OFFSET_DATA chunk carrying the offset', async () => {
    const c = ctx();
    await c.disk.write(4096, Buffer.from('abc'));
    const out = await executeRequest(c, req(C.NBD_CMD_READ, { offset: 4096n, length: 3 }));
    expect(out[0]!.readUInt16BE(4)).toBe(C.NBD_REPLY_FLAG_DONE);
    expect(out[0]!.readUInt16BE(6)).toBe(C.NBD_REPLY_TYPE_OFFSET_DATA);
    expect(out[0]!.readBigUInt64BE(8)).toBe(7n);
    expect(out[0]!.readUInt32BE(16)).toBe(11);
    expect(out[0]!.readBigUInt64BE(20)).toBe(4096n);
    expect(out[1]!.toString()).toBe('abc');
  });

  it('reads with a simple reply when structured replies were not negotiated', async () => {
    const out = await executeRequest(ctx({ structuredReplies: false }), req(C.NBD_CMD_READ, { length: 5 }));
    expect(simpleError(out)).toBe(0);
    expect(out[1]!.length).toBe(5);
  });

  it('reads into one pooled buffer, header then data, when the disk can read into a buffer', async () => {
    const inner = new SparseMemoryDisk(1024 * KiB);
    await inner.write(8192, Buffer.from('hello'));
    const disk: Disk = Object.assign(inner, {
      async readInto(out: Buffer, at: number, offset: number, length: number) {
        (await inner.read(offset, length)).copy(out, at);
      },
    });
    const pool = new ReplyBuffers();
    const [chunk, ...rest] = await executeRequest(ctx({ disk, replyBuffers: pool }), req(C.NBD_CMD_READ, { offset: 8192n, length: 5 }));
    expect(rest).toEqual([]);
    expect(pool.isLent(chunk!)).toBe(true);
    expect(chunk!.readUInt16BE(6)).toBe(C.NBD_REPLY_TYPE_OFFSET_DATA);
    expect(chunk!.readUInt32BE(16)).toBe(13);
    expect(chunk!.readBigUInt64BE(20)).toBe(8192n);
    expect(chunk!.subarray(28).toString()).toBe('hello');
    const [simple] = await executeRequest(ctx({ disk, structuredReplies: false }), req(C.NBD_CMD_READ, { offset: 8192n, length: 5 }));
    expect(simpleError([simple!])).toBe(0);
    expect(simple!.readBigUInt64BE(8)).toBe(7n);
    expect(simple!.subarray(16).toString()).toBe('hello');
  });

  it('answers with the disk\'s page-cache views, uncopied, where allowed; reads into a buffer when they are refused', async () => {
    const inner = new SparseMemoryDisk(1024 * KiB);
    await inner.write(8192, Buffer.from('hello views'));
    const asked: string[] = [];
    let cached = true;
    const disk: Disk = Object.assign(inner, {
      readViews(offset: number, length: number): Buffer[] | undefined {
        asked.push(`views ${offset}+${length}`);
        if (offset + length > 1024 * KiB) throw new RangeError('past the end');
        return cached ? [Buffer.from('hello'), Buffer.from(' views').subarray(0, length - 5)] : undefined;
      },
      async readInto(out: Buffer, at: number, offset: number, length: number) {
        asked.push(`readInto ${offset}+${length}`);
        (await inner.read(offset, length)).copy(out, at);
      },
    });
    const read = req(C.NBD_CMD_READ, { offset: 8192n, length: 11 });
    const [header, ...data] = await executeRequest(ctx({ disk, viewReads: true }), read);
    expect(header!.length).toBe(28);
    expect(header!.readUInt32BE(16)).toBe(19);
    expect(Buffer.concat(data).toString()).toBe('hello views');
    const [simple, ...simpleData] = await executeRequest(ctx({ disk, viewReads: true, structuredReplies: false }), read);
    expect(simple!.length).toBe(16);
    expect(Buffer.concat(simpleData).toString()).toBe('hello views');
    expect(asked.splice(0)).toEqual(['views 8192+11', 'views 8192+11']);
    // not allowed (TLS), or not cached: one buffer, read into
    for (const viewReads of [false, true]) {
      cached = !viewReads;
      const out = await executeRequest(ctx({ disk, viewReads }), read);
      expect(out.length).toBe(1);
      expect(out[0]!.subarray(28).toString()).toBe('hello views');
    }
    expect(asked.splice(0)).toEqual(['readInto 8192+11', 'views 8192+11', 'readInto 8192+11']);
    expect(chunkError(await executeRequest(ctx({ disk, viewReads: true }), req(C.NBD_CMD_READ, { offset: 1020n * 1024n, length: 8192 })))).toBe(C.NBD_EINVAL);
    expect(asked).toEqual([]);
  });

  it('gives the reply buffer back and answers EIO when reading into it fails', async () => {
    const taken: Buffer[] = [];
    const pool = new ReplyBuffers();
    const take = pool.take.bind(pool);
    pool.take = (n) => { const b = take(n); taken.push(b); return b; };
    const disk: Disk = Object.assign(new SparseMemoryDisk(1024 * KiB), { readInto: () => Promise.reject(new Error('media error')) });
    expect(chunkError(await executeRequest(ctx({ disk, replyBuffers: pool }), req(C.NBD_CMD_READ, { length: 4096 })))).toBe(C.NBD_EIO);
    expect(taken.length).toBe(1);
    expect(pool.isLent(taken[0]!)).toBe(false);
  });

  it('answers a read past the end with EINVAL (error chunk, or simple reply without data)', async () => {
    const past = req(C.NBD_CMD_READ, { offset: 1020n * 1024n, length: 8192 });
    expect(chunkError(await executeRequest(ctx(), past))).toBe(C.NBD_EINVAL);
    const simple = await executeRequest(ctx({ structuredReplies: false }), past);
    expect(simple.length).toBe(1);
    expect(simpleError(simple)).toBe(C.NBD_EINVAL);
    expect(chunkError(await executeRequest(ctx(), req(C.NBD_CMD_READ, { offset: 1n << 62n, length: 1 })))).toBe(C.NBD_EINVAL);
  });

  it('refuses writes, trims and zeroes on a read-only export with EPERM and leaves the data', async () => {
    const c = ctx({ readOnly: true });
    for (const type of [C.NBD_CMD_WRITE, C.NBD_CMD_TRIM, C.NBD_CMD_WRITE_ZEROES]) {
      expect(simpleError(await executeRequest({ ...c, structuredReplies: false }, req(type, { length: 3, data: Buffer.from('xyz') })))).toBe(C.NBD_EPERM);
    }
    expect((await c.disk.read(0, 3)).equals(Buffer.alloc(3))).toBe(true);
  });

  it('writes (FUA flushes), trims and writes zeroes', async () => {
    const c = ctx();
    const disk = c.disk as SparseMemoryDisk;
    expect(simpleError(await executeRequest(c, req(C.NBD_CMD_WRITE, { offset: 100n, length: 3, data: Buffer.from('xyz'), flags: C.NBD_CMD_FLAG_FUA })))).toBe(0);
    expect((await disk.read(100, 3)).toString()).toBe('xyz');
    expect(simpleError(await executeRequest(c, req(C.NBD_CMD_WRITE_ZEROES, { offset: 101n, length: 1 })))).toBe(0);
    expect((await disk.read(100, 3)).toString()).toBe('x\0z');
    expect(simpleError(await executeRequest(c, req(C.NBD_CMD_TRIM, { offset: 0n, length: 64 * KiB, flags: C.NBD_CMD_FLAG_FUA })))).toBe(0);
    expect(disk.blocks.size).toBe(0);
    expect(disk.flushes).toBe(1);
    expect(simpleError(await executeRequest(c, req(C.NBD_CMD_WRITE_ZEROES, { offset: 0n, length: 128 * KiB, flags: C.NBD_CMD_FLAG_NO_HOLE })))).toBe(0);
    expect(disk.blocks.size).toBe(2);
  });

  it('answers a write past the end with ENOSPC and an oversized write with EOVERFLOW', async () => {
    expect(chunkError(await executeRequest(ctx(), req(C.NBD_CMD_WRITE, { offset: 1024n * 1024n, length: 1, data: Buffer.from('a') })))).toBe(C.NBD_ENOSPC);
    expect(chunkError(await executeRequest(ctx(), req(C.NBD_CMD_WRITE, { length: 64 << 20, oversized: true })))).toBe(C.NBD_EOVERFLOW);
  });

  it('reports block status of holes and data, and only one extent with REQ_ONE', async () => {
    const c = ctx();
    await c.disk.write(128 * KiB, Buffer.alloc(10, 1));
    const out = await executeRequest(c, req(C.NBD_CMD_BLOCK_STATUS, { offset: 0n, length: 1024 * KiB }));
    const b = out[0]!;
    expect(b.readUInt16BE(6)).toBe(C.NBD_REPLY_TYPE_BLOCK_STATUS);
    expect(b.readUInt32BE(20)).toBe(1);
    const descs = [];
    for (let at = 24; at < b.length; at += 8) descs.push([b.readUInt32BE(at), b.readUInt32BE(at + 4)]);
    const hz = C.NBD_STATE_HOLE | C.NBD_STATE_ZERO;
    expect(descs).toEqual([[128 * KiB, hz], [64 * KiB, 0], [832 * KiB, hz]]);
    const one = (await executeRequest(c, req(C.NBD_CMD_BLOCK_STATUS, { length: 1024 * KiB, flags: C.NBD_CMD_FLAG_REQ_ONE })))[0]!;
    expect(one.readUInt32BE(16)).toBe(12);
  });

  it('refuses block status without a negotiated context', async () => {
    expect(chunkError(await executeRequest(ctx({ baseAllocationId: undefined }), req(C.NBD_CMD_BLOCK_STATUS, { length: 1 })))).toBe(C.NBD_EINVAL);
  });

  it('turns an unexpected disk failure into EIO and an unknown command into EINVAL', async () => {
    const c = ctx();
    const seen: unknown[] = [];
    c.disk.flush = () => Promise.reject(new Error('disk on fire'));
    c.onDiskError = (e) => seen.push(e);
    expect(simpleError(await executeRequest({ ...c, structuredReplies: false }, req(C.NBD_CMD_FLUSH)))).toBe(C.NBD_EIO);
    expect(seen.length).toBe(1);
    expect(chunkError(await executeRequest(c, req(99)))).toBe(C.NBD_EINVAL);
  });
});

describe('describe (extents to descriptors)', () => {
  it('clips to the range, merges equal neighbours and fills gaps as data', () => {
    const ext = [
      { offset: 0, length: 100, hole: true, zero: true },
      { offset: 100, length: 50, hole: true, zero: true },
      { offset: 200, length: 100, hole: false, zero: false },
    ];
    expect(describeExtents(ext, { offset: 50, length: 200, max: 10 })).toEqual([
      { length: 100, flags: 3 },
      { length: 100, flags: 0 },
    ]);
  });

  it('answers allocated data for the whole range when the disk says nothing', () => {
    expect(describeExtents([], { offset: 5, length: 10, max: 10 })).toEqual([{ length: 10, flags: 0 }]);
  });
});
