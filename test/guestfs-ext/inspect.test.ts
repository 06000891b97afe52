// inspect-os over real ext images made with mkfs -d: a Debian-like root with /boot and swap in its fstab,
// a RHEL-like root, and a data filesystem that is no root.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { isAppError } from '../../src/core/errors.js';
import { ExtWorkerPool, openExt, readExtSuperblock } from '../../src/guestfs/ext/index.js';
import { formatHash, formatList, inspectionOf, inspectOs, type InspectCandidate } from '../../src/guestfs/inspect/index.js';
import { FileDisk } from './file-disk.js';
import { makeImage, requireTools, tempDir } from './images.js';

const tmp = tempDir();
const pool = new ExtWorkerPool();
const disks: FileDisk[] = [];
beforeAll(() => requireTools());
afterAll(async () => {
  await pool.close();
  for (const d of disks) await d.close();
  tmp.cleanup();
});

function tree(name: string, files: Record<string, string>, links: Record<string, string> = {}): string {
  const root = join(tmp.dir, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(path.endsWith('/') ? join(root, path) : join(root, path, '..'), { recursive: true });
    if (!path.endsWith('/')) writeFileSync(join(root, path), content);
  }
  for (const [path, target] of Object.entries(links)) symlinkSync(target, join(root, path));
  return root;
}

async function candidate(device: string, image: string, label?: string): Promise<InspectCandidate> {
  const disk = await FileDisk.open(image, { readOnly: true });
  disks.push(disk);
  const sb = await readExtSuperblock(disk);
  return {
    device,
    type: sb?.type ?? 'unknown',
    uuid: sb?.uuid,
    label,
    open: () => openExt(disk, { readOnly: true, device, pool }),
  };
}

const BOOT_UUID = '11111111-2222-3333-4444-555555555555';
const ROOT_UUID = '0b3f6c1e-aaaa-bbbb-cccc-444455556666';

test('inspect-os finds the Linux roots and reads them as guestfish does', async () => {
  const debianRoot = tree(
    'debian',
    {
      'usr/lib/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
      'etc/debian_version': '12.5\n',
      'etc/hostname': 'web-01\n',
      'etc/fstab': `UUID=${ROOT_UUID} / ext4 errors=remount-ro 0 1\nUUID=${BOOT_UUID} /boot ext2 defaults 0 2\n/dev/vda9 none swap sw 0 0\nproc /proc proc defaults 0 0\n`,
      'bin/': '',
    },
    { 'etc/os-release': '../usr/lib/os-release' },
  );
  const rhelRoot = tree('rhel', {
    'etc/redhat-release': 'Red Hat Enterprise Linux Server release 7.9 (Maipo)\n',
    'etc/sysconfig/network': 'NETWORKING=yes\nHOSTNAME=db-02.example.com\n',
    'etc/hosts': '127.0.0.1 localhost\n',
    'usr/bin/': '',
  }, { bin: 'usr/bin' });
  // checked against guestfish 1.48: /dev/vda3 maps to the partition, /dev/sdc7 stays as written, entries
  // naming no filesystem are dropped, an empty /etc/hostname reads as "unknown"
  const ubuntuRoot = tree('ubuntu', {
    'etc/os-release': 'ID=ubuntu\nPRETTY_NAME="Ubuntu 22.04.3 LTS"\nVERSION_ID="22.04"\n',
    'etc/fstab': '/dev/vda3 / ext4 defaults 0 1\nUUID=deadbeef-0000-0000-0000-000000000000 /data ext4 defaults 0 2\nLABEL=nolabel /x ext4 defaults 0 0\n/dev/sdc7 /y ext4 defaults 0 0\n',
    'etc/hostname': '\n',
    'bin/': '',
  });
  const data = tree('data', { 'etc/': '', 'srv/file': 'x' });
  const images = {
    root: join(tmp.dir, 'root.img'),
    boot: join(tmp.dir, 'boot.img'),
    rhel: join(tmp.dir, 'rhel.img'),
    data: join(tmp.dir, 'data.img'),
    ubuntu: join(tmp.dir, 'ubuntu.img'),
  };
  makeImage(images.root, 'ext4', '64M', ['-d', debianRoot, '-U', ROOT_UUID]);
  makeImage(images.boot, 'ext2', '16M', ['-U', BOOT_UUID]);
  makeImage(images.rhel, 'ext3', '64M', ['-d', rhelRoot]);
  makeImage(images.data, 'ext4', '64M', ['-d', data]);
  makeImage(images.ubuntu, 'ext4', '64M', ['-d', ubuntuRoot]);
  const candidates = [
    await candidate('/dev/sda1', images.boot),
    await candidate('/dev/sda2', images.root),
    await candidate('/dev/sda3', images.ubuntu),
    await candidate('/dev/sdb1', images.data),
    await candidate('/dev/sdc1', images.rhel),
    { device: '/dev/sda9', type: 'swap', open: () => Promise.reject(new Error('not a filesystem')) },
  ];

  const roots = await inspectOs(candidates);
  expect(formatList(roots.map((r) => r.root))).toBe('/dev/sda2\n/dev/sda3\n/dev/sdc1\n');
  expect(roots[0]).toEqual({
    root: '/dev/sda2',
    type: 'linux',
    distro: 'debian',
    productName: '12.5',
    majorVersion: 12,
    minorVersion: 5,
    hostname: 'web-01',
    mountpoints: [
      ['/boot', '/dev/sda1'],
      ['/', '/dev/sda2'],
    ],
    filesystems: ['/dev/sda9', '/dev/sda1', '/dev/sda2'],
    osinfo: 'debian12',
    packageFormat: 'deb',
    packageManagement: 'apt',
    arch: 'unknown',
  });
  expect(formatHash(roots[0]?.mountpoints ?? [])).toBe('/boot: /dev/sda1\n/: /dev/sda2\n');
  expect(roots[1]).toEqual({
    root: '/dev/sda3',
    type: 'linux',
    distro: 'ubuntu',
    productName: 'Ubuntu 22.04.3 LTS',
    majorVersion: 22,
    minorVersion: 4,
    hostname: 'unknown',
    mountpoints: [
      ['/y', '/dev/sdc7'],
      ['/', '/dev/sda3'],
    ],
    filesystems: ['/dev/sdc7', '/dev/sda3'],
    osinfo: 'ubuntu22.04',
    packageFormat: 'deb',
    packageManagement: 'apt',
    arch: 'unknown',
  });
  expect(roots[2]).toMatchObject({
    root: '/dev/sdc1',
    distro: 'rhel',
    productName: 'Red Hat Enterprise Linux Server release 7.9 (Maipo)',
    majorVersion: 7,
    minorVersion: 9,
    hostname: 'db-02.example.com',
    mountpoints: [['/', '/dev/sdc1']],
    filesystems: ['/dev/sdc1'],
    osinfo: 'rhel7.9',
    packageFormat: 'rpm',
    packageManagement: 'yum',
  });

  expect(inspectionOf(roots, '/dev/sdc1', 'inspect-get-distro').distro).toBe('rhel');
  let error: unknown;
  try {
    inspectionOf(roots, '/dev/sdb1', 'inspect-get-type');
  } catch (e) {
    error = e;
  }
  expect(isAppError(error) && error.message).toBe(
    'inspect_get_type: /dev/sdb1: root device not found: only call this function with a root device previously returned by guestfs_inspect_os',
  );
});
