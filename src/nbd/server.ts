// The NBD server: a TCP listener whose connections become sessions on the exports of a registry.
import { createServer, type Server } from 'node:net';
import { createSecureContext } from 'node:tls';
import { AppError } from '../core/errors.js';
import { silentLogger, type NbdLogger } from './logger.js';
import type { ExportRegistry } from './registry.js';
import { ReadingSessions } from './reading-sessions.js';
import { ReplyBuffers } from './reply-buffers.js';
import { NbdSession } from './session.js';

export interface NbdServerOptions {
  /** Address to listen on, e.g. "127.0.0.1" or "0.0.0.0". */
  host: string;
  /** TCP port; 10809 (IANA's NBD port) by default, 0 for any free port. */
  port?: number;
  registry: ExportRegistry;
  logger?: NbdLogger;
  /** A client that has not chosen an export by then is dropped; 30 s by default. */
  handshakeTimeoutMs?: number;
  /** Listen on this Unix socket instead of host:port (`nbd+unix:///name?socket=…`); `port` is then 0. */
  socketPath?: string;
  /**
   * TLS with NBD_OPT_STARTTLS (nbds:// URIs), with this certificate (PEM, chain first) and key: `allow`
   * lets clients choose, `require` refuses every export to a connection without TLS. Off when absent.
   */
  tls?: { mode: 'allow' | 'require'; cert: string | Buffer; key: string | Buffer };
}

export interface NbdServer {
  /** The port actually listened on. */
  readonly port: number;
  /** Stops listening, drops every session and waits for their in-flight requests. */
  close(): Promise<void>;
}

export const DEFAULT_NBD_PORT = 10809;

/** Starts listening; rejects with AppError `unavailable` if the port cannot be bound. */
export async function startNbdServer(options: NbdServerOptions): Promise<NbdServer> {
  const logger = options.logger ?? silentLogger;
  const sessions = new Set<NbdSession>();
  const replyBuffers = new ReplyBuffers();
  const readers = new ReadingSessions();
  const tls = options.tls === undefined
    ? undefined
    : { mode: options.tls.mode, context: createSecureContext({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }) };
  const server: Server = createServer((socket) => {
    const session = new NbdSession(socket, {
      registry: options.registry,
      logger,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 30_000,
      replyBuffers,
      readers,
      ...(tls === undefined ? {} : { tls }),
    });
    sessions.add(session);
    void session.closed.then(() => sessions.delete(session));
  });
  const requested = options.port ?? DEFAULT_NBD_PORT;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(new AppError('unavailable', 'NBD_LISTEN_FAILED', `Cannot listen for NBD on "${options.socketPath ?? `${options.host}:${requested}`}": ${e.message}`, { cause: e })),
    );
    if (options.socketPath !== undefined) server.listen(options.socketPath, () => resolve());
    else server.listen(requested, options.host, () => resolve());
  });
  server.on('error', (e) => logger.warn({ err: e }, 'NBD server error'));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.socketPath === undefined ? requested : 0;
  logger.info({ host: options.host, port }, 'NBD server listening');
  return {
    port,
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...sessions].map((s) => s.close()));
      await stopped;
    },
  };
}
