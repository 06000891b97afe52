// Deploy, redeploy, capture and delete through the REST API on a served appliance, checked from outside:
// the OS volume is read back over NBD with nbdcopy and inspected with e2fsck and debugfs.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeExtImage, requireTool, startServedAppliance, type ServedAppliance } from '../support/served-appliance.js';

let work: string;
let a: ServedAppliance;
const call = (method: string, path: string, body?: unknown) => a.call(method, path, body);
const finished = (reply: { status: number; body: any }) => a.finished(reply);
const created = (path: string, body: unknown) => a.created(path, body);

/** Reads the whole OS volume over NBD into a file and returns the file's path. */
async function readOverNbd(osVolumeUri: string, name: string): Promise<string> {
  const storage = (await call('GET', `${osVolumeUri}/storage`)).body;
  expect(storage.exportUri).toMatch(/^nbd:\/\/127\.0\.0\.1:\d+\/osvol-[0-9a-f]{32}$/);
  const out = join(work, `${name}.img`);
  await a.readVolume(osVolumeUri, out);
  return out;
}

function guestFile(image: string, path: string): string {
  return execFileSync('debugfs', ['-R', `cat ${path}`, image], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
}

function fsckClean(image: string): void {
  execFileSync('e2fsck', ['-fn', image], { stdio: 'pipe' });
}

beforeAll(async () => {
  for (const [tool, pkg] of [['mkfs.ext4', 'e2fsprogs'], ['debugfs', 'e2fsprogs'], ['nbdcopy', 'libnbd-bin'], ['unzip', 'unzip'], ['qemu-img', 'qemu-utils']] as const) requireTool(tool, pkg);
  work = await mkdtemp(join(tmpdir(), 'streamer-deploy-'));
  a = await startServedAppliance(join(work, 'data'));

  // A golden image: ext4 on the whole disk with a hostname and a file the capture plan removes.
  const image = join(work, 'golden.img');
  await makeExtImage(image, { 'etc/hostname': 'golden\n', 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n' }, 64);
  await a.uploadGoldenImage('golden', image);
}, 120_000);

afterAll(async () => {
  await a?.stop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('deploy', () => {
  let plan: any;
  let hardware: any;
  let profile: any;
  let firstVolume: string;

  it('deploys a personalized OS volume to a virtual compute module and exports it over NBD', async () => {
    const golden = (await call('GET', "/rest/golden-images?filter=\"name='golden'\"")).body.members[0];
    const script = await created('/rest/plan-scripts', {
      name: 'set hostname', planType: 'deploy',
      content: 'mount /dev/sda /\nupload -<<END /etc/hostname\n@HostName@\nEND\nmkdir-p /etc/streamer\nwrite /etc/streamer/marker "deployed by @Owner:streamer@"\necho "ImageStreamerLog: hostname is @HostName@"\n',
    });
    const buildPlan = await created('/rest/build-plans', { name: 'deploy bp', oeBuildPlanType: 'deploy', buildStep: [{ serialNumber: '1', planScriptUri: script.uri }] });
    plan = await created('/rest/deployment-plans', { name: 'golden dp', oeBuildPlanURI: buildPlan.uri, goldenImageURI: golden.uri });
    hardware = await created('/rest/server-hardware', { name: 'bay-1', driver: 'virtual' });
    const task = await finished(await call('POST', '/rest/server-profiles', {
      name: 'web', serverHardwareUri: hardware.uri,
      osDeploymentSettings: { osDeploymentPlanUri: plan.uri, osCustomAttributes: [{ name: 'HostName', value: 'web-01' }] },
    }));
    expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
    profile = (await call('GET', task.associatedResource.resourceUri)).body;
    firstVolume = profile.osDeploymentSettings.osVolumeUri;
    expect(firstVolume).toMatch(/^\/rest\/os-volumes\//);

    const volume = (await call('GET', firstVolume)).body;
    expect(volume.statelessServerUri).toBe(profile.uri);
    const log = await a.text(`/rest/os-volumes/archive/${volume.id}`);
    expect(log).toContain('hostname is web-01');

    // The export is reachable by its name only: an NBD client listing exports does not learn it.
    const storage = (await call('GET', `${firstVolume}/storage`)).body;
    const listing = await promisify(execFile)('nbdinfo', ['--list', `nbd://127.0.0.1:${storage.exportPort}`]);
    expect(listing.stdout).not.toContain(storage.exportName);
    const copy = await readOverNbd(firstVolume, 'first');
    fsckClean(copy);
    expect(guestFile(copy, '/etc/hostname')).toBe('web-01\n');
    expect(guestFile(copy, '/etc/streamer/marker')).toBe('deployed by streamer');
    expect((await call('GET', hardware.uri)).body.powerState).toBe('On');
  });

  it('previews what a server would get (log and file diffs) without keeping anything', async () => {
    const volumesBefore = (await call('GET', '/rest/os-volumes')).body.total;
    const reply = await call('POST', `${plan.uri}/preview`, { osCustomAttributes: [{ name: 'HostName', value: 'preview-01' }] });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body.ok).toBe(true);
    expect(reply.body.log.join('\n')).toContain('hostname is preview-01');
    const byPath = Object.fromEntries(reply.body.changes.map((c: { path: string }) => [c.path, c]));
    expect(byPath['/dev/sda:/etc/hostname']).toMatchObject({ change: 'modified', diff: [{ kind: 'removed', line: 1, text: 'golden' }, { kind: 'added', line: 1, text: 'preview-01' }] });
    expect(byPath['/dev/sda:/etc/streamer']).toMatchObject({ change: 'added' });
    expect(byPath['/dev/sda:/etc/streamer/marker']).toMatchObject({ change: 'added', diff: [{ kind: 'added', line: 1, text: 'deployed by streamer' }] });
    expect(Object.keys(byPath)).not.toContain('/dev/sda:/etc/os-release');
    expect((await call('GET', '/rest/os-volumes')).body.total).toBe(volumesBefore);
    const bad = await call('POST', `${plan.uri}/preview`, { osCustomAttributes: [{ name: 'Nope', value: '1' }] });
    expect(bad.status).toBe(400);
  });

  it('leaves the golden image untouched', async () => {
    const golden = (await call('GET', "/rest/golden-images?filter=\"name='golden'\"")).body.members[0];
    await writeFile(join(work, 'golden-back.zip'), await a.bytes(`/rest/golden-images/download/${golden.id}`));
    execFileSync('unzip', ['-o', '-q', join(work, 'golden-back.zip'), '-d', join(work, 'golden-back')]);
    const files = execFileSync('ls', [join(work, 'golden-back')]).toString().trim().split('\n');
    expect(files).toHaveLength(1);
    expect(guestFile(join(work, 'golden-back', files[0]!), '/etc/hostname')).toBe('golden\n');
  });

  it('refuses a bad attribute value before anything is made, naming it', async () => {
    const before = (await call('GET', '/rest/os-volumes')).body.total;
    const reply = await call('POST', '/rest/server-profiles', {
      name: 'bad', osDeploymentSettings: { osDeploymentPlanUri: plan.uri, osCustomAttributes: [{ name: 'NoSuchAttribute', value: 'x' }] },
    });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toContain('NoSuchAttribute');
    expect((await call('GET', '/rest/os-volumes')).body.total).toBe(before);
  });

  it('redeploys when the attributes change, and removes the old volume once the new one is ready', async () => {
    const current = (await call('GET', profile.uri)).body;
    const task = await finished(await call('PUT', profile.uri, {
      ...current, osDeploymentSettings: { ...current.osDeploymentSettings, osCustomAttributes: [{ name: 'HostName', value: 'web-02' }] },
    }));
    expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
    const updated = (await call('GET', profile.uri)).body;
    expect(updated.osDeploymentSettings.osVolumeUri).not.toBe(firstVolume);
    expect((await call('GET', firstVolume)).status).toBe(404);
    const copy = await readOverNbd(updated.osDeploymentSettings.osVolumeUri, 'second');
    fsckClean(copy);
    expect(guestFile(copy, '/etc/hostname')).toBe('web-02\n');

    const again = await call('PUT', profile.uri, (await call('GET', profile.uri)).body);
    const idle = await finished(again);
    expect(idle.taskState).toBe('Completed');
    expect((await call('GET', profile.uri)).body.osDeploymentSettings.osVolumeUri).toBe(updated.osDeploymentSettings.osVolumeUri);
  });

  it('captures the volume into a golden image through a capture plan that removes the hostname', async () => {
    const volumeUri = (await call('GET', profile.uri)).body.osDeploymentSettings.osVolumeUri;
    const script = await created('/rest/plan-scripts', { name: 'generalize', planType: 'capture', content: 'mount /dev/sda /\nrm-f /etc/hostname\n' });
    const capturePlan = await created('/rest/build-plans', { name: 'capture bp', oeBuildPlanType: 'capture', buildStep: [{ serialNumber: '1', planScriptUri: script.uri }] });
    const captured = await created('/rest/golden-images', { type: 'GoldenImage', name: 'captured', imageCapture: 'true', osVolumeURI: volumeUri, buildPlanUri: capturePlan.uri });
    expect(captured).toMatchObject({ imageCapture: true, osVolumeURI: volumeUri, buildPlanUri: capturePlan.uri });

    // The server's own volume keeps its hostname; the captured image has none but keeps the marker.
    const live = await readOverNbd(volumeUri, 'live');
    expect(guestFile(live, '/etc/hostname')).toBe('web-02\n');
    await writeFile(join(work, 'captured.zip'), await a.bytes(`/rest/golden-images/download/${captured.id}`));
    execFileSync('unzip', ['-o', '-q', join(work, 'captured.zip'), '-d', join(work, 'captured')]);
    const file = join(work, 'captured', execFileSync('ls', [join(work, 'captured')]).toString().trim().split('\n')[0]!);
    fsckClean(file);
    expect(guestFile(file, '/etc/streamer/marker')).toBe('deployed by streamer');
    expect(execFileSync('debugfs', ['-R', 'ls /etc', file], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()).not.toContain('hostname');
    // the captured image is offered read-only over NBD like an uploaded one, with the same bytes
    const storage = (await call('GET', `${captured.uri}/storage`)).body;
    expect(storage.exportUri).toMatch(/^nbd:\/\/127\.0\.0\.1:\d+\/golden-[0-9a-f]{32}$/);
    await promisify(execFile)('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', file, storage.exportUri]);
  });

  it('never shows the password values of a profile, and a PUT of the masked body keeps them', async () => {
    const golden = (await call('GET', "/rest/golden-images?filter=\"name='golden'\"")).body.members[0];
    const script = await created('/rest/plan-scripts', { name: 'set secret', planType: 'deploy', content: 'mount /dev/sda /\nwrite /etc/secret "@RootPassword@"\n' });
    const buildPlan = await created('/rest/build-plans', { name: 'secret bp', oeBuildPlanType: 'deploy', buildStep: [{ serialNumber: '1', planScriptUri: script.uri }] });
    const secretPlan = await created('/rest/deployment-plans', { name: 'secret dp', oeBuildPlanURI: buildPlan.uri, goldenImageURI: golden.uri });
    const bay = await created('/rest/server-hardware', { name: 'bay-secret', driver: 'virtual' });
    const task = await finished(await call('POST', '/rest/server-profiles', {
      name: 'secret', serverHardwareUri: bay.uri,
      osDeploymentSettings: { osDeploymentPlanUri: secretPlan.uri, osCustomAttributes: [{ name: 'RootPassword', value: 'Sup3r-secret' }] },
    }));
    expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
    const shown = (await call('GET', task.associatedResource.resourceUri)).body;
    expect(shown.osDeploymentSettings.osCustomAttributes).toEqual([{ name: 'RootPassword', value: '********' }]);
    expect(JSON.stringify((await call('GET', '/rest/server-profiles')).body)).not.toContain('Sup3r-secret');
    const volume = shown.osDeploymentSettings.osVolumeUri;
    expect(guestFile(await readOverNbd(volume, 'secret-1'), '/etc/secret')).toBe('Sup3r-secret');

    // the body as GET shows it goes back unchanged: nothing to redeploy, the stored password stays
    expect((await finished(await call('PUT', shown.uri, shown))).taskState).toBe('Completed');
    expect((await call('GET', shown.uri)).body.osDeploymentSettings.osVolumeUri).toBe(volume);
    const changed = await finished(await call('PUT', shown.uri, { ...shown, osDeploymentSettings: { ...shown.osDeploymentSettings, osCustomAttributes: [{ name: 'RootPassword', value: 'An0ther-secret' }] } }));
    expect(changed.taskState, JSON.stringify(changed.taskErrors)).toBe('Completed');
    const redeployed = (await call('GET', shown.uri)).body.osDeploymentSettings.osVolumeUri;
    expect(redeployed).not.toBe(volume);
    expect(guestFile(await readOverNbd(redeployed, 'secret-2'), '/etc/secret')).toBe('An0ther-secret');
    expect((await finished(await call('DELETE', shown.uri))).taskState).toBe('Completed');
  });

  it('deletes the profile: the module powers off and the volume goes', async () => {
    const volumeUri = (await call('GET', profile.uri)).body.osDeploymentSettings.osVolumeUri;
    const task = await finished(await call('DELETE', profile.uri));
    expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
    expect((await call('GET', profile.uri)).status).toBe(404);
    expect((await call('GET', volumeUri)).status).toBe(404);
    expect((await call('GET', hardware.uri)).body.powerState).toBe('Off');
  });
});
