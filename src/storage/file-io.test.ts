import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InlinePolicy, PageCacheFile } from './file-io.js';

describe('PageCacheFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamer-file-io-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const content = Buffer.alloc(5 * 1024 * 1024);
  for (let i = 0; i < content.length; i++) content[i] = (i * 7 + (i >> 12)) & 0xff;
  const path = join(dir, 'data');
  writeFileSync(path, content);

  it('reads small (inline) and large (thread pool) ranges into the buffer at the offset, zeroes past the end of file', async () => {
    const fd = openSync(path, 'r');
    try {
      const reader = new PageCacheFile(fd);
      const small = Buffer.alloc(4096 + 10, 0xee);
      await reader.read(small, 10, 4096, 12345);
      expect(small.subarray(0, 10).equals(Buffer.alloc(10, 0xee))).toBe(true);
      expect(small.subarray(10).equals(content.subarray(12345, 12345 + 4096))).toBe(true);
      const large = Buffer.alloc(1536 * 1024);
      await reader.read(large, 0, large.length, 1000);
      expect(large.equals(content.subarray(1000, 1000 + large.length))).toBe(true);
      const tail = Buffer.alloc(8192, 0xee);
      await reader.read(tail, 0, 8192, content.length - 100);
      expect(tail.subarray(0, 100).equals(content.subarray(content.length - 100))).toBe(true);
      expect(tail.subarray(100).equals(Buffer.alloc(8092))).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it('reads large ranges asked for together, contiguous or not, each into its own buffer (one preadv per run)', async () => {
    const fd = openSync(path, 'r');
    try {
      const file = new PageCacheFile(fd);
      const size = 1100 * 1024;
      const at = [0, size, 2 * size + 4096, content.length - 1000];
      const buffers = at.map(() => Buffer.alloc(size + 3, 0xee));
      await Promise.all(at.map((position, i) => file.read(buffers[i]!, 3, size, position)));
      at.forEach((position, i) => {
        const b = buffers[i]!;
        expect(b.subarray(0, 3).equals(Buffer.alloc(3, 0xee))).toBe(true);
        const expected = Buffer.alloc(size);
        content.copy(expected, 0, position, Math.min(content.length, position + size));
        expect(b.subarray(3).equals(expected)).toBe(true);
      });
    } finally {
      closeSync(fd);
    }
  });

  it('offloaded reads go to the pool when contiguous ones share a preadv; one alone still runs on the loop', async () => {
    const fd = openSync(path, 'r');
    try {
      const file = new PageCacheFile(fd);
      const block = 256 * 1024;
      const inline = Buffer.alloc(block);
      const reading = file.read(inline, 0, block, 4096);
      // not offloaded: read before the caller's next statement
      expect(inline.equals(content.subarray(4096, 4096 + block))).toBe(true);
      await reading;
      expect(file.stats).toEqual({ inlineReads: 1, poolReads: 0, preadvs: 0 });
      // offloaded alone: queued for the end of this turn, then read on the loop
      const alone = Buffer.alloc(block);
      const queued = file.read(alone, 0, block, 4096, true);
      expect(alone.equals(Buffer.alloc(block))).toBe(true);
      await queued;
      expect(alone.equals(content.subarray(4096, 4096 + block))).toBe(true);
      expect(file.stats).toEqual({ inlineReads: 2, poolReads: 0, preadvs: 0 });
      // three contiguous ones and one elsewhere, asked for in one turn: one preadv for the three
      const at = [block, 2 * block, 3 * block, 10 * block];
      const buffers = at.map(() => Buffer.alloc(block));
      await Promise.all(at.map((position, i) => file.read(buffers[i]!, 0, block, position, true)));
      at.forEach((position, i) => expect(buffers[i]!.equals(content.subarray(position, position + block))).toBe(true));
      expect(file.stats).toEqual({ inlineReads: 3, poolReads: 3, preadvs: 1 });
    } finally {
      closeSync(fd);
    }
  });

  it('writes small (inline) and large (thread pool) buffers at their position', async () => {
    const copy = join(dir, 'copy');
    writeFileSync(copy, content);
    const fd = openSync(copy, 'r+');
    try {
      const file = new PageCacheFile(fd);
      const small = Buffer.alloc(4096, 0x11);
      const large = Buffer.alloc(1200 * 1024, 0x22);
      await file.write(small, 8192);
      await file.write(large, 20000);
      const expected = Buffer.from(content);
      small.copy(expected, 8192);
      large.copy(expected, 20000);
      const back = Buffer.alloc(content.length);
      await file.read(back, 0, 100 * 1024, 0);
      for (let at = 100 * 1024; at < content.length; at += 1536 * 1024) await file.read(back, at, Math.min(1536 * 1024, content.length - at), at);
      expect(back.equals(expected)).toBe(true);
    } finally {
      closeSync(fd);
    }
  });

  it('rejects (does not throw) when a read or write fails', async () => {
    const fd = openSync(path, 'r');
    const file = new PageCacheFile(fd);
    closeSync(fd);
    const result = file.read(Buffer.alloc(16), 0, 16, 0);
    await expect(result).rejects.toThrow(/EBADF/);
    await expect(file.write(Buffer.alloc(16), 0)).rejects.toThrow(/EBADF/);
  });
});

describe('InlinePolicy', () => {
  /** A policy on a clock the test moves: each access takes `ms`. */
  function clocked(): { policy: InlinePolicy; access: (ms: number) => Promise<void>; wait: (ms: number) => void } {
    let t = 0;
    const policy = new InlinePolicy(() => t);
    return { policy, access: (ms) => policy.run(() => void (t += ms)), wait: (ms) => void (t += ms) };
  }

  it('sends accesses over 1 MiB to the pool, smaller ones inline while they are fast', async () => {
    const { policy, access } = clocked();
    expect(policy.inline(1024 * 1024 + 1)).toBe(false);
    for (let i = 0; i < 1000; i++) await access(0.01);
    expect(policy.inline(1024 * 1024)).toBe(true);
  });

  it('moves the rest of the window to the pool once frequent slow accesses took 20 ms, and comes back after it', async () => {
    const { policy, access, wait } = clocked();
    for (let i = 0; i < 4; i++) await access(4);
    expect(policy.inline(4096)).toBe(true);
    await access(4);
    expect(policy.inline(4096)).toBe(false);
    wait(500);
    expect(policy.inline(4096)).toBe(false);
    wait(500);
    expect(policy.inline(4096)).toBe(true);
  });

  it('keeps sporadic slow accesses (one in hundreds, as preemption) inline up to 100 ms per window', async () => {
    const { policy, access } = clocked();
    for (let i = 0; i < 9; i++) {
      for (let j = 0; j < 200; j++) await access(0.02);
      await access(10);
    }
    expect(policy.inline(4096)).toBe(true);
    for (let j = 0; j < 200; j++) await access(0.02);
    await access(10);
    expect(policy.inline(4096)).toBe(false);
  });

  it('rejects with what the access threw', async () => {
    const policy = new InlinePolicy();
    await expect(policy.run(() => { throw new Error('EIO'); })).rejects.toThrow('EIO');
  });
});
