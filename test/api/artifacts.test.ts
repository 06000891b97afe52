// Plan scripts → build plans → deployment plans, and the OneView views over them (reference §4, §6).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppliance } from '../../src/appliance.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

async function created(path: string, body: unknown) {
  const r = await h.call('POST', path, { body });
  expect(r.status, r.text).toBe(202);
  expect(r.body.taskState).toBe('Completed');
  return (await h.call('GET', r.body.associatedResource.resourceUri)).body;
}

const mountScript = 'mount /dev/sda1 /\necho "ImageStreamerLog: mounted"';
const hostScript = 'upload -<<END /etc/hostname\n@HostName:server1@\nEND\nupload -<<END /etc/net\nIP=@Nic1.ipaddress@ MASK=@Nic1.netmask@ DNS=@DnsServer:10.0.0.1@\nEND\necho "root@@localhost $@"';

describe('build plans', () => {
  it('unites the attributes of its step scripts, with script defaults, and plan overrides win', async () => {
    const a = await created('/rest/plan-scripts', { name: 'mount', planType: 'general', content: mountScript });
    const b = await created('/rest/plan-scripts', { name: 'hostname', planType: 'deploy', content: hostScript });
    const bp = await created('/rest/build-plans', {
      name: 'Deploy BP',
      oeBuildPlanType: 'Deploy',
      buildStep: [
        { serialNumber: '2', planScriptUri: b.uri, parameters: null },
        { serialNumber: '1', planScriptUri: a.uri },
      ],
      customAttributes: [{ name: 'DnsServer', value: '192.168.0.53', type: 'ipv4', constraints: '{"helpText":""}' }],
    });
    expect(bp.type).toBe('OeBuildPlanV5');
    expect(bp.oeBuildPlanType).toBe('deploy');
    expect(bp.buildPlanid).toBe(bp.id);
    expect(bp.buildStep.map((s: { planScriptName: string; serialNumber: string }) => [s.serialNumber, s.planScriptName])).toEqual([['1', 'mount'], ['2', 'hostname']]);
    const byName = Object.fromEntries(bp.customAttributes.map((x: { name: string }) => [x.name, x]));
    expect(Object.keys(byName).sort()).toEqual(['DnsServer', 'HostName', 'Nic1']);
    expect(byName['HostName'].value).toBe('server1');
    expect(byName['Nic1'].type).toBe('nic');
    expect(byName['DnsServer']).toMatchObject({ value: '192.168.0.53', type: 'ipv4' });
    expect(typeof byName['Nic1'].constraints).toBe('string');
  });

  it('refuses steps that name missing scripts or scripts of the other plan type, listing each', async () => {
    const cap = await created('/rest/plan-scripts', { name: 'capture-only', planType: 'capture', content: 'rm-rf /etc/ssh' });
    const r = await h.call('POST', '/rest/build-plans', { body: { name: 'bad steps', oeBuildPlanType: 'deploy', buildStep: [{ planScriptUri: '/rest/plan-scripts/0000' }, { planScriptUri: cap.uri }] } });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/step 1: plan script "\/rest\/plan-scripts\/0000" does not exist/);
    expect(r.body.message).toMatch(/step 2: plan script "capture-only" is of type capture/);
  });

  it('accepts an empty step list (deploy golden image as is) and a missing type (Python ≥800)', async () => {
    const bp = await created('/rest/build-plans', { name: 'as is', oeBuildPlanType: 'deploy', buildStep: [] });
    expect(bp.buildStep).toEqual([]);
    expect(bp.customAttributes).toEqual([]);
  });

  it('filters build plans with oeBuildPlanType=capture', async () => {
    await created('/rest/build-plans', { name: 'cap plan', oeBuildPlanType: 'capture' });
    const r = await h.call('GET', '/rest/build-plans?filter=oeBuildPlanType=capture');
    expect(r.body.members.map((m: { name: string }) => m.name)).toEqual(['cap plan']);
  });

  it('does not let the plan type change', async () => {
    const bp = await created('/rest/build-plans', { name: 'fixed type', oeBuildPlanType: 'deploy' });
    const r = await h.call('PUT', bp.uri, { body: { ...bp, oeBuildPlanType: 'capture' } });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/cannot change/);
  });

  it('reports the build plans using a plan script through usedby/readonly', async () => {
    const ps = await created('/rest/plan-scripts', { name: 'shared', planType: 'general', content: '' });
    await created('/rest/build-plans', { name: 'user-1', oeBuildPlanType: 'deploy', buildStep: [{ planScriptUri: ps.uri }] });
    const r = await h.call('GET', `${ps.uri}/usedby/readonly`);
    expect(Array.isArray(r.body)).toBe(true);
    expect(r.body.map((x: { name: string }) => x.name)).toEqual(['user-1']);
  });
});

