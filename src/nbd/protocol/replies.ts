// Encoders for transmission-phase replies: simple replies and structured reply chunks (proto.md
// "Simple reply message", "Structured reply chunk message"). Pure functions: bytes out, no I/O.
import {
  CHUNK_HEADER_BYTES,
  NBD_REPLY_FLAG_DONE,
  NBD_REPLY_TYPE_BLOCK_STATUS,
  NBD_REPLY_TYPE_ERROR,
  NBD_REPLY_TYPE_NONE,
  NBD_REPLY_TYPE_OFFSET_DATA,
  NBD_REPLY_TYPE_OFFSET_HOLE,
  NBD_SIMPLE_REPLY_MAGIC,
  NBD_STRUCTURED_REPLY_MAGIC,
  SIMPLE_REPLY_BYTES,
} from './constants.js';

/** A simple reply: 16 bytes; `error` 0 is success. For READ the data follows it on the wire. */
export function simpleReply(handle: bigint, error: number): Buffer {
  const b = Buffer.allocUnsafe(SIMPLE_REPLY_BYTES);
  writeSimpleReply(b, handle, error);
  return b;
}

/** Encodes a simple reply into the first 16 bytes of `b` (a READ's data may follow in the same buffer). */
export function writeSimpleReply(b: Buffer, handle: bigint, error: number): void {
  b.writeUInt32BE(NBD_SIMPLE_REPLY_MAGIC, 0);
  b.writeUInt32BE(error >>> 0, 4);
  b.writeBigUInt64BE(handle, 8);
}

function chunkHeader(b: Buffer, opts: { done: boolean; type: number; handle: bigint; length: number }): void {
  b.writeUInt32BE(NBD_STRUCTURED_REPLY_MAGIC, 0);
  b.writeUInt16BE(opts.done ? NBD_REPLY_FLAG_DONE : 0, 4);
  b.writeUInt16BE(opts.type, 6);
  b.writeBigUInt64BE(opts.handle, 8);
  b.writeUInt32BE(opts.length, 16);
}

/** Header (28 bytes) of an NBD_REPLY_TYPE_OFFSET_DATA chunk; the `dataBytes` bytes of data follow it. */
export function offsetDataHeader(handle: bigint, opts: { offset: bigint; dataBytes: number; done: boolean }): Buffer {
  const b = Buffer.allocUnsafe(OFFSET_DATA_HEADER_BYTES);
  writeOffsetDataHeader(b, handle, opts);
  return b;
}

/** Bytes of an OFFSET_DATA chunk before its data: the chunk header and the offset. */
export const OFFSET_DATA_HEADER_BYTES = CHUNK_HEADER_BYTES + 8;

/** Encodes an OFFSET_DATA chunk header into the first 28 bytes of `b` (the data may follow in the same buffer). */
export function writeOffsetDataHeader(b: Buffer, handle: bigint, opts: { offset: bigint; dataBytes: number; done: boolean }): void {
  chunkHeader(b, { done: opts.done, type: NBD_REPLY_TYPE_OFFSET_DATA, handle, length: 8 + opts.dataBytes });
  b.writeBigUInt64BE(opts.offset, CHUNK_HEADER_BYTES);
}

/** An NBD_REPLY_TYPE_OFFSET_HOLE chunk: `holeBytes` (non-zero) bytes at `offset` read as zeroes. */
export function offsetHoleChunk(handle: bigint, opts: { offset: bigint; holeBytes: number; done: boolean }): Buffer {
  const b = Buffer.allocUnsafe(CHUNK_HEADER_BYTES + 12);
  chunkHeader(b, { done: opts.done, type: NBD_REPLY_TYPE_OFFSET_HOLE, handle, length: 12 });
  b.writeBigUInt64BE(opts.offset, CHUNK_HEADER_BYTES);
  b.writeUInt32BE(opts.holeBytes, CHUNK_HEADER_BYTES + 8);
  return b;
}

/** One block-status descriptor: `length` bytes (non-zero) with base:allocation `flags`. */
export interface StatusDescriptor {
  length: number;
  flags: number;
}

/** An NBD_REPLY_TYPE_BLOCK_STATUS chunk for one metadata context (at least one descriptor). */
export function blockStatusChunk(
  handle: bigint,
  opts: { contextId: number; descriptors: readonly StatusDescriptor[]; done: boolean },
): Buffer {
  const n = opts.descriptors.length;
  const b = Buffer.allocUnsafe(CHUNK_HEADER_BYTES + 4 + 8 * n);
  chunkHeader(b, { done: opts.done, type: NBD_REPLY_TYPE_BLOCK_STATUS, handle, length: 4 + 8 * n });
  b.writeUInt32BE(opts.contextId, CHUNK_HEADER_BYTES);
  let at = CHUNK_HEADER_BYTES + 4;
  for (const d of opts.descriptors) {
    b.writeUInt32BE(d.length, at);
    b.writeUInt32BE(d.flags, at + 4);
    at += 8;
  }
  return b;
}

/** An NBD_REPLY_TYPE_ERROR chunk (always final here); the message is cut to 4096 bytes. */
export function errorChunk(handle: bigint, error: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8').subarray(0, 4096);
  const b = Buffer.allocUnsafe(CHUNK_HEADER_BYTES + 6 + text.length);
  chunkHeader(b, { done: true, type: NBD_REPLY_TYPE_ERROR, handle, length: 6 + text.length });
  b.writeUInt32BE(error >>> 0, CHUNK_HEADER_BYTES);
  b.writeUInt16BE(text.length, CHUNK_HEADER_BYTES + 4);
  text.copy(b, CHUNK_HEADER_BYTES + 6);
  return b;
}

/** The final NBD_REPLY_TYPE_NONE chunk. */
export function noneChunk(handle: bigint): Buffer {
  const b = Buffer.allocUnsafe(CHUNK_HEADER_BYTES);
  chunkHeader(b, { done: true, type: NBD_REPLY_TYPE_NONE, handle, length: 0 });
  return b;
}
