// The guest images the conformance suite runs scripts on, made with the real tools (sfdisk, mkfs.ext4 with
// Debian's defaults incl. metadata_csum, mkfs.vfat -F 32) from staged trees, plus HPE's UEFI test image.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadFixtureBundles } from '../planscript/fixture-bundles.js';
import { requireTool } from '../planscript/ext-session.js';

export type ImageName = 'mbr-ext4' | 'gpt-uefi' | 'hpe-uefi' | 'mbr-ext2-ext3';

const MiB = 1024 * 1024;

interface Entry {
  path: string;
  /** File content, a directory (`dir`), or a symlink target (`link`). */
  content?: string;
  dir?: boolean;
  link?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

/** A CentOS-7-like root: what HPE's Linux plan scripts look for, with varied modes and owners. */
function centosRoot(withEsp: boolean): Entry[] {
  return [
    { path: 'bin', link: 'usr/bin' },
    { path: 'usr/bin', dir: true },
    { path: 'usr/bin/true', content: '#!/bin/sh\nexit 0\n', mode: 0o755 },
    { path: 'sbin', link: 'usr/sbin' },
    { path: 'usr/sbin', dir: true },
    { path: 'etc', dir: true },
    { path: 'etc/os-release', content: 'NAME="CentOS Linux"\nVERSION="7 (Core)"\nID="centos"\nID_LIKE="rhel fedora"\nVERSION_ID="7"\nPRETTY_NAME="CentOS Linux 7 (Core)"\n' },
    { path: 'etc/centos-release', content: 'CentOS Linux release 7.9.2009 (Core)\n' },
    { path: 'etc/redhat-release', link: 'centos-release' },
    { path: 'etc/system-release', link: 'centos-release' },
    { path: 'etc/fstab', content: withEsp ? 'LABEL=root / ext4 defaults 1 1\n/dev/sda1 /boot/efi vfat umask=0077 0 2\n' : '/dev/sda1 / ext4 defaults 1 1\n' },
    { path: 'etc/hostname', content: 'localhost.localdomain\n' },
    { path: 'etc/hosts', content: '127.0.0.1   localhost localhost.localdomain\n::1         localhost localhost.localdomain\n' },
    { path: 'etc/passwd', content: 'root:x:0:0:root:/root:/bin/bash\nnobody:x:99:99:Nobody:/:/sbin/nologin\nadmin:x:1000:1000::/home/admin:/bin/bash\n' },
    { path: 'etc/shadow', content: 'root:$6$salt$hash:18000:0:99999:7:::\nnobody:*:18000:0:99999:7:::\nadmin:!!:18000:0:99999:7:::\n', mode: 0o000 },
    { path: 'etc/group', content: 'root:x:0:\nwheel:x:10:admin\nadmin:x:1000:\n' },
    { path: 'etc/sysconfig', dir: true },
    { path: 'etc/sysconfig/network', content: 'NETWORKING=yes\n' },
    { path: 'etc/sysconfig/network-scripts', dir: true },
    { path: 'etc/sysconfig/network-scripts/ifcfg-eth0', content: 'DEVICE=eth0\nBOOTPROTO=dhcp\nONBOOT=yes\n' },
    { path: 'etc/sysconfig/network-scripts/ifcfg-lo', content: 'DEVICE=lo\nIPADDR=127.0.0.1\n' },
    { path: 'etc/rc.d', dir: true },
    { path: 'etc/rc.d/rc.local', content: '#!/bin/bash\ntouch /var/lock/subsys/local\n', mode: 0o644 },
    { path: 'etc/rc.local', link: 'rc.d/rc.local' },
    { path: 'etc/ssh', dir: true },
    { path: 'etc/ssh/sshd_config', content: 'PermitRootLogin yes\nPasswordAuthentication yes\n', mode: 0o600 },
    { path: 'etc/selinux', dir: true },
    { path: 'etc/selinux/config', content: 'SELINUX=enforcing\nSELINUXTYPE=targeted\n' },
    { path: 'etc/udev/rules.d', dir: true },
    { path: 'etc/udev/rules.d/70-persistent-net.rules', content: 'SUBSYSTEM=="net", ATTR{address}=="00:11:22:33:44:55", NAME="eth0"\n' },
    { path: 'etc/machine-id', content: '0123456789abcdef0123456789abcdef\n', mode: 0o444 },
    { path: 'root', dir: true, mode: 0o550 },
    { path: 'root/.bash_history', content: 'ls\nhistory -c\n', mode: 0o600 },
    { path: 'root/.ssh', dir: true, mode: 0o700 },
    { path: 'home/admin', dir: true, mode: 0o700, uid: 1000, gid: 1000 },
    { path: 'home/admin/notes.txt', content: 'hello from admin\n', mode: 0o640, uid: 1000, gid: 1000 },
    { path: 'tmp', dir: true, mode: 0o1777 },
    { path: 'var/log', dir: true },
    { path: 'var/log/messages', content: 'Nov 25 boot\n', mode: 0o600 },
    { path: 'var/lock/subsys', dir: true },
    { path: 'opt/app/bin/tool', content: '#!/bin/sh\necho tool\n', mode: 0o4755 },
    { path: 'opt/app/data with space.txt', content: 'spaces in the name\n' },
    ...(withEsp ? [{ path: 'boot/efi', dir: true, mode: 0o700 }] : []),
  ];
}

function espTree(): Entry[] {
  return [
    { path: 'EFI/BOOT/BOOTX64.EFI', content: 'MZ fake loader\n' },
    { path: 'EFI/centos/grub.cfg', content: 'set timeout=5\nmenuentry "CentOS" {\n  linuxefi /vmlinuz root=LABEL=root\n}\n' },
    { path: 'EFI/centos/grubenv', content: '# GRUB Environment Block\n' },
    { path: 'startup.nsh', content: 'fs0:\\EFI\\BOOT\\BOOTX64.EFI\n' },
  ];
}

function stage(root: string, entries: Entry[]): void {
  for (const e of entries) {
    const path = join(root, e.path);
    mkdirSync(dirname(path), { recursive: true });
    if (e.link !== undefined) symlinkSync(e.link, path);
    else if (e.dir === true) mkdirSync(path, { recursive: true });
    else writeFileSync(path, e.content ?? '');
    if (e.link === undefined) {
      chmodSync(path, e.mode ?? (e.dir === true ? 0o755 : 0o644));
      chownSync(path, e.uid ?? 0, e.gid ?? 0);
    }
  }
}

function sh(command: string, args: string[], input?: string): void {
  execFileSync(command, args, { stdio: ['pipe', 'ignore', 'pipe'], ...(input === undefined ? {} : { input }) });
}

/** ext4 with mke2fs' Debian defaults (metadata_csum, 64bit, extents…) at `offset` of `path`, from `tree`. */
function mkfsExt4(path: string, offsetBytes: number, sizeBytes: number, tree: string, label: string): void {
  // a fixed UUID and hash seed: the same image every time (statvfs' fsid comes from the UUID)
  const uuid = '5ea7c0de-0000-4000-8000-00000000e4e4';
  sh('mkfs.ext4', ['-q', '-F', '-L', label, '-U', uuid, '-E', `offset=${offsetBytes},hash_seed=${uuid}`, '-d', tree, path, `${sizeBytes / 1024}k`]);
}

/** ext2 (1 KiB blocks, no journal, no extents) or ext3 (a journal, no extents) at `offset` of `path`. */
function mkfsOlderExt(kind: 'ext2' | 'ext3', path: string, offsetBytes: number, sizeBytes: number, tree: string, label: string): void {
  const uuid = kind === 'ext2' ? '5ea7c0de-0000-4000-8000-00000000e2e2' : '5ea7c0de-0000-4000-8000-00000000e3e3';
  sh(`mkfs.${kind}`, ['-q', '-F', '-L', label, '-U', uuid, ...(kind === 'ext2' ? ['-b', '1024'] : []), '-E', `offset=${offsetBytes},hash_seed=${uuid}`, '-d', tree, path, `${sizeBytes / 1024}k`]);
}

/** FAT32 made in a plain file, then copied into the partition (mkfs.vfat has no offset option). */
function mkfsFat32(path: string, offsetBytes: number, sizeBytes: number, tree: string, work: string): void {
  const part = join(work, 'esp.img');
  sh('truncate', ['-s', String(sizeBytes), part]);
  sh('mkfs.vfat', ['-F', '32', '-n', 'ESP', '-i', '5EA7C0DE', part]);
  sh('mcopy', ['-s', '-i', part, ...['EFI', 'startup.nsh'].map((n) => join(tree, n)), '::/']);
  sh('dd', [`if=${part}`, `of=${path}`, 'bs=1M', `seek=${offsetBytes / MiB}`, 'conv=notrunc,sparse', 'status=none']);
}

/** Builds `name` at `path` (a fresh file). */
export async function makeImage(name: ImageName, path: string): Promise<void> {
  for (const [tool, pkg] of [['sfdisk', 'fdisk'], ['mkfs.ext4', 'e2fsprogs'], ['mkfs.vfat', 'dosfstools'], ['mcopy', 'mtools']] as const) requireTool(tool, pkg);
  const work = mkdtempSync(join(tmpdir(), 'conformance-image-'));
  try {
    if (name === 'mbr-ext4') {
      sh('truncate', ['-s', `${32 * MiB}`, path]);
      sh('sfdisk', ['-q', path], 'label: dos\nstart=2048, type=83, bootable\n');
      stage(join(work, 'root'), centosRoot(false));
      mkfsExt4(path, MiB, 31 * MiB, join(work, 'root'), 'root');
    } else if (name === 'gpt-uefi') {
      sh('truncate', ['-s', `${72 * MiB}`, path]);
      sh('sfdisk', ['-q', path], 'label: gpt\nstart=2048, size=81920, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI System Partition"\nstart=83968, size=61440, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="root"\n');
      stage(join(work, 'root'), centosRoot(true));
      stage(join(work, 'esp'), espTree());
      mkfsFat32(path, MiB, 40 * MiB, join(work, 'esp'), work);
      mkfsExt4(path, 41 * MiB, 30 * MiB, join(work, 'root'), 'root');
    } else if (name === 'mbr-ext2-ext3') {
      // a separate /boot in ext2 and an ext3 root, as older distributions were installed
      sh('truncate', ['-s', `${48 * MiB}`, path]);
      sh('sfdisk', ['-q', path], 'label: dos\nstart=2048, size=16384, type=83, bootable\nstart=18432, type=83\n');
      stage(join(work, 'boot'), [
        { path: 'grub/grub.conf', content: 'default=0\ntimeout=5\ntitle CentOS\n  kernel /vmlinuz ro root=LABEL=root\n' },
        { path: 'vmlinuz', content: 'not a kernel\n' },
        { path: 'lost+found', dir: true, mode: 0o700 },
      ]);
      stage(join(work, 'root'), centosRoot(false).map((e) => (e.path === 'etc/fstab' ? { ...e, content: 'LABEL=root / ext3 defaults 1 1\nLABEL=boot /boot ext2 defaults 1 2\n' } : e)));
      mkdirSync(join(work, 'root', 'boot'));
      mkfsOlderExt('ext2', path, MiB, 8 * MiB, join(work, 'boot'), 'boot');
      mkfsOlderExt('ext3', path, 9 * MiB, 39 * MiB, join(work, 'root'), 'root');
    } else {
      const developer = (await loadFixtureBundles()).find((b) => b.file.startsWith('HPE-ImageStreamer-Developer'));
      const payload = developer === undefined ? undefined : [...developer.payloads.values()][0];
      if (payload === undefined) throw new Error('The HPE developer bundle holds no golden image payload');
      const zip = join(work, 'image.zip');
      writeFileSync(zip, payload);
      requireTool('unzip', 'unzip');
      const raw = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n')[0]!;
      execFileSync('sh', ['-c', 'unzip -p "$1" "$2" > "$3"', 'sh', zip, raw, path]);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
