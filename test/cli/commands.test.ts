// The CLI in-process against a real appliance on 127.0.0.1 (HTTP): login, resource verbs, exit codes.
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startCliHarness, type CliHarness } from './harness.js';

let h: CliHarness;
const script = 'echo "@HostName:web01@" > /etc/hostname\n';

beforeAll(async () => {
  h = await startCliHarness();
  await writeFile(join(h.dir, 'hostname.txt'), script);
});
afterAll(async () => {
  await h.close();
});

describe('login', () => {
  it('a wrong password exits 5 and saves nothing', async () => {
    const run = await h.cli(['login', '--url', h.url, '--user', 'Administrator', '--password', 'wrong-password']);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/user name or password/i);
    await expect(stat(h.config)).rejects.toThrow();
  });

  it('without a password and no terminal exits 6 with a hint', async () => {
    const run = await h.cli(['login', '--url', h.url, '--user', 'Administrator']);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain('STREAMER_PASSWORD');
  });

  it('asks for the password on a terminal without echoing it', async () => {
    const run = await h.cli(['login', '--url', h.url, '--user', 'Administrator'], { stdinTty: true, stdin: `${ADMIN_PASSWORD}\r`, env: { STREAMER_CONFIG: join(h.dir, 'tty.json') } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Password for Administrator: ');
    expect(run.stderr + run.stdout).not.toContain(ADMIN_PASSWORD);
  });

  it('saves {url, sessionID, insecure} with mode 0600 (password from STREAMER_PASSWORD)', async () => {
    const run = await h.cli(['login', '--url', h.url, '--user', 'Administrator'], { env: { STREAMER_PASSWORD: ADMIN_PASSWORD } });
    expect(run.code, run.stderr).toBe(0);
    const info = await stat(h.config);
    expect(info.mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await (await import('node:fs/promises')).readFile(h.config, 'utf8')) as Record<string, unknown>;
    expect(saved).toMatchObject({ url: h.url, insecure: false });
    expect(typeof saved['sessionID']).toBe('string');
  });
});

describe('plan scripts, build plans, deployment plans', () => {
  it('creates a plan script from a file and prints its row', async () => {
    const run = await h.cli(['plan-scripts', 'create', '--name', 'set-hostname', '--type', 'deploy', '--content-file', join(h.dir, 'hostname.txt'), '--description', 'Sets the host name']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Created plan script "set-hostname"');
    expect(run.stdout).toMatch(/^set-hostname\s+deploy\s+false\s+OK\s+\d{4}-/m);
  });

  it('creates from --file with --set on top, and a duplicate name exits 4', async () => {
    await writeFile(join(h.dir, 'ps.json'), JSON.stringify({ name: 'from-file', planType: 'general', content: 'echo hi\n' }));
    const run = await h.cli(['plan-scripts', 'create', '--file', join(h.dir, 'ps.json'), '--set', 'description=set on top']);
    expect(run.code, run.stderr).toBe(0);
    const dup = await h.cli(['plan-scripts', 'create', '--file', join(h.dir, 'ps.json')]);
    expect(dup.code).toBe(4);
  });

  it('lists as an aligned table and as raw JSON', async () => {
    const table = await h.cli(['plan-scripts', 'list', '--sort', 'name:asc']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+TYPE\s+READ-ONLY\s+STATUS\s+MODIFIED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['from-file', 'set-hostname']);
    // Columns line up: TYPE starts at the same offset on every line.
    const offsets = lines.map((l, i) => (i === 0 ? l.indexOf('TYPE') : l.search(/(deploy|general)/)));
    expect(new Set(offsets).size).toBe(1);

    const first = await h.cli(['plan-scripts', 'list', '--sort', 'name:desc', '--count', '1']);
    expect(first.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['set-hostname']);
    expect((await h.cli(['plan-scripts', 'list', '--count', 'all'])).code).toBe(2);

    const json = await h.cli(['plan-scripts', 'list', '--json', '--filter', 'planType=deploy']);
    const page = JSON.parse(json.stdout) as { total: number; members: { name: string }[] };
    expect(page.total).toBe(1);
    expect(page.members[0]?.name).toBe('set-hostname');
  });

  it('gets by name and by id', async () => {
    const byName = await h.cli(['plan-scripts', 'get', 'set-hostname', '--json']);
    expect(byName.code).toBe(0);
    const member = JSON.parse(byName.stdout) as { id: string; content: string; planType: string };
    expect(member).toMatchObject({ content: script, planType: 'deploy' });
    const byId = await h.cli(['plan-scripts', 'get', member.id]);
    expect(byId.stdout).toMatch(/^name\s+set-hostname$/m);
    expect(byId.stdout).toContain('echo "@HostName:web01@"');
  });

  it('a name that does not exist exits 3', async () => {
    const run = await h.cli(['plan-scripts', 'get', 'no-such-script']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('Cannot find plan script "no-such-script"');
  });

  it('updates with --set and keeps the rest', async () => {
    const run = await h.cli(['plan-scripts', 'update', 'set-hostname', '--set', 'description=Changed']);
    expect(run.code, run.stderr).toBe(0);
    const after = JSON.parse((await h.cli(['plan-scripts', 'get', 'set-hostname', '--json'])).stdout) as { description: string; content: string };
    expect(after).toMatchObject({ description: 'Changed', content: script });
  });

  it('invalid input exits 6 with the server message', async () => {
    const run = await h.cli(['plan-scripts', 'create', '--name', 'bad', '--type', 'sideways', '--set', 'content=x']);
    expect(run.code).toBe(6);
    expect(run.stderr).toMatch(/deploy, capture, general/);
  });

  it('creates a build plan with steps by name and a deployment plan on it', async () => {
    const bp = await h.cli(['build-plans', 'create', '--name', 'web-deploy', '--type', 'deploy', '--step', 'set-hostname']);
    expect(bp.code, bp.stderr).toBe(0);
    expect(bp.stdout).toMatch(/^web-deploy\s+deploy\s+1\s+1\s+OK/m);
    const dp = await h.cli(['deployment-plans', 'create', '--name', 'web', '--build-plan', 'web-deploy', '--json']);
    expect(dp.code, dp.stderr).toBe(0);
    const plan = JSON.parse(dp.stdout) as { oeBuildPlanURI: string; customAttributes: { name: string }[] };
    expect(plan.oeBuildPlanURI).toMatch(/^\/rest\/build-plans\//);
    expect(plan.customAttributes.map((a) => a.name)).toContain('HostName');
  });

  it('deleting a plan script in use exits 4 and suggests --force; --force deletes', async () => {
    const run = await h.cli(['plan-scripts', 'delete', 'set-hostname']);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain('used by build plan "web-deploy"');
    expect(run.stderr).toContain('--force');
    const bp = await h.cli(['build-plans', 'delete', 'web-deploy']);
    expect(bp.code).toBe(4);
    const forced = await h.cli(['deployment-plans', 'delete', 'web']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('Deleted deployment plan "web"');
    expect((await h.cli(['deployment-plans', 'get', 'web'])).code).toBe(3);
  });
});

describe('users', () => {
  it('a read-only user can change its own full name, and may not create artifacts (exit 5)', async () => {
    expect((await h.cli(['users', 'create', '--name', 'viewer', '--password', 'viewer-pass-1', '--role', 'Read only'])).code).toBe(0);
    const env = { STREAMER_CONFIG: join(h.dir, 'viewer.json') };
    expect((await h.cli(['login', '--url', h.url, '--user', 'viewer', '--password', 'viewer-pass-1'], { env })).code).toBe(0);
    const self = await h.cli(['users', 'update', 'viewer', '--set', 'fullName=Vera Viewer'], { env });
    expect(self.code, self.stderr).toBe(0);
    expect(self.stdout).toMatch(/^viewer\s+Read only\s+true\s+Vera Viewer/m);
    const denied = await h.cli(['plan-scripts', 'create', '--name', 'nope', '--type', 'deploy', '--set', 'content=x'], { env });
    expect(denied.code).toBe(5);
    expect(denied.stderr).toContain('Read only');
  });
});

describe('usage and reachability', () => {
  it('an unknown resource or verb exits 2', async () => {
    expect((await h.cli(['frobnicators', 'list'])).code).toBe(2);
    expect((await h.cli(['plan-scripts', 'explode'])).code).toBe(2);
    expect((await h.cli(['plan-scripts', 'get'])).code).toBe(2);
  });

  it('read-only collections have no create', async () => {
    const run = await h.cli(['os-volumes', 'create', '--set', 'name=x']);
    expect(run.code).toBe(2);
    expect((await h.cli(['os-volumes', 'list'])).stdout).toMatch(/^NAME\s+SIZE/);
  });

  it('--help documents the exit codes', async () => {
    const run = await h.cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('8  task failed');
    expect(run.stdout).toContain('plan-scripts');
  });

  it('a server that is not there exits 7', async () => {
    const config = join(h.dir, 'nowhere.json');
    await writeFile(config, JSON.stringify({ url: 'http://127.0.0.1:1', sessionID: 'x', insecure: false }));
    const run = await h.cli(['plan-scripts', 'list'], { env: { STREAMER_CONFIG: config } });
    expect(run.code).toBe(7);
    expect(run.stderr).toContain('Cannot reach "http://127.0.0.1:1"');
  });

  it('a session the server does not know exits 5 and says to log in', async () => {
    const config = join(h.dir, 'stale.json');
    await writeFile(config, JSON.stringify({ url: h.url, sessionID: 'stale-session', insecure: false }));
    const run = await h.cli(['build-plans', 'list'], { env: { STREAMER_CONFIG: config } });
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('streamer login');
  });
});