describe('plan script syntax', () => {
  it('refuses a script that cannot parse with 400 naming line and column, and keeps nothing', async () => {
    const r = await h.call('POST', '/rest/plan-scripts', { body: { name: 'broken-quote', planType: 'deploy', content: 'echo ok\nwrite /etc/x "unclosed\n' } });
    expect(r.status).toBe(400);
    expect(r.body.errorCode).toBe('PLANSCRIPT_SYNTAX');
    expect(r.body.data.line).toBe(2);
    expect(r.body.message).toMatch(/line 2, column \d+/);
    expect((await h.call('GET', "/rest/plan-scripts?filter=\"name='broken-quote'\"")).body.total).toBe(0);
  });

  it('refuses a here-document that is never closed', async () => {
    const r = await h.call('POST', '/rest/plan-scripts', { body: { name: 'broken-heredoc', planType: 'deploy', content: 'upload -<<END /etc/motd\nhello\n' } });
    expect(r.status).toBe(400);
    expect(r.body.data.line).toBe(1);
    expect(r.body.message).not.toMatch(/Cannot parse/);
  });
});

describe('deployment plans', () => {
  it('copies the build plan attributes with ids, editable and visible, and keeps given values', async () => {
    const ps = await created('/rest/plan-scripts', { name: 'dp-script', planType: 'deploy', content: 'echo @Role:web@ @RootPassword@' });
    const bp = await created('/rest/build-plans', { name: 'dp-bp', oeBuildPlanType: 'deploy', buildStep: [{ planScriptUri: ps.uri }] });
    const dp = await created('/rest/deployment-plans', {
      type: 'OEDeploymentPlanV5', name: 'Demo DP', description: '', hpProvided: 'false', oeBuildPlanURI: bp.uri,
      customAttributes: [{ name: 'Role', value: 'db', editable: 'false', visible: true }],
    });
    expect(dp).toMatchObject({ type: 'OEDeploymentPlanV5', oeBuildPlanURI: bp.uri, goldenImageURI: null, hpProvided: false });
    const role = dp.customAttributes.find((a: { name: string }) => a.name === 'Role');
    expect(role).toMatchObject({ value: 'db', editable: false, visible: true });
    expect(typeof role.id).toBe('string');
    expect(dp.customAttributes.find((a: { name: string }) => a.name === 'RootPassword')).toMatchObject({ editable: true, visible: true, type: 'password' });
  });

  it('shows password values masked and keeps them when a client sends the mask back', async () => {
    const ps = await created('/rest/plan-scripts', { name: 'pw-script', planType: 'deploy', content: 'echo @AdminPassword@ @Site@' });
    const bp = await created('/rest/build-plans', { name: 'pw-bp', oeBuildPlanType: 'deploy', buildStep: [{ planScriptUri: ps.uri }] });
    const dp = await created('/rest/deployment-plans', {
      name: 'pw-dp', oeBuildPlanURI: bp.uri, customAttributes: [{ name: 'AdminPassword', value: 's3cret-Value', type: 'password' }],
    });
    const pw = (plan: any) => plan.customAttributes.find((a: { name: string }) => a.name === 'AdminPassword');
    expect(pw(dp).value).toBe('********');
    expect(JSON.stringify((await h.call('GET', '/rest/deployment-plans')).body)).not.toContain('s3cret-Value');
    const put = await h.call('PUT', dp.uri, { body: { ...dp, description: 'edited' } });
    expect(put.body.taskState).toBe('Completed');
    expect((await h.appliance.deploymentPlans.get(dp.id)).customAttributes.find((a) => a.name === 'AdminPassword')!.value).toBe('s3cret-Value');
  });

  it('refuses an unknown build plan or golden image with 400 naming both', async () => {
    const r = await h.call('POST', '/rest/deployment-plans', { body: { name: 'broken', oeBuildPlanURI: '/rest/build-plans/missing', goldenImageURI: '/rest/golden-images/missing' } });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/build plan "\/rest\/build-plans\/missing" does not exist/);
    expect(r.body.message).toMatch(/golden image "\/rest\/golden-images\/missing" does not exist/);
  });

  it('keeps a build plan from being deleted while a deployment plan uses it (409), unless forced', async () => {
    const bp = await created('/rest/build-plans', { name: 'in-use-bp', oeBuildPlanType: 'deploy' });
    const dp = await created('/rest/deployment-plans', { name: 'user-dp', oeBuildPlanURI: bp.uri });
    const r = await h.call('DELETE', bp.uri);
    expect(r.status).toBe(409);
    expect(r.body.message).toMatch(/"user-dp"/);
    expect((await h.call('DELETE', `${bp.uri}?force=true`)).status).toBe(202);
    expect((await h.call('GET', dp.uri)).status).toBe(404);
  });

  it('serves usedby and the OneView view of the plan', async () => {
    const bp = await created('/rest/build-plans', { name: 'osdp-bp', oeBuildPlanType: 'deploy' });
    const dp = await created('/rest/deployment-plans', { name: 'osdp-dp', oeBuildPlanURI: bp.uri });
    expect((await h.call('GET', `${dp.uri}/usedby`)).body).toEqual({ serverProfiles: [], serverProfileTemplates: [] });
    const osdp = (await h.call('GET', `${dp.uri}/osdp`)).body;
    expect(osdp).toMatchObject({ category: 'os-deployment-plans', deploymentType: 'I3S', nativePlanUri: dp.uri });
    const list = await h.call('GET', `/rest/os-deployment-plans/?filter=${encodeURIComponent(`"deploymentType='I3S'"`)}`);
    expect(list.body.members.some((m: { name: string }) => m.name === 'osdp-dp')).toBe(true);
  });

  it('updates a deployment plan through a full-object PUT', async () => {
    const bp = await created('/rest/build-plans', { name: 'upd-bp', oeBuildPlanType: 'deploy' });
    const dp = await created('/rest/deployment-plans', { name: 'upd-dp', oeBuildPlanURI: bp.uri });
    expect((await h.call('PUT', dp.uri, { body: { ...dp, name: 'upd-dp-2', description: 'new' } })).status).toBe(202);
    expect((await h.call('GET', dp.uri)).body).toMatchObject({ name: 'upd-dp-2', description: 'new' });
  });
});

