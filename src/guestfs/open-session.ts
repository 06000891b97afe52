// One guest disk opened for a plan-script run: its partitions, what each holds, and a mount table whose
// filesystems are the in-process engines (ext2/3/4 through libext2fs, FAT through src/guestfs/fat).
// Types the native engine cannot mount are named in the error, so a caller can hand the plan to guestfish.
import { AppError } from '../core/errors.js';
import type { Disk } from '../storage/disk.js';
import { openExt, readExtSuperblock, type ExtWorkerPool } from './ext/index.js';
import type { ImageFs } from './image-fs.js';
import { readPartitions } from './partition-table.js';
import type { GuestFilesystemInfo, GuestMount, GuestPartition, GuestSession } from './session.js';
import { SliceDisk } from './slice-disk.js';
import { openFat } from './fat/index.js';
import { inspectOs, type InspectCandidate } from './inspect/index.js';

export interface OpenGuestSessionOptions {
  pool?: ExtWorkerPool;
}

/** The filesystem type on a device as guestfish's list-filesystems names it. */
export async function detectFilesystem(disk: Disk): Promise<string> {
  if (disk.sizeBytes < 4096) return 'unknown';
  const ext = await readExtSuperblock(disk).catch(() => undefined);
  if (ext !== undefined) return ext.type;
  const head = await disk.read(0, 4096);
  if (head.toString('latin1', 0, 4) === 'XFSB') return 'xfs';
  if (head.toString('latin1', 3, 11) === 'NTFS    ') return 'ntfs';
  if (head.toString('latin1', 4086, 4096) === 'SWAPSPACE2') return 'swap';
  if (head.toString('latin1', 512, 520) === 'LABELONE' && head.toString('latin1', 536, 544) === 'LVM2 001') return 'LVM2_member';
  const fat = head[510] === 0x55 && head[511] === 0xaa && (head.toString('latin1', 54, 57) === 'FAT' || head.toString('latin1', 82, 87) === 'FAT32');
  return fat ? 'vfat' : 'unknown';
}

