// NBD over TLS (NBD_OPT_STARTTLS) with real clients: libnbd's nbds:// URIs (nbdinfo, nbdcopy) and QEMU's
// tls-creds-x509, against a certificate made by openssl. Required TLS refuses clear-text clients with a
// message that says so; offered TLS serves both; a client that does not trust the certificate fails alone.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExportRegistry, startNbdServer, type NbdServer } from '../../src/nbd/index.js';
import { FileDisk } from '../../src/storage/index.js';
import { connect } from 'node:net';
import * as C from '../../src/nbd/protocol/constants.js';
import { optionBytes } from './raw-client.js';
import { PlainFileDisk, SparseMemoryDisk } from './test-disks.js';
import { requireTool, tool } from './tools.js';

const MiB = 1024 * 1024;
let dir: string;
/** Directories in libnbd's and QEMU's layout (ca-cert.pem): one trusting the server's certificate, one not. */
let trusted: string;
let untrusted: string;
let required: NbdServer;
let offered: NbdServer;
let registry: ExportRegistry;
let disk: PlainFileDisk;

/** A self-signed certificate for 127.0.0.1 in `into` (cert.pem, key.pem), and a copy as ca-cert.pem in `ca`. */
async function makeCertificate(into: string, ca: string): Promise<{ cert: Buffer; key: Buffer }> {
  mkdirSync(into, { recursive: true });
  mkdirSync(ca, { recursive: true });
  await tool('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(into, 'key.pem'), '-out', join(into, 'cert.pem'),
  ]);
  const cert = readFileSync(join(into, 'cert.pem'));
  writeFileSync(join(ca, 'ca-cert.pem'), cert);
  return { cert, key: readFileSync(join(into, 'key.pem')) };
}

const nbds = (server: NbdServer, name: string, ca = trusted): string => `nbds://127.0.0.1:${server.port}/${name}?tls-certificates=${ca}`;
const qemuOpts = (server: NbdServer, name: string, tls: boolean): string =>
  `driver=nbd,server.type=inet,server.host=127.0.0.1,server.port=${server.port},export=${name}${tls ? ',tls-creds=tls0' : ''}`;

beforeAll(async () => {
  requireTool('openssl', 'openssl');
  dir = mkdtempSync(join(tmpdir(), 'streamer-nbd-tls-'));
  trusted = join(dir, 'trusted');
  untrusted = join(dir, 'untrusted');
  const { cert, key } = await makeCertificate(join(dir, 'server'), trusted);
  await makeCertificate(join(dir, 'other'), untrusted);
  writeFileSync(join(dir, 'disk.img'), Buffer.alloc(16 * MiB));
  disk = await PlainFileDisk.open(join(dir, 'disk.img'));
  registry = new ExportRegistry();
  registry.add('vol', disk, { readOnly: false, flushIsGlobal: true });
  registry.add('small', new SparseMemoryDisk(MiB), { readOnly: true });
  required = await startNbdServer({ host: '127.0.0.1', port: 0, registry, tls: { mode: 'require', cert, key } });
  offered = await startNbdServer({ host: '127.0.0.1', port: 0, registry, tls: { mode: 'allow', cert, key } });
});

