// The conformance corpus: every build plan of the HPE fixture bundles (with realistic attribute values), and
// scripts of our own that use every native command and the dialect's edge cases. Each case runs on a
// fresh copy of one image, once through guestfish and once through the engine.
import { attributeValues } from '../../src/attributes/index.js';
import type { BuildPlanStep } from '../../src/planscript/interpreter.js';
import { loadFixtureBundles, stepScripts } from '../planscript/fixture-bundles.js';
import type { ImageName } from './images.js';

export interface ConformanceCase {
  name: string;
  image: ImageName;
  steps: BuildPlanStep[];
  values: Record<string, string>;
}

function nic(name: string, n: number): Record<string, string> {
  return {
    [`${name}.mac`]: `00:50:56:0a:0b:0${n}`,
    [`${name}.ipaddress`]: `10.1.${n}.20`,
    [`${name}.netmask`]: '255.255.255.0',
    [`${name}.gateway`]: `10.1.${n}.1`,
    [`${name}.dns1`]: '10.1.0.53',
    [`${name}.dns2`]: '10.1.0.54',
    [`${name}.domain`]: 'example.com',
    [`${name}.vlanid`]: String(100 + n),
    [`${name}.dhcp`]: 'false',
    [`${name}.ipv4disable`]: 'false',
    [`${name}.networkuri`]: `/rest/ethernet-networks/net-${n}`,
    [`${name}.connectionid`]: String(n),
    [`${name}.name`]: `Net${n}`,
  };
}

/** What a profile would give the fixture plans: one value per attribute they use. */
const FIXTURE_VALUES: Record<string, string> = {
  HostName: 'centos01',
  DomainName: 'example.com',
  NewRootPassword: 'R00t-secret',
  NewUsers: 'alice,bob',
  NewUsersPassword: 'Us3r-secret',
  SSH: 'Enabled',
  SELinux: 'permissive',
  SELinuxType: 'targeted',
  OS_Type: 'centos',
  ExampleString1: 'first string',
  ExampleString2: 'second string',
  ExampleNumber1: '42',
  ExampleFQDN: 'host.example.com',
  ExampleIPv4Address: '192.168.10.20',
  ExamplePassword: 'Ex4mple-secret',
  VolumeSize: '10',
  ...nic('NIC1', 1),
  ...nic('NIC2', 2),
  ...nic('NIC3', 3),
  ...nic('NIC4', 4),
  ...nic('ManagementNIC1', 5),
  ...nic('ExampleTeamedNIC', 6),
  ...nic('ExampleUnteamedNIC', 7),
};

function imageFor(bundle: string, plan: string): ImageName | undefined {
  if (bundle.startsWith('HPE-ImageStreamer-Developer') || bundle.startsWith('HPE-Support')) return 'hpe-uefi';
  if (bundle.startsWith('LinuxMultiDistro') && plan.includes('Legacy')) return 'mbr-ext4';
  if (bundle.startsWith('LinuxMultiDistro') && plan.includes('UEFI')) return 'gpt-uefi';
  if (bundle.startsWith('HPE_Foundation')) return 'mbr-ext4';
  return undefined;
}

export async function fixtureCases(): Promise<ConformanceCase[]> {
  const cases: ConformanceCase[] = [];
  for (const bundle of await loadFixtureBundles()) {
    for (const plan of bundle.buildPlans) {
      const steps = stepScripts(bundle, plan);
      const image = imageFor(bundle.file, plan.name);
      if (steps.length === 0 || image === undefined) continue;
      const values = { ...attributeValues(plan.customAttributes.map((a) => ({ name: a.name, value: a.value ?? '' }))), ...FIXTURE_VALUES };
      const usesFailSwitch = steps.some((s) => s.content.includes('@DeploymentTesting'));
      if (usesFailSwitch) {
        cases.push({ name: `${plan.name} (fails on purpose)`, image, steps, values: { ...values, DeploymentTesting: 'Fail_OS_Deployment' } });
        cases.push({ name: plan.name, image, steps, values: { ...values, DeploymentTesting: 'echo "Attempt OS deployment"' } });
      } else {
        cases.push({ name: plan.name, image, steps, values });
      }
    }
  }
  return cases;
}

const step = (name: string, content: string): BuildPlanStep => ({ name, content });

