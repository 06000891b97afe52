// A stand-in GuestSession for interpreter tests until src/guestfs exports openGuestSession: one ext
// filesystem on the whole disk (/dev/sda), opened through src/guestfs/ext. Mount table and path
// resolution only; every file operation is the real ext engine's.
import { execFileSync } from 'node:child_process';
import { AppError } from '../../src/core/errors.js';
import { openExt } from '../../src/guestfs/ext/index.js';
import type { ImageFs } from '../../src/guestfs/image-fs.js';
import type { GuestFilesystemInfo, GuestMount, GuestPartition, GuestSession } from '../../src/guestfs/session.js';
import { FileDisk } from '../guestfs-ext/file-disk.js';

export function requireTool(tool: string, debianPackage: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    throw new Error(`This test needs "${tool}": install the Debian package ${debianPackage}`);
  }
}

/** Makes an ext4 image file of `sizeMiB` with mkfs (Debian defaults, metadata_csum included). */
export function makeExtImage(path: string, sizeMiB: number, populate?: string): void {
  requireTool('mkfs.ext4', 'e2fsprogs');
  execFileSync('truncate', ['-s', `${sizeMiB}M`, path]);
  const args = ['-q', '-F', '-t', 'ext4', ...(populate === undefined ? [] : ['-d', populate]), path];
  execFileSync('mkfs.ext4', args, { stdio: 'ignore' });
}

export async function openExtSession(imagePath: string, fsType = 'ext4'): Promise<GuestSession & { disk: FileDisk }> {
  const disk = await FileDisk.open(imagePath);
  const table: GuestMount[] = [];
  const opened = new Map<string, ImageFs>();
  const session: GuestSession & { disk: FileDisk } = {
    disk,
    listDevices: () => ['/dev/sda'],
    listPartitions: (): GuestPartition[] => [],
    listFilesystems: (): Promise<GuestFilesystemInfo[]> => Promise.resolve([{ device: '/dev/sda', type: fsType }]),
    async mount(device, mountpoint, options = {}) {
      if (device !== '/dev/sda') throw new AppError('not_found', 'GUESTFS_NO_DEVICE', `mount: ${device}: No such file or directory`);
      if (mountpoint !== '/') throw new AppError('invalid', 'GUESTFS_MOUNTPOINT', `mount: ${mountpoint}: only / in this test session`);
      if (table.length > 0) throw new AppError('conflict', 'GUESTFS_BUSY', `mount: ${device}: already mounted`);
      const fs = await openExt(disk, { readOnly: options.readOnly ?? false, device });
      opened.set(device, fs);
      table.push({ device, mountpoint, readOnly: options.readOnly ?? false, fs });
    },
    async umount(target) {
      const i = table.findIndex((m) => m.mountpoint === target || m.device === target);
      if (i === -1) throw new AppError('invalid', 'GUESTFS_NOT_MOUNTED', `umount: ${target}: not mounted`);
      const [m] = table.splice(i, 1);
      await m!.fs.close();
      opened.delete(m!.device);
    },
    async umountAll() {
      while (table.length > 0) await session.umount(table[table.length - 1]!.mountpoint);
    },
    mounts: () => [...table],
    resolve(path) {
      const root = table.find((m) => m.mountpoint === '/');
      if (root === undefined) throw new AppError('invalid', 'GUESTFS_NOT_MOUNTED', `${path}: no filesystem is mounted on /`);
      return { fs: root.fs, path, mount: root };
    },
    async sync() {
      for (const m of table) await m.fs.sync();
      await disk.flush();
    },
    async close() {
      await session.umountAll();
    },
  };
  return session;
}
