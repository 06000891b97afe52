// Benchmark (issue 5): one deploy to a `qemu` compute module, from the server profile's create request to
// the login line on the serial console, with the accelerator the KVM probe chose.
// Run: npm run build && node dist/bench/qemu-deploy.js
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeAccelerator } from '../src/compute/index.js';
import { buildLabImage } from '../test/lab/busybox-image.js';
import { startServedAppliance } from '../test/support/served-appliance.js';

/** The fields of the test client's untyped JSON replies that this bench reads. */
interface Resource {
  uri: string;
}
interface TaskReply {
  taskState: string;
  taskErrors: unknown[];
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'streamer-bench-qemu-'));
  try {
    const probeStarted = performance.now();
    const accel = await probeAccelerator();
    console.log(`kvm probe: ${accel} (${((performance.now() - probeStarted) / 1000).toFixed(1)} s)`);
    const lab = await buildLabImage(work);
    const a = await startServedAppliance(join(work, 'data'));
    const golden = (await a.uploadGoldenImage('lab', lab.disk)) as Resource;
    const script = (await a.created('/rest/plan-scripts', { name: 'hostname', planType: 'deploy', content: 'mount /dev/sda1 /\nupload -<<END /etc/hostname\n@HostName@\nEND\n' })) as Resource;
    const bp = (await a.created('/rest/build-plans', { name: 'bp', oeBuildPlanType: 'deploy', buildStep: [{ serialNumber: '1', planScriptUri: script.uri }] })) as Resource;
    const plan = (await a.created('/rest/deployment-plans', { name: 'dp', oeBuildPlanURI: bp.uri, goldenImageURI: golden.uri })) as Resource;
    const module = (await a.created('/rest/server-hardware', { name: 'bay', driver: 'qemu', memoryMiB: 256, kernel: lab.kernel, initrd: lab.initrd, append: lab.append })) as Resource;

    const started = performance.now();
    const task = (await a.finished(await a.call('POST', '/rest/server-profiles', { name: 'bench', serverHardwareUri: module.uri, osDeploymentSettings: { osDeploymentPlanUri: plan.uri, osCustomAttributes: [{ name: 'HostName', value: 'bench-01' }] } }))) as TaskReply;
    const deployed = performance.now();
    if (task.taskState !== 'Completed') throw new Error(JSON.stringify(task.taskErrors));
    for (;;) {
      if ((await a.text(`${module.uri}/console`)).includes('bench-01 login:')) break;
      if (performance.now() - started > 300_000) throw new Error('no login line in 300 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const login = performance.now();
    console.log(`qemu deploy task (clone, personalize, export, power on): ${((deployed - started) / 1000).toFixed(2)} s`);
    console.log(`qemu profile create to login line (${accel.toUpperCase()}): ${((login - started) / 1000).toFixed(1)} s (bootlab's nbdkit-served busybox boot: 5.6 s; ratio ${((login - started) / 1000 / 5.6).toFixed(2)})`);
    await a.stop();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
