// Golden images offered read-only over NBD by a served appliance: under an unguessable name that only
// GET /rest/golden-images/{id}/storage tells, checked with nbdinfo, qemu-img and nbdcopy; withdrawn before
// the image is deleted (and offered again when the delete is refused); offered again after a restart.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoldenImageDoc } from '../../src/artifacts/golden-images.js';
import { RawClient } from '../nbd/raw-client.js';
import { makeExtImage, requireTool, startServedAppliance, type ServedAppliance } from '../support/served-appliance.js';

// asynchronous: the appliance runs in this process
const run = promisify(execFile);

let work: string;
let dataDir: string;
let a: ServedAppliance;
let source: string;

async function storageOf(id: string): Promise<any> {
  const reply = await a.call('GET', `/rest/golden-images/${id}/storage`);
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
}

async function nbdinfo(uri: string): Promise<any> {
  return JSON.parse((await run('nbdinfo', ['--json', uri])).stdout);
}

beforeAll(async () => {
  for (const [tool, pkg] of [['mkfs.ext4', 'e2fsprogs'], ['nbdinfo', 'libnbd-bin'], ['nbdcopy', 'libnbd-bin'], ['qemu-img', 'qemu-utils']] as const) requireTool(tool, pkg);
  work = await mkdtemp(join(tmpdir(), 'streamer-golden-export-'));
  dataDir = join(work, 'data');
  a = await startServedAppliance(dataDir);
  source = join(work, 'golden.img');
  await makeExtImage(source, { 'etc/hostname': 'golden\n' }, 32);
}, 120_000);

afterAll(async () => {
  await a?.stop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('golden image NBD export', () => {
  let image: any;

  it('offers an uploaded image read-only under a name NBD_OPT_LIST does not show', async () => {
    image = await a.uploadGoldenImage('base', source);
    const storage = await storageOf(image.id);
    expect(storage).toMatchObject({ type: 'GoldenImageStorage', goldenImageUri: image.uri, protocol: 'nbd', readOnly: true, provisionedCapacity: (await stat(source)).size });
    expect(storage.allocatedCapacity).toBeGreaterThan(0);
    expect(storage.exportName).toMatch(/^golden-[0-9a-f]{32}$/);
    expect(storage.exportUri).toBe(`nbd://127.0.0.1:${storage.exportPort}/${storage.exportName}`);
    // not part of the golden image resource HPE's clients see
    expect(JSON.stringify(image)).not.toContain(storage.exportName);

    const info = await nbdinfo(storage.exportUri);
    expect(info.exports[0]).toMatchObject({ 'export-size': (await stat(source)).size, is_read_only: true, can_multi_conn: true });
    const listing = await run('nbdinfo', ['--list', `nbd://127.0.0.1:${storage.exportPort}`]);
    expect(listing.stdout).not.toContain(storage.exportName);

    await run('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', source, storage.exportUri]);
    // a client cannot write to it
    await expect(run('nbdcopy', [source, storage.exportUri])).rejects.toThrow(/read.only|EPERM|Operation not permitted/i);
    await run('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', source, storage.exportUri]);
  });

  it('keeps the export when a delete is refused, and withdraws it, dropping its clients, when the image goes', async () => {
    const second = await a.uploadGoldenImage('second', source);
    const storage = await storageOf(second.id);

    // a download in progress holds the image: the delete is refused and the export stays
    const download = await fetch(`${a.base}/rest/golden-images/download/${second.id}`, { headers: a.headers });
    expect(download.status).toBe(200);
    const refused = await a.call('DELETE', second.uri);
    expect(refused.status, JSON.stringify(refused.body)).toBe(409);
    expect(refused.body.errorCode).toBe('STORAGE_IMAGE_IN_USE');
    expect((await nbdinfo(storage.exportUri)).exports[0].is_read_only).toBe(true);
    await download.body?.cancel();

    const client = await RawClient.connect(storage.exportPort, storage.exportName);
    // the download's end reaches the appliance in a moment
    let deleted = await a.call('DELETE', second.uri);
    for (let i = 0; i < 50 && deleted.status === 409; i++) {
      await new Promise((r) => setTimeout(r, 100));
      deleted = await a.call('DELETE', second.uri);
    }
    expect([200, 202], JSON.stringify(deleted.body)).toContain(deleted.status);
    await expect(client.take(1)).rejects.toThrow(/closed/);
    await expect(run('nbdinfo', [storage.exportUri])).rejects.toThrow();
    expect((await a.call('GET', second.uri)).status).toBe(404);
  });

  it('offers every image again after a restart, under the name it had; older records get one', async () => {
    const before = await storageOf(image.id);
    const old = await a.uploadGoldenImage('from-an-older-version', source);
    // as a record written before golden images were exported: no export name
    const repo = a.running.appliance.store.documents<GoldenImageDoc>('golden-images');
    const stored = (await repo.get(old.id))!;
    const { exportName: _dropped, ...withoutName } = stored.doc;
    await repo.update(old.id, { name: stored.name, modified: stored.modified, doc: withoutName });

    await a.stop();
    a = await startServedAppliance(dataDir);
    const after = await storageOf(image.id);
    expect(after.exportName).toBe(before.exportName);
    await run('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', source, after.exportUri]);

    const given = await storageOf(old.id);
    expect(given.exportName).toMatch(/^golden-[0-9a-f]{32}$/);
    expect(given.exportName).not.toBe(after.exportName);
    await run('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', source, given.exportUri]);
  }, 60_000);
});

describe('an appliance that requires TLS on NBD', () => {
  it('shows nbds:// exports that clients open trusting the appliance certificate, and refuses clear-text clients', async () => {
    const tlsData = join(work, 'tls-data');
    const secure = await startServedAppliance(tlsData, { nbdTls: 'require' });
    try {
      const uploaded = await secure.uploadGoldenImage('secure-base', source);
      const storage = (await secure.call('GET', `/rest/golden-images/${uploaded.id}/storage`)).body;
      expect(storage).toMatchObject({ exportTls: 'require', exportUri: `nbds://127.0.0.1:${storage.exportPort}/${storage.exportName}` });
      // the certificate clients trust is the appliance's own (tls/cert.pem), laid out for libnbd and QEMU
      const ca = join(tlsData, 'tls', 'nbd-ca');
      const info = await nbdinfo(`${storage.exportUri as string}?tls-certificates=${ca}`);
      expect(info).toMatchObject({ TLS: true, exports: [{ 'export-size': (await stat(source)).size, is_read_only: true }] });
      await run('qemu-img', [
        'compare', '--object', `tls-creds-x509,id=tls0,dir=${ca},endpoint=client`, '--image-opts',
        `driver=nbd,server.type=inet,server.host=127.0.0.1,server.port=${storage.exportPort},export=${storage.exportName},tls-creds=tls0`,
        `driver=raw,file.driver=file,file.filename=${source}`,
      ]);
      await expect(run('nbdinfo', ['--size', `nbd://127.0.0.1:${storage.exportPort}/${storage.exportName}`])).rejects.toThrow(/requires TLS/);
    } finally {
      await secure.stop();
    }
  }, 60_000);
});
