// The lab end-to-end test (issue 5): a bootable Linux golden image built from Debian packages is uploaded,
// deployed to a QEMU compute module that boots it over NBD and prints its personalized hostname; the
// profile's attributes change → it redeploys and boots with the new name; the volume is captured with a
// plan that removes the hostname, and the captured image boots on a second module. The appliance requires
// TLS on NBD, so the modules boot over TLS, verifying its certificate (clear-text boots: test/nbd/qemu-guest).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLabImage, type LabImage } from './busybox-image.js';
import { requireTool, startServedAppliance, type ServedAppliance } from '../support/served-appliance.js';

let work: string;
let a: ServedAppliance;
let lab: LabImage;

beforeAll(async () => {
  requireTool('qemu-system-x86_64', 'qemu-system-x86');
  work = await mkdtemp(join(tmpdir(), 'streamer-lab-'));
  lab = await buildLabImage(work);
  a = await startServedAppliance(join(work, 'data'), { nbdTls: 'require' });
}, 120_000);

afterAll(async () => {
  await a?.stop();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** Waits until the module's console shows `pattern` (the VM prints and powers off). */
async function consoleShows(hardwareUri: string, pattern: RegExp, timeoutMs = 120_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < until) {
    text = await a.text(`${hardwareUri}/console`);
    if (pattern.test(text)) return text;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`The console never showed ${String(pattern)}; it shows:\n${text.slice(-2000)}`);
}

describe('lab: QEMU compute modules boot OS volumes over NBD', () => {
  it('deploys, boots, redeploys, captures and boots the capture', async () => {
    const golden = await a.uploadGoldenImage('lab-busybox', lab.disk);
    const hostnameScript = await a.created('/rest/plan-scripts', {
      name: 'lab hostname', planType: 'deploy',
      content: 'mount /dev/sda1 /\nupload -<<END /etc/hostname\n@HostName@\nEND\nwrite /etc/streamer-marker "@Marker:lab-marker@"\n',
    });
    const deployPlan = await a.created('/rest/build-plans', { name: 'lab deploy', oeBuildPlanType: 'deploy', buildStep: [{ serialNumber: '1', planScriptUri: hostnameScript.uri }] });
    const plan = await a.created('/rest/deployment-plans', { name: 'lab plan', oeBuildPlanURI: deployPlan.uri, goldenImageURI: golden.uri });
    const module = await a.created('/rest/server-hardware', { name: 'lab-bay-1', driver: 'qemu', memoryMiB: 256, kernel: lab.kernel, initrd: lab.initrd, append: lab.append });

    const deploy = await a.finished(await a.call('POST', '/rest/server-profiles', {
      name: 'lab-server', serverHardwareUri: module.uri,
      osDeploymentSettings: { osDeploymentPlanUri: plan.uri, osCustomAttributes: [{ name: 'HostName', value: 'lab-01' }] },
    }));
    expect(deploy.taskState, JSON.stringify(deploy.taskErrors)).toBe('Completed');
    expect(await consoleShows(module.uri, /Streamer lab: hostname=lab-01 marker=lab-marker/)).toMatch(/lab-01 login:/);
    const profileUri = deploy.associatedResource.resourceUri as string;
    const volumeStorage = (await a.call('GET', `${(await a.call('GET', profileUri)).body.osDeploymentSettings.osVolumeUri as string}/storage`)).body;
    expect(volumeStorage).toMatchObject({ exportTls: 'require', exportUri: expect.stringMatching(/^nbds:\/\/127\.0\.0\.1:\d+\/osvol-[0-9a-f]{32}$/) });

    const profile = (await a.call('GET', profileUri)).body;
    const redeploy = await a.finished(await a.call('PUT', profileUri, {
      ...profile, osDeploymentSettings: { ...profile.osDeploymentSettings, osCustomAttributes: [{ name: 'HostName', value: 'lab-02' }] },
    }));
    expect(redeploy.taskState, JSON.stringify(redeploy.taskErrors)).toBe('Completed');
    await consoleShows(module.uri, /Streamer lab: hostname=lab-02 marker=lab-marker/);

    const generalize = await a.created('/rest/plan-scripts', { name: 'lab generalize', planType: 'capture', content: 'mount /dev/sda1 /\nrm-f /etc/hostname\n' });
    const capturePlan = await a.created('/rest/build-plans', { name: 'lab capture', oeBuildPlanType: 'capture', buildStep: [{ serialNumber: '1', planScriptUri: generalize.uri }] });
    const volumeUri = (await a.call('GET', profileUri)).body.osDeploymentSettings.osVolumeUri as string;
    const captured = await a.created('/rest/golden-images', { name: 'lab-captured', imageCapture: true, osVolumeURI: volumeUri, buildPlanUri: capturePlan.uri });
    expect(captured.sourceGoldenImageUri).toBe(golden.uri);

    // The captured image boots as it is (no hostname: the init says so) on a second module.
    const bareScript = await a.created('/rest/plan-scripts', { name: 'lab nothing', planType: 'deploy', content: 'echo "deploying the captured image as it is"\n' });
    const bare = await a.created('/rest/build-plans', { name: 'lab as-is', oeBuildPlanType: 'deploy', buildStep: [{ serialNumber: '1', planScriptUri: bareScript.uri }] });
    const capturedPlan = await a.created('/rest/deployment-plans', { name: 'lab captured plan', oeBuildPlanURI: bare.uri, goldenImageURI: captured.uri });
    const second = await a.created('/rest/server-hardware', { name: 'lab-bay-2', driver: 'qemu', memoryMiB: 256, kernel: lab.kernel, initrd: lab.initrd, append: lab.append });
    const deploySecond = await a.finished(await a.call('POST', '/rest/server-profiles', {
      name: 'lab-server-2', serverHardwareUri: second.uri, osDeploymentSettings: { osDeploymentPlanUri: capturedPlan.uri, osCustomAttributes: [] },
    }));
    expect(deploySecond.taskState, JSON.stringify(deploySecond.taskErrors)).toBe('Completed');
    await consoleShows(second.uri, /Streamer lab: hostname=none marker=lab-marker/);
  }, 600_000);
});
