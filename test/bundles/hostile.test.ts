// Hostile and broken bundles, built here: each is refused with an error naming the entry, nothing is
// imported, no file is left behind, and the server keeps answering. Extract is all or nothing.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { startBundleHarness, type BundleHarness } from './harness.js';

const fixture = readFileSync('/work/shared/fixtures/bundles/HPE_Foundation_Artifacts-5_00.zip');

interface Entry {
  name: string;
  data: Buffer;
  mode?: number;
}

async function zipOf(entries: Entry[]): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(e.data, e.name, { compress: true, ...(e.mode === undefined ? {} : { mode: e.mode }) });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const manifest = Buffer.from('Artifact Name:Hostile\nDescription:test\nRead Only:false\nTime Stamp:2026-01-01T00:00:00.000Z\nArtifact Type:USER');

/** A bundle of `entries` plus MANIFEST.MF and a correct SHA256SUM (unless `sums` replaces it). */
async function bundleOf(entries: Entry[], sums?: string): Promise<Buffer> {
  const all = [...entries, { name: 'MANIFEST.MF', data: manifest }];
  const listed = sums ?? all.map((e) => `${e.name}\t${sha(e.data)}\n`).join('');
  return zipOf([...all, { name: 'SHA256SUM.sha256sum', data: Buffer.from(listed) }]);
}

const script = (id: string, name: string, planType = 'deploy') => ({ name: `${id}_planscript.json`, data: json({ type: 'PlanScript', id, name, planType, content: 'echo hi', description: '', hpProvided: false, customAttributes: null }) });
const buildPlan = (id: string, name: string, scriptIds: string[], type = 'deploy') => ({
  name: `${id}_buildplan.json`,
  data: json({ type: 'OeBuildPlanV5', buildPlanid: id, name, oeBuildPlanType: type, description: '', hpProvided: false, customAttributes: [], buildStep: scriptIds.map((s, i) => ({ serialNumber: String(i + 1), planScriptUri: `/rest/plan-scripts/${s}`, planScriptName: s, parameters: null })) }),
});
const S1 = '11111111-1111-4111-8111-111111111111';
const S2 = '22222222-2222-4222-8222-222222222222';
const B1 = '33333333-3333-4333-8333-333333333333';
const D1 = '44444444-4444-4444-8444-444444444444';
const G1 = '55555555-5555-4555-8555-555555555555';

let h: BundleHarness;
beforeAll(async () => {
  h = await startBundleHarness();
});
afterAll(async () => h.close());

async function expectNothingImported(): Promise<void> {
  for (const path of ['/rest/artifact-bundles', '/rest/plan-scripts', '/rest/build-plans', '/rest/deployment-plans', '/rest/golden-images']) {
    const r = await h.call('GET', path);
    expect(r.status).toBe(200);
    expect([path, r.body.total]).toEqual([path, 0]);
  }
  expect(readdirSync(join(h.dataDir, 'bundles'))).toEqual([]);
  expect((await h.call('GET', '/rest/version')).status).toBe(200);
}

async function expectRefused(zip: Buffer, message: RegExp): Promise<void> {
  const r = await h.upload('/rest/artifact-bundles', 'hostile.zip', zip);
  expect(r.status, r.text).toBe(400);
  expect(r.body.errorCode).toBe('BUNDLE_INVALID');
  expect(r.body.message).toMatch(message);
  await expectNothingImported();
}

