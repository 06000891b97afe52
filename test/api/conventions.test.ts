// One test per wire quirk of reference §2 that HPE's clients depend on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());

let counter = 0;
async function planScript(overrides: Record<string, unknown> = {}) {
  counter++;
  const r = await h.call('POST', '/rest/plan-scripts', { body: { name: `ps-${counter}`, planType: 'deploy', content: `echo ${counter}`, ...overrides } });
  expect(r.status, r.text).toBe(202);
  return (await h.call('GET', r.body.associatedResource.resourceUri)).body;
}

describe('authentication', () => {
  it('answers 401 with the OneView error body when the auth header is missing', async () => {
    const r = await h.call('GET', '/rest/plan-scripts', { session: null });
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ errorCode: 'AUTHORIZATION', nestedErrors: [], errorSource: null, data: {} });
    expect(typeof r.body.message).toBe('string');
    expect(typeof r.body.details).toBe('string');
    expect(Array.isArray(r.body.recommendedActions)).toBe(true);
  });

  it('answers 401 for an unknown session id', async () => {
    expect((await h.call('GET', '/rest/tasks', { session: 'nope' })).status).toBe(401);
  });

  it('refuses a wrong password with 401', async () => {
    const r = await h.call('POST', '/rest/login-sessions', { body: { userName: 'Administrator', password: 'wrong' }, session: null });
    expect(r.status).toBe(401);
    expect(r.body.message).toMatch(/user name or password/);
  });

  it('accepts PUT /rest/login-sessions with a null body to reuse a session (Python)', async () => {
    const r = await h.call('PUT', '/rest/login-sessions', { raw: 'null', headers: { 'content-type': 'text/plain' } });
    expect(r.status).toBe(200);
    expect(r.body.sessionID).toBe(h.session);
  });

  it('logs out with DELETE /rest/login-sessions and the session stops working', async () => {
    const session = await h.login('Administrator', 'admin-password-1');
    expect((await h.call('DELETE', '/rest/login-sessions', { session })).status).toBe(204);
    expect((await h.call('GET', '/rest/tasks', { session })).status).toBe(401);
  });

  it('serves the idle timeout in milliseconds', async () => {
    const r = await h.call('GET', '/rest/sessions/idle-timeout', { headers: { 'session-id': h.session } });
    expect(r.status).toBe(200);
    expect(r.body.idleTimeout).toBe(24 * 3600 * 1000);
  });

  it('expires a session after the idle timeout', async () => {
    const session = await h.login('Administrator', 'admin-password-1');
    // Age the session in the database past the timeout.
    await h.appliance.store.sessions.touch(session, Date.now() - 25 * 3600 * 1000);
    const r = await h.call('GET', '/rest/tasks', { session });
    expect(r.status).toBe(401);
    expect(r.body.message).toMatch(/expired/);
  });
});

describe('roles', () => {
  it('lets a Read only user read but answers 403 with a clear message on writes', async () => {
    const session = await h.userWithRole('Read only');
    expect((await h.call('GET', '/rest/plan-scripts', { session })).status).toBe(200);
    const r = await h.call('POST', '/rest/plan-scripts', { session, body: { name: 'x', planType: 'deploy', content: '' } });
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/role "Read only" may not change artifacts/);
  });

  it('lets a Software administrator write artifacts but not users', async () => {
    const session = await h.userWithRole('Software administrator');
    expect((await h.call('POST', '/rest/plan-scripts', { session, body: { name: 'by-software-admin', planType: 'general', content: '' } })).status).toBe(202);
    expect((await h.call('POST', '/rest/users', { session, body: { userName: 'zz', password: 'password-123' } })).status).toBe(403);
  });

  it('keeps a Server administrator read-only on artifacts', async () => {
    const session = await h.userWithRole('Server administrator');
    expect((await h.call('GET', '/rest/build-plans', { session })).status).toBe(200);
    expect((await h.call('POST', '/rest/build-plans', { session, body: { name: 'bp', oeBuildPlanType: 'deploy' } })).status).toBe(403);
  });

  it('lets a user send their own record back unchanged but not raise their role', async () => {
    expect((await h.call('POST', '/rest/users', { body: { userName: 'self-editor', password: 'password-123', role: 'Read only' } })).status).toBe(202);
    const session = (await h.call('POST', '/rest/login-sessions', { session: null, body: { userName: 'self-editor', password: 'password-123' } })).body.sessionID as string;
    const me = ((await h.call('GET', '/rest/users')).body.members as any[]).find((u) => u.userName === 'self-editor');
    const same = await h.call('PUT', `/rest/users/${me.id}`, { session, body: { ...me, fullName: 'Changed by self' } });
    expect(same.status).toBe(202);
    const raise = await h.call('PUT', `/rest/users/${me.id}`, { session, body: { ...me, role: 'Infrastructure administrator' } });
    expect(raise.status).toBe(403);
    expect(raise.body.message).toMatch(/only an Infrastructure administrator/);
  });

  it('rejects an unknown role with 400', async () => {
    const r = await h.call('POST', '/rest/users', { body: { userName: 'badrole', password: 'password-123', role: 'Emperor' } });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/Emperor/);
  });
});

