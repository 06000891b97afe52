// Fuzzing the handshake and the request parser with random bytes and mutated valid streams (in process,
// thousands of cases), then over real sockets: afterwards the server must still serve a good client.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeRequest } from '../../src/nbd/commands.js';
import { ExportRegistry, startNbdServer, type NbdServer } from '../../src/nbd/index.js';
import * as C from '../../src/nbd/protocol/constants.js';
import { Handshake, type ExportCatalog } from '../../src/nbd/protocol/handshake.js';
import { NbdProtocolError, RequestParser, type NbdRequest } from '../../src/nbd/protocol/request-parser.js';
import { RawClient, goBytes, optionBytes, requestBytes } from './raw-client.js';
import { SparseMemoryDisk } from './test-disks.js';

/** Deterministic PRNG (mulberry32) so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (r: () => number, n: number): number => Math.floor(r() * n);
function randomBytes(r: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 256);
  return b;
}

function metaOption(type: number, name: string, queries: string[]): Buffer {
  const parts = [Buffer.alloc(4), Buffer.from(name), Buffer.alloc(4), ...queries.flatMap((q) => [Buffer.alloc(4), Buffer.from(q)])];
  parts[0]!.writeUInt32BE(Buffer.byteLength(name));
  parts[2]!.writeUInt32BE(queries.length);
  queries.forEach((q, i) => parts[3 + 2 * i]!.writeUInt32BE(Buffer.byteLength(q)));
  return optionBytes(type, Buffer.concat(parts));
}

const validHandshake = Buffer.concat([
  Buffer.from([0, 0, 0, 3]),
  optionBytes(C.NBD_OPT_LIST),
  optionBytes(C.NBD_OPT_STRUCTURED_REPLY),
  metaOption(C.NBD_OPT_LIST_META_CONTEXT, 'disk', ['base:']),
  metaOption(C.NBD_OPT_SET_META_CONTEXT, 'disk', ['base:allocation']),
  goBytes('disk'),
]);
const validRequests = Buffer.concat([
  requestBytes(C.NBD_CMD_WRITE, { handle: 1n, offset: 4096n, data: Buffer.alloc(700, 9) }),
  requestBytes(C.NBD_CMD_READ, { handle: 2n, offset: 0n, length: 8192 }),
  requestBytes(C.NBD_CMD_BLOCK_STATUS, { handle: 3n, offset: 0n, length: 65536 }),
  requestBytes(C.NBD_CMD_TRIM, { handle: 4n, offset: 0n, length: 4096 }),
  requestBytes(C.NBD_CMD_WRITE_ZEROES, { handle: 5n, offset: 8192n, length: 4096, flags: C.NBD_CMD_FLAG_NO_HOLE }),
  requestBytes(C.NBD_CMD_FLUSH, { handle: 6n }),
]);

/** Flips, inserts, deletes or overwrites a few bytes, or truncates. */
function mutate(r: () => number, input: Buffer): Buffer {
  let b = Buffer.from(input);
  const edits = 1 + int(r, 4);
  for (let i = 0; i < edits; i++) {
    const at = int(r, b.length);
    switch (int(r, 5)) {
      case 0: b[at] = (b[at] ?? 0) ^ (1 << int(r, 8)); break;
      case 1: b = Buffer.concat([b.subarray(0, at), randomBytes(r, 1 + int(r, 8)), b.subarray(at)]); break;
      case 2: b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + int(r, 8))]); break;
      case 3: if (b.length >= 4) b.writeUInt32BE(int(r, 2) === 0 ? 0xffffffff : int(r, 0x10000), Math.min(at, b.length - 4)); break;
      default: b = b.subarray(0, at);
    }
  }
  return b;
}

/** Feeds `input` in random splits. */
function splits(r: () => number, input: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < input.length; ) {
    const n = 1 + int(r, 64);
    out.push(input.subarray(at, at + n));
    at += n;
  }
  return out;
}