afterAll(async () => {
  await required?.close();
  await offered?.close();
  await disk?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('NBD over TLS', () => {
  it('required: nbdcopy writes and reads back through nbds://, nbdinfo and qemu-img see TLS and the same bytes', async () => {
    requireTool('nbdcopy', 'libnbd-bin');
    requireTool('qemu-img', 'qemu-utils');
    const data = randomBytes(8 * MiB);
    writeFileSync(join(dir, 'src.img'), data);
    await tool('nbdcopy', [join(dir, 'src.img'), nbds(required, 'vol')]);
    await tool('nbdcopy', [nbds(required, 'vol'), join(dir, 'back.img')]);
    expect(readFileSync(join(dir, 'back.img')).subarray(0, data.length).equals(data)).toBe(true);
    expect(await tool('nbdinfo', [nbds(required, 'vol')])).toMatch(/with TLS/);
    const compared = await tool('qemu-img', [
      'compare', '--object', `tls-creds-x509,id=tls0,dir=${trusted},endpoint=client`, '--image-opts',
      qemuOpts(required, 'vol', true), `driver=raw,file.driver=file,file.filename=${join(dir, 'back.img')}`,
    ]);
    expect(compared).toMatch(/Images are identical/);
  });

  it('required: a client without TLS is refused with a message naming TLS, and cannot open an export', async () => {
    requireTool('qemu-img', 'qemu-utils');
    await expect(tool('qemu-img', ['info', '--image-opts', qemuOpts(required, 'vol', false)])).rejects.toThrow(/requires TLS/);
    await expect(tool('nbdinfo', ['--size', `nbd://127.0.0.1:${required.port}/vol`])).rejects.toThrow(/server requires TLS/);
    await expect(tool('nbdinfo', ['--list', `nbd://127.0.0.1:${required.port}/`])).rejects.toThrow(/server replied with error to list request/);
  });

  it('offered: clients choose; a client that does not trust the certificate fails and the server goes on', async () => {
    expect((await tool('nbdinfo', ['--size', `nbd://127.0.0.1:${offered.port}/small`])).trim()).toBe(String(MiB));
    expect(await tool('nbdinfo', [nbds(offered, 'small')])).toMatch(/with TLS/);
    await expect(tool('nbdinfo', ['--size', nbds(offered, 'small', untrusted)])).rejects.toThrow(/certificate verification/);
    await expect(tool('nbdinfo', ['--size', nbds(required, 'small', untrusted)])).rejects.toThrow(/certificate verification/);
    expect((await tool('nbdinfo', ['--size', nbds(required, 'small')])).trim()).toBe(String(MiB));
  });

  it('garbage instead of a TLS handshake, or bytes sent behind STARTTLS, close that connection only', async () => {
    /** Connects, sends the client flags and STARTTLS (with `behind` in the same write), then `after`; resolves with what came back once closed. */
    const session = (behind: Buffer, after: Buffer): Promise<Buffer> => new Promise((resolve, reject) => {
      const socket = connect(offered.port, '127.0.0.1');
      const chunks: Buffer[] = [];
      let greeted = false;
      socket.on('data', (d: Buffer) => {
        chunks.push(d);
        if (!greeted && Buffer.concat(chunks).length >= 18) {
          greeted = true;
          socket.write(Buffer.concat([Buffer.from([0, 0, 0, 3]), optionBytes(C.NBD_OPT_STARTTLS), behind]));
          setTimeout(() => socket.write(after, () => undefined), 50);
        }
      });
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(Buffer.concat(chunks)));
      setTimeout(() => reject(new Error('the server kept a broken connection open')), 10_000);
    });
    const garbage = randomBytes(4096);
    const acked = await session(Buffer.alloc(0), garbage);
    // greeting, then STARTTLS's ACK; the garbage ends it in the TLS layer
    expect(acked.readUInt32BE(18 + 8)).toBe(C.NBD_OPT_STARTTLS);
    expect(acked.readUInt32BE(18 + 12)).toBe(C.NBD_REP_ACK);
    await session(garbage, Buffer.alloc(0));
    expect((await tool('nbdinfo', ['--size', nbds(offered, 'small')])).trim()).toBe(String(MiB));
  });

  it('READ replies over TLS are copies, never views of the page cache (OpenSSL reads them in user space); clear text uses views', async () => {
    requireTool('nbdcopy', 'libnbd-bin');
    const data = randomBytes(4 * MiB);
    writeFileSync(join(dir, 'mapped.img'), data);
    const mapped = await FileDisk.open(join(dir, 'mapped.img'), { readOnly: true });
    await mapped.read(0, data.length); // cached: views are possible
    const views = vi.spyOn(mapped, 'readViews');
    registry.add('mapped', mapped, { readOnly: true });
    try {
      await tool('nbdcopy', [nbds(offered, 'mapped'), join(dir, 'mapped-tls.img')]);
      expect(readFileSync(join(dir, 'mapped-tls.img')).equals(data)).toBe(true);
      expect(views).not.toHaveBeenCalled();
      await tool('nbdcopy', [`nbd://127.0.0.1:${offered.port}/mapped`, join(dir, 'mapped-plain.img')]);
      expect(readFileSync(join(dir, 'mapped-plain.img')).equals(data)).toBe(true);
      expect(views).toHaveBeenCalled();
      expect(views.mock.results.some((r) => r.type === 'return' && r.value !== undefined)).toBe(true);
    } finally {
      await registry.remove('mapped');
      await mapped.close();
    }
  });
});