/** Our own scripts: every native command, quoting, here-documents, `-`, `!`, `<!` and pipes. */
/** os-release (and other files inspection reads) of distributions the images do not carry. */
const OTHER_DISTRIBUTIONS: [string, string][] = [
  ['PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian', 'write /etc/hostname "deb12"\nwrite /etc/debian_version "12.5"'],
  ['NAME="Ubuntu"\nVERSION="22.04.4 LTS (Jammy Jellyfish)"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\nVERSION_ID="22.04"', 'write /etc/hostname "jammy"'],
  ['NAME="Red Hat Enterprise Linux"\nVERSION="8.6 (Ootpa)"\nID="rhel"\nID_LIKE="fedora"\nVERSION_ID="8.6"\nPRETTY_NAME="Red Hat Enterprise Linux 8.6 (Ootpa)"', 'write /etc/redhat-release "Red Hat Enterprise Linux release 8.6 (Ootpa)"\nwrite /etc/hostname "rhel8"'],
  ['NAME="Rocky Linux"\nVERSION="9.3 (Blue Onyx)"\nID="rocky"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPRETTY_NAME="Rocky Linux 9.3 (Blue Onyx)"', 'rm-f /etc/redhat-release\nwrite /etc/hostname "rocky9"'],
  ['NAME="Fedora Linux"\nVERSION="39 (Server Edition)"\nID=fedora\nVERSION_ID=39\nPRETTY_NAME="Fedora Linux 39 (Server Edition)"', 'write /etc/hostname "f39"'],
  ['NAME="Fedora Linux"\nVERSION="38 (Cloud Edition)"\nID=fedora\nVERSION_ID=38\nPRETTY_NAME="Fedora Linux 38 (Cloud Edition)"', 'write /usr/bin/dnf "#!/bin/sh"\nwrite /etc/hostname "f38"'],
  ['NAME="AlmaLinux"\nVERSION="9.3 (Shamrock Pampas Cat)"\nID="almalinux"\nID_LIKE="rhel centos fedora"\nVERSION_ID="9.3"\nPRETTY_NAME="AlmaLinux 9.3 (Shamrock Pampas Cat)"', 'rm /usr/bin/dnf\nwrite /etc/hostname "alma9"'],
  ['NAME="SLES"\nVERSION="15-SP4"\nVERSION_ID="15.4"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP4"\nID="sles"\nID_LIKE="suse"', 'rm-f /etc/hostname\nwrite /etc/HOSTNAME "sles15"'],
  ['NAME="openSUSE Leap"\nVERSION="15.5"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\nVERSION_ID="15.5"\nPRETTY_NAME="openSUSE Leap 15.5"', 'write /etc/HOSTNAME "leap"'],
  ['NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME="Alpine Linux v3.19"', 'write /etc/hostname "alpine"'],
];

