// Fixed-newstyle handshake as a state machine (proto.md "Handshake"): bytes in, reply bytes out, and
// finally either the negotiated transmission parameters or a reason to close. No sockets here.
import * as C from './constants.js';
import { encodeOptionReply, encodeExportNameReply, encodeInfoExport, encodeInfoBlockSize, encodeNamedInfo } from './option-replies.js';

/** What the handshake needs to know about an export. */
export interface ExportInfo {
  name: string;
  description: string;
  sizeBytes: bigint;
  /** Transmission flags (NBD_FLAG_HAS_FLAGS is added by the handshake). */
  transmissionFlags: number;
}

/** Looks exports up by name; consulted at each option, so exports may come and go meanwhile. */
export interface ExportCatalog {
  lookup(name: string): ExportInfo | undefined;
  list(): readonly { name: string; description: string }[];
}

/** The handshake finished: enter transmission on `exportName`. */
export interface Negotiated {
  exportName: string;
  structuredReplies: boolean;
  /** Context id of base:allocation when the client selected it for this export. */
  baseAllocationId: number | undefined;
}

export type HandshakeStatus =
  | { state: 'negotiating' }
  /** STARTTLS was accepted (its ACK is in the output): run the TLS handshake, then call `tlsStarted()`. */
  | { state: 'starttls'; /** bytes received after STARTTLS (the client's first TLS bytes, if any) */ rest: Buffer }
  | { state: 'transmission'; negotiated: Negotiated; /** bytes received after the last option */ rest: Buffer }
  | { state: 'closed'; reason: string };

const BASE_ALLOCATION_ID = 1;

/**
 * TLS on the connection (proto.md "TLS support"): not offered; offered (the client may use STARTTLS, or not:
 * "selective" is not supported); or required ("forced": every option before STARTTLS but ABORT is refused
 * with NBD_REP_ERR_TLS_REQD, and NBD_OPT_EXPORT_NAME, which has no error reply, closes the connection).
 */
export type TlsMode = 'off' | 'allow' | 'require';

/**
 * One connection's handshake. Call `greeting()` once and send it; then feed received bytes to
 * `receive()`, send everything it returns in `output`, and act on `status`.
 */
export class Handshake {
  private buffered: Buffer = Buffer.alloc(0);
  private clientFlags: number | undefined;
  private structured = false;
  private metaExport: string | undefined;
  private metaSelected = false;
  private skipping: { option: number; remaining: number } | undefined;
  private tlsActive = false;
  status: HandshakeStatus = { state: 'negotiating' };

  constructor(private readonly catalog: ExportCatalog, private readonly tls: TlsMode = 'off') {}

  /** Whether the negotiation runs over TLS (STARTTLS succeeded). */
  get encrypted(): boolean {
    return this.tlsActive;
  }

  /**
   * The TLS handshake after STARTTLS succeeded: negotiation starts afresh over it. Nothing agreed in clear
   * text carries over (structured replies, metadata contexts: CVE-2021-3716 in nbdkit was keeping them).
   */
  tlsStarted(): void {
    if (this.status.state !== 'starttls') throw new Error('tlsStarted() without STARTTLS');
    this.tlsActive = true;
    this.structured = false;
    this.metaExport = undefined;
    this.metaSelected = false;
    this.status = { state: 'negotiating' };
  }

  greeting(): Buffer {
    const b = Buffer.alloc(18);
    b.writeBigUInt64BE(C.NBD_MAGIC, 0);
    b.writeBigUInt64BE(C.IHAVEOPT, 8);
    b.writeUInt16BE(C.NBD_FLAG_FIXED_NEWSTYLE | C.NBD_FLAG_NO_ZEROES, 16);
    return b;
  }

