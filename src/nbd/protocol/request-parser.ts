// Transmission-phase request parser: bytes in (split anywhere), requests out. No I/O. A WRITE payload
// that arrives whole in one chunk is passed on as a view of it (no copy); otherwise it is assembled once,
// when its last byte has arrived.
import { MAX_PAYLOAD_BYTES, NBD_CMD_WRITE, NBD_REQUEST_MAGIC, REQUEST_HEADER_BYTES } from './constants.js';

/** One request as the client sent it (proto.md "Request message"). */
export interface NbdRequest {
  flags: number;
  type: number;
  /** Opaque 64-bit cookie echoed in the reply. */
  handle: bigint;
  offset: bigint;
  length: number;
  /** The payload of a WRITE; absent for other commands and for a WRITE larger than the payload limit. */
  data?: Buffer;
  /** True for a WRITE whose payload exceeded the limit: its bytes were skipped, it must get an error. */
  oversized?: boolean;
}

/** The peer broke the framing (bad magic): the session cannot go on. */
export class NbdProtocolError extends Error {
  override readonly name = 'NbdProtocolError';
}

export class RequestParser {
  private readonly header = Buffer.alloc(REQUEST_HEADER_BYTES);
  private headerFill = 0;
  private current: NbdRequest | undefined;
  /** Pieces of a payload split across chunks; memory grows with what arrived, not what was announced. */
  private pieces: Buffer[] = [];
  private payloadFill = 0;
  private skipBytes = 0;
  private readonly maxPayloadBytes: number;

  constructor(options: { maxPayloadBytes?: number } = {}) {
    this.maxPayloadBytes = options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES;
  }

  /** True when no partial request is buffered (a clean place for the stream to end). */
  get idle(): boolean {
    return this.headerFill === 0 && this.current === undefined;
  }

  /** Feeds bytes; calls `onRequest` for every complete request. Throws NbdProtocolError on bad framing. */
  push(chunk: Buffer, onRequest: (request: NbdRequest) => void): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.current !== undefined) {
        at = this.fillPayload(chunk, at, onRequest);
        continue;
      }
      if (this.headerFill === 0 && chunk.length - at >= REQUEST_HEADER_BYTES) {
        this.startRequest(chunk, at);
        at += REQUEST_HEADER_BYTES;
      } else {
        const n = Math.min(REQUEST_HEADER_BYTES - this.headerFill, chunk.length - at);
        chunk.copy(this.header, this.headerFill, at, at + n);
        this.headerFill += n;
        at += n;
        if (this.headerFill < REQUEST_HEADER_BYTES) return;
        this.headerFill = 0;
        this.startRequest(this.header, 0);
      }
      const req = this.current as NbdRequest | undefined;
      if (req === undefined) continue;
      if (req.type !== NBD_CMD_WRITE || req.length === 0) {
        this.current = undefined;
        onRequest(req);
      } else if (req.length > this.maxPayloadBytes) {
        req.oversized = true;
        this.skipBytes = req.length;
      } else if (chunk.length - at >= req.length) {
        req.data = chunk.subarray(at, at + req.length);
        at += req.length;
        this.current = undefined;
        onRequest(req);
      } else {
        this.pieces = [];
        this.payloadFill = 0;
      }
    }
  }

  private startRequest(b: Buffer, at: number): void {
    const magic = b.readUInt32BE(at);
    if (magic !== NBD_REQUEST_MAGIC) {
      throw new NbdProtocolError(`Bad request magic "0x${magic.toString(16)}"`);
    }
    this.current = {
      flags: b.readUInt16BE(at + 4),
      type: b.readUInt16BE(at + 6),
      handle: b.readBigUInt64BE(at + 8),
      offset: b.readBigUInt64BE(at + 16),
      length: b.readUInt32BE(at + 24),
    };
  }

  private fillPayload(chunk: Buffer, at: number, onRequest: (request: NbdRequest) => void): number {
    const req = this.current as NbdRequest;
    if (req.oversized === true) {
      const n = Math.min(this.skipBytes, chunk.length - at);
      this.skipBytes -= n;
      if (this.skipBytes === 0) {
        this.current = undefined;
        onRequest(req);
      }
      return at + n;
    }
    const n = Math.min(req.length - this.payloadFill, chunk.length - at);
    this.pieces.push(chunk.subarray(at, at + n));
    this.payloadFill += n;
    if (this.payloadFill === req.length) {
      req.data = this.pieces.length === 1 ? this.pieces[0] : Buffer.concat(this.pieces, req.length);
      this.pieces = [];
      this.current = undefined;
      onRequest(req);
    }
    return at + n;
  }
}
