import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

describe('smoke', () => {
  it('serves /rest/version without auth', async () => {
    const r = await h.call('GET', '/rest/version', { session: null });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ currentVersion: 3800, minimumVersion: 300 });
  });

  it('creates a plan script and answers 202 with a task', async () => {
    const r = await h.call('POST', '/rest/plan-scripts', { body: { type: 'PlanScript', name: 'Demo', description: 'd', hpProvided: 'false', planType: 'deploy', content: 'echo "@Host:web@"' } });
    expect(r.status, r.text).toBe(202);
    expect(r.headers.get('location')).toBe(r.body.uri);
    const ps = await h.call('GET', r.body.associatedResource.resourceUri);
    expect(ps.status).toBe(200);
    expect(ps.body.customAttributes).toContain('Host');
  });
});