function normalizeMountpoint(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

export async function openGuestSession(disk: Disk, options: OpenGuestSessionOptions = {}): Promise<GuestSession> {
  const partitions = await readPartitions(disk);
  const devices = new Map<string, Disk>();
  if (partitions.length === 0) devices.set('/dev/sda', disk);
  for (const p of partitions) {
    if (p.sizeBytes > 1024) devices.set(p.device, new SliceDisk(disk, p.startBytes, Math.min(p.sizeBytes, disk.sizeBytes - p.startBytes)));
  }
  const table: GuestMount[] = [];

  const deviceDisk = (device: string, command: string): Disk => {
    const found = devices.get(device);
    if (found === undefined) throw new AppError('not_found', 'GUESTFS_NO_DEVICE', `${command}: ${device}: No such file or directory`);
    return found;
  };

  const session: GuestSession = {
    listDevices: () => ['/dev/sda'],
    listPartitions: (): GuestPartition[] => partitions,
    async listFilesystems(): Promise<GuestFilesystemInfo[]> {
      const out: GuestFilesystemInfo[] = [];
      for (const [device, d] of devices) out.push({ device, type: await detectFilesystem(d) });
      return out;
    },
    async mount(device, mountpoint, mountOptions = {}) {
      const where = normalizeMountpoint(mountpoint);
      const d = deviceDisk(device, 'mount');
      if (table.some((m) => m.device === device)) throw new AppError('conflict', 'GUESTFS_BUSY', `mount: ${device}: already mounted`);
      if (table.some((m) => m.mountpoint === where)) throw new AppError('conflict', 'GUESTFS_BUSY', `mount: ${where}: something is already mounted there`);
      if (where !== '/') {
        if (!table.some((m) => m.mountpoint === '/')) throw new AppError('invalid', 'GUESTFS_NO_ROOT', `mount: ${where}: mount the root filesystem on / first`);
        const parent = session.resolve(where);
        const stat = await parent.fs.stat(parent.path).catch(() => undefined);
        if (stat?.kind !== 'directory') throw new AppError('not_found', 'GUESTFS_MOUNTPOINT', `mount: ${where}: No such file or directory`);
      }
      const type = await detectFilesystem(d);
      const readOnly = mountOptions.readOnly ?? false;
      let fs: ImageFs;
      if (type === 'ext2' || type === 'ext3' || type === 'ext4') {
        fs = await openExt(d, { readOnly, device, ...(options.pool === undefined ? {} : { pool: options.pool }) });
      } else if (type === 'vfat') {
        fs = await openFat(d, { readOnly, device });
      } else {
        throw new AppError('unavailable', 'GUESTFS_UNSUPPORTED_FS', `mount: ${device}: the native engine cannot mount ${type === 'unknown' ? 'this filesystem' : type}`, {
          recommendedActions: ['Install libguestfs-tools so that such build plans run through guestfish'],
        });
      }
      table.push({ device, mountpoint: where, readOnly, fs });
    },
    async umount(target) {
      const where = target.startsWith('/dev/') ? target : normalizeMountpoint(target);
      const index = table.findIndex((m) => m.mountpoint === where || m.device === where);
      if (index === -1) throw new AppError('invalid', 'GUESTFS_NOT_MOUNTED', `umount: ${target}: not mounted`);
      const mount = table[index]!;
      if (table.some((m) => m !== mount && m.mountpoint.startsWith(mount.mountpoint === '/' ? '/' : `${mount.mountpoint}/`))) {
        throw new AppError('conflict', 'GUESTFS_BUSY', `umount: ${target}: target is busy (something is mounted below it)`);
      }
      table.splice(index, 1);
      await mount.fs.close();
    },
    async umountAll() {
      const byDepth = [...table].sort((a, b) => b.mountpoint.length - a.mountpoint.length);
      for (const m of byDepth) await session.umount(m.mountpoint);
    },
    mounts: () => [...table],
    resolve(path) {
      if (!path.startsWith('/')) throw new AppError('invalid', 'GUESTFS_PATH', `${path}: path must start with a / character`);
      const parts: string[] = [];
      for (const part of path.split('/')) {
        if (part === '' || part === '.') continue;
        // `..` of the root is the root, as in the chroot guestfish works in: no path leaves the guest
        if (part === '..') parts.pop();
        else parts.push(part);
      }
      const clean = `/${parts.join('/')}`;
      let best: GuestMount | undefined;
      for (const m of table) {
        const inside = m.mountpoint === '/' || clean === m.mountpoint || clean.startsWith(`${m.mountpoint}/`);
        if (inside && (best === undefined || m.mountpoint.length > best.mountpoint.length)) best = m;
      }
      if (best === undefined) throw new AppError('precondition', 'GUESTFS_NOT_MOUNTED', `${path}: no filesystem is mounted on / (mount one first)`);
      const rest = best.mountpoint === '/' ? clean : clean.slice(best.mountpoint.length);
      return { fs: best.fs, path: rest === '' ? '/' : rest, mount: best };
    },
    async inspect() {
      await session.umountAll();
      const candidates: InspectCandidate[] = [];
      for (const [device, d] of devices) {
        const type = await detectFilesystem(d);
        const ext = type.startsWith('ext') ? await readExtSuperblock(d).catch(() => undefined) : undefined;
        candidates.push({
          device,
          type,
          ...(ext === undefined ? {} : { uuid: ext.uuid, ...(ext.volumeName === '' ? {} : { label: ext.volumeName }) }),
          open: () => (type === 'vfat' ? openFat(d, { readOnly: true, device }) : openExt(d, { readOnly: true, device, ...(options.pool === undefined ? {} : { pool: options.pool }) })),
        });
      }
      return inspectOs(candidates);
    },
    async sync() {
      for (const m of table) if (!m.readOnly) await m.fs.sync();
      await disk.flush();
    },
    async close() {
      await session.umountAll();
      await disk.flush();
    },
  };
  return session;
}
