// A small bootable Linux for lab tests, built from Debian packages on this host (busybox-static, the
// installed linux-image kernel and its modules): an initramfs that mounts /dev/vda1 and a disk image
// whose ext4 root prints its personalization on the serial console and powers off.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface LabImage {
  /** Raw disk: MBR, partition 1 (ext4, label "rootfs") from 1 MiB. */
  disk: string;
  kernel: string;
  initrd: string;
  /** Kernel command line: serial console, root on the first partition of the virtio disk. */
  append: string;
}

const MODULES = ['virtio_ring', 'virtio', 'virtio_pci_legacy_dev', 'virtio_pci_modern_dev', 'virtio_pci', 'virtio_blk', 'crc16', 'mbcache', 'jbd2', 'crc32c_generic', 'ext4'];

function need(tool: string, debianPackage: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`The lab image needs "${tool}": install the Debian package ${debianPackage}`);
  }
}

function findFile(dir: string, name: string): string | undefined {
  const out = execFileSync('find', [dir, '-name', `${name}.ko*`]).toString().trim().split('\n')[0];
  return out === '' ? undefined : out;
}

export async function buildLabImage(work: string, options: { hostname?: string; sizeMiB?: number } = {}): Promise<LabImage> {
  for (const [tool, pkg] of [['sfdisk', 'fdisk'], ['mkfs.ext4', 'e2fsprogs'], ['cpio', 'cpio'], ['gzip', 'gzip']] as const) need(tool, pkg);
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
  if (busybox === undefined) throw new Error('The lab image needs busybox: install the Debian package busybox-static');
  const kernels = (await readdir('/boot')).filter((n) => n.startsWith('vmlinuz-')).sort();
  const kernelName = kernels[kernels.length - 1];
  if (kernelName === undefined) throw new Error('The lab image needs a kernel in /boot: install the Debian package linux-image-amd64');
  const version = kernelName.slice('vmlinuz-'.length);
  const moduleDir = `/lib/modules/${version}`;

  // initramfs: load virtio and ext4, mount root read-only, switch to it.
  const initrd = join(work, 'initrd');
  await mkdir(join(initrd, 'bin'), { recursive: true });
  for (const d of ['dev', 'proc', 'sys', 'newroot', 'lib/modules']) await mkdir(join(initrd, d), { recursive: true });
  await copyFile(busybox, join(initrd, 'bin/busybox'));
  for (const m of MODULES) {
    const file = findFile(moduleDir, m);
    if (file === undefined) throw new Error(`The lab image needs kernel module ${m} from ${moduleDir}: install linux-image-amd64`);
    await copyFile(file, join(initrd, 'lib/modules', `${m}.ko`));
  }
  await writeFile(join(initrd, 'init'), `#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
for m in ${MODULES.join(' ')}; do /bin/busybox insmod /lib/modules/$m.ko 2>/dev/null; done
i=0; while [ ! -b /dev/vda1 ] && [ $i -lt 200 ]; do /bin/busybox usleep 50000; i=$((i+1)); done
/bin/busybox mount -t ext4 -o ro /dev/vda1 /newroot || { echo "Streamer lab: cannot mount /dev/vda1"; /bin/busybox poweroff -f; }
/bin/busybox umount /proc /sys; /bin/busybox mount --move /dev /newroot/dev
exec /bin/busybox switch_root /newroot /sbin/init
`);
  await chmod(join(initrd, 'init'), 0o755);
  const initrdImage = join(work, 'initrd.img');
  execFileSync('sh', ['-c', `cd "${initrd}" && find . | cpio -o -H newc --quiet | gzip -1 > "${initrdImage}"`]);

  // Root filesystem: prints what personalization wrote, then powers off.
  const root = join(work, 'root');
  for (const d of ['bin', 'sbin', 'etc', 'dev', 'proc', 'sys', 'tmp']) await mkdir(join(root, d), { recursive: true });
  await copyFile(busybox, join(root, 'bin/busybox'));
  await writeFile(join(root, 'sbin/init'), `#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
H=$(/bin/busybox cat /etc/hostname 2>/dev/null)
/bin/busybox hostname "\${H:-localhost}"
echo "Streamer lab: hostname=\${H:-none} marker=$(/bin/busybox cat /etc/streamer-marker 2>/dev/null)"
echo "\${H:-localhost} login:"
/bin/busybox sync
/bin/busybox poweroff -f
`);
  await chmod(join(root, 'sbin/init'), 0o755);
  await writeFile(join(root, 'etc/hostname'), `${options.hostname ?? 'golden'}\n`);

  const sizeMiB = options.sizeMiB ?? 64;
  const disk = join(work, 'lab-disk.img');
  const fs = join(work, 'lab-fs.img');
  execFileSync('truncate', ['-s', `${sizeMiB}M`, disk]);
  execFileSync('sfdisk', ['-q', disk], { input: 'start=2048, type=83, bootable\n' });
  execFileSync('truncate', ['-s', `${sizeMiB - 1}M`, fs]);
  execFileSync('mkfs.ext4', ['-q', '-F', '-L', 'rootfs', '-d', root, fs], { stdio: 'ignore' });
  execFileSync('dd', [`if=${fs}`, `of=${disk}`, 'bs=1M', 'seek=1', 'conv=notrunc,sparse', 'status=none']);
  execFileSync('rm', ['-f', fs]);
  return { disk, kernel: join('/boot', kernelName), initrd: initrdImage, append: 'console=ttyS0 root=/dev/vda1 quiet panic=-1' };
}
