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
  const data = tree('data', { 'etc/': '', 'srv/file': 'x' });
  const images = {
    root: join(tmp.dir, 'root.img'),
    boot: join(tmp.dir, 'boot.img'),
    rhel: join(tmp.dir, 'rhel.img'),
    data: join(tmp.dir, 'data.img'),
  };
  makeImage(images.root, 'ext4', '64M', ['-d', debianRoot, '-U', ROOT_UUID]);
  makeImage(images.boot, 'ext2', '16M', ['-U', BOOT_UUID]);
  makeImage(images.rhel, 'ext3', '64M', ['-d', rhelRoot]);
  makeImage(images.data, 'ext4', '64M', ['-d', data]);
  const candidates = [
    await candidate('/dev/sda1', images.boot),
    await candidate('/dev/sda2', images.root),
    await candidate('/dev/sdb1', images.data),
    await candidate('/dev/sdc1', images.rhel),
    { device: '/dev/sda9', type: 'swap', open: () => Promise.reject(new Error('not a filesystem')) },
  ];

  const roots = await inspectOs(candidates);
  expect(formatList(roots.map((r) => r.root))).toBe('/dev/sda2\n/dev/sdc1\n');
  expect(roots[0]).toEqual({
    root: '/dev/sda2',
    type: 'linux',
    distro: 'debian',
    productName: '12.5',
    majorVersion: 12,
    minorVersion: 5,
    hostname: 'web-01',
    mountpoints: [
      ['/', '/dev/sda2'],
      ['/boot', '/dev/sda1'],
    ],
    filesystems: ['/dev/sda2', '/dev/sda1', '/dev/sda9'],
  });
  expect(formatHash(roots[0]?.mountpoints ?? [])).toBe('/: /dev/sda2\n/boot: /dev/sda1\n');
  expect(roots[1]).toMatchObject({
    root: '/dev/sdc1',
    distro: 'rhel',
    productName: 'Red Hat Enterprise Linux Server release 7.9 (Maipo)',
    majorVersion: 7,
    minorVersion: 9,
    hostname: 'db-02.example.com',
    mountpoints: [['/', '/dev/sdc1']],
    filesystems: ['/dev/sdc1'],
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