const catalog: ExportCatalog = {
  lookup: (name) => (name === 'disk' ? { name, description: 'd', sizeBytes: 1n << 20n, transmissionFlags: 0 } : undefined),
  list: () => [{ name: 'disk', description: 'd' }],
};

describe('fuzz (in process)', () => {
  it('the handshake never throws on 5000 random and mutated streams', () => {
    const r = rng(1);
    for (let i = 0; i < 5000; i++) {
      const input = i % 2 === 0 ? mutate(r, validHandshake) : Buffer.concat([Buffer.from([0, 0, 0, int(r, 4)]), randomBytes(r, int(r, 200))]);
      const h = new Handshake(catalog);
      for (const part of splits(r, input)) {
        for (const out of h.receive(part)) expect(Buffer.isBuffer(out)).toBe(true);
      }
      expect(['negotiating', 'transmission', 'closed']).toContain(h.status.state);
    }
  });

  it('the request parser only throws NbdProtocolError, and every parsed request gets a reply', async () => {
    const r = rng(2);
    const disk = new SparseMemoryDisk(1 << 20);
    let replies = 0;
    for (let i = 0; i < 5000; i++) {
      const input = i % 2 === 0 ? mutate(r, validRequests) : randomBytes(r, int(r, 300));
      const parser = new RequestParser({ maxPayloadBytes: 1 << 16 });
      const reqs: NbdRequest[] = [];
      try {
        for (const part of splits(r, input)) parser.push(part, (q) => reqs.push(q));
      } catch (e) {
        expect(e).toBeInstanceOf(NbdProtocolError);
      }
      for (const q of reqs) {
        const ctx = { disk, readOnly: int(r, 2) === 0, structuredReplies: int(r, 2) === 0, baseAllocationId: 1 };
        const out = await executeRequest(ctx, q);
        expect(out[0]!.readBigUInt64BE(8)).toBe(q.handle);
        replies++;
      }
    }
    expect(replies).toBeGreaterThan(1000);
  });
});

describe('fuzz (real sockets)', () => {
  let server: NbdServer;
  beforeAll(async () => {
    const registry = new ExportRegistry();
    registry.add('disk', new SparseMemoryDisk(1 << 20), { readOnly: false });
    server = await startNbdServer({ host: '127.0.0.1', port: 0, registry, handshakeTimeoutMs: 2000 });
  });
  afterAll(() => server.close());

  async function blast(input: Buffer): Promise<void> {
    const s = connect(server.port, '127.0.0.1');
    s.on('error', () => {});
    s.on('data', () => {});
    await new Promise<void>((resolve) => s.once('connect', resolve).once('error', () => resolve()));
    s.end(input);
    await new Promise<void>((resolve) => {
      s.once('close', () => resolve());
      setTimeout(() => { s.destroy(); resolve(); }, 3000);
    });
  }

  it('survives 400 connections of garbage and mutated sessions, then still serves', async () => {
    const r = rng(3);
    const cases: Buffer[] = [];
    for (let i = 0; i < 400; i++) {
      const kind = i % 4;
      if (kind === 0) cases.push(randomBytes(r, int(r, 512)));
      else if (kind === 1) cases.push(mutate(r, validHandshake));
      else cases.push(Buffer.concat([validHandshake, mutate(r, validRequests)]));
    }
    for (let i = 0; i < cases.length; i += 20) await Promise.all(cases.slice(i, i + 20).map(blast));
    const c = await RawClient.connect(server.port, 'disk');
    c.send(C.NBD_CMD_WRITE, { handle: 1n, offset: 0n, data: Buffer.from('alive') });
    expect(await c.reply()).toMatchObject({ error: 0 });
    c.send(C.NBD_CMD_READ, { handle: 2n, offset: 0n, length: 5 });
    expect((await c.reply()).data?.toString()).toBe('alive');
    c.close();
  });
});
