// POST /rest/golden-images/import: a golden image from a file on the appliance's machine, through a task
// whose percentComplete follows the bytes read and qemu-img's conversion; real raw, qcow2 (qemu-img) and
// damaged files; files of the appliance's own data directory refused, through symlinks and hard links too.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../src/tasks/index.js';
import { requireTool } from '../nbd/tools.js';
import { startHarness, type Harness, type Reply } from './harness.js';

let h: Harness;
let files: string;
const RAW_BYTES = 24 * 1024 * 1024 + 4096;

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A disk with data, zero runs (stored as holes) and a tail that is not a whole cluster. */
function rawDisk(): Buffer {
  const disk = Buffer.alloc(RAW_BYTES);
  for (let at = 0; at < disk.length; at += 512) {
    if (Math.floor(at / (1024 * 1024)) % 3 === 1) continue;
    disk.write(`sector ${at / 512} of the golden disk `, at);
  }
  return disk;
}

beforeAll(async () => {
  requireTool('qemu-img', 'qemu-utils');
  requireTool('unzip', 'unzip');
  h = await startHarness();
  files = mkdtempSync(join(tmpdir(), 'streamer-import-sources-')); // outside the data directory: imports from there are refused
  writeFileSync(join(files, 'disk.raw'), rawDisk());
});
afterAll(async () => {
  await h?.close();
  if (files !== undefined) rmSync(files, { recursive: true, force: true });
});

/** Polls the task of a 202 reply to its end, recording every percentComplete the engine saved. */
async function runImport(body: unknown): Promise<{ task: Task; percents: number[] }> {
  const percents: Record<string, number[]> = {};
  const onChange = (t: Task): void => void (percents[t.id] ??= []).push(t.percentComplete);
  h.appliance.tasks.on('change', onChange);
  try {
    const reply = await h.call('POST', '/rest/golden-images/import', { body });
    expect(reply.status, reply.text).toBe(202);
    expect(reply.headers.get('location')).toBe(reply.body.uri);
    const task = await h.appliance.tasks.wait(reply.body.id);
    return { task, percents: percents[task.id] ?? [] };
  } finally {
    h.appliance.tasks.off('change', onChange);
  }
}

/** Downloads the image as HPE's zip and returns the raw disk inside it. */
async function downloadedDisk(imageId: string): Promise<Buffer> {
  const response = await h.appliance.app.request(`http://localhost/rest/golden-images/download/${imageId}`, { headers: { 'x-api-version': '2000', auth: h.session } });
  expect(response.status).toBe(200);
  const zip = join(files, `${imageId}.zip`);
  writeFileSync(zip, Buffer.from(await response.arrayBuffer()));
  return execFileSync('unzip', ['-p', zip], { maxBuffer: 64 * 1024 * 1024 });
}

const layers = (): string[] => readdirSync(join(h.dataDir, 'volumes', 'layers')).sort();
const workDirs = (): string[] => readdirSync(join(h.dataDir, 'volumes', 'tmp'));

