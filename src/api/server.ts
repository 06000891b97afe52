// Serves the Hono app over HTTPS (self-signed certificate kept in the data directory; TLS 1.2 allowed,
// as HPE's Python client forces it) or plain HTTP, with graceful shutdown.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import selfsigned from 'selfsigned';

export interface TlsMaterial {
  key: string;
  cert: string;
}

/** Reads `tls/key.pem` and `tls/cert.pem` from the data directory, creating a self-signed pair at first start. */
export async function loadOrCreateCertificate(dataDir: string, hostnames: string[]): Promise<TlsMaterial> {
  const dir = join(dataDir, 'tls');
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  try {
    return { key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8') };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const altNames = hostnames.map((value) => (/^[\d.]+$/.test(value) ? { type: 7 as const, ip: value } : { type: 2 as const, value }));
  const pems = await selfsigned.generate([{ name: 'commonName', value: hostnames[0] ?? 'streamer' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000),
    // CA:TRUE as openssl's self-signed certificates have it: QEMU's TLS client refuses a trusted certificate
    // without it (the NBD server uses this certificate too)
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFile(keyPath, pems.private, { mode: 0o600 });
  await writeFile(certPath, pems.cert, { mode: 0o644 });
  return { key: pems.private, cert: pems.cert };
}

export interface HttpServerHandle {
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections, lets in-flight requests finish (up to `graceMs`), then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

export async function listen(app: Hono, options: { host: string; port: number; tls?: TlsMaterial }): Promise<HttpServerHandle> {
  const handle = getRequestListener(app.fetch);
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => void handle(req, res);
  const server = options.tls === undefined
    ? http.createServer(listener)
    : https.createServer({ key: options.tls.key, cert: options.tls.cert, minVersion: 'TLSv1.2' }, listener);
  server.requestTimeout = 0; // multi-GiB uploads take longer than any fixed request timeout
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host === '0.0.0.0' ? '127.0.0.1' : options.host;
  return {
    url: `${options.tls === undefined ? 'http' : 'https'}://${shownHost}:${port}`,
    port,
    close: (graceMs = 5000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