describe('hostile bundles are refused before anything is imported', () => {
  it('zip-slip: an entry climbing out with ".."', async () => {
    const placeholder = await bundleOf([script(S1, 'a'), { name: '__/evil_planscript.json', data: json({}) }]);
    const patched = Buffer.from(placeholder.toString('latin1').replaceAll('__/evil', '../evil'), 'latin1');
    await expectRefused(patched, /^Cannot read bundle "hostile" at entry "\.\.\/evil_planscript\.json": the entry name climbs out of the bundle/);
  });

  it('absolute paths and backslashes in entry names', async () => {
    const absolute = Buffer.from((await bundleOf([{ name: 'x/etc/passwd', data: Buffer.from('x') }])).toString('latin1').replaceAll('x/etc/passwd', '/etc/passwdx'), 'latin1');
    await expectRefused(absolute, /at entry "\/etc\/passwdx": the entry name is an absolute path/);
    const backslash = Buffer.from((await bundleOf([{ name: 'a_b_planscript.json', data: json({}) }])).toString('latin1').replaceAll('a_b_planscript', 'a\\b_planscript'), 'latin1');
    await expectRefused(backslash, /at entry "a\\b_planscript\.json": the entry name contains a backslash/);
  });

  it('a symbolic link entry', async () => {
    await expectRefused(await bundleOf([{ name: 'link', data: Buffer.from('/etc/passwd'), mode: 0o120777 }]), /at entry "link": the entry is a symbolic link/);
  });

  it('a zip bomb (measured while inflating)', async () => {
    const image = { name: `${G1}_goldenimage.json`, data: json({ type: 'GoldenImage', id: G1, name: 'bomb', readOnly: false }) };
    await expectRefused(await bundleOf([image, { name: 'bomb', data: Buffer.alloc(64 * 1024 * 1024) }]), /at entry "bomb": it inflates more than 200 times its compressed size/);
  });

  it('a bad checksum', async () => {
    const entries = [script(S1, 'a'), script(S2, 'b')];
    const sums = [...entries, { name: 'MANIFEST.MF', data: manifest }].map((e) => `${e.name}\t${sha(e.name === entries[1]!.name ? Buffer.from('other') : e.data)}\n`).join('');
    await expectRefused(await bundleOf(entries, sums), new RegExp(`at entry "${S2}_planscript\\.json": its sha256 checksum [0-9a-f]{64} differs from`));
  });

  it('a deployment plan whose build plan is nowhere', async () => {
    const dp = { name: `${D1}_deploymentplan.json`, data: json({ type: 'OEDeploymentPlanV5', id: D1, name: 'dp', oeBuildPlanURI: 'No such plan', goldenImageURI: '', customAttributes: [] }) };
    await expectRefused(await bundleOf([script(S1, 'a'), buildPlan(B1, 'bp', [S1]), dp]), new RegExp(`at entry "${D1}_deploymentplan\\.json": deployment plan "dp" uses build plan "No such plan", which is neither in the bundle nor on the appliance`));
  });

  it('a build step whose plan script is nowhere', async () => {
    await expectRefused(await bundleOf([buildPlan(B1, 'bp', [S2])]), new RegExp(`at entry "${B1}_buildplan\\.json": step 1 of build plan "bp" runs plan script "/rest/plan-scripts/${S2}"`));
  });

  it('a truncated zip', async () => {
    await expectRefused(fixture.subarray(0, Math.floor(fixture.length / 2)), /^Cannot read bundle "hostile": it is not a readable zip file/);
  });

  it('a duplicate entry', async () => {
    const a = script(S1, 'a');
    await expectRefused(await bundleOf([a, a]), new RegExp(`at entry "${S1}_planscript\\.json": the entry appears twice`));
  });

  it('an entry missing from the checksum file, and invalid JSON', async () => {
    const a = script(S1, 'a');
    const sums = `MANIFEST.MF\t${sha(manifest)}\n`;
    await expectRefused(await bundleOf([a], sums), new RegExp(`at entry "${S1}_planscript\\.json": the entry is not listed in SHA256SUM\\.sha256sum`));
    await expectRefused(await bundleOf([{ name: `${S1}_planscript.json`, data: Buffer.from('{"name": ') }]), new RegExp(`at entry "${S1}_planscript\\.json": it is not valid JSON`));
  });
});

/** Rewrites the uncompressed size the central directory claims for `name` (the header lies). */
function claimSize(zip: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(zip);
  const eocd = out.length - 22;
  let at = out.readUInt32LE(eocd + 16);
  for (let i = 0; i < out.readUInt16LE(eocd + 10); i++) {
    const nameLength = out.readUInt16LE(at + 28);
    if (out.subarray(at + 46, at + 46 + nameLength).toString('latin1') === name) out.writeUInt32LE(size, at + 24);
    at += 46 + nameLength + out.readUInt16LE(at + 30) + out.readUInt16LE(at + 32);
  }
  return out;
}

describe('sizes are measured, not trusted', () => {
  it('refuses an entry that inflates past the size its header claims', async () => {
    const big = { name: `${S1}_planscript.json`, data: json({ type: 'PlanScript', id: S1, name: 'a', planType: 'deploy', content: createHash('sha512').update('x').digest('hex').repeat(2000) }) };
    await expectRefused(claimSize(await bundleOf([big]), big.name, 10), new RegExp(`at entry "${S1}_planscript\\.json": too many bytes in the stream`));
  });

  it('accepts the old SHA1SUM.sha1sum of 2017 bundles', async () => {
    const a = script(S1, 'sha1 script');
    const all = [a, { name: 'MANIFEST.MF', data: manifest }];
    const sums = all.map((e) => `${e.name}\t${createHash('sha1').update(e.data).digest('hex')}\n`).join('');
    const r = await h.upload('/rest/artifact-bundles', 'old.zip', await zipOf([...all, { name: 'SHA1SUM.sha1sum', data: Buffer.from(sums) }]));
    expect(r.status, r.text).toBe(202);
    const bundle = (await h.call('GET', r.body.associatedResource.resourceUri)).body;
    expect(bundle.planScripts.map((p: any) => p.planScriptName)).toEqual(['sha1 script']);
    expect((await h.call('DELETE', bundle.uri)).status).toBe(202);
  });
});

