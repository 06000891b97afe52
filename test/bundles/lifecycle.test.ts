// The bundle lifecycle of reference §5.6 through the REST API: create from chosen artifacts (dependencies
// pulled in, golden images only when asked), rename, download, delete, stopArtifactCreate, and backups.
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBundle } from '../../src/bundles/index.js';
import { startBundleHarness, type BundleHarness } from './harness.js';

let h: BundleHarness;
const ids: Record<string, any> = {};

async function created(path: string, body: unknown) {
  const r = await h.call('POST', path, { body });
  expect(r.status, r.text).toBe(202);
  const task = await h.waitTask(r.body.uri);
  expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
  return (await h.call('GET', task.associatedResource.resourceUri)).body;
}

beforeAll(async () => {
  h = await startBundleHarness();
  ids['mount'] = await created('/rest/plan-scripts', { name: 'mount', planType: 'general', content: 'mount /dev/sda1 /' });
  ids['host'] = await created('/rest/plan-scripts', { name: 'hostname', planType: 'deploy', content: 'echo @HostName:server1@' });
  ids['unused'] = await created('/rest/plan-scripts', { name: 'unused', planType: 'deploy', content: 'echo unused' });
  ids['bp'] = await created('/rest/build-plans', { name: 'Deploy BP', oeBuildPlanType: 'deploy', buildStep: [{ planScriptUri: ids['mount'].uri }, { planScriptUri: ids['host'].uri }] });
  const gi = await h.upload('/rest/golden-images?name=GI%20one&description=d', 'gi.zip', Buffer.from('not really a disk'));
  expect(gi.status, gi.text).toBe(202);
  ids['gi'] = (await h.call('GET', gi.body.associatedResource.resourceUri)).body;
  ids['dp'] = await created('/rest/deployment-plans', { name: 'Deploy DP', oeBuildPlanURI: ids['bp'].uri, goldenImageURI: ids['gi'].uri });
});
afterAll(async () => h.close());

