// Without a golden image store (src/appliance.ts until the volume store lands), bundles that carry golden
// images still upload and list them; extracting them fails cleanly, importing nothing.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startBundleHarness, type BundleHarness } from './harness.js';

let h: BundleHarness;
beforeAll(async () => {
  h = await startBundleHarness({ goldenImages: false });
});
afterAll(async () => h.close());

it('lists the golden image of an uploaded bundle and refuses to extract it, importing nothing', async () => {
  const up = await h.upload('/rest/artifact-bundles', 'HPE-Support-Artifacts-2017-11-29-v5.0.zip', readFileSync('/work/shared/fixtures/bundles/HPE-Support-Artifacts-2017-11-29-v5.0.zip'));
  expect(up.status, up.text).toBe(202);
  const bundle = (await h.call('GET', up.body.associatedResource.resourceUri)).body;
  expect(bundle.goldenimage.map((g: any) => g.goldenimageName)).toEqual(['HPE - Support 1.0 - UEFI Test Image - 2017-03-24']);
  const extract = await h.call('PUT', `${bundle.uri}?extract=true&forceImport=true`, { raw: 'null', headers: { 'content-type': 'text/plain' } });
  expect(extract.status).toBe(503);
  expect(extract.body.message).toBe('Cannot extract bundle "HPE-Support-Artifacts-2017-11-29-v5.0": it holds golden image "HPE - Support 1.0 - UEFI Test Image - 2017-03-24" and this appliance has no golden image store');
  for (const path of ['/rest/plan-scripts', '/rest/build-plans', '/rest/deployment-plans']) expect((await h.call('GET', path)).body.total).toBe(0);
});