describe('appliance views', () => {
  it('has one default deployment group', async () => {
    const r = await h.call('GET', '/rest/deployment-groups');
    expect(r.body.members).toHaveLength(1);
    expect(r.body.members[0]).toMatchObject({ name: 'OSS', category: 'deployment-groups' });
    expect((await h.call('GET', r.body.members[0].uri)).status).toBe(200);
  });

  it('shows this appliance as the one connected deployment server', async () => {
    const r = await h.call('GET', '/rest/deployment-servers?filter=state=Connected');
    expect(r.body.total).toBe(1);
    const appliances = await h.call('GET', '/rest/deployment-servers/image-streamer-appliances');
    expect(appliances.body.members[0].uri).toMatch(/^\/rest\/deployment-servers\/image-streamer-appliances\//);
    expect((await h.call('GET', `${appliances.body.members[0].uri}?fields=name`)).body.name).toBeTruthy();
  });

  it('answers golden images and OS volumes as empty collections', async () => {
    for (const c of ['golden-images', 'os-volumes']) {
      const r = await h.call('GET', `/rest/${c}`);
      expect(r.body).toMatchObject({ category: c, total: 0, members: [] });
    }
  });
});

describe('users', () => {
  it('creates, updates and deletes a user; a user cannot delete itself', async () => {
    const r = await h.call('POST', '/rest/users', { body: { userName: 'operator', password: 'password-123', role: 'Server administrator', fullName: 'Op' } });
    expect(r.status).toBe(202);
    const user = (await h.call('GET', r.body.associatedResource.resourceUri)).body;
    expect(user).toMatchObject({ userName: 'operator', role: 'Server administrator', enabled: true });
    expect(user).not.toHaveProperty('password');
    expect((await h.call('PUT', user.uri, { body: { enabled: 'false' } })).status).toBe(202);
    expect((await h.call('POST', '/rest/login-sessions', { body: { userName: 'operator', password: 'password-123' }, session: null })).status).toBe(401);
    expect((await h.call('DELETE', user.uri)).status).toBe(202);
    const me = (await h.call('GET', '/rest/users/Administrator')).body;
    expect((await h.call('DELETE', me.uri)).status).toBe(409);
  });

  it('refuses short passwords', async () => {
    const r = await h.call('POST', '/rest/users', { body: { userName: 'shorty', password: 'x' } });
    expect(r.status).toBe(400);
  });
});

describe('demo data', () => {
  it('loads a consistent deploy and capture set into an empty appliance, once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'demo-'));
    const first = await createAppliance({ dataDir: dir, logger: pino({ level: 'silent' }), adminPassword: 'password-123', demo: true });
    const plans = await first.deploymentPlans.list();
    expect(plans.map((p) => p.name)).toEqual(['Demo - Linux server']);
    expect(plans[0]!.customAttributes.map((a) => a.name)).toEqual(['HostName', 'DomainName', 'Nic1']);
    expect((await first.buildPlans.list()).map((p) => p.oeBuildPlanType).sort()).toEqual(['capture', 'deploy']);
    await first.close();
    const second = await createAppliance({ dataDir: dir, logger: pino({ level: 'silent' }), demo: true });
    expect(await second.planScripts.list()).toHaveLength(5);
    await second.close();
    await rm(dir, { recursive: true, force: true });
  });
});