describe('artifact bundles', () => {
  it('pulls in the build plan and plan scripts of a deployment plan, but not its golden image', async () => {
    const bundle = await created('/rest/artifact-bundles', { name: 'AB', description: 'mine', deploymentPlans: [{ resourceUri: ids['dp'].uri, readOnly: 'false' }] });
    expect(bundle.planScripts.map((p: any) => p.planScriptName)).toEqual(['mount', 'hostname']);
    expect(bundle.buildPlans.map((p: any) => p.buildPlanName)).toEqual(['Deploy BP']);
    expect(bundle.deploymentPlans).toEqual([{ dpId: ids['dp'].id, deploymentplanName: 'Deploy DP', oebpName: 'Deploy BP', goldenImageName: 'GI one', description: '', readOnly: false }]);
    expect(bundle.goldenimage).toEqual([]);
    expect(bundle.description).toBe('mine');
    ids['ab'] = bundle;
  });

  it('includes a golden image when asked, payload right after its json', async () => {
    const bundle = await created('/rest/artifact-bundles', { name: 'AB with image', deploymentPlans: [{ resourceUri: ids['dp'].uri }], goldenImages: [{ resourceUri: ids['gi'].uri, readOnly: true }] });
    expect(bundle.goldenimage).toEqual([{ giId: ids['gi'].id, goldenimageName: 'GI one', description: 'd', readOnly: true }]);
    const zip = await h.call('GET', bundle.downloadURI);
    expect(zip.headers.get('content-type')).toBe('application/octet-stream');
    writeFileSync(join(h.dataDir, 'with-image.zip'), zip.bytes);
    const content = await readBundle(join(h.dataDir, 'with-image.zip'), { label: 'x' });
    const names = content.entries.map((e) => e.name);
    expect(names.indexOf('GI one')).toBe(names.indexOf(`${ids['gi'].id}_goldenimage.json`) + 1);
  });

  it('refuses a taken name at once, accepts a name alone, and reports unknown artifacts', async () => {
    const dup = await h.call('POST', '/rest/artifact-bundles', { body: { name: 'AB' } });
    expect(dup.status).toBe(409);
    expect(dup.body.message).toBe('Cannot save artifact bundle "AB": a bundle with this name already exists');
    expect((await created('/rest/artifact-bundles', { name: 'Empty' })).artifactsCount).toBe(0);
    const unknown = await h.call('POST', '/rest/artifact-bundles', { body: { name: 'X', buildPlans: [{ resourceUri: '/rest/build-plans/nope' }] } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe('Cannot create bundle "X": build plan "/rest/build-plans/nope" does not exist');
  });

  it('renames (Ruby sends only name and type), refusing a taken name', async () => {
    const r = await h.call('PUT', ids['ab'].uri, { body: { name: 'AB renamed', type: 'ArtifactsBundle' } });
    expect(r.status).toBe(202);
    expect((await h.call('GET', ids['ab'].uri)).body.name).toBe('AB renamed');
    expect((await h.call('PUT', ids['ab'].uri, { body: { ...ids['ab'], name: 'Empty' } })).status).toBe(409);
  });

  it('deletes with a task named Delete, and the zip goes too', async () => {
    const file = join(h.dataDir, 'bundles', `${ids['ab'].id}.zip`);
    expect(existsSync(file)).toBe(true);
    const r = await h.call('DELETE', ids['ab'].uri, { body: {} });
    expect([r.status, r.body.name, r.body.associatedResource.resourceUri]).toEqual([202, 'Delete', null]);
    expect((await h.call('GET', ids['ab'].uri)).status).toBe(404);
    expect(existsSync(file)).toBe(false);
  });

  it('stopArtifactCreate stops a create that waits on a golden image payload', async () => {
    const stored = await h.goldenImages.stored(ids['gi'].id);
    const payload = join(h.dataDir, 'test-images', stored.doc.storageId);
    const saved = join(h.dataDir, 'saved-payload');
    execFileSync('mv', [payload, saved]);
    execFileSync('mkfifo', [payload]);
    const writer = openSync(payload, 'r+'); // keeps the FIFO open so the reader blocks on data, not on open
    try {
      const r = await h.call('POST', '/rest/artifact-bundles', { body: { name: 'Stopped', goldenImages: [{ resourceUri: ids['gi'].uri }] } });
      expect(r.status).toBe(202);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const stop = await h.call('PUT', '/rest/artifact-bundles/any/stopArtifactCreate', { body: { taskUri: r.body.uri } });
      expect(stop.status, stop.text).toBe(200);
      expect(stop.body.stopped).toBe(true);
      closeSync(writer);
      const task = await h.waitTask(r.body.uri);
      expect(task.taskState).toBe('Error');
      expect(task.taskErrors[0].errorCode).toBe('ARTIFACT_CREATE_STOPPED');
      const list = (await h.call('GET', "/rest/artifact-bundles?filter=\"name='Stopped'\"")).body;
      expect(list.total).toBe(0);
    } finally {
      rmSync(payload, { force: true });
      execFileSync('mv', [saved, payload]);
    }
    expect((await h.call('PUT', '/rest/artifact-bundles/any/stopArtifactCreate', { body: { taskUri: '/rest/tasks/NOPE' } })).status).toBe(404);
  });
});

describe('backups', () => {
  let group: string;
  let backup: any;
  beforeAll(async () => {
    group = (await h.appliance.deploymentGroups.list())[0]!.uri;
  });

  it('backs up every artifact, one backup at a time', async () => {
    const first = await created('/rest/artifact-bundles/backups', { deploymentGroupURI: group });
    backup = await created('/rest/artifact-bundles/backups', { deploymentGroupURI: group });
    expect(backup.id).not.toBe(first.id);
    const list = (await h.call('GET', '/rest/artifact-bundles/backups')).body;
    expect(list.members.map((m: any) => [m.name, m.uri, m.downloadURI])).toEqual([[backup.name, `/rest/artifact-bundles/backups/${backup.id}`, `/rest/artifact-bundles/backups/archive/${backup.id}`]]);
    expect(backup.deploymentGroupURI).toBe(group);
    expect(backup.planScripts.map((p: any) => p.planScriptName).sort()).toEqual(['hostname', 'mount', 'unused']);
    expect(backup.goldenimage.map((g: any) => g.goldenimageName)).toEqual(['GI one']);
    expect((await h.call('GET', `/rest/artifact-bundles/backups/${first.id}`)).status).toBe(404);
  });

  it('restores a backup (both PUT forms), overwriting changed artifacts', async () => {
    for (const [path, body] of [[`/rest/artifact-bundles/backups/${backup.id}`, { deploymentGroupURI: group }], ['/rest/artifact-bundles/backups/archive', { deploymentGroupURI: group }]] as const) {
      await h.call('PUT', ids['unused'].uri, { body: { content: 'echo changed' } });
      const r = await h.call('PUT', path, { body });
      expect(r.status, r.text).toBe(202);
      expect((await h.waitTask(r.body.uri)).taskState).toBe('Completed');
      expect((await h.call('GET', ids['unused'].uri)).body.content).toBe('echo unused');
    }
    const bad = await h.call('PUT', `/rest/artifact-bundles/backups/${backup.id}`, { body: { deploymentGroupURI: '/rest/deployment-groups/nope' } });
    expect(bad.status).toBe(404);
  });

  it('uploads a backup to a fresh appliance and restores it (query or form field)', async () => {
    const zip = await h.call('GET', `/rest/artifact-bundles/backups/archive/${backup.id}`);
    expect(zip.status).toBe(200);
    expect((await h.call('GET', `/rest/artifact-bundles/backups/${backup.id}`)).body.lastBackUpDownload).not.toBe('');
    const fresh = await startBundleHarness();
    try {
      const freshGroup = (await fresh.appliance.deploymentGroups.list())[0]!.uri;
      const refused = await fresh.upload('/rest/artifact-bundles/backups/archive?deploymentGrpUri=/rest/deployment-groups/nope', 'backup.zip', zip.bytes);
      expect(refused.status).toBe(404);
      expect((await fresh.call('GET', '/rest/artifact-bundles/backups')).body.total).toBe(0);
      for (const upload of [() => fresh.upload(`/rest/artifact-bundles/backups/archive?deploymentGrpUri=${freshGroup}`, 'backup.zip', zip.bytes), () => fresh.upload('/rest/artifact-bundles/backups/archive', 'backup.zip', zip.bytes, { deploymentGrpUri: freshGroup })]) {
        const r = await upload();
        expect(r.status, r.text).toBe(202);
        const task = await fresh.waitTask(r.body.uri);
        expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
      }
      expect((await fresh.call('GET', '/rest/artifact-bundles/backups')).body.total).toBe(1);
      const dp = (await fresh.call('GET', `/rest/deployment-plans/${ids['dp'].id}`)).body;
      expect([dp.name, dp.oeBuildPlanURI, dp.goldenImageURI]).toEqual(['Deploy DP', ids['bp'].uri, ids['gi'].uri]);
      expect((await fresh.call('GET', `/rest/golden-images/download/${ids['gi'].id}`)).text).toBe('not really a disk');
    } finally {
      await fresh.close();
    }
  });
});