export function ownCases(): ConformanceCase[] {
  return [
    {
      name: 'own: queries on the untouched guest',
      image: 'mbr-ext4',
      values: {},
      steps: [step('queries', `
mount /dev/sda1 /
statvfs /
version
list-devices
list-partitions
list-filesystems
vgs
lvs
pvs
inspect-os
exists /etc/hostname
exists /nope
is-file /etc/hostname
is-file /etc
is-dir /etc
is-dir /etc/hostname
is-symlink /etc/rc.local
is-file /etc/rc.local
readlink /etc/rc.local
readlink /bin
ls /etc/sysconfig
ls /opt/app
ls /
cat /etc/hostname
cat "/opt/app/data with space.txt"
cat /etc/rc.local
glob echo /etc/sysconfig/network-scripts/ifcfg-*
glob echo /nothing/here*
`)],
    },
    {
      name: 'own: quoting and echo',
      image: 'mbr-ext4',
      values: { HostName: 'quoted-host', Empty: '' },
      steps: [step('quoting', `
# a comment line, and blank lines

echo plain words   with   spaces
echo "double  quoted" 'single  quoted'
echo "tab\\there" "newline\\nthere" 'no\\tescape'
echo "embedded 'single' quotes" 'embedded "double" quotes'
echo @HostName@ "@HostName@" '@HostName@' @Missing:fallback@ [@Empty@]
echo $HOME \${a[@]} $@ literal@at@signs
echo ImageStreamerLog: a line for the activity log
  echo leading spaces
echo trailing spaces   
echo
`)],
    },
    {
      name: 'own: changing files, directories and links',
      image: 'mbr-ext4',
      values: { HostName: 'server-01' },
      steps: [
        step('files', `
mount /dev/sda1 /
write /etc/hostname "@HostName@.example.com"
write-append /etc/hosts "10.0.0.5 @HostName@"
write-append /etc/hosts "\\n"
write /etc/new-empty ""
mkdir /srv
mkdir-p /srv/a/b/c
mkdir-p /srv/a/b
touch /srv/a/empty
touch /etc/hostname
chmod 0640 /srv/a/empty
chmod 4755 /srv/a/b
chown 1000 1000 /srv/a/empty
chown 99 10 /srv/a
`),
        step('links and copies', `
ln-s ../etc/hostname /srv/hostname-link
ln-sf /etc/hosts /srv/hostname-link
ln-s /nowhere /srv/dangling
ln /etc/hosts /srv/hosts-hard
ln-f /etc/hostname /srv/hosts-hard
cp /etc/hosts /srv/hosts.copy
cp /etc/shadow /srv/shadow.copy
cp-a /home/admin /srv/admin-copy
cp-a /etc/ssh/sshd_config /srv/sshd_config.a
cp-r /opt/app /srv/app-copy
mv /srv/hosts.copy /srv/hosts.moved
mv /srv/app-copy /srv/app-moved
rm /srv/hosts.moved
rm-f /srv/nothing-here
rmdir /srv/a/b/c
rm-rf /srv/a/b
rm-rf /srv/not-there
glob rm-f /var/log/*
`),
        step('here-documents', `
upload -<<END /etc/motd
Welcome to @HostName@
  indented line with "quotes" and 'single' and $dollar
END
upload -<<EOF /srv/script.sh
#!/bin/bash
echo "END"
EOF
chmod 0755 /srv/script.sh
cat /etc/motd
sync
umount /
mount-ro /dev/sda1 /
cat /etc/hostname
ls /srv
umount-all
`),
      ],
    },
    {
      name: 'own: host commands, pipes and inline commands',
      image: 'mbr-ext4',
      values: { HostName: 'piped' },
      steps: [
        step('host', `
mount /dev/sda1 /
!echo "host says hi"
!printf 'a\\nb\\n' > ./two-lines
upload ./two-lines /root/two-lines
download /etc/passwd ./passwd
!wc -l < ./passwd
cat /etc/hosts | grep -c localhost
cat /etc/os-release | awk -F= '/^ID=/ {print $2}' > ./os-id
!cat ./os-id
<!echo "echo generated command"
<!printf 'mkdir-p /gen/dir\\nwrite /gen/dir/f "from inline"\\n'
<!echo "-mkdir /gen/dir"
`),
        step('scratch persists', `
!test -f ./os-id && echo "scratch files persist between steps"
copy-out /etc/sysconfig ./out
!find ./out | sort
!mkdir -p ./in/sub && echo data > ./in/sub/file
copy-in ./in /opt
copy-in ./two-lines /root
compress-out gzip /etc/hosts ./hosts.gz
!zcat ./hosts.gz
ls /opt/in/sub
copy-out /etc/rc.local ./
!ls -l ./rc.local | cut -c1
copy-out /etc/rc.d ./out
!find ./out | sort
download /etc/rc.local ./rc-followed
!cat ./rc-followed
!ln -s two-lines ./link-to-two && mkdir -p ./tree/d && ln -s ../../two-lines ./tree/d/up && echo x > ./tree/d/f
upload ./link-to-two /root/uploaded-through-link
cat /root/uploaded-through-link
copy-in ./link-to-two /root
is-symlink /root/link-to-two
copy-in ./tree /root
is-symlink /root/tree/d/up
readlink /root/tree/d/up
-copy-out /nope ./x
-copy-in ./nope /root
-copy-in ./two-lines /nope
!echo -n "no newline" ; echo " then more" >&2
<!printf 'write /root/inline "a"\n-cat /nope\necho after\n'
cat /root/inline
`),
      ],
    },
    {
      name: 'own: ignored errors with -',
      image: 'mbr-ext4',
      values: {},
      steps: [step('ignored', `
mount /dev/sda1 /
-mkdir /a/b
-cat /nope
-rm /nope
-rmdir /nope
-chmod 0755 /nope
-touch /nope/x
-write-append /nope/x y
-ls /nope
-umount /nope
-mount /dev/sda9 /mnt
-frobnicate /x
-!exit 3
-upload ./missing-file /x
-download /nope ./x
-glob rm /nope*
-write /../../escaped hi
cat /escaped
echo still running
-mkdir /etc
-mkdir /etc/hostname/sub
-rmdir /etc
-rm /etc
-rm-f /etc
-rm-rf /etc/hostname/x
-rmdir /etc/hostname
-ln /etc /etc-hard
-ln-s /etc/hostname /etc/hosts
-ln-f /nope /etc/new
-cp /etc /tmp/etc-copy
-cp /etc/hostname /nope/dir/file
-cp-a /etc/hostname /etc/hostname
-cp-r /etc /etc/sub
-mv /nope /x
-mv /etc/hostname /nope/dir/x
-chown 1000 1000 /nope
-chmod 99999 /etc/hostname
-chmod 0755
-cat /etc
-readlink /etc/hostname
-write /etc "x"
-upload -<<END /etc
data
END
-touch /etc/hostname/x
-mkdir-p /etc/hostname/deep/er
-mkdir ""
-ls ""
is-dir /etc/rc.local
is-dir /etc/rc.local followsymlinks:true
is-file /etc/rc.local followsymlinks:true
is-symlink /etc/rc.local
exists /etc/rc.local
echo done
write /etc/target "original"
ln-s target /etc/via-link
write /etc/via-link "through the link"
cat /etc/target
write-append /etc/via-link " and more"
cat /etc/target
cp /etc/hostname /etc/via-link
cat /etc/target
chmod 0600 /etc/via-link
ls /etc/via-link
ln /etc/target /etc/hard
write /etc/hard "hard"
cat /etc/target
mv /etc/hard /etc/target
-cat /etc/hard
cat /etc/target
ln-s /nowhere /etc/dangling
-write /etc/dangling "x"
-cat /etc/dangling
-cp /etc/hostname /etc/dangling
-ln-sf /etc/hostname /etc/sysconfig
ln-sf /etc/hostname /etc/via-link
readlink /etc/via-link
-ln-f /etc/hostname /etc/sysconfig
-rm-rf /
-rm /
-rmdir /
-mkdir /
-mv / /x
-cp-a / /copy
-upload -<<END /
x
END
echo still alive
ls /
`)],
    },
    {
      name: 'own: ESP and root on GPT',
      image: 'gpt-uefi',
      values: { HostName: 'uefi-host' },
      steps: [step('esp', `
list-partitions
list-filesystems
inspect-os
mount /dev/sda2 /
mount /dev/sda1 /boot/efi
ls /boot/efi
statvfs /boot/efi
-mv /boot/efi/startup.nsh /boot/efi/STARTUP.NSH
-mv /boot/efi/EFI/centos /boot/efi/EFI/CentOS
-mv /etc/sysconfig /etc/sysconfig/network-scripts
-mv /etc/hosts /etc/hosts
-cp-a /home/admin/notes.txt /boot/efi/notes.txt
-cp-a /home/admin /boot/efi/EFI
cp-a /etc/hostname /boot/efi/hostname
write /home/admin/moved.txt "moved across"
chown 1000 1000 /home/admin/moved.txt
-mv /home/admin/moved.txt /boot/efi/moved.txt
-ln-s startup.nsh /boot/efi/link
-ln /boot/efi/startup.nsh /boot/efi/hard
-chmod 4755 /boot/efi/startup.nsh
chmod 0444 /boot/efi/startup.nsh
-write /boot/efi/startup.nsh "x"
-write-append /boot/efi/startup.nsh "x"
chmod 0644 /boot/efi/startup.nsh
-mkdir /boot/efi/startup.nsh
-rm /boot/efi/EFI
-rmdir /boot/efi/EFI
-rmdir /boot/efi/nothing
-chown 0 0 /boot/efi/startup.nsh
touch /boot/efi/a-very-long-file-name-that-needs-several-lfn-entries.txt
write /boot/efi/Mixed.Case.Name "m"
write /boot/efi/UPPER.TXT "u"
-write /boot/efi/upper.txt "lower"
cat /boot/efi/UPPER.TXT
-write "/boot/efi/bad:name" "x"
-mkdir "/boot/efi/trailing. "
is-file /boot/efi/mixed.case.name
readlink /etc/rc.local
-readlink /boot/efi/startup.nsh
mkdir /boot/efi/many
${Array.from({ length: 70 }, (_, i) => `write /boot/efi/many/file-with-a-long-name-${i}.txt "${i}"`).join('\n')}
ls /boot/efi/many
rm-rf /boot/efi/many
statvfs /boot/efi
ls /boot/efi
ls /boot/efi/EFI
cat /boot/efi/EFI/centos/grub.cfg
write /boot/efi/EFI/centos/grubenv "# GRUB Environment Block\\nsaved_entry=@HostName@\\n"
mkdir-p /boot/efi/EFI/streamer/deep
upload -<<END /boot/efi/EFI/streamer/deep/Message.TXT
hello from @HostName@
END
cp /boot/efi/EFI/centos/grub.cfg /boot/efi/EFI/streamer/grub.bak
rm /boot/efi/startup.nsh
write /etc/hostname "@HostName@"
umount /boot/efi
umount /
mount /dev/sda1 /
ls /EFI/streamer
cat /EFI/streamer/deep/Message.TXT
`)],
    },
    {
      name: 'own: inspection of a UEFI guest',
      image: 'gpt-uefi',
      values: {},
      steps: [step('inspect', `
mount /dev/sda2 /
inspect-os
-ls /
inspect-get-roots
${['type', 'distro', 'product-name', 'product-variant', 'major-version', 'minor-version', 'hostname', 'osinfo', 'arch', 'format', 'package-format', 'package-management', 'mountpoints', 'filesystems'].map((what) => `inspect-get-${what} /dev/sda2`).join('\n')}
-inspect-get-distro /dev/sda1
-inspect-get-distro /dev/sda7
mount /dev/sda2 /
mount-ro /dev/sda1 /boot/efi
ls /boot/efi/EFI
-write /boot/efi/read-only "no"
umount-all
`)],
    },
    {
      // the image is CentOS-like: each distribution here replaces its release files before inspect-os
      name: 'own: inspection of other Linux distributions',
      image: 'mbr-ext4',
      values: {},
      steps: [step('distributions', `
mount /dev/sda1 /
rm-f /etc/centos-release
rm-f /etc/redhat-release
rm-f /etc/system-release
umount-all
${OTHER_DISTRIBUTIONS.map(([release, extra]) => `mount /dev/sda1 /
upload -<<END /etc/os-release
${release}
END
${extra}
umount-all
inspect-os
${['distro', 'product-name', 'major-version', 'minor-version', 'osinfo', 'package-format', 'package-management', 'hostname'].map((what) => `inspect-get-${what} /dev/sda1`).join('\n')}`).join('\n')}
`)],
    },
    {
      name: 'own: ext2 /boot and ext3 root',
      image: 'mbr-ext2-ext3',
      values: { HostName: 'old-host' },
      steps: [step('older ext', `
list-filesystems
inspect-os
inspect-get-mountpoints /dev/sda2
inspect-get-filesystems /dev/sda2
mount /dev/sda2 /
mount /dev/sda1 /boot
statvfs /boot
statvfs /
ls /boot
write /etc/hostname "@HostName@"
upload -<<END /boot/grub/grub.conf
default=0
timeout=1
title @HostName@
  kernel /vmlinuz ro root=LABEL=root
END
mkdir-p /boot/streamer/a/b/c
${Array.from({ length: 40 }, (_, i) => `write /boot/streamer/a/file-${i} "boot file ${i} of @HostName@"`).join('\n')}
cp-a /etc/ssh/sshd_config /boot/streamer/sshd_config
chown 1000 1000 /boot/streamer/a
chmod 0750 /boot/streamer/a
ln-s ../grub/grub.conf /boot/streamer/grub.conf
ln-sf /etc/hostname /etc/hostname.link
rm-rf /var/log
mkdir-p /var/log/journal
touch /var/log/journal/empty
write-append /etc/hosts "10.0.0.5 @HostName@\\n"
rm /boot/vmlinuz
ls /boot/streamer
cat /boot/grub/grub.conf
umount /boot
umount /
mount-ro /dev/sda1 /
cat /streamer/a/file-39
`)],
    },
    {
      name: 'own: a failing command stops the run',
      image: 'mbr-ext4',
      values: {},
      steps: [
        step('first', `
mount /dev/sda1 /
write /before-failure "written"
mkdir /a/b
write /after-failure "never written"
`),
        step('never reached', 'echo this step is skipped\n'),
      ],
    },
    {
      name: 'own: an unknown command stops the run',
      image: 'gpt-uefi',
      values: {},
      steps: [step('unknown', `
mount /dev/sda2 /
write /before "x"
frobnicate /x
write /after "y"
`)],
    },
    {
      name: 'own: a failing host command stops the run',
      image: 'hpe-uefi',
      values: {},
      steps: [step('host failure', `
echo before
!echo "about to fail" ; exit 3
echo after
`)],
    },
  ];
}