  /** Feeds bytes from the client; returns the bytes to send back, in order. */
  receive(chunk: Buffer): Buffer[] {
    const output: Buffer[] = [];
    if (this.status.state !== 'negotiating') return output;
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.status.state === 'negotiating' && this.step(output));
    const after = this.status as HandshakeStatus;
    if (after.state === 'transmission' || after.state === 'starttls') {
      this.status = { ...after, rest: this.buffered };
      this.buffered = Buffer.alloc(0);
    }
    return output;
  }

  /** Consumes one unit from `buffered` if complete; false when more bytes are needed. */
  private step(output: Buffer[]): boolean {
    if (this.clientFlags === undefined) {
      if (this.buffered.length < 4) return false;
      const flags = this.buffered.readUInt32BE(0);
      this.buffered = this.buffered.subarray(4);
      // proto.md: the server MUST close the connection on client flags it does not recognize.
      if ((flags & ~(C.NBD_FLAG_C_FIXED_NEWSTYLE | C.NBD_FLAG_C_NO_ZEROES)) !== 0) {
        return this.close(`Unknown client flags "0x${flags.toString(16)}"`);
      }
      this.clientFlags = flags;
      return true;
    }
    if (this.skipping !== undefined) {
      const n = Math.min(this.skipping.remaining, this.buffered.length);
      this.buffered = this.buffered.subarray(n);
      this.skipping.remaining -= n;
      if (this.skipping.remaining > 0) return false;
      const option = this.skipping.option;
      this.skipping = undefined;
      if (option === C.NBD_OPT_EXPORT_NAME) return this.close('Export name too long');
      output.push(encodeOptionReply(option, C.NBD_REP_ERR_TOO_BIG, Buffer.from('Option data too large')));
      return true;
    }
    if (this.buffered.length < 16) return false;
    const magic = this.buffered.readBigUInt64BE(0);
    if (magic !== C.IHAVEOPT) return this.close('Bad option magic');
    const option = this.buffered.readUInt32BE(8);
    const length = this.buffered.readUInt32BE(12);
    if (length > C.MAX_OPTION_BYTES) {
      this.buffered = this.buffered.subarray(16);
      this.skipping = { option, remaining: length };
      return true;
    }
    if (this.buffered.length < 16 + length) return false;
    const data = this.buffered.subarray(16, 16 + length);
    this.buffered = this.buffered.subarray(16 + length);
    this.option(option, data, output);
    return true;
  }

  private close(reason: string): false {
    this.status = { state: 'closed', reason };
    return false;
  }

  private option(option: number, data: Buffer, output: Buffer[]): void {
    const reply = (type: number, payload?: Buffer): void => void output.push(encodeOptionReply(option, type, payload));
    const invalid = (message: string): void => reply(C.NBD_REP_ERR_INVALID, Buffer.from(message));
    if (this.tls === 'require' && !this.tlsActive && option !== C.NBD_OPT_STARTTLS && option !== C.NBD_OPT_ABORT) {
      // proto.md: EXPORT_NAME has no error reply, so the server closes instead
      if (option === C.NBD_OPT_EXPORT_NAME) return void this.close('TLS is required; the client asked for an export without it');
      return reply(C.NBD_REP_ERR_TLS_REQD, Buffer.from('This server requires TLS: use NBD_OPT_STARTTLS first (nbds:// URIs)'));
    }
    switch (option) {
      case C.NBD_OPT_STARTTLS:
        if (data.length !== 0) return invalid('NBD_OPT_STARTTLS takes no data');
        if (this.tls === 'off') return reply(C.NBD_REP_ERR_UNSUP, Buffer.from('TLS is not configured on this server'));
        if (this.tlsActive) return invalid('TLS is already negotiated');
        reply(C.NBD_REP_ACK);
        this.status = { state: 'starttls', rest: Buffer.alloc(0) };
        return;
      case C.NBD_OPT_EXPORT_NAME: {
        const name = decodeString(data);
        const info = name === undefined ? undefined : this.catalog.lookup(name);
        // proto.md: a server unwilling to allow the export MUST terminate the session.
        if (name === undefined || info === undefined) return void this.close(`Unknown export "${name ?? ''}"`);
        const noZeroes = ((this.clientFlags ?? 0) & C.NBD_FLAG_C_NO_ZEROES) !== 0;
        output.push(encodeExportNameReply(info.sizeBytes, flagsOf(info), noZeroes));
        return this.enter(name);
      }
      case C.NBD_OPT_ABORT:
        reply(C.NBD_REP_ACK);
        return void this.close('Client aborted the handshake');
      case C.NBD_OPT_LIST:
        if (data.length !== 0) return invalid('NBD_OPT_LIST takes no data');
        for (const e of this.catalog.list()) {
          const name = Buffer.from(e.name, 'utf8');
          const desc = Buffer.from(e.description, 'utf8');
          const payload = Buffer.alloc(4 + name.length + desc.length);
          payload.writeUInt32BE(name.length, 0);
          name.copy(payload, 4);
          desc.copy(payload, 4 + name.length);
          reply(C.NBD_REP_SERVER, payload);
        }
        return reply(C.NBD_REP_ACK);
      case C.NBD_OPT_INFO:
      case C.NBD_OPT_GO:
        return this.infoOrGo(option, data, output);
      case C.NBD_OPT_STRUCTURED_REPLY:
        if (data.length !== 0) return invalid('NBD_OPT_STRUCTURED_REPLY takes no data');
        if (this.structured) return invalid('Structured replies are already negotiated');
        this.structured = true;
        return reply(C.NBD_REP_ACK);
      case C.NBD_OPT_LIST_META_CONTEXT:
      case C.NBD_OPT_SET_META_CONTEXT:
        return this.metaContext(option, data, output);
      default:
        return reply(C.NBD_REP_ERR_UNSUP, Buffer.from(`Option "${option}" is not supported`));
    }
  }

  private infoOrGo(option: number, data: Buffer, output: Buffer[]): void {
    const reply = (type: number, payload?: Buffer): void => void output.push(encodeOptionReply(option, type, payload));
    if (data.length < 6) return reply(C.NBD_REP_ERR_INVALID, Buffer.from('Option data too short'));
    const nameLength = data.readUInt32BE(0);
    if (nameLength > data.length - 6) return reply(C.NBD_REP_ERR_INVALID, Buffer.from('Bad export name length'));
    const name = decodeString(data.subarray(4, 4 + nameLength));
    const count = data.readUInt16BE(4 + nameLength);
    if (data.length !== 6 + nameLength + 2 * count || name === undefined) {
      return reply(C.NBD_REP_ERR_INVALID, Buffer.from('Bad information request list'));
    }
    const info = this.catalog.lookup(name);
    if (info === undefined) return reply(C.NBD_REP_ERR_UNKNOWN, Buffer.from(`Unknown export "${name}"`));
    const wanted = new Set<number>();
    for (let i = 0; i < count; i++) wanted.add(data.readUInt16BE(6 + nameLength + 2 * i));
    reply(C.NBD_REP_INFO, encodeInfoExport(info.sizeBytes, flagsOf(info)));
    if (wanted.has(C.NBD_INFO_NAME)) reply(C.NBD_REP_INFO, encodeNamedInfo(C.NBD_INFO_NAME, info.name));
    if (wanted.has(C.NBD_INFO_DESCRIPTION) && info.description !== '') {
      reply(C.NBD_REP_INFO, encodeNamedInfo(C.NBD_INFO_DESCRIPTION, info.description));
    }
    reply(C.NBD_REP_INFO, encodeInfoBlockSize(1, C.PREFERRED_BLOCK_BYTES, C.MAX_PAYLOAD_BYTES));
    reply(C.NBD_REP_ACK);
    if (option === C.NBD_OPT_GO) this.enter(name);
  }

  private metaContext(option: number, data: Buffer, output: Buffer[]): void {
    const reply = (type: number, payload?: Buffer): void => void output.push(encodeOptionReply(option, type, payload));
    const set = option === C.NBD_OPT_SET_META_CONTEXT;
    if (!this.structured) return reply(C.NBD_REP_ERR_INVALID, Buffer.from('Negotiate structured replies first'));
    const parsed = parseMetaQuery(data);
    if (parsed === undefined) return reply(C.NBD_REP_ERR_INVALID, Buffer.from('Bad metadata context request'));
    if (this.catalog.lookup(parsed.exportName) === undefined) {
      return reply(C.NBD_REP_ERR_UNKNOWN, Buffer.from(`Unknown export "${parsed.exportName}"`));
    }
    // Only base:allocation exists; "base:" (LIST only) and an empty LIST name it too.
    const matches = parsed.queries.length === 0
      ? !set
      : parsed.queries.some((q) => q === C.BASE_ALLOCATION || (!set && q === 'base:'));
    if (set) {
      this.metaExport = parsed.exportName;
      this.metaSelected = matches;
    }
    if (matches) {
      const name = Buffer.from(C.BASE_ALLOCATION);
      const payload = Buffer.alloc(4 + name.length);
      payload.writeUInt32BE(set ? BASE_ALLOCATION_ID : 0, 0);
      name.copy(payload, 4);
      reply(C.NBD_REP_META_CONTEXT, payload);
    }
    reply(C.NBD_REP_ACK);
  }

  private enter(exportName: string): void {
    const selected = this.metaSelected && this.metaExport === exportName;
    this.status = {
      state: 'transmission',
      negotiated: {
        exportName,
        structuredReplies: this.structured,
        baseAllocationId: selected ? BASE_ALLOCATION_ID : undefined,
      },
      rest: Buffer.alloc(0),
    };
  }
}

