import { describe, expect, it } from 'vitest';
import * as C from './constants.js';
import { NbdProtocolError, RequestParser, type NbdRequest } from './request-parser.js';

function request(type: number, opts: { handle?: bigint; offset?: bigint; length?: number; flags?: number; data?: Buffer } = {}): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt32BE(C.NBD_REQUEST_MAGIC, 0);
  b.writeUInt16BE(opts.flags ?? 0, 4);
  b.writeUInt16BE(type, 6);
  b.writeBigUInt64BE(opts.handle ?? 1n, 8);
  b.writeBigUInt64BE(opts.offset ?? 0n, 16);
  b.writeUInt32BE(opts.length ?? opts.data?.length ?? 0, 24);
  return Buffer.concat([b, opts.data ?? Buffer.alloc(0)]);
}

function parseAll(parts: Buffer[], parser = new RequestParser()): NbdRequest[] {
  const out: NbdRequest[] = [];
  for (const p of parts) parser.push(p, (r) => out.push({ ...r, data: r.data && Buffer.from(r.data) }));
  return out;
}

describe('RequestParser', () => {
  const stream = Buffer.concat([
    request(C.NBD_CMD_READ, { handle: 0xfeedfacecafebeefn, offset: 1n << 40n, length: 4096 }),
    request(C.NBD_CMD_WRITE, { handle: 2n, offset: 512n, flags: C.NBD_CMD_FLAG_FUA, data: Buffer.from('hello world') }),
    request(C.NBD_CMD_FLUSH, { handle: 3n }),
    request(C.NBD_CMD_DISC, { handle: 4n }),
  ]);

  it('parses header fields and write payloads', () => {
    const reqs = parseAll([stream]);
    expect(reqs.map((r) => r.type)).toEqual([C.NBD_CMD_READ, C.NBD_CMD_WRITE, C.NBD_CMD_FLUSH, C.NBD_CMD_DISC]);
    expect(reqs[0]).toMatchObject({ handle: 0xfeedfacecafebeefn, offset: 1n << 40n, length: 4096 });
    expect(reqs[1]!.data!.toString()).toBe('hello world');
    expect(reqs[1]!.flags).toBe(C.NBD_CMD_FLAG_FUA);
  });

  it('gives the same requests when the stream is split at every byte, or fed one byte at a time', () => {
    const whole = parseAll([stream]);
    for (let cut = 1; cut < stream.length; cut++) {
      expect(parseAll([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(whole);
    }
    expect(parseAll([...stream].map((b) => Buffer.from([b])))).toEqual(whole);
  });

  it('throws a protocol error on a bad magic', () => {
    const bad = request(C.NBD_CMD_READ);
    bad.writeUInt32BE(0x12345678, 0);
    expect(() => parseAll([bad])).toThrow(NbdProtocolError);
  });

  it('skips the payload of a write over the limit and marks it oversized', () => {
    const parser = new RequestParser({ maxPayloadBytes: 8 });
    const reqs = parseAll([request(C.NBD_CMD_WRITE, { data: Buffer.alloc(20, 1) }).subarray(0, 40), Buffer.alloc(8, 1), request(C.NBD_CMD_FLUSH)], parser);
    expect(reqs.map((r) => [r.type, r.oversized ?? false, r.data])).toEqual([[C.NBD_CMD_WRITE, true, undefined], [C.NBD_CMD_FLUSH, false, undefined]]);
    expect(parser.idle).toBe(true);
  });
});
