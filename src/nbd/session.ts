// One client connection: drives the sans-I/O handshake and request parser over a socket, runs requests
// concurrently against the export's Disk and writes replies as they complete (out of order). A READ whose
// bytes are all in the page cache is answered with views of it (Disk.readViews): the kernel copies the
// pages into the socket, once, and nothing is read at all. Other READs run at most READ_WINDOW_BYTES ahead
// of the socket, so a deep queue of large reads (nbdcopy keeps 16 MiB asked for) is read just before the
// kernel takes it: on the event loop while this session reads alone, on the thread pool while other
// sessions read too (OFFLOAD_MIN_BYTES). Over TLS replies are always copies (OpenSSL reads them).
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { executeRequest, type CommandContext } from './commands.js';
import type { NbdLogger } from './logger.js';
import * as C from './protocol/constants.js';
import { Handshake, type ExportCatalog, type TlsMode } from './protocol/handshake.js';
import { NbdProtocolError, RequestParser, type NbdRequest } from './protocol/request-parser.js';
import type { ExportEntry, ExportRegistry } from './registry.js';
import type { ReadingSessions } from './reading-sessions.js';
import type { ReplyBuffers } from './reply-buffers.js';

/** Reading pauses while this many requests are in flight (held READs count) ... */
const MAX_IN_FLIGHT = 256;
/** ... or while this many reply bytes wait in the socket's buffer. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;
/**
 * READ data a session has being read or waiting for the kernel to take it (NbdSession.readFits). Twice the
 * L2 cache of the 2-core machine: nbdcopy reads ran fastest at 2 MiB of 1, 2, 4 and 8.
 */
const READ_WINDOW_BYTES = 2 * 1024 * 1024;
/**
 * READs of at least this size go to the thread pool while other sessions read too (ReadingSessions). Smaller
 * ones stay on the event loop: their copy costs less than the hand-off, which at queue depth 1 is latency.
 */
const OFFLOAD_MIN_BYTES = 64 * 1024;

export interface SessionOptions {
  registry: ExportRegistry;
  logger: NbdLogger;
  handshakeTimeoutMs: number;
  /** Shared by the server's sessions: READ replies are read into these and given back once sent. */
  replyBuffers: ReplyBuffers;
  /** Shared by the server's sessions: whether several read at once. */
  readers: ReadingSessions;
  /** TLS offered with NBD_OPT_STARTTLS (the server's certificate and key in `context`), or required. */
  tls?: { mode: Exclude<TlsMode, 'off'>; context: SecureContext };
}

export class NbdSession {
  private readonly handshake: Handshake;
  private parser: RequestParser | undefined;
  private ctx: CommandContext | undefined;
  private entry: ExportEntry | undefined;
  private inFlight = 0;
  private paused = false;
  private disconnecting = false;
  /** Bytes of READ data being read or waiting in the socket's queue (see readFits). */
  private readBytes = 0;
  /** Counted in the server's ReadingSessions (see addReadBytes). */
  private reading = false;
  /** READs that did not fit in the read window yet, in arrival order. */
  private heldReads: NbdRequest[] = [];
  /** Replies finished in this turn of the event loop: buffer, then what to call once it is written. */
  private outgoing: (Buffer | (() => void) | undefined)[] = [];
  private flushQueued = false;
  private settled!: () => void;
  private socketClosed = false;
  /** Resolves when the socket is closed and no request is running any more. */
  readonly closed: Promise<void>;

  /** The connection: the TCP socket, or the TLS socket over it after STARTTLS. */
  private socket: Socket;

  constructor(socket: Socket, private readonly options: SessionOptions) {
    this.socket = socket;
    this.closed = new Promise((resolve) => (this.settled = resolve));
    this.handshake = new Handshake(catalogOf(options.registry), options.tls?.mode ?? 'off');
    socket.setNoDelay(true);
    socket.setTimeout(options.handshakeTimeoutMs, this.onHandshakeTimeout);
    socket.on('error', this.onSocketError);
    this.listen(socket);
    socket.write(this.handshake.greeting());
  }

  private listen(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('drain', this.onDrain);
    socket.on('close', this.onClose);
  }

  private readonly onHandshakeTimeout = (): void => this.abort('Handshake timed out');
  private readonly onDrain = (): void => this.updateFlow();
  private readonly onSocketError = (error: Error): void => this.options.logger.debug({ err: error, remote: this.remote }, 'NBD socket error');
  private readonly onClose = (): void => {
    this.socketClosed = true;
    // held READs never started: nobody is left to answer
    this.inFlight -= this.heldReads.length;
    this.heldReads = [];
    this.addReadBytes(0);
    this.entry?.users.delete(this);
    this.checkSettled();
  };