describe('extract', () => {
  it('is all or nothing: a failing build plan leaves no plan script and no golden image behind', async () => {
    const image = { name: `${G1}_goldenimage.json`, data: json({ type: 'GoldenImage', id: G1, name: 'tiny image', readOnly: false, description: 'd' }) };
    const zip = await bundleOf([script(S1, 'general one', 'general'), script(S2, 'capture one', 'capture'), image, { name: 'tiny image', data: Buffer.from('payload bytes') }, buildPlan(B1, 'deploy plan', [S1, S2])]);
    const up = await h.upload('/rest/artifact-bundles', 'mixed.zip', zip);
    expect(up.status, up.text).toBe(202);
    const bundle = (await h.call('GET', up.body.associatedResource.resourceUri)).body;
    const extract = await h.call('PUT', `${bundle.uri}?extract=true`, { raw: '', headers: { 'content-type': 'text/plain' } });
    expect(extract.status, extract.text).toBe(202);
    const task = await h.waitTask(extract.body.uri);
    expect(task.taskState).toBe('Error');
    expect(task.taskErrors[0].message).toMatch(new RegExp(`^Cannot extract bundle "mixed" at entry "${B1}_buildplan\\.json": .*capture`));
    for (const path of ['/rest/plan-scripts', '/rest/build-plans', '/rest/golden-images']) expect([path, (await h.call('GET', path)).body.total]).toEqual([path, 0]);
    expect((await h.call('DELETE', bundle.uri)).body.name).toBe('Delete');
  });

  it('verifies golden image payloads while they stream: a payload changed on disk after upload imports nothing', async () => {
    const image = { name: `${G1}_goldenimage.json`, data: json({ type: 'GoldenImage', id: G1, name: 'tiny image', readOnly: false, description: 'd' }) };
    const good = [script(S1, 'a script', 'general'), image, { name: 'tiny image', data: Buffer.from('payload bytes') }];
    const up = await h.upload('/rest/artifact-bundles', 'tampered.zip', await bundleOf(good));
    expect(up.status, up.text).toBe(202);
    const bundle = (await h.call('GET', up.body.associatedResource.resourceUri)).body;
    const sums = [...good, { name: 'MANIFEST.MF', data: manifest }].map((e) => `${e.name}\t${sha(e.data)}\n`).join('');
    writeFileSync(join(h.dataDir, 'bundles', `${bundle.id}.zip`), await bundleOf([good[0]!, image, { name: 'tiny image', data: Buffer.from('other bytes!!') }], sums));
    const extract = await h.call('PUT', `${bundle.uri}?extract=true&forceImport=true`, { raw: 'null', headers: { 'content-type': 'text/plain' } });
    expect(extract.status, extract.text).toBe(202);
    const task = await h.waitTask(extract.body.uri);
    expect(task.taskState).toBe('Error');
    expect(task.taskErrors[0].message).toMatch(/^Cannot read bundle "tampered" at entry "tiny image": its checksum changed since the bundle was validated/);
    for (const path of ['/rest/plan-scripts', '/rest/golden-images']) expect([path, (await h.call('GET', path)).body.total]).toEqual([path, 0]);
    await h.call('DELETE', bundle.uri);
  });

  it('refuses a clash without forceImport (409 naming the artifact) and overwrites with it', async () => {
    const zip = await bundleOf([script(S1, 'clash me')]);
    const up = await h.upload('/rest/artifact-bundles', 'clash.zip', zip);
    const bundle = (await h.call('GET', up.body.associatedResource.resourceUri)).body;
    const first = await h.call('PUT', `${bundle.uri}?extract=true`, { raw: 'null', headers: { 'content-type': 'text/plain' } });
    expect((await h.waitTask(first.body.uri)).taskState).toBe('Completed');
    await h.call('PUT', `/rest/plan-scripts/${S1}`, { body: { content: 'echo changed' } });
    const again = await h.call('PUT', `${bundle.uri}?extract=true`, { raw: 'null', headers: { 'content-type': 'text/plain' } });
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('Cannot extract bundle "clash": plan script "clash me" already exists on the appliance');
    // Old python-hpOneView: text/plain PUT with the bundle JSON and no extract query.
    const forced = await h.call('PUT', `${bundle.uri}?forceImport=true`, { raw: JSON.stringify(bundle), headers: { 'content-type': 'text/plain' } });
    expect(forced.status, forced.text).toBe(202);
    expect((await h.waitTask(forced.body.uri)).taskState).toBe('Completed');
    expect((await h.call('GET', `/rest/plan-scripts/${S1}`)).body.content).toBe('echo hi');
  });
});
