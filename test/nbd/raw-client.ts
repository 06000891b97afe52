// A minimal NBD client over a raw socket for tests: fixed-newstyle GO, then requests and parsed replies.
import { connect, type Socket } from 'node:net';
import * as C from '../../src/nbd/protocol/constants.js';

export interface Reply { handle: bigint; error: number; data?: Buffer; type?: number }

export function optionBytes(type: number, data: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(C.IHAVEOPT, 0);
  b.writeUInt32BE(type, 8);
  b.writeUInt32BE(data.length, 12);
  return Buffer.concat([b, data]);
}

export function goBytes(name: string): Buffer {
  const n = Buffer.from(name);
  const d = Buffer.alloc(6 + n.length);
  d.writeUInt32BE(n.length, 0);
  n.copy(d, 4);
  return optionBytes(C.NBD_OPT_GO, d);
}

export function requestBytes(type: number, o: { handle?: bigint; offset?: bigint; length?: number; flags?: number; data?: Buffer } = {}): Buffer {
  const b = Buffer.alloc(28);
  b.writeUInt32BE(C.NBD_REQUEST_MAGIC, 0);
  b.writeUInt16BE(o.flags ?? 0, 4);
  b.writeUInt16BE(type, 6);
  b.writeBigUInt64BE(o.handle ?? 1n, 8);
  b.writeBigUInt64BE(o.offset ?? 0n, 16);
  b.writeUInt32BE(o.length ?? o.data?.length ?? 0, 24);
  return o.data === undefined ? b : Buffer.concat([b, o.data]);
}

/** A connected client past the handshake (simple replies only), reading replies as they come. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  ended = false;
  /** Read lengths by handle, to know how much data follows a simple reply. */
  readonly readLengths = new Map<bigint, number>();

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.wake(); });
    socket.on('close', () => { this.ended = true; this.wake(); });
    socket.on('error', () => {});
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  static async connect(port: number, exportName: string): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const c = new RawClient(socket);
    await c.take(18);
    socket.write(Buffer.concat([Buffer.from([0, 0, 0, 3]), goBytes(exportName)]));
    for (;;) {
      const head = await c.take(20);
      const data = await c.take(head.readUInt32BE(16));
      const type = head.readUInt32BE(12);
      if (type === C.NBD_REP_ACK) return c;
      if (type !== C.NBD_REP_INFO) throw new Error(`GO failed: reply type ${type.toString(16)} ${data.toString()}`);
    }
  }

  /** Resolves with exactly n bytes; rejects if the connection closes first. */
  async take(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.ended) throw new Error('Connection closed');
      await new Promise<void>((r) => this.waiters.push(r));
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  send(type: number, o: Parameters<typeof requestBytes>[1] = {}): void {
    if (type === C.NBD_CMD_READ) this.readLengths.set(o.handle ?? 1n, o.length ?? 0);
    this.socket.write(requestBytes(type, o));
  }

  async reply(): Promise<Reply> {
    const head = await this.take(16);
    if (head.readUInt32BE(0) !== C.NBD_SIMPLE_REPLY_MAGIC) throw new Error('Not a simple reply');
    const handle = head.readBigUInt64BE(8);
    const error = head.readUInt32BE(4);
    const len = this.readLengths.get(handle);
    this.readLengths.delete(handle);
    if (len !== undefined && error === 0) return { handle, error, data: Buffer.from(await this.take(len)) };
    return { handle, error };
  }

  /** Resolves when the server has closed the connection. */
  async closed(): Promise<void> {
    while (!this.ended) await new Promise<void>((r) => this.waiters.push(r));
  }

  close(): void {
    this.socket.destroy();
  }
}
