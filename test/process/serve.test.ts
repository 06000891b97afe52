// The real `streamer serve` process: HTTPS with TLS 1.2, login, plan script → build plan → deployment plan
// through task Locations, restart, everything still there.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startServer, type ServerProcess } from './serve.js';

let dataDir: string;
let server: ServerProcess | undefined;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'streamer-proc-'));
});
afterAll(async () => {
  await server?.stop('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

async function follow(url: string, auth: string, location: string) {
  for (let i = 0; i < 50; i++) {
    const task = await request(url, 'GET', location, { auth });
    if (!['New', 'Starting', 'Pending', 'Running'].includes(task.body.taskState)) return task.body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`task ${location} did not finish`);
}

describe('streamer serve (real process)', () => {
  it('prints a generated administrator password once, serves TLS 1.2, and keeps its state across a restart', async () => {
    server = await startServer(dataDir);
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const password = /password "([^"]+)"/.exec(server.output())?.[1];
    expect(password).toBeDefined();
    expect((await stat(join(dataDir, 'tls', 'cert.pem'))).isFile()).toBe(true);

    const version = await request(server.url, 'GET', '/rest/version');
    expect(version.tlsVersion).toBe('TLSv1.2');
    expect(version.body.currentVersion).toBeGreaterThanOrEqual(300);

    const login = await request(server.url, 'POST', '/rest/login-sessions', { body: { userName: 'Administrator', password, loginMsgAck: true } });
    expect(login.status).toBe(200);
    const auth: string = login.body.sessionID;

    const ps = await request(server.url, 'POST', '/rest/plan-scripts', { auth, body: { name: 'Proc PS', planType: 'deploy', content: 'echo @Host:web@' } });
    expect(ps.status).toBe(202);
    const psTask = await follow(server.url, auth, ps.headers['location'] as string);
    expect(psTask.taskState).toBe('Completed');
    const bp = await request(server.url, 'POST', '/rest/build-plans', { auth, body: { name: 'Proc BP', oeBuildPlanType: 'deploy', buildStep: [{ serialNumber: '1', planScriptUri: psTask.associatedResource.resourceUri }] } });
    const bpTask = await follow(server.url, auth, bp.headers['location'] as string);
    expect(bpTask.taskState).toBe('Completed');
    const dp = await request(server.url, 'POST', '/rest/deployment-plans', { auth, body: { name: 'Proc DP', oeBuildPlanURI: bpTask.associatedResource.resourceUri } });
    const dpTask = await follow(server.url, auth, dp.headers['location'] as string);
    expect(dpTask.taskState).toBe('Completed');

    // Malformed input does not take the server down.
    const bad = await request(server.url, 'POST', '/rest/build-plans', { auth, body: 'not an object' });
    expect(bad.status).toBe(400);

    expect(await server.stop('SIGTERM')).toBe(0);
    server = await startServer(dataDir);
    expect(server.output()).not.toMatch(/password "/);
    const again = await request(server.url, 'POST', '/rest/login-sessions', { body: { userName: 'Administrator', password } });
    const auth2: string = again.body.sessionID;
    // The first session survives the restart too (sessions are stored).
    expect((await request(server.url, 'GET', '/rest/deployment-plans', { auth })).status).toBe(200);
    const plans = await request(server.url, 'GET', `/rest/deployment-plans?filter=${encodeURIComponent(`"name='Proc DP'"`)}`, { auth: auth2 });
    expect(plans.body.total).toBe(1);
    expect(plans.body.members[0].oeBuildPlanURI).toBe(bpTask.associatedResource.resourceUri);
    expect(plans.body.members[0].customAttributes.map((a: { name: string }) => a.name)).toEqual(['Host']);
  });
});
