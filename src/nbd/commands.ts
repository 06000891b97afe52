// Runs one transmission-phase request against a Disk and returns its reply as buffers to write in
// order. A failed request becomes an NBD error reply here; nothing thrown from a Disk escapes.
import type { Disk, DiskExtent, ReadOptions } from '../storage/disk.js';
import * as C from './protocol/constants.js';
import {
  blockStatusChunk,
  errorChunk,
  noneChunk,
  OFFSET_DATA_HEADER_BYTES,
  offsetDataHeader,
  simpleReply,
  writeOffsetDataHeader,
  writeSimpleReply,
} from './protocol/replies.js';
import type { StatusDescriptor } from './protocol/replies.js';
import type { NbdRequest } from './protocol/request-parser.js';
import { nbdErrorOf } from './errno.js';
import type { ReplyBuffers } from './reply-buffers.js';

/** What a request runs against: one session's view of its export. */
export interface CommandContext {
  disk: Disk;
  readOnly: boolean;
  structuredReplies: boolean;
  baseAllocationId: number | undefined;
  /** Told about unexpected Disk failures (EIO). */
  onDiskError?: (error: unknown, request: NbdRequest) => void;
  /** Where READ replies get their buffers; the caller gives lent ones back after writing them. */
  replyBuffers?: ReplyBuffers;
  /** Whether a READ of this many bytes should copy on a pool thread (Disk ReadOptions.offload). */
  offloadRead?: (length: number) => boolean;
  /**
   * READ replies may carry views of the page cache (Disk.readViews) when the Disk has them: only where the
   * kernel alone reads the reply (a plain socket). Over TLS, OpenSSL would read the mapped pages itself.
   */
  viewReads?: boolean;
}

/** Most descriptors sent in one block-status reply; the client asks again for the rest. */
const MAX_DESCRIPTORS = 2048;
const ZERO_CHUNK_BYTES = 1024 * 1024;
const OFFLOAD: ReadOptions = { offload: true };

/** A request the server refuses: its NBD error and the message for a structured error chunk. */
class RequestFailure extends Error {
  override readonly name = 'RequestFailure';
  constructor(readonly error: number, message: string) {
    super(message);
  }
}

/**
 * Runs `req`; the promise always resolves, a failure as its NBD error reply. READ into a reply buffer, the
 * request most often asked, costs one promise on the way (no async wrappers): at queue depth 1 every
 * microtask shows in the latency.
 */
export function executeRequest(ctx: CommandContext, req: NbdRequest): Promise<Buffer[]> {
  if (req.type === C.NBD_CMD_READ && req.length > 0) {
    const viewed = ctx.viewReads === true ? viewReply(ctx, req) : undefined;
    if (viewed !== undefined) return Promise.resolve(viewed);
    if (ctx.disk.readInto !== undefined) return readReply(ctx, req);
  }
  return run(ctx, req).catch((e: unknown) => [failureReply(ctx, req, e)]);
}

/**
 * A READ reply whose data are views of the page cache (Disk.readViews), not copied at all: the kernel copies
 * the pages into the socket. Undefined when the Disk has no views or not all of the range is cached.
 */
function viewReply(ctx: CommandContext, req: NbdRequest): Buffer[] | undefined {
  if (ctx.disk.readViews === undefined) return undefined;
  let views: Buffer[] | undefined;
  try {
    views = ctx.disk.readViews(readRange(ctx, req), req.length);
  } catch (e) {
    return [failureReply(ctx, req, e)];
  }
  if (views === undefined) return undefined;
  views.unshift(ctx.structuredReplies ? offsetDataHeader(req.handle, { offset: req.offset, dataBytes: req.length, done: true }) : simpleReply(req.handle, 0));
  return views;
}

function failureReply(ctx: CommandContext, req: NbdRequest, e: unknown): Buffer {
  const failure = e instanceof RequestFailure ? e : new RequestFailure(nbdErrorOf(e), messageOf(e));
  if (!(e instanceof RequestFailure) && failure.error === C.NBD_EIO) ctx.onDiskError?.(e, req);
  return errorReply(ctx, req, failure);
}

