// The appliance keeps every run's scratch directory in one directory of its own that host commands may pass
// through but not list, so that one server's plan-script commands cannot find another's files.
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeExtImage, requireTool, startServedAppliance, type ServedAppliance } from '../support/served-appliance.js';

let work: string;
let scratchParent: string;
let a: ServedAppliance;

beforeAll(async () => {
  requireTool('mkfs.ext4', 'e2fsprogs');
  work = await mkdtemp(join(tmpdir(), 'streamer-scratch-test-'));
  await chmod(work, 0o755); // as /tmp lets everyone through
  scratchParent = join(work, 'scratch');
  await mkdir(scratchParent);
  a = await startServedAppliance(join(work, 'data'), { planScriptHost: { scratchParent } });
  const image = join(work, 'golden.img');
  await makeExtImage(image, { 'etc/hostname': 'golden\n' });
  await a.uploadGoldenImage('golden', image);
}, 120_000);

afterAll(async () => {
  await a?.stop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe('scratch directories of plan-script runs', () => {
  it('live in a directory of the appliance that host commands can pass through but not list', async () => {
    const [root, ...others] = await readdir(scratchParent);
    expect(others).toEqual([]);
    expect(root).toMatch(/^streamer-scratch-/);
    const st = await stat(join(scratchParent, root!));
    expect([st.mode & 0o777, st.uid]).toEqual([0o711, process.getuid!()]);

    const golden = (await a.call('GET', "/rest/golden-images?filter=\"name='golden'\"")).body.members[0];
    const script = await a.created('/rest/plan-scripts', {
      name: 'look around', planType: 'deploy',
      content: '!echo mine > ./mine; cat "$PWD/mine"\n!ls -A .. >/dev/null 2>&1; echo "listing the parent: status $?"\n!case "$PWD" in ' + join(scratchParent, root!) + '/*) echo inside;; esac\n',
    });
    const buildPlan = await a.created('/rest/build-plans', { name: 'look bp', oeBuildPlanType: 'deploy', buildStep: [{ serialNumber: '1', planScriptUri: script.uri }] });
    const plan = await a.created('/rest/deployment-plans', { name: 'look dp', oeBuildPlanURI: buildPlan.uri, goldenImageURI: golden.uri });
    const preview = await a.call('POST', `${plan.uri as string}/preview`, { osCustomAttributes: [] });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const log = (preview.body.log as string[]).join('\n');
    expect(log).toContain('mine');
    expect(log).toContain('inside');
    // root can list it; nobody, as host commands run when the appliance is root, cannot
    expect(log).toContain(process.getuid!() === 0 ? 'listing the parent: status 2' : 'listing the parent: status 0');
  });

  it('is removed when the appliance stops', async () => {
    await a.stop();
    expect(await readdir(scratchParent)).toEqual([]);
  });

  it('is removed at the next start when the appliance was killed (its path is kept in the data directory)', async () => {
    const dataDir = join(work, 'killed-data');
    const left = join(scratchParent, 'streamer-scratch-left');
    await mkdir(join(left, 'planscript-abc'), { recursive: true });
    await writeFile(join(left, 'planscript-abc', 'big'), 'left by a run');
    await mkdir(dataDir);
    await writeFile(join(dataDir, 'scratch-root'), `${left}\n`);
    const next = await startServedAppliance(dataDir, { planScriptHost: { scratchParent } });
    try {
      const now = await readdir(scratchParent);
      expect(now).toHaveLength(1);
      expect(now[0]).not.toBe('streamer-scratch-left');
      expect((await readFile(join(dataDir, 'scratch-root'), 'utf8')).trim()).toBe(join(scratchParent, now[0]!));
    } finally {
      await next.stop();
    }
  });
});
