// Crash safety with a real process: a child writes to a volume (FUA or write+FLUSH) and is killed with
// SIGKILL; after reopening, every acknowledged write is there, the image shows through everywhere else,
// and a killed import leaves nothing behind. Needs the dist build (npm test builds it first).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { openVolumeStore } from '../../src/storage/index.js';
import { REGION, WRITE, writeByte, writeOffset } from './crash-layout.js';

const CHILD = join(import.meta.dirname, '..', '..', 'dist', 'test', 'storage', 'crash-child.js');
const root = mkdtempSync(join(tmpdir(), 'storage-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs the child until `until(stdout)` holds, then kills it with SIGKILL; resolves with its stdout. */
function runAndKill(args: string[], until: (out: string) => boolean): Promise<string> {
  if (!existsSync(CHILD)) throw new Error(`${CHILD} is missing: run "npm run build" first (npm test does)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (until(out) && child.exitCode === null) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(out) : reject(new Error(`child exited with ${code} before it was killed:\n${out}\n${err}`))));
  });
}

const imageByte = (offset: number): number => ((Math.floor(offset / 512) * 7) % 255) + 1;

describe('crash safety (kill -9 of a real process)', () => {
  it('every write acknowledged with FUA or FLUSH survives; unacknowledged ones damage nothing else', async () => {
    const dir = join(root, 'writes');
    const regions = 400;
    const size = regions * REGION;
    let store = await openVolumeStore(dir);
    const image = Buffer.alloc(size);
    for (let at = 0; at < size; at += 512) image.fill(imageByte(at), at, at + 512);
    const { imageId } = await store.importImage(Readable.from([image]));
    const volumeId = await store.cloneVolume(imageId);
    await store.close();

    const out = await runAndKill(['writes', dir, volumeId], (o) => (o.match(/^ACK /gm)?.length ?? 0) >= 120);
    const acked = [...out.matchAll(/^ACK (\d+)$/gm)].map((m) => Number(m[1]));
    expect(acked.length).toBeGreaterThanOrEqual(120);

    store = await openVolumeStore(dir);
    const disk = await store.openDisk(volumeId, { readOnly: true });
    const now = await disk.read(0, size);
    const ackedSet = new Set(acked);
    for (let i = 0; i < regions; i++) {
      const offset = writeOffset(i);
      const region = now.subarray(offset, offset + WRITE);
      if (ackedSet.has(i)) {
        expect(region.every((b) => b === writeByte(i)), `acknowledged write ${i} lost`).toBe(true);
      } else {
        for (let k = 0; k < WRITE; k++) {
          const b = region[k];
          if (b !== writeByte(i) && b !== imageByte(offset + k)) throw new Error(`write ${i}: byte ${k} is ${b}, neither the write nor the image`);
        }
      }
    }
    // outside the written ranges the image shows through, in written clusters too (copy-up kept it)
    for (let at = 0; at < size; at += 512) {
      const i = Math.floor(at / REGION);
      const w = writeOffset(i);
      if (at + 512 <= w || at >= w + WRITE) expect(now[at], `byte ${at}`).toBe(imageByte(at));
    }
    await store.close();
  });

  it('clone, snapshot, freeze and delete killed at any point: the store reopens whole, without strays', async () => {
    const dir = join(root, 'lifecycle');
    let store = await openVolumeStore(dir);
    const { imageId } = await store.importImage(Readable.from([Buffer.alloc(1024 * 1024, 9)]));
    await store.close();
    for (const stopAfter of [7, 23, 41]) {
      const out = await runAndKill(['lifecycle', dir, imageId], (o) => o.split('\n').length > stopAfter);
      store = await openVolumeStore(dir);
      const deleted = new Set([...out.matchAll(/^DELETED (\S+)$/gm)].map((m) => m[1]));
      for (const m of out.matchAll(/^(VOLUME|IMAGE) (\S+)$/gm)) {
        const id = m[2]!;
        if (deleted.has(id)) continue;
        const disk = await store.openDisk(id, { readOnly: true });
        expect((await disk.read(1024 * 1024 - 512, 512)).every((b) => b === 9), `${m[1]} ${id}`).toBe(true);
        await disk.close();
      }
      // every layer on disk belongs to a record's chain
      const reachable = new Set([...store.listImages(), ...store.listVolumes()].flatMap((r) => store.chainOf(r.id)));
      for (const layer of readdirSync(join(dir, 'layers'))) expect(reachable.has(layer), `stray layer ${layer}`).toBe(true);
      await store.close();
    }
  });

  it('an import killed halfway leaves no image, no layer and no temporary file', async () => {
    const dir = join(root, 'import');
    await (await openVolumeStore(dir)).close();
    const out = await runAndKill(['import', dir], (o) => /PROGRESS (\d+)\n/.test(o) && Number([...o.matchAll(/PROGRESS (\d+)/g)].pop()?.[1]) >= 40 * 1024 * 1024);
    expect(out).toMatch(/PROGRESS/);
    expect(readdirSync(join(dir, 'tmp')).length).toBeGreaterThan(0);
    const store = await openVolumeStore(dir);
    expect(store.listImages()).toEqual([]);
    expect(readdirSync(join(dir, 'layers'))).toEqual([]);
    expect(readdirSync(join(dir, 'records'))).toEqual([]);
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    await store.close();
  });
});
