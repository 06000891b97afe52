// Benchmark (issue 5): N server profiles deployed to `virtual` compute modules from a 10 GiB golden image
// with a typical personalization (hostname, two NICs' network config, an SSH key, ten files), through the
// REST API in process. Prints total wall time and per-deploy p50/p99 (task start to end).
// Run: npm run build && node dist/bench/deploy-scale.js [profiles=1000] [concurrency=8]
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createAppliance } from '../src/appliance.js';

const profiles = Number(process.argv[2] ?? 1000);
const concurrency = Number(process.argv[3] ?? 8);
const dir = mkdtempSync(join(tmpdir(), 'streamer-bench-deploy-'));

const SCRIPT = `mount /dev/sda /
upload -<<END /etc/hostname
@HostName@
END
mkdir-p /etc/network/interfaces.d
upload -<<END /etc/network/interfaces.d/eth0
auto eth0
iface eth0 inet static
  address @Nic1.ipaddress:10.0.0.10@
  netmask @Nic1.netmask:255.255.255.0@
  gateway @Nic1.gateway:10.0.0.1@
END
upload -<<END /etc/network/interfaces.d/eth1
auto eth1
iface eth1 inet static
  address @Nic2.ipaddress:10.0.1.10@
  netmask @Nic2.netmask:255.255.255.0@
END
mkdir-p /root/.ssh
write /root/.ssh/authorized_keys "@SshKey:ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBench admin@streamer@"
chmod 0600 /root/.ssh/authorized_keys
${Array.from({ length: 10 }, (_, i) => `write /etc/streamer/file-${i} "server @HostName@ file ${i}"`).join('\n')}
echo "ImageStreamerLog: personalized @HostName@"
`;

async function main(): Promise<void> {
  const tree = join(dir, 'tree');
  for (const d of ['etc/streamer', 'root']) mkdirSync(join(tree, d), { recursive: true });
  writeFileSync(join(tree, 'etc/hostname'), 'golden\n');
  const image = join(dir, 'golden.img');
  execFileSync('truncate', ['-s', '10G', image]);
  execFileSync('mkfs.ext4', ['-q', '-F', '-d', tree, image]);

  const appliance = await createAppliance({ dataDir: join(dir, 'data'), logger: pino({ level: 'silent' }), adminPassword: 'bench-password-1', taskLimits: { deploy: concurrency } });
  const importStarted = performance.now();
  const golden = await appliance.goldenImages.importFrom(createReadStream(image), { name: 'golden-10g' });
  console.log(`golden image import (10 GiB sparse ext4): ${((performance.now() - importStarted) / 1000).toFixed(1)} s`);

  const script = await appliance.planScripts.create({ name: 'typical', planType: 'deploy', content: SCRIPT });
  const buildPlan = await appliance.buildPlans.create({ name: 'typical bp', oeBuildPlanType: 'deploy', buildStep: [{ serialNumber: '1', planScriptUri: script.uri }] });
  const plan = await appliance.deploymentPlans.create({ name: 'typical dp', oeBuildPlanURI: buildPlan.uri, goldenImageURI: golden.uri });
  const modules = [];
  for (let i = 0; i < profiles; i++) modules.push(await appliance.computeModules.create({ name: `bay-${i}`, driver: 'virtual' }));

  const started = performance.now();
  const tasks = [];
  for (let i = 0; i < profiles; i++) {
    tasks.push(await appliance.profiles.create({
      name: `server-${i}`,
      serverHardwareUri: modules[i]!.uri,
      osDeploymentSettings: { osDeploymentPlanUri: plan.uri, osCustomAttributes: [{ name: 'HostName', value: `server-${i}` }, { name: 'Nic1.ipaddress', value: `10.0.${Math.floor(i / 250)}.${(i % 250) + 2}` }] },
    }, 'Administrator'));
  }
  const finished = await Promise.all(tasks.map((t) => appliance.tasks.wait(t.id)));
  const totalS = (performance.now() - started) / 1000;
  const failed = finished.filter((t) => t.taskState !== 'Completed');
  const durations = finished.map((t) => Date.parse(t.modified) - Date.parse(t.created)).sort((x, y) => x - y);
  const pct = (p: number): number => durations[Math.min(durations.length - 1, Math.floor((p / 100) * durations.length))]!;
  console.log(`deploys: ${profiles} (${failed.length} failed${failed.length > 0 ? `: ${JSON.stringify(failed[0]!.taskErrors)}` : ''}), concurrency ${concurrency}`);
  console.log(`deploy total wall time: ${totalS.toFixed(1)} s (goal <= 60 s; ratio to goal ${(totalS / 60).toFixed(2)})`);
  console.log(`deploy throughput: ${(profiles / totalS).toFixed(1)} deploys/s`);
  console.log(`deploy task latency p50 (queued + run): ${pct(50)} ms`);
  console.log(`deploy task latency p99 (queued + run): ${pct(99)} ms`);
  console.log(`deploy per-server cost: ${((totalS * 1000 * concurrency) / profiles).toFixed(1)} ms (wall x concurrency / deploys)`);
  await appliance.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
});
