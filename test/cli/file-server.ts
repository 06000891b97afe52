// An appliance served on 127.0.0.1 whose app also mounts the golden-image and artifact-bundle routes,
// wired as test/bundles/harness.ts wires them (src/appliance.ts does not mount them yet). Golden image
// bytes are plain files. Replace with serveAppliance once the composition root wires these routes.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
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
import { listen } from '../../src/api/server.js';
import { createAppliance, type RunningAppliance } from '../../src/appliance.js';
import { GoldenImages, type GoldenImageBytes } from '../../src/artifacts/golden-images.js';
import { BuildPlans, DeploymentPlans, PlanScripts, type GoldenImageLookup } from '../../src/artifacts/index.js';
import { createBundleServices, goldenImagePort } from '../../src/bundles/index.js';
import { newResourceId } from '../../src/core/ids.js';
import type { Store } from '../../src/db/index.js';

function fileBytes(dir: string): GoldenImageBytes {
  return {
    async importImage(source) {
      await mkdir(dir, { recursive: true });
      const imageId = newResourceId();
      const hash = createHash('sha256');
      await pipeline(source, new Transform({ transform(chunk: Buffer, _e, done) { hash.update(chunk); done(null, chunk); } }), createWriteStream(join(dir, imageId)));
      return { imageId, sizeBytes: (await stat(join(dir, imageId))).size, sha256: hash.digest('hex'), format: 'raw' };
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

export async function serveWithFiles(dataDir: string, adminPassword: string): Promise<RunningAppliance> {
  const logger = pino({ level: 'silent' });
  const appliance = await createAppliance({ dataDir, logger, adminPassword });
  const { store, tasks, accounts, deploymentGroups } = appliance;
  const bytes = fileBytes(join(dataDir, 'test-images'));
  const goldenImages = new GoldenImages(store, bytes);
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
    goldenImages: goldenImagePort(goldenImages, deploymentPlansUsing),
    deploymentGroups: { get: (id) => deploymentGroups.get(id) },
  });
  const { app } = createApp({
    logger,
    version: 'test',
    authenticate: (sessionId) => accounts.authenticate(sessionId),
    jsonLimitBytes: 8 * 1024 * 1024,
    register: (router) => {
      registerApplianceRoutes(router, { accounts, tasks });
      registerTaskRoutes(router, tasks);
      registerArtifactRoutes(router, { ...artifactsOver(store), tasks });
      registerGoldenImageRoutes(router, { goldenImages, tasks, deploymentPlansUsing, dataDir });
      registerBundleRoutes(router, { ...services, tasks });
    },
  });
  const server = await listen(app, { host: '127.0.0.1', port: 0 });
  return {
    appliance,
    server,
    async stop() {
      await server.close();
      await appliance.close();
    },
  };
}