function errorReply(ctx: CommandContext, req: NbdRequest, failure: RequestFailure): Buffer {
  // Structured replies may carry a message; simple replies are allowed for errors of any command.
  if (ctx.structuredReplies) return errorChunk(req.handle, failure.error, failure.message);
  return simpleReply(req.handle, failure.error);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Checks `[offset, offset+length)` lies in the disk; returns the offset as a number. */
function range(ctx: CommandContext, req: NbdRequest, error: number): number {
  const size = ctx.disk.sizeBytes;
  if (req.offset > BigInt(size) || Number(req.offset) + req.length > size) {
    throw new RequestFailure(error, `Request beyond the end of the export (offset ${req.offset}, length ${req.length}, size ${size})`);
  }
  return Number(req.offset);
}

function writable(ctx: CommandContext): void {
  if (ctx.readOnly) throw new RequestFailure(C.NBD_EPERM, 'The export is read-only');
}

async function run(ctx: CommandContext, req: NbdRequest): Promise<Buffer[]> {
  const { disk } = ctx;
  const fua = (req.flags & C.NBD_CMD_FLAG_FUA) !== 0;
  switch (req.type) {
    case C.NBD_CMD_READ: {
      const offset = readRange(ctx, req);
      if (req.length === 0) return [ctx.structuredReplies ? noneChunk(req.handle) : simpleReply(req.handle, 0)];
      const data = await disk.read(offset, req.length);
      if (data.length !== req.length) throw new RequestFailure(C.NBD_EIO, 'Short read from the disk');
      if (!ctx.structuredReplies) return [simpleReply(req.handle, 0), data];
      return [offsetDataHeader(req.handle, { offset: req.offset, dataBytes: data.length, done: true }), data];
    }
    case C.NBD_CMD_WRITE: {
      writable(ctx);
      if (req.oversized === true || req.data === undefined) {
        if (req.length !== 0) throw new RequestFailure(C.NBD_EOVERFLOW, 'Write larger than 32 MiB');
      }
      const offset = range(ctx, req, C.NBD_ENOSPC);
      if (req.data !== undefined) await disk.write(offset, req.data, fua ? { fua: true } : undefined);
      return [simpleReply(req.handle, 0)];
    }
    case C.NBD_CMD_FLUSH:
      await disk.flush();
      return [simpleReply(req.handle, 0)];
    case C.NBD_CMD_TRIM: {
      writable(ctx);
      const offset = range(ctx, req, C.NBD_EINVAL);
      if (req.length > 0) await disk.discard(offset, req.length);
      if (fua) await disk.flush();
      return [simpleReply(req.handle, 0)];
    }
    case C.NBD_CMD_WRITE_ZEROES: {
      writable(ctx);
      const offset = range(ctx, req, C.NBD_ENOSPC);
      if ((req.flags & C.NBD_CMD_FLAG_NO_HOLE) !== 0) await writeZeroes(disk, offset, req.length);
      else if (req.length > 0) await disk.zero(offset, req.length);
      if (fua) await disk.flush();
      return [simpleReply(req.handle, 0)];
    }
    case C.NBD_CMD_BLOCK_STATUS:
      return [await blockStatus(ctx, req)];
    default:
      throw new RequestFailure(C.NBD_EINVAL, `Unsupported command "${req.type}"`);
  }
}

/** Checks a READ's length and range; returns its offset as a number. */
function readRange(ctx: CommandContext, req: NbdRequest): number {
  if (req.length > C.MAX_PAYLOAD_BYTES) throw new RequestFailure(C.NBD_EOVERFLOW, 'Read larger than 32 MiB');
  return range(ctx, req, C.NBD_EINVAL);
}

/** A READ reply in one buffer: the header, then the data read straight in behind it. */
function readReply(ctx: CommandContext, req: NbdRequest): Promise<Buffer[]> {
  const disk = ctx.disk as Required<Pick<Disk, 'readInto'>>;
  let offset: number;
  try {
    offset = readRange(ctx, req);
  } catch (e) {
    return Promise.resolve([failureReply(ctx, req, e)]);
  }
  const headerBytes = ctx.structuredReplies ? OFFSET_DATA_HEADER_BYTES : C.SIMPLE_REPLY_BYTES;
  const b = ctx.replyBuffers?.take(headerBytes + req.length) ?? Buffer.allocUnsafe(headerBytes + req.length);
  const failed = (e: unknown): Buffer[] => {
    ctx.replyBuffers?.give(b);
    return [failureReply(ctx, req, e)];
  };
  let reading: Promise<void>;
  try {
    reading = disk.readInto(b, headerBytes, offset, req.length, ctx.offloadRead?.(req.length) === true ? OFFLOAD : undefined);
  } catch (e) {
    return Promise.resolve(failed(e));
  }
  return reading.then(() => {
    if (ctx.structuredReplies) writeOffsetDataHeader(b, req.handle, { offset: req.offset, dataBytes: req.length, done: true });
    else writeSimpleReply(b, req.handle, 0);
    return [b];
  }, failed);
}

/** NO_HOLE: the range must stay allocated, so zeroes are written rather than discarded. */
async function writeZeroes(disk: Disk, offset: number, length: number): Promise<void> {
  const zeroes = new Uint8Array(Math.min(length, ZERO_CHUNK_BYTES));
  for (let at = 0; at < length; at += zeroes.length) {
    const n = Math.min(zeroes.length, length - at);
    await disk.write(offset + at, n === zeroes.length ? zeroes : zeroes.subarray(0, n));
  }
}

async function blockStatus(ctx: CommandContext, req: NbdRequest): Promise<Buffer> {
  if (!ctx.structuredReplies || ctx.baseAllocationId === undefined) {
    throw new RequestFailure(C.NBD_EINVAL, 'No metadata context was negotiated');
  }
  if (req.length === 0) throw new RequestFailure(C.NBD_EINVAL, 'Block status of an empty range');
  const size = ctx.disk.sizeBytes;
  if (req.offset >= BigInt(size)) throw new RequestFailure(C.NBD_EINVAL, 'Block status beyond the end of the export');
  const offset = Number(req.offset);
  const length = Math.min(req.length, size - offset);
  const extents = ctx.disk.extents === undefined ? [] : await ctx.disk.extents(offset, length);
  const one = (req.flags & C.NBD_CMD_FLAG_REQ_ONE) !== 0;
  const descriptors = describe(extents, { offset, length, max: one ? 1 : MAX_DESCRIPTORS });
  return blockStatusChunk(req.handle, { contextId: ctx.baseAllocationId, descriptors, done: true });
}

/**
 * Turns Disk extents into descriptors over exactly `[offset, offset+length)` or a prefix of it: clipped,
 * adjacent equal statuses merged, gaps or a missing answer reported as allocated data (flags 0).
 */
export function describe(
  extents: readonly DiskExtent[],
  want: { offset: number; length: number; max: number },
): StatusDescriptor[] {
  const out: StatusDescriptor[] = [];
  const end = want.offset + want.length;
  let at = want.offset;
  const push = (length: number, flags: number): void => {
    const last = out[out.length - 1];
    if (last !== undefined && last.flags === flags) last.length += length;
    else out.push({ length, flags });
  };
  for (const e of extents) {
    if (at >= end) break;
    const eEnd = Math.min(e.offset + e.length, end);
    if (eEnd <= at) continue;
    if (e.offset > at) push(Math.min(e.offset, end) - at, 0);
    const start = Math.max(e.offset, at);
    if (eEnd > start) push(eEnd - start, (e.hole ? C.NBD_STATE_HOLE : 0) | (e.zero ? C.NBD_STATE_ZERO : 0));
    at = eEnd;
  }
  if (out.length === 0 || at === want.offset) return [{ length: want.length, flags: 0 }];
  return out.slice(0, want.max);
}