describe('POST /rest/golden-images/import', () => {
  it('imports a raw file named after the file; percentComplete rises with the bytes read; size and checkSum are the file\'s', async () => {
    const raw = readFileSync(join(files, 'disk.raw'));
    const { task, percents } = await runImport({ path: join(files, 'disk.raw'), description: 'From the appliance' });
    expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
    expect(task.name).toBe('Create');
    expect(task.associatedResource).toMatchObject({ resourceName: 'disk', resourceCategory: 'golden-images' });
    // one save per percent: the 24 MiB are read in 1 MiB chunks, so many values lie between 0 and 100
    expect(percents.filter((p) => p > 0 && p < 100).length).toBeGreaterThan(5);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).toBe(100);

    const image = (await h.call('GET', String(task.associatedResource.resourceUri))).body;
    expect(image).toMatchObject({ name: 'disk', description: 'From the appliance', size: raw.length, checkSum: sha256(raw), format: 'raw', category: 'golden-images' });
    expect((await downloadedDisk(image.id)).equals(raw)).toBe(true);
    const log = (await h.call('GET', `/rest/golden-images/archive/${image.id}`)).text;
    expect(log).toContain(`source: "${join(files, 'disk.raw')}"`);
  });

  it('imports a qcow2 made by qemu-img convert: size of the raw disk, checkSum of the qcow2 file; percentComplete follows the conversion', async () => {
    const qcow2 = join(files, 'disk.qcow2');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', join(files, 'disk.raw'), qcow2]);
    const { task, percents } = await runImport({ path: qcow2, name: 'disk from qcow2' });
    expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
    // reading the file (for its checkSum) is the first half, qemu-img convert -p the second: its progress
    // lines (about ten for these 24 MiB) reach the task
    expect(new Set(percents.filter((p) => p > 50 && p < 100)).size).toBeGreaterThanOrEqual(3);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.at(-1)).toBe(100);
    const image = (await h.call('GET', String(task.associatedResource.resourceUri))).body;
    expect(image).toMatchObject({ name: 'disk from qcow2', size: RAW_BYTES, checkSum: sha256(readFileSync(qcow2)), format: 'qcow2' });
    expect((await downloadedDisk(image.id)).equals(readFileSync(join(files, 'disk.raw')))).toBe(true);
  });

  it('refuses a relative path, a missing file and a directory with 400 naming the path; no task is started', async () => {
    const tasksBefore = (await h.call('GET', '/rest/tasks')).body.total;
    expect(tasksBefore).toBeGreaterThan(0);
    const refused = async (path: string): Promise<Reply> => {
      const reply = await h.call('POST', '/rest/golden-images/import', { body: { path, name: `never ${path}` } });
      expect(reply.status, reply.text).toBe(400);
      expect(reply.body.errorCode).toBe('GOLDEN_IMAGE_IMPORT_BAD_PATH');
      expect(reply.body.message).toContain(`"${path}"`);
      expect(reply.body.recommendedActions.length).toBe(1);
      return reply;
    };
    expect((await refused('images/disk.raw')).body.message).toBe('Cannot import a golden image from "images/disk.raw": the path is not absolute');
    expect((await refused(join(files, 'nope.raw'))).body.message).toContain('no such file');
    expect((await refused(join(files, 'disk.raw', 'below'))).body.message).toContain('no such file');
    expect((await refused(files)).body.message).toContain('it is a directory');
    expect((await refused('/dev/null')).body.message).toContain('not a regular file');

    const noPath = await h.call('POST', '/rest/golden-images/import', { body: { name: 'no path' } });
    expect(noPath.status).toBe(400);
    expect(noPath.body).toMatchObject({ errorCode: 'INVALID_INPUT', message: expect.stringContaining('"path"') });
    const taken = await h.call('POST', '/rest/golden-images/import', { body: { path: join(files, 'disk.raw') } });
    expect(taken.status).toBe(409);
    expect((await h.call('GET', '/rest/tasks')).body.total).toBe(tasksBefore);
  });

  it('refuses files of the appliance\'s data directory, reached directly, through symlinks or as a hard link, with 400 GOLDEN_IMAGE_PATH_FORBIDDEN; no task is started', async () => {
    const tasksBefore = (await h.call('GET', '/rest/tasks')).body.total;
    const database = join(h.dataDir, 'streamer.db');
    readFileSync(database); // it is there, and readable by the appliance
    symlinkSync(database, join(files, 'innocent.raw'));
    symlinkSync(h.dataDir, join(files, 'appliance-data'));
    linkSync(database, join(files, 'hard-linked.raw'));
    const forbidden = async (path: string): Promise<Reply> => {
      const reply = await h.call('POST', '/rest/golden-images/import', { body: { path, name: `never ${path}` } });
      expect(reply.status, reply.text).toBe(400);
      expect(reply.body.errorCode).toBe('GOLDEN_IMAGE_PATH_FORBIDDEN');
      expect(reply.body.message).toContain(`Cannot import a golden image from "${path}": the file is inside the appliance's data directory "${h.dataDir}"`);
      expect(reply.body.recommendedActions[0]).toContain('outside the data directory');
      return reply;
    };
    await forbidden(database);
    await forbidden(h.dataDir + '/volumes/../streamer.db');
    expect((await forbidden(join(files, 'innocent.raw'))).body.message).toContain(`(it resolves to "${database}")`);
    expect((await forbidden(join(files, 'appliance-data', 'streamer.db'))).body.message).toContain(`(it resolves to "${database}")`);
    expect((await forbidden(join(files, 'hard-linked.raw'))).body.message).toContain('(it is the same file as one there: a hard link, or reached through a bind mount)');
    expect((await h.call('GET', '/rest/tasks')).body.total).toBe(tasksBefore);

    // a symlink to a file outside the data directory is fine: the image is named after the link
    symlinkSync(join(files, 'disk.raw'), join(files, 'linked-disk.img'));
    const { task } = await runImport({ path: join(files, 'linked-disk.img') });
    expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
    const image = (await h.call('GET', String(task.associatedResource.resourceUri))).body;
    expect(image).toMatchObject({ name: 'linked-disk', checkSum: sha256(readFileSync(join(files, 'disk.raw'))) });
    expect((await h.call('GET', `/rest/golden-images/archive/${image.id}`)).text).toContain(`source: "${join(files, 'linked-disk.img')}" (the file "${join(files, 'disk.raw')}")`);
  });

  it('is for administrators of the appliance only: a software administrator (who may upload) gets 403', async () => {
    for (const role of ['Software administrator', 'Read only']) {
      const session = await h.userWithRole(role);
      const reply = await h.call('POST', '/rest/golden-images/import', { session, body: { path: join(files, 'disk.raw'), name: `by ${role}` } });
      expect(reply.status, reply.text).toBe(403);
      expect(reply.body.message).toContain(`"${role}"`);
    }
    const names = (await h.call('GET', '/rest/golden-images')).body.members.map((m: { name: string }) => m.name);
    expect(names).not.toContain('by Software administrator');
  });

  it('a damaged gzip or qcow2 fails the task with the cause and leaves no golden image and no layer behind', async () => {
    const before = layers();
    const gz = gzipSync(readFileSync(join(files, 'disk.raw')));
    writeFileSync(join(files, 'cut.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
    const fakeQcow2 = Buffer.alloc(1024 * 1024, 0x5a);
    Buffer.from([0x51, 0x46, 0x49, 0xfb, 0, 0, 0, 3]).copy(fakeQcow2); // "QFI\xfb", version 3, then garbage
    writeFileSync(join(files, 'bad.qcow2'), fakeQcow2);

    for (const [file, code] of [['cut.gz', 'STORAGE_IMPORT_BAD_GZIP'], ['bad.qcow2', 'STORAGE_IMPORT_BAD_IMAGE']] as const) {
      const { task } = await runImport({ path: join(files, file), name: `damaged ${file}` });
      expect(task.taskState).toBe('Error');
      expect(task.taskErrors[0]?.errorCode).toBe(code);
      expect(task.associatedResource.resourceUri).toBeNull();
    }
    const names = (await h.call('GET', '/rest/golden-images')).body.members.map((m: { name: string }) => m.name);
    expect(names.filter((n: string) => n.startsWith('damaged'))).toEqual([]);
    expect(layers()).toEqual(before);
    expect(workDirs()).toEqual([]);
  });
});
