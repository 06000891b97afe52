// Every public HPE bundle round-trips: upload → lists → extract → artifacts as in the bundle → create a
// bundle of them → download → same entries in the same order with valid checksums → re-upload elsewhere.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { readBundle, type BundleContent } from '../../src/bundles/index.js';
import { startBundleHarness, type BundleHarness } from './harness.js';

const fixtures = '/work/shared/fixtures/bundles';
const files = readdirSync(fixtures).filter((f) => f.endsWith('.zip')).sort();

/** Entry names in zip order and their inflated bytes. */
async function entriesOf(zip: Buffer): Promise<{ name: string; data: Buffer }[]> {
  const file = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const out: { name: string; data: Buffer }[] = [];
  const entries: yauzl.Entry[] = await new Promise((resolve, reject) => {
    const list: yauzl.Entry[] = [];
    file.on('entry', (entry: yauzl.Entry) => {
      list.push(entry);
      file.readEntry();
    });
    file.on('end', () => resolve(list));
    file.on('error', reject);
    file.readEntry();
  });
  for (const entry of entries) {
    const stream = await file.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    out.push({ name: entry.fileName, data: Buffer.concat(chunks) });
  }
  file.close();
  return out;
}

const byName = (list: any[]) => Object.fromEntries(list.map((a) => [a.name, a]));
const sortedAttrs = (list: any[], keys: string[]) => [...list].sort((a, b) => a.name.localeCompare(b.name)).map((a) => Object.fromEntries(keys.map((k) => [k, a[k] ?? null])));

async function uploadAndExtract(h: BundleHarness, fileName: string, data: Buffer): Promise<any> {
  const up = await h.upload('/rest/artifact-bundles', fileName, data);
  expect(up.status, up.text).toBe(202);
  expect(up.headers.get('location')).toBe(up.body.uri);
  expect(up.body.taskState).toBe('Completed');
  const bundle = (await h.call('GET', up.body.associatedResource.resourceUri)).body;
  const extract = await h.call('PUT', `${bundle.uri}?extract=true&forceImport=true`, { raw: 'null', headers: { 'content-type': 'text/plain;charset=UTF-8' } });
  expect(extract.status, extract.text).toBe(202);
  const done = await h.waitTask(extract.body.uri);
  expect(done.taskState, JSON.stringify(done.taskErrors)).toBe('Completed');
  return bundle;
}

/** Each artifact of `content` exists on the appliance with the same id, name, type, content and attributes. */
async function expectArtifacts(h: BundleHarness, content: BundleContent): Promise<void> {
  for (const ps of content.planScripts) {
    const got = (await h.call('GET', `/rest/plan-scripts/${ps.id}`)).body;
    expect([got.id, got.name, got.type, got.planType, got.content, got.description, got.hpProvided]).toEqual([ps.id, ps.name, ps.json['type'], ps.json['planType'], ps.json['content'], ps.json['description'], ps.json['hpProvided']]);
  }
  for (const gi of content.goldenImages) {
    const got = (await h.call('GET', `/rest/golden-images/${gi.id}`)).body;
    expect([got.id, got.name, got.description, got.readOnly, got.importedFromBundle]).toEqual([gi.id, gi.name, gi.json['description'], gi.json['readOnly'], true]);
    const payload = await h.call('GET', `/rest/golden-images/download/${gi.id}`);
    expect(createHash('sha256').update(payload.bytes).digest('hex')).toBe(gi.payloadDigest);
  }
  const keys = ['name', 'value', 'type', 'constraints', 'description'];
  for (const bp of content.buildPlans) {
    const got = (await h.call('GET', `/rest/build-plans/${bp.id}`)).body;
    expect([got.id, got.name, got.type, got.oeBuildPlanType, got.description, got.hpProvided]).toEqual([bp.id, bp.name, bp.json['type'], bp.json['oeBuildPlanType'], bp.json['description'], bp.json['hpProvided']]);
    expect(got.buildStep.map((s: any) => [s.serialNumber, s.planScriptUri, s.planScriptName])).toEqual((bp.json['buildStep'] as any[]).map((s) => [s.serialNumber, s.planScriptUri, s.planScriptName]));
    expect(sortedAttrs(got.customAttributes, keys)).toEqual(sortedAttrs(bp.json['customAttributes'] as any[], keys));
  }
  const plans = byName(content.buildPlans.map((b) => ({ name: b.name, id: b.id })));
  const images = byName(content.goldenImages.map((g) => ({ name: g.name, id: g.id })));
  for (const dp of content.deploymentPlans) {
    const got = (await h.call('GET', `/rest/deployment-plans/${dp.id}`)).body;
    expect([got.id, got.name, got.type, got.description, got.hpProvided, got.importMetadata]).toEqual([dp.id, dp.name, dp.json['type'], dp.json['description'], dp.json['hpProvided'], dp.json['importMetadata']]);
    expect(got.oeBuildPlanURI).toBe(`/rest/build-plans/${plans[dp.json['oeBuildPlanURI'] as string].id}`);
    const image = dp.json['goldenImageURI'];
    expect(got.goldenImageURI).toBe(image === '' || image === null ? null : `/rest/golden-images/${images[image as string].id}`);
    expect(sortedAttrs(got.customAttributes, [...keys, 'id', 'editable', 'visible'])).toEqual(sortedAttrs(dp.json['customAttributes'] as any[], [...keys, 'id', 'editable', 'visible']));
  }
}

