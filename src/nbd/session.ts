// One client connection: drives the sans-I/O handshake and request parser over a socket, runs requests
// concurrently against the export's Disk and writes replies as they complete (out of order).
import type { Socket } from 'node:net';
import { executeRequest, type CommandContext } from './commands.js';
import type { NbdLogger } from './logger.js';
import * as C from './protocol/constants.js';
import { Handshake, type ExportCatalog } from './protocol/handshake.js';
import { NbdProtocolError, RequestParser, type NbdRequest } from './protocol/request-parser.js';
import type { ExportEntry, ExportRegistry } from './registry.js';
import type { ReplyBuffers } from './reply-buffers.js';

/** Reading pauses while this many requests are in flight ... */
const MAX_IN_FLIGHT = 256;
/** ... or while this many reply bytes wait in the socket's buffer. */
const MAX_QUEUED_BYTES = 64 * 1024 * 1024;

export interface SessionOptions {
  registry: ExportRegistry;
  logger: NbdLogger;
  handshakeTimeoutMs: number;
  /** Shared by the server's sessions: READ replies are read into these and given back once sent. */
  replyBuffers: ReplyBuffers;
}

export class NbdSession {
  private readonly handshake: Handshake;
  private parser: RequestParser | undefined;
  private ctx: CommandContext | undefined;
  private entry: ExportEntry | undefined;
  private inFlight = 0;
  private paused = false;
  private disconnecting = false;
  private corked = false;
  private settled!: () => void;
  private socketClosed = false;
  /** Resolves when the socket is closed and no request is running any more. */
  readonly closed: Promise<void>;

  constructor(private readonly socket: Socket, private readonly options: SessionOptions) {
    this.closed = new Promise((resolve) => (this.settled = resolve));
    this.handshake = new Handshake(catalogOf(options.registry));
    socket.setNoDelay(true);
    socket.setTimeout(options.handshakeTimeoutMs, () => this.abort('Handshake timed out'));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.updateFlow());
    socket.on('error', (error) => this.options.logger.debug({ err: error, remote: this.remote }, 'NBD socket error'));
    socket.on('close', () => {
      this.socketClosed = true;
      this.entry?.users.delete(this);
      this.checkSettled();
    });
    socket.write(this.handshake.greeting());
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

  private onData(chunk: Buffer): void {
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
  }

  private onHandshakeData(chunk: Buffer): void {
    for (const b of this.handshake.receive(chunk)) this.socket.write(b);
    const status = this.handshake.status;
    if (status.state === 'closed') {
      this.options.logger.debug({ remote: this.remote, reason: status.reason }, 'NBD handshake ended');
      this.socket.end();
      return;
    }
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
      if (this.inFlight === 0) this.socket.end();
      return;
    }
    this.inFlight++;
    executeRequest(this.ctx as CommandContext, req).then(
      (buffers) => this.reply(buffers),
      (e: unknown) => this.abort(`Internal error: ${String(e)}`),
    ).finally(() => {
      this.inFlight--;
      if (this.disconnecting && this.inFlight === 0) this.socket.end();
      this.updateFlow();
      this.checkSettled();
    });
    this.updateFlow();
  };

  private reply(buffers: Buffer[]): void {
    if (this.socket.destroyed) return;
    // Cork so a header and its data (and replies finishing together) leave in one writev.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    const pool = this.options.replyBuffers;
    for (const b of buffers) {
      if (pool.isLent(b)) this.socket.write(b, () => pool.give(b));
      else this.socket.write(b);
    }
  }

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