  /**
   * STARTTLS was accepted and its ACK queued on the TCP socket: from here the session reads and writes
   * through a TLS socket over it, and the handshake starts afresh once TLS is up. The client starts TLS only
   * after the ACK (proto.md), so bytes that came with the option are a protocol violation.
   */
  private startTls(rest: Buffer): void {
    if (rest.length > 0) return this.abort('Data after NBD_OPT_STARTTLS before its reply');
    const raw = this.socket;
    const tls = this.options.tls as NonNullable<SessionOptions['tls']>;
    raw.removeListener('data', this.onData);
    raw.removeListener('drain', this.onDrain);
    raw.removeListener('close', this.onClose);
    raw.setTimeout(0);
    const secure = new TLSSocket(raw, { isServer: true, secureContext: tls.context });
    this.socket = secure;
    secure.setTimeout(this.options.handshakeTimeoutMs, this.onHandshakeTimeout);
    secure.on('error', (error: Error) => {
      this.options.logger.info({ err: error, remote: this.remote }, 'NBD TLS failed');
      secure.destroy();
    });
    this.listen(secure);
    // decrypted bytes only arrive once the TLS handshake has succeeded
    this.handshake.tlsStarted();
  }

  private get remote(): string {
    return `${this.socket.remoteAddress ?? '?'}:${this.socket.remotePort ?? '?'}`;
  }

