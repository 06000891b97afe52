// Killing the appliance (SIGKILL) in the middle of a deploy: after a restart the task is Error with a
// cause, the profile is Critical but usable, and no volume is left behind in the store.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openVolumeStore } from '../../src/storage/index.js';
import { request, startServer, type ServerProcess } from './serve.js';

let dataDir: string;
let server: ServerProcess | undefined;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'streamer-restart-'));
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

async function login(url: string): Promise<string> {
  const reply = await request(url, 'POST', '/rest/login-sessions', { body: { userName: 'Administrator', password: 'restart-password-1' } });
  return reply.body.sessionID as string;
}

async function created(url: string, auth: string, path: string, body: unknown): Promise<any> {
  const reply = await request(url, 'POST', path, { auth, body });
  expect(reply.status, JSON.stringify(reply.body)).toBe(202);
  return (await request(url, 'GET', reply.body.associatedResource.resourceUri as string, { auth })).body;
}

describe('a restart in the middle of a deploy', () => {
  it('ends the task as Error, marks the profile Critical and leaves no orphan volume', async () => {
    server = await startServer(dataDir, ['--admin-password', 'restart-password-1']);
    let auth = await login(server.url);
    // No golden image: the deploy makes an empty volume of VolumeSize MiB, then a host command waits.
    const script = await created(server.url, auth, '/rest/plan-scripts', { name: 'slow', planType: 'deploy', content: '# an empty volume of @VolumeSize:16@ MiB\n!sleep 60\n' });
    const buildPlan = await created(server.url, auth, '/rest/build-plans', { name: 'slow bp', oeBuildPlanType: 'deploy', buildStep: [{ serialNumber: '1', planScriptUri: script.uri }] });
    const plan = await created(server.url, auth, '/rest/deployment-plans', { name: 'slow dp', oeBuildPlanURI: buildPlan.uri });
    const start = await request(server.url, 'POST', '/rest/server-profiles', { auth, body: { name: 'interrupted', osDeploymentSettings: { osDeploymentPlanUri: plan.uri, osCustomAttributes: [] } } });
    expect(start.status, JSON.stringify(start.body)).toBe(202);
    const taskUri = start.body.uri as string;

    let task: any;
    for (let i = 0; i < 100; i++) {
      task = (await request(server.url, 'GET', taskUri, { auth })).body;
      if (task.taskStatus === 'Personalize' || (task.progressUpdates ?? []).some((u: { statusUpdate: string }) => /Created OSVolume/.test(u.statusUpdate))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(task.taskState).toBe('Running');
    expect((await request(server.url, 'GET', '/rest/os-volumes', { auth })).body.total).toBe(1);
    await server.stop('SIGKILL');

    server = await startServer(dataDir, ['--admin-password', 'restart-password-1']);
    auth = await login(server.url);
    const after = (await request(server.url, 'GET', taskUri, { auth })).body;
    expect(after.taskState).toBe('Error');
    expect(after.taskErrors[0].errorCode).toBe('TASK_INTERRUPTED');
    const profile = (await request(server.url, 'GET', '/rest/server-profiles', { auth })).body.members[0];
    expect(profile).toMatchObject({ name: 'interrupted', state: 'Normal', status: 'Critical' });
    expect((await request(server.url, 'GET', '/rest/os-volumes', { auth })).body.total).toBe(0);
    await server.stop('SIGTERM');
    server = undefined;

    const store = await openVolumeStore(join(dataDir, 'volumes'));
    expect(store.listVolumes()).toEqual([]);
    await store.close();
  }, 120_000);
});