function flagsOf(info: ExportInfo): number {
  return (info.transmissionFlags | C.NBD_FLAG_HAS_FLAGS) & 0xffff;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A protocol string: valid UTF-8, no NUL, at most 4096 bytes; undefined otherwise. */
function decodeString(b: Buffer): string | undefined {
  if (b.length > 4096 || b.includes(0)) return undefined;
  try {
    return utf8.decode(b);
  } catch {
    return undefined;
  }
}

/** Data of LIST/SET_META_CONTEXT: export name, then a 32-bit count of length-prefixed queries. */
function parseMetaQuery(data: Buffer): { exportName: string; queries: string[] } | undefined {
  let at = 0;
  const take = (): string | undefined => {
    if (data.length - at < 4) return undefined;
    const n = data.readUInt32BE(at);
    if (n > data.length - at - 4) return undefined;
    const s = decodeString(data.subarray(at + 4, at + 4 + n));
    at += 4 + n;
    return s;
  };
  const exportName = take();
  if (exportName === undefined || data.length - at < 4) return undefined;
  const count = data.readUInt32BE(at);
  at += 4;
  const queries: string[] = [];
  for (let i = 0; i < count; i++) {
    const q = take();
    if (q === undefined) return undefined;
    queries.push(q);
  }
  return at === data.length ? { exportName, queries } : undefined;
}