describe.each(files)('bundle %s', (file) => {
  let h: BundleHarness;
  let fresh: BundleHarness;
  let content: BundleContent;
  const original = readFileSync(join(fixtures, file));
  beforeAll(async () => {
    h = await startBundleHarness();
    fresh = await startBundleHarness();
    content = await readBundle(join(fixtures, file), { label: file });
  });
  afterAll(async () => {
    await h.close();
    await fresh.close();
  });

  it('uploads with status OK and lists its artifacts before extract, then extracts them with ids kept', async () => {
    const bundle = await uploadAndExtract(h, file, original);
    expect(bundle.name).toBe(file.replace(/\.zip$/, ''));
    expect(bundle.status).toBe('OK');
    expect(bundle.type).toBe('ArtifactsBundle');
    expect(bundle.downloadURI).toBe(`/rest/artifact-bundles/download/${bundle.id}`);
    expect(bundle.artifactsCount).toBe(content.planScripts.length + content.buildPlans.length + content.deploymentPlans.length + content.goldenImages.length);
    expect(bundle.planScripts.map((p: any) => [p.psID, p.planScriptName, p.readOnly])).toEqual(content.planScripts.map((p) => [p.id, p.name, p.json['hpProvided']]));
    expect(bundle.buildPlans.map((p: any) => [p.bpID, p.buildPlanName])).toEqual(content.buildPlans.map((p) => [p.id, p.name]));
    expect(bundle.deploymentPlans.map((p: any) => [p.dpId, p.deploymentplanName, p.oebpName])).toEqual(content.deploymentPlans.map((p) => [p.id, p.name, p.json['oeBuildPlanURI']]));
    expect(bundle.goldenimage.map((g: any) => [g.giId, g.goldenimageName])).toEqual(content.goldenImages.map((g) => [g.id, g.name]));
    expect(bundle.goldenImages).toEqual(bundle.goldenimage);
    const raw = await h.call('GET', bundle.downloadURI);
    expect(raw.bytes.equals(original)).toBe(true);
    await expectArtifacts(h, content);
  });

  it('creates a bundle of those artifacts whose entries come in the same order with valid checksums', async () => {
    const refs = (list: { id: string; json: Record<string, unknown> }[], category: string, flag: string) => list.map((a) => ({ resourceUri: `/rest/${category}/${a.id}`, readOnly: String(a.json[flag]) }));
    const created = await h.call('POST', '/rest/artifact-bundles', {
      body: {
        name: 'Round trip',
        description: content.manifest.description,
        planScripts: refs(content.planScripts, 'plan-scripts', 'hpProvided'),
        buildPlans: refs(content.buildPlans, 'build-plans', 'hpProvided'),
        deploymentPlans: refs(content.deploymentPlans, 'deployment-plans', 'hpProvided'),
        goldenImages: refs(content.goldenImages, 'golden-images', 'readOnly'),
      },
    });
    expect(created.status, created.text).toBe(202);
    const task = await h.waitTask(created.body.uri);
    expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
    const bundle = (await h.call('GET', task.associatedResource.resourceUri)).body;
    const download = await h.call('GET', bundle.downloadURI);
    expect(download.status).toBe(200);
    const zipPath = join(h.dataDir, 'roundtrip.zip');
    writeFileSync(zipPath, download.bytes);

    const written = await entriesOf(download.bytes);
    const names = written.map((e) => e.name);
    expect(names).toEqual([...content.entries.map((e) => e.name), 'SHA256SUM.sha256sum']);
    const manifest = written.find((e) => e.name === 'MANIFEST.MF')!.data.toString('utf8');
    expect(manifest).toMatch(/^Artifact Name:Round trip\nDescription:.*\nRead Only:(true|false)\nTime Stamp:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\nArtifact Type:USER$/s);
    const sums = written.at(-1)!.data.toString('utf8');
    expect(sums.endsWith('\n')).toBe(true);
    expect(sums.split('\n').slice(0, -1)).toEqual(written.slice(0, -1).map((e) => `${e.name}\t${createHash('sha256').update(e.data).digest('hex')}`));
    for (const e of written.filter((x) => x.name.endsWith('.json'))) {
      const json = JSON.parse(e.data.toString('utf8'));
      expect(e.data.toString('utf8')).toBe(JSON.stringify(json));
      expect([json.uri, json.eTag, json.created, json.modified]).toEqual([null, null, null, null]);
    }
    for (const e of written.filter((x) => x.name.endsWith('_deploymentplan.json'))) {
      expect(JSON.parse(e.data.toString('utf8')).oeBuildPlanURI).not.toMatch(/^\/rest\//);
    }
    const reread = await readBundle(zipPath, { label: 'Round trip' });
    expect(reread.entries.map((e) => e.name)).toEqual(content.entries.map((e) => e.name));

    const again = await uploadAndExtract(fresh, 'Round trip.zip', download.bytes);
    expect(again.name).toBe('Round trip');
    await expectArtifacts(fresh, content);
  });
});