  /** Drops the connection; resolves like `closed`. */
  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }

  private abort(reason: string): void {
    this.options.logger.info({ remote: this.remote, reason }, 'NBD session closed');
    this.socket.destroy();
  }

  private checkSettled(): void {
    if (this.socketClosed && this.inFlight === 0) this.settled();
  }

  private readonly onData = (chunk: Buffer): void => {
    try {
      if (this.parser !== undefined) {
        if (!this.disconnecting) this.parser.push(chunk, this.onRequest);
        return;
      }
      this.onHandshakeData(chunk);
    } catch (e) {
      const reason = e instanceof NbdProtocolError ? e.message : `Internal error: ${String(e)}`;
      this.abort(reason);
    }
  };

  private onHandshakeData(chunk: Buffer): void {
    for (const b of this.handshake.receive(chunk)) this.socket.write(b);
    const status = this.handshake.status;
    if (status.state === 'closed') {
      this.options.logger.debug({ remote: this.remote, reason: status.reason }, 'NBD handshake ended');
      this.socket.end();
      return;
    }
    if (status.state === 'starttls') return this.startTls(status.rest);
    if (status.state !== 'transmission') return;
    const entry = this.options.registry.attach(status.negotiated.exportName, this);
    if (entry === undefined) return this.abort(`Export "${status.negotiated.exportName}" went away`);
    this.socket.setTimeout(0);
    this.entry = entry;
    this.ctx = {
      disk: entry.disk,
      readOnly: entry.readOnly,
      structuredReplies: status.negotiated.structuredReplies,
      baseAllocationId: status.negotiated.baseAllocationId,
      replyBuffers: this.options.replyBuffers,
      offloadRead: (length) => length >= OFFLOAD_MIN_BYTES && this.options.readers.several,
      viewReads: !(this.socket instanceof TLSSocket),
      onDiskError: (error, request) =>
        this.options.logger.warn({ err: error, export: entry.name, type: request.type }, 'NBD request failed'),
    };
    this.parser = new RequestParser();
    this.options.logger.debug({ remote: this.remote, export: entry.name }, 'NBD session started');
    if (status.rest.length > 0) this.parser.push(status.rest, this.onRequest);
  }

  private readonly onRequest = (req: NbdRequest): void => {
    if (this.disconnecting) return;
    if (req.type === C.NBD_CMD_DISC) {
      // proto.md: finish the requests in flight, then close.
      this.disconnecting = true;
      this.socket.pause();
      this.endIfDisconnected();
      return;
    }
    this.inFlight++;
    if (req.type === C.NBD_CMD_READ && (this.heldReads.length > 0 || !this.readFits(req.length))) this.heldReads.push(req);
    else this.start(req);
    this.updateFlow();
  };

  /**
   * Whether a READ of `length` bytes may start now. Reads in progress and read replies the socket has not
   * yet handed to the kernel together stay within READ_WINDOW_BYTES (one read may always run): the data
   * is sent while the CPU caches still hold it instead of piling up in a queue far larger than the cache.
   */
  private readFits(length: number): boolean {
    return this.readBytes === 0 || this.readBytes + length <= READ_WINDOW_BYTES;
  }

  /**
   * Counts READ bytes into or out of the window. The session is one of the server's readers while any are
   * in it and the socket is open (replies still settling after a close no longer count).
   */
  private addReadBytes(delta: number): void {
    this.readBytes += delta;
    const reading = this.readBytes > 0 && !this.socketClosed;
    if (reading === this.reading) return;
    this.reading = reading;
    if (reading) this.options.readers.enter();
    else this.options.readers.leave();
  }

  private start(req: NbdRequest): void {
    const readBytes = req.type === C.NBD_CMD_READ ? Math.min(req.length, C.MAX_PAYLOAD_BYTES) : 0;
    this.addReadBytes(readBytes);
    executeRequest(this.ctx as CommandContext, req).then(
      (buffers) => this.finished(buffers, readBytes),
      (e: unknown) => this.finished(undefined, readBytes, e),
    );
  }

  /** A request is done: its reply (none when executeRequest broke, which closes the session) goes out. */
  private finished(buffers: Buffer[] | undefined, readBytes: number, error?: unknown): void {
    this.inFlight--;
    if (buffers !== undefined) this.reply(buffers, readBytes);
    else {
      this.addReadBytes(-readBytes);
      this.abort(`Internal error: ${String(error)}`);
    }
    this.endIfDisconnected();
    this.updateFlow();
    this.checkSettled();
  }

  /** After DISC: the socket ends once the last reply has been handed to it. */
  private endIfDisconnected(): void {
    if (this.disconnecting && this.inFlight === 0 && !this.flushQueued) this.socket.end();
  }

  /** Starts held READs, oldest first, while they fit in the window. */
  private startHeldReads(): void {
    while (this.heldReads.length > 0 && this.readFits((this.heldReads[0] as NbdRequest).length)) {
      this.start(this.heldReads.shift() as NbdRequest);
    }
  }

  /**
   * Queues a reply; the replies finished in one turn of the event loop leave together (one writev), a
   * single reply as one plain write. `readBytes` leaves the read window once the socket has taken it.
   */
  private reply(buffers: Buffer[], readBytes: number): void {
    const pool = this.options.replyBuffers;
    if (this.socket.destroyed) {
      for (const b of buffers) pool.give(b);
      this.addReadBytes(-readBytes);
      return;
    }
    for (let i = 0; i < buffers.length; i++) {
      const b = buffers[i] as Buffer;
      const last = i === buffers.length - 1;
      this.outgoing.push(b, last ? this.written(b, readBytes) : pool.isLent(b) ? () => pool.give(b) : undefined);
    }
    if (!this.flushQueued) {
      this.flushQueued = true;
      process.nextTick(this.flush);
    }
  }

  private written(b: Buffer, readBytes: number): () => void {
    return () => {
      this.options.replyBuffers.give(b);
      if (readBytes === 0) return;
      this.addReadBytes(-readBytes);
      if (!this.socket.destroyed) this.startHeldReads();
    };
  }

  private readonly flush = (): void => {
    this.flushQueued = false;
    const out = this.outgoing;
    this.outgoing = [];
    if (this.socket.destroyed) {
      for (let i = 1; i < out.length; i += 2) (out[i] as (() => void) | undefined)?.();
      return;
    }
    const several = out.length > 2;
    if (several) this.socket.cork();
    for (let i = 0; i < out.length; i += 2) this.socket.write(out[i] as Buffer, out[i + 1] as (() => void) | undefined);
    if (several) this.socket.uncork();
    this.endIfDisconnected();
  };

  /** Backpressure: stop reading requests while too much is in flight or queued for the client. */
  private updateFlow(): void {
    if (this.socket.destroyed || this.disconnecting) return;
    const busy = this.inFlight >= MAX_IN_FLIGHT || this.socket.writableLength >= MAX_QUEUED_BYTES;
    if (busy && !this.paused) {
      this.paused = true;
      this.socket.pause();
    } else if (!busy && this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }
}

function catalogOf(registry: ExportRegistry): ExportCatalog {
  return {
    lookup(name) {
      const e = registry.lookup(name);
      if (e === undefined) return undefined;
      let flags = C.NBD_FLAG_SEND_FLUSH | C.NBD_FLAG_SEND_FUA;
      if (e.readOnly) flags |= C.NBD_FLAG_READ_ONLY;
      else flags |= C.NBD_FLAG_SEND_TRIM | C.NBD_FLAG_SEND_WRITE_ZEROES;
      if (e.multiConn) flags |= C.NBD_FLAG_CAN_MULTI_CONN;
      return { name: e.name, description: e.description, sizeBytes: BigInt(e.disk.sizeBytes), transmissionFlags: flags };
    },
    list() {
      return registry.list();
    },
  };
}
