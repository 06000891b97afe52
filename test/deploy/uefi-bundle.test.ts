// HPE's developer bundle through the REST API: its UEFI test golden image and user deployment plan give a
// volume whose FAT system partition holds EFI/BOOT/message.txt with the profile's values (fsck-clean).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool, startServedAppliance, type ServedAppliance } from '../support/served-appliance.js';

const BUNDLE = '/work/shared/fixtures/bundles/HPE-ImageStreamer-Developer-2017-08-28-v5.0.zip';
let work: string;
let a: ServedAppliance;

beforeAll(async () => {
  for (const [tool, pkg] of [['mtype', 'mtools'], ['fsck.vfat', 'dosfstools'], ['nbdcopy', 'libnbd-bin'], ['sfdisk', 'fdisk']] as const) requireTool(tool, pkg);
  work = await mkdtemp(join(tmpdir(), 'streamer-uefi-'));
  a = await startServedAppliance(join(work, 'data'));
}, 60_000);

afterAll(async () => {
  await a?.stop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

describe("HPE's developer bundle", () => {
  it('deploys the example UEFI personalization: message.txt holds the profile values', async () => {
    const form = new FormData();
    form.append('file', new Blob([await readFile(BUNDLE)]), 'HPE-ImageStreamer-Developer-2017-08-28-v5.0.zip');
    const login = await fetch(`${a.base}/rest/login-sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userName: 'Administrator', password: 'admin-password-1' }) });
    const auth = ((await login.json()) as { sessionID: string }).sessionID;
    const upload = await fetch(`${a.base}/rest/artifact-bundles`, { method: 'POST', headers: { 'x-api-version': '2000', auth }, body: form });
    const uploaded = await a.finished({ status: upload.status, body: await upload.json() });
    expect(uploaded.taskState).toBe('Completed');
    const extract = await a.finished(await a.call('PUT', `${uploaded.associatedResource.resourceUri as string}?extract=true`));
    expect(extract.taskState, JSON.stringify(extract.taskErrors)).toBe('Completed');

    const plan = ((await a.call('GET', '/rest/deployment-plans')).body.members as any[]).find((p) => p.name === 'User - Developer 1.0 - Deployment Test (UEFI) - 2017-03-24');
    expect(plan.goldenImageURI).toMatch(/^\/rest\/golden-images\//);
    const module = await a.created('/rest/server-hardware', { name: 'uefi-bay', driver: 'virtual' });
    const task = await a.finished(await a.call('POST', '/rest/server-profiles', {
      name: 'uefi-server', serverHardwareUri: module.uri,
      osDeploymentSettings: {
        osDeploymentPlanUri: plan.uri,
        osCustomAttributes: [
          { name: 'ExampleString1', value: 'streamer-value-1' },
          { name: 'ExampleNumber1', value: '42' },
          { name: 'ExampleFQDN', value: 'web01.example.com' },
          { name: 'DeploymentTesting', value: 'echo "Attempt OS deployment"' },
        ],
      },
    }));
    expect(task.taskState, JSON.stringify(task.taskErrors)).toBe('Completed');
    const volumeUri = (await a.call('GET', task.associatedResource.resourceUri as string)).body.osDeploymentSettings.osVolumeUri as string;
    const disk = join(work, 'uefi.img');
    await a.readVolume(volumeUri, disk);

    const layout = JSON.parse(execFileSync('sfdisk', ['--json', disk]).toString()) as { partitiontable: { partitions: { start: number; size: number }[] } };
    const esp = layout.partitiontable.partitions[0]!;
    const part = join(work, 'esp.img');
    execFileSync('dd', [`if=${disk}`, `of=${part}`, 'bs=512', `skip=${esp.start}`, `count=${esp.size}`], { stdio: 'ignore' });
    // HPE's image already carries a boot-sector label fsck.vfat objects to: nothing beyond that may appear.
    const fsck = (file: string): string[] => {
      const run = spawnSync('fsck.vfat', ['-n', file]);
      return run.stdout.toString().split('\n').filter((l) => l.trim() !== '' && !l.startsWith(file) && !l.startsWith('fsck.fat'));
    };
    const golden = (await a.call('GET', plan.goldenImageURI as string)).body;
    await writeFile(join(work, 'golden.zip'), await a.bytes(`/rest/golden-images/download/${golden.id as string}`));
    execFileSync('unzip', ['-o', '-q', join(work, 'golden.zip'), '-d', join(work, 'golden')]);
    const goldenDisk = join(work, 'golden', execFileSync('ls', [join(work, 'golden')]).toString().trim());
    const goldenPart = join(work, 'golden-esp.img');
    execFileSync('dd', [`if=${goldenDisk}`, `of=${goldenPart}`, 'bs=512', `skip=${esp.start}`, `count=${esp.size}`], { stdio: 'ignore' });
    expect(fsck(part)).toEqual(fsck(goldenPart));
    expect(fsck(part).join('\n')).not.toMatch(/FAT|cluster|chain|differ/i);
    const message = execFileSync('mtype', ['-i', part, '::/EFI/BOOT/message.txt'], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } }).toString();
    expect(message).toContain('UEFI loader message.txt has been personalized!');
    expect(message).toContain('ExampleString1: streamer-value-1');
    expect(message).toContain('ExampleNumber1: 42');
    expect(message).toContain('ExampleString3: Script Default');
    expect(message).toContain('ExampleFQDN: web01.example.com');
  }, 180_000);
});