describe('tasks', () => {
  it('answers a create with 202, Location = task uri, and the task as body', async () => {
    const r = await h.call('POST', '/rest/plan-scripts', { body: { name: 'task-shape', planType: 'deploy', content: 'echo' } });
    expect(r.status).toBe(202);
    expect(r.headers.get('location')).toMatch(/^\/rest\/tasks\/[0-9A-F-]{36}$/);
    expect(r.body).toMatchObject({ type: 'TaskResourceV2', category: 'tasks', name: 'Create', taskState: 'Completed', percentComplete: 100, taskErrors: [] });
    expect(r.body.associatedResource).toMatchObject({ resourceCategory: 'plan-scripts', resourceName: 'task-shape', associationType: 'MANAGED_BY' });
    const task = await h.call('GET', r.headers.get('location')!);
    expect(task.body.uri).toBe(r.body.uri);
  });

  it('names delete tasks "Delete" and points them at no resource', async () => {
    const ps = await planScript();
    const r = await h.call('DELETE', ps.uri, { body: {} });
    expect(r.status).toBe(202);
    expect(r.body.name).toBe('Delete');
    expect(r.body.associatedResource.resourceUri).toBeNull();
    expect((await h.call('GET', ps.uri)).status).toBe(404);
  });

  it('uses integers for progress fields (Go) and an object or null for data', async () => {
    const r = await h.call('POST', '/rest/plan-scripts', { body: { name: 'ints', planType: 'deploy', content: '' } });
    for (const f of ['percentComplete', 'computedPercentComplete', 'completedSteps', 'totalSteps', 'expectedDuration']) expect(Number.isInteger(r.body[f])).toBe(true);
    expect(r.body.data === null || typeof r.body.data === 'object').toBe(true);
  });

  it('lists tasks', async () => {
    const r = await h.call('GET', '/rest/tasks?start=0&count=5');
    expect(r.body.members.length).toBeLessThanOrEqual(5);
    expect(r.body.total).toBeGreaterThan(0);
  });
});

