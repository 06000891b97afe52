// Demo artifacts for `streamer serve --demo`: a small Linux deploy/capture set in HPE's style, loaded only
// into an appliance that has no plan scripts yet.
import type { BuildPlans } from './build-plans.js';
import type { DeploymentPlans } from './deployment-plans.js';
import type { PlanScripts } from './plan-scripts.js';

const scripts = [
  {
    name: 'Demo - mount root',
    planType: 'general',
    description: 'Mounts the root filesystem (first Linux partition) on /',
    content: 'echo "ImageStreamerLog: mounting the root filesystem"\nlist-filesystems\nmount /dev/sda1 /\n',
  },
  {
    name: 'Demo - set hostname',
    planType: 'deploy',
    description: 'Writes /etc/hostname and /etc/hosts',
    content: [
      'echo "ImageStreamerLog: hostname @HostName@"',
      'upload -<<END /etc/hostname',
      '@HostName@',
      'END',
      'upload -<<END /etc/hosts',
      '127.0.0.1\tlocalhost',
      '127.0.1.1\t@HostName@.@DomainName:example.com@ @HostName@',
      'END',
      '',
    ].join('\n'),
  },
  {
    name: 'Demo - network',
    planType: 'deploy',
    description: 'Static or DHCP configuration of the first NIC (ifupdown)',
    content: [
      'mkdir-p /etc/network/interfaces.d',
      'upload -<<END /etc/network/interfaces.d/eth0',
      'auto eth0',
      'iface eth0 inet static',
      '    address @Nic1.ipaddress@',
      '    netmask @Nic1.netmask@',
      '    gateway @Nic1.gateway@',
      '    dns-nameservers @Nic1.dns1@ @Nic1.dns2@',
      'END',
      '',
    ].join('\n'),
  },
  {
    name: 'Demo - unmount',
    planType: 'general',
    description: 'Unmounts everything',
    content: 'umount-all\n',
  },
  {
    name: 'Demo - generalize',
    planType: 'capture',
    description: 'Removes what makes a server itself before capture',
    content: '-rm-f /etc/hostname\n-rm-rf /etc/network/interfaces.d\n-glob rm-rf /etc/ssh/ssh_host_*\necho "ImageStreamerLog: generalized"\n',
  },
] as const;

export interface DemoServices {
  planScripts: PlanScripts;
  buildPlans: BuildPlans;
  deploymentPlans: DeploymentPlans;
}

/** Loads the demo set when there are no plan scripts; returns whether it did. */
export async function loadDemoArtifacts(s: DemoServices): Promise<boolean> {
  if ((await s.planScripts.list()).length > 0) return false;
  const created = new Map<string, string>();
  for (const script of scripts) created.set(script.name, (await s.planScripts.create(script)).uri);
  const step = (name: string, i: number) => ({ serialNumber: String(i + 1), planScriptUri: created.get(name), parameters: null });
  const deploy = await s.buildPlans.create({
    name: 'Demo - deploy Linux',
    description: 'Mount, hostname, network, unmount',
    oeBuildPlanType: 'deploy',
    buildStep: ['Demo - mount root', 'Demo - set hostname', 'Demo - network', 'Demo - unmount'].map(step),
    customAttributes: [
      { name: 'HostName', value: 'server1', type: 'hostname', constraints: '{"helpText":"Host name without domain"}', description: 'Host name' },
      { name: 'DomainName', value: 'example.com', type: 'fqdn', constraints: '{"helpText":""}', description: 'DNS domain' },
    ],
  });
  await s.buildPlans.create({
    name: 'Demo - capture Linux',
    oeBuildPlanType: 'capture',
    buildStep: ['Demo - mount root', 'Demo - generalize', 'Demo - unmount'].map(step),
  });
  await s.deploymentPlans.create({ name: 'Demo - Linux server', description: 'Demo deployment plan (no golden image: empty volume)', oeBuildPlanURI: deploy.uri });
  return true;
}
