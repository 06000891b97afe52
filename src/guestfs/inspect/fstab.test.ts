import { expect, test } from 'vitest';
import { parseFstab, resolveFstabDevice } from './fstab.js';

const known = [
  { device: '/dev/sda1', uuid: 'AAAA-BBBB', label: 'ESP' },
  { device: '/dev/sda2', uuid: '0b3f6c1e-1111-2222-3333-444455556666', partUuid: 'abcd-02' },
  { device: '/dev/sda3', label: 'swap' },
];

test('parseFstab keeps block devices mounted on a path or as swap', () => {
  const text = [
    '# /etc/fstab',
    'UUID=0b3f6c1e-1111-2222-3333-444455556666 / ext4 errors=remount-ro 0 1',
    'UUID=AAAA-BBBB  /boot/efi vfat umask=0077 0 1',
    'LABEL=swap none swap sw 0 0',
    'proc /proc proc defaults 0 0',
    'tmpfs /tmp tmpfs defaults 0 0',
    '/dev/vda4 /srv/my\\040data ext4 defaults 0 2',
  ].join('\n');
  expect(parseFstab(text).map((e) => [e.spec, e.mountpoint])).toEqual([
    ['UUID=0b3f6c1e-1111-2222-3333-444455556666', '/'],
    ['UUID=AAAA-BBBB', '/boot/efi'],
    ['LABEL=swap', 'none'],
    ['/dev/vda4', '/srv/my data'],
  ]);
});

test('resolveFstabDevice maps UUID, LABEL, PARTUUID, by-uuid links and vd/xvd partition names', () => {
  expect(resolveFstabDevice('UUID=0B3F6C1E-1111-2222-3333-444455556666', known)).toBe('/dev/sda2');
  expect(resolveFstabDevice('UUID="aaaa-bbbb"', known)).toBe('/dev/sda1');
  expect(resolveFstabDevice('LABEL=swap', known)).toBe('/dev/sda3');
  expect(resolveFstabDevice('PARTUUID=abcd-02', known)).toBe('/dev/sda2');
  expect(resolveFstabDevice('/dev/disk/by-uuid/AAAA-BBBB', known)).toBe('/dev/sda1');
  expect(resolveFstabDevice('/dev/vda2', known)).toBe('/dev/sda2');
  expect(resolveFstabDevice('/dev/xvda1', known)).toBe('/dev/sda1');
  expect(resolveFstabDevice('/dev/sdb1', known)).toBe('/dev/sdb1');
  expect(resolveFstabDevice('/dev/vdb', known)).toBe('/dev/vdb');
  expect(resolveFstabDevice('/dev/disk/by-uuid/nope', known)).toBe('/dev/disk/by-uuid/nope');
  expect(resolveFstabDevice('LABEL=nope', known)).toBeUndefined();
  expect(resolveFstabDevice('UUID=nope', known)).toBeUndefined();
});