describe('resources and collections', () => {
  it('sends the envelope fields, with a lower-case uuid id', async () => {
    const ps = await planScript();
    for (const f of ['type', 'uri', 'id', 'name', 'eTag', 'created', 'modified', 'category', 'state', 'status']) expect(ps).toHaveProperty(f);
    expect(ps.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(ps.uri).toBe(`/rest/plan-scripts/${ps.id}`);
    expect(ps.category).toBe('plan-scripts');
    expect(ps.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(ps.status).toBe('OK');
  });

  it('coerces string booleans on input and answers real booleans', async () => {
    const ps = await planScript({ hpProvided: 'false' });
    expect(ps.hpProvided).toBe(false);
    const r = await h.call('POST', '/rest/plan-scripts', { body: { name: 'bad-bool', planType: 'deploy', content: '', hpProvided: 'maybe' } });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/"hpProvided"/);
  });

  it('returns everything in one page with count=-1 and with no count, with total', async () => {
    for (let i = 0; i < 3; i++) await planScript();
    const all = await h.call('GET', '/rest/plan-scripts?start=0&count=-1');
    expect(all.body.members.length).toBe(all.body.total);
    expect(all.body.nextPageUri).toBeNull();
    const none = await h.call('GET', '/rest/plan-scripts');
    expect(none.body.members.length).toBe(none.body.total);
  });

  it('pages with start and count and a nextPageUri that continues', async () => {
    const first = await h.call('GET', '/rest/plan-scripts?start=0&count=2');
    expect(first.body.count).toBe(2);
    expect(first.body.nextPageUri).toMatch(/start=2/);
    const second = await h.call('GET', first.body.nextPageUri);
    expect(second.body.start).toBe(2);
    expect(second.body.members[0].id).not.toBe(first.body.members[0].id);
  });

  it('filters with the double-quoted name form case-insensitively (Python get_by)', async () => {
    const ps = await planScript({ name: 'Filter Me' });
    const r = await h.call('GET', `/rest/plan-scripts?filter=${encodeURIComponent(`"name='filter me'"`)}`);
    expect(r.body.members.map((m: { id: string }) => m.id)).toEqual([ps.id]);
    expect(r.body.total).toBe(1);
  });

  it('filters with "matches" and % wildcards (Go)', async () => {
    await planScript({ name: 'match-alpha' });
    await planScript({ name: 'match-beta' });
    const r = await h.call('GET', `/rest/plan-scripts?filter=${encodeURIComponent("name matches 'match-%'")}`);
    expect(r.body.members.map((m: { name: string }) => m.name).sort()).toEqual(['match-alpha', 'match-beta']);
    const exact = await h.call('GET', `/rest/plan-scripts?filter=${encodeURIComponent("name matches 'match-alpha'")}`);
    expect(exact.body.total).toBe(1);
  });

  it('filters with the unquoted field=value form and ANDs repeated filters', async () => {
    await planScript({ name: 'cap-1', planType: 'capture' });
    const r = await h.call('GET', '/rest/plan-scripts?filter=planType=capture');
    expect(r.body.members.every((m: { planType: string }) => m.planType === 'capture')).toBe(true);
    expect(r.body.total).toBeGreaterThan(0);
    const both = await h.call('GET', `/rest/plan-scripts?filter=planType=capture&filter=${encodeURIComponent("name='nothing'")}`);
    expect(both.body.total).toBe(0);
  });

  it('sorts by name ascending and descending', async () => {
    const asc = (await h.call('GET', '/rest/plan-scripts?sort=name:ascending')).body.members.map((m: { name: string }) => m.name);
    const desc = (await h.call('GET', '/rest/plan-scripts?sort=name:descending')).body.members.map((m: { name: string }) => m.name);
    expect(desc).toEqual([...asc].reverse());
    expect(asc[0].localeCompare(asc[asc.length - 1], 'en', { sensitivity: 'base' })).toBeLessThanOrEqual(0);
  });

  it('ignores unknown query parameters', async () => {
    const r = await h.call('GET', '/rest/plan-scripts?view=expand&fields=name&scopeUris=x&desc=name');
    expect(r.status).toBe(200);
  });

  it('accepts trailing slashes', async () => {
    expect((await h.call('GET', '/rest/os-deployment-plans/?start=0&count=-1')).status).toBe(200);
  });

  it('accepts absolute-form request targets', async () => {
    const r = await h.call('GET', 'https://appliance.example/rest/version', { session: null });
    expect(r.status).toBe(200);
  });

  it('answers 409 on a duplicate name, synchronously', async () => {
    await planScript({ name: 'dup' });
    const r = await h.call('POST', '/rest/plan-scripts', { body: { name: 'dup', planType: 'deploy', content: '' } });
    expect(r.status).toBe(409);
    expect(r.body.errorCode).toBe('DUPLICATE_NAME');
  });

  it('tolerates a DELETE with body {} (Python) and an empty GET body with a JSON content type', async () => {
    const ps = await planScript();
    expect((await h.call('GET', ps.uri, { headers: { 'content-type': 'application/json' } })).status).toBe(200);
    expect((await h.call('DELETE', ps.uri, { raw: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(202);
  });

  it('accepts a bare JSON string for differences (Python) and no body (Ruby)', async () => {
    const ps = await planScript({ content: 'echo a\necho b' });
    const r = await h.call('POST', `/rest/plan-scripts/differences/${ps.id}`, { raw: JSON.stringify('echo a\necho c'), headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(200);
    expect(r.body.differences).toEqual([
      { kind: 'removed', line: 2, text: 'echo b' },
      { kind: 'added', line: 2, text: 'echo c' },
    ]);
    const none = await h.call('POST', `/rest/plan-scripts/differences/${ps.id}`);
    expect(none.body.differences).toEqual([]);
  });

  it('parses ?force=True case-insensitively', async () => {
    const ps = await planScript();
    const bp = await h.call('POST', '/rest/build-plans', { body: { name: `bp-force-${ps.id}`, oeBuildPlanType: 'deploy', buildStep: [{ serialNumber: '1', planScriptUri: ps.uri }] } });
    expect(bp.status).toBe(202);
    expect((await h.call('DELETE', ps.uri)).status).toBe(409);
    expect((await h.call('DELETE', `${ps.uri}?force=True`)).status).toBe(202);
    const plan = await h.call('GET', bp.body.associatedResource.resourceUri);
    expect(plan.body.buildStep).toEqual([]);
  });

  it('answers 400 for malformed JSON with the parse error', async () => {
    const r = await h.call('POST', '/rest/plan-scripts', { raw: '{"name": ', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.body.errorCode).toBe('INVALID_JSON');
  });

  it('answers 400 for wrong types, listing every bad field', async () => {
    const r = await h.call('POST', '/rest/plan-scripts', { body: { name: 5, planType: 'nonsense', content: 7 } });
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/"name"/);
    expect(r.body.message).toMatch(/"planType"/);
    expect(r.body.message).toMatch(/"content"/);
  });

  it('answers 413 for an oversized body', async () => {
    const r = await h.call('POST', '/rest/plan-scripts', { raw: JSON.stringify({ name: 'big', planType: 'deploy', content: 'x'.repeat(9 * 1024 * 1024) }), headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(413);
    expect(r.body.errorCode).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers 404 with an error body for an unknown path', async () => {
    const r = await h.call('GET', '/rest/no-such-thing');
    expect(r.status).toBe(404);
    expect(r.body.errorCode).toBe('RESOURCE_NOT_FOUND');
  });

  it('answers 412 for an unusable X-API-Version', async () => {
    const r = await h.call('GET', '/rest/plan-scripts', { headers: { 'x-api-version': '120' } });
    expect(r.status).toBe(412);
  });

  it('ignores read-only fields in a full-object PUT (clients send back what they fetched)', async () => {
    const ps = await planScript();
    const r = await h.call('PUT', ps.uri, { body: { ...ps, description: 'changed', eTag: 'stale', created: 'whenever' } });
    expect(r.status, r.text).toBe(202);
    const after = (await h.call('GET', ps.uri)).body;
    expect(after.description).toBe('changed');
    expect(after.created).toBe(ps.created);
    expect(after.eTag).not.toBe(ps.eTag);
  });

  it('refuses to edit an hpProvided plan script with 403', async () => {
    const ps = await planScript({ hpProvided: true });
    const r = await h.call('PUT', ps.uri, { body: { ...ps, content: 'changed' } });
    expect(r.status).toBe(403);
    expect(r.body.message).toMatch(/read-only/);
  });

  it('serves an OpenAPI 3 document generated from the routes', async () => {
    const r = await h.call('GET', '/rest/openapi.json', { session: null });
    expect(r.body.openapi).toMatch(/^3\./);
    expect(r.body.paths['/rest/plan-scripts'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('planType');
    expect(r.body.paths['/rest/plan-scripts/{id}'].delete.responses['202']).toBeDefined();
  });
});

describe('eTag', () => {
  it('answers 412 when If-Match names an old eTag, and accepts If-Match: * and the current eTag', async () => {
    const ps = await planScript();
    expect((await h.call('PUT', ps.uri, { body: { description: 'one' }, headers: { 'if-match': ps.eTag } })).status).toBe(202);
    const stale = await h.call('PUT', ps.uri, { body: { description: 'two' }, headers: { 'if-match': ps.eTag } });
    expect(stale.status).toBe(412);
    expect(stale.body.errorCode).toBe('ETAG_MISMATCH');
    expect((await h.call('PUT', ps.uri, { body: { description: 'three' }, headers: { 'if-match': '*' } })).status).toBe(202);
    expect((await h.call('GET', ps.uri)).body.description).toBe('three');
  });
});
