// Bundle test harness: a real appliance (SQLite file, task engine, accounts) whose HTTP app also mounts
// golden-image and bundle routes, wired the way src/appliance.ts will wire them. Golden image bytes are
// kept as files (the volume store of src/storage had not landed when these tests were written).
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pino from 'pino';
import { createApp } from '../../src/api/app.js';
import { registerApplianceRoutes } from '../../src/api/routes/appliance.js';
import { registerArtifactRoutes } from '../../src/api/routes/artifacts.js';
import { registerBundleRoutes } from '../../src/api/routes/bundles.js';
import { registerGoldenImageRoutes } from '../../src/api/routes/golden-images.js';
import { registerTaskRoutes } from '../../src/api/routes/tasks.js';
import { createAppliance, type Appliance } from '../../src/appliance.js';
import { GoldenImages, type GoldenImageBytes } from '../../src/artifacts/golden-images.js';
import { BuildPlans, DeploymentPlans, PlanScripts, type GoldenImageLookup } from '../../src/artifacts/index.js';
import { createBundleServices, goldenImagePort, type BundleServices } from '../../src/bundles/index.js';
import { newResourceId } from '../../src/core/ids.js';
import type { Store } from '../../src/db/index.js';

export const ADMIN_PASSWORD = 'admin-password-1';

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
  text: string;
  bytes: Buffer;
}

/** Golden image bytes as plain files: import copies the stream, export streams the file back. */
function fileBytes(dir: string): GoldenImageBytes {
  return {
    async importImage(source) {
      await mkdir(dir, { recursive: true });
      const imageId = newResourceId();
      const hash = createHash('sha256');
      await pipeline(source, new Transform({ transform(chunk: Buffer, _e, done) { hash.update(chunk); done(null, chunk); } }), createWriteStream(join(dir, imageId)));
      return { imageId, sizeBytes: (await stat(join(dir, imageId))).size, sha256: hash.digest('hex'), format: 'zip' };
    },
    async deleteImage(imageId) {
      await rm(join(dir, imageId), { force: true });
    },
    exportZip: (imageId) => Promise.resolve(createReadStream(join(dir, imageId))),
    dependents: () => Promise.resolve(0),
    allocation: async (imageId) => {
      const st = await stat(join(dir, imageId));
      return { provisionedBytes: st.size, allocatedBytes: st.blocks * 512 };
    },
  };
}

export interface BundleHarness {
  appliance: Appliance;
  dataDir: string;
  session: string;
  services: BundleServices;
  goldenImages: GoldenImages;
  call(method: string, path: string, options?: { body?: unknown; raw?: string | Buffer; headers?: Record<string, string> }): Promise<Reply>;
  /** Python's multipart upload (fixed boundary, extra CRLF at the end), with optional form fields. */
  upload(path: string, fileName: string, data: Buffer, fields?: Record<string, string>): Promise<Reply>;
  /** Polls a task until it is final and returns it. */
  waitTask(uri: string): Promise<any>;
  close(): Promise<void>;
}

const BOUNDARY = '----------ThIs_Is_tHe_bouNdaRY_$';

/** `goldenImages: false` wires no golden image store into bundles (as src/appliance.ts until storage lands). */
export async function startBundleHarness(options: { goldenImages?: boolean } = {}): Promise<BundleHarness> {
  const dataDir = await mkdtemp(join(tmpdir(), 'streamer-bundles-'));
  const logger = pino({ level: 'silent' });
  const appliance = await createAppliance({ dataDir, logger, adminPassword: ADMIN_PASSWORD });
  const { store, tasks, accounts, deploymentGroups } = appliance;
  const bytes = fileBytes(join(dataDir, 'test-images'));
  const goldenImages = new GoldenImages(store, bytes);
  // The lookup reads through the same Store as the deployment plans (a transaction's, during extract).
  const lookupOver = (s: Store): GoldenImageLookup => {
    const images = new GoldenImages(s, bytes);
    return { find: (idOrName, o) => images.find(idOrName, o) };
  };
  const noUsers = { usersOf: () => Promise.resolve({ serverProfiles: [], serverProfileTemplates: [] }) };
  const artifactsOver = (s: Store) => ({ planScripts: new PlanScripts(s), buildPlans: new BuildPlans(s), deploymentPlans: new DeploymentPlans(s, lookupOver(s), noUsers) });
  const deploymentPlansUsing = async (id: string) => {
    const ids = await store.deploymentPlans().usingGoldenImage(id);
    return Promise.all(ids.map(async (d) => (await store.deploymentPlans().get(d))?.name ?? d));
  };
  const services = createBundleServices({
    store,
    tasks,
    dataDir,
    artifactsOver,
    goldenImages: options.goldenImages === false ? undefined : goldenImagePort(goldenImages, deploymentPlansUsing),
    deploymentGroups: { get: (id) => deploymentGroups.get(id) },
  });
  const artifacts = artifactsOver(store);
  const { app } = createApp({
    logger,
    version: 'test',
    authenticate: (sessionId) => accounts.authenticate(sessionId),
    jsonLimitBytes: 8 * 1024 * 1024,
    register: (router) => {
      registerApplianceRoutes(router, { accounts, tasks });
      registerTaskRoutes(router, tasks);
      registerArtifactRoutes(router, { ...artifacts, tasks });
      registerGoldenImageRoutes(router, { goldenImages, tasks, deploymentPlansUsing, dataDir });
      registerBundleRoutes(router, { ...services, tasks });
    },
  });

  const harness: BundleHarness = {
    appliance,
    dataDir,
    session: '',
    services,
    goldenImages,
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { 'x-api-version': '2000', auth: harness.session, ...(o.headers ?? {}) };
      let body: string | Buffer | undefined = o.raw;
      if (body === undefined && o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await app.request(`http://localhost${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
      const bytes = Buffer.from(await response.arrayBuffer());
      const text = bytes.toString('utf8');
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, body: parsed, text, bytes };
    },
    async upload(path, fileName, data, fields = {}) {
      const parts: Buffer[] = [];
      for (const [name, value] of Object.entries(fields)) parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
      parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`), data, Buffer.from(`\r\n--${BOUNDARY}--\r\n\r\n`));
      return harness.call('POST', path, { raw: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, uploadfilename: fileName } });
    },
    async waitTask(uri) {
      for (let i = 0; i < 600; i++) {
        const task = (await harness.call('GET', uri)).body;
        if (!['New', 'Starting', 'Pending', 'Running'].includes(task.taskState)) return task;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`task ${uri} did not finish`);
    },
    async close() {
      await appliance.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  const login = await harness.call('POST', '/rest/login-sessions', { body: { userName: 'Administrator', password: ADMIN_PASSWORD } });
  harness.session = login.body.sessionID;
  return harness;
}
