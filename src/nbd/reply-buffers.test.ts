import { describe, expect, it } from 'vitest';
import { ReplyBuffers } from './reply-buffers.js';

describe('ReplyBuffers', () => {
  it('hands a given-back buffer out again for the same size, and a new one for another size', () => {
    const pool = new ReplyBuffers();
    const a = pool.take(1000);
    expect(a.length).toBe(1000);
    expect(pool.isLent(a)).toBe(true);
    pool.give(a);
    expect(pool.isLent(a)).toBe(false);
    expect(pool.take(1000)).toBe(a);
    expect(pool.take(1000)).not.toBe(a);
    expect(pool.take(999)).not.toBe(a);
  });

  it('ignores buffers it did not lend and buffers given back twice', () => {
    const pool = new ReplyBuffers();
    const foreign = Buffer.alloc(64);
    pool.give(foreign);
    expect(pool.take(64)).not.toBe(foreign);
    const a = pool.take(64);
    pool.give(a);
    pool.give(a);
    expect(pool.take(64)).toBe(a);
    expect(pool.take(64)).not.toBe(a);
  });

  it('keeps no more idle bytes than its limit', () => {
    const pool = new ReplyBuffers({ maxIdleBytes: 100 });
    const a = pool.take(60);
    const b = pool.take(60);
    pool.give(a);
    pool.give(b);
    expect(pool.take(60)).toBe(a);
    expect(pool.take(60)).not.toBe(b);
  });
});
