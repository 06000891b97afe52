// What a plan-script run sees of one guest disk: its devices, partitions and filesystems, a mount table,
// and path resolution across mounts — the in-process equivalent of a guestfish session after `run`.
import type { ImageFs } from './image-fs.js';
import type { OsInspection } from './inspect/index.js';

export interface GuestPartition {
  /** guestfish's name: `/dev/sda1`, `/dev/sda5` for the first logical partition of an MBR disk. */
  device: string;
  number: number;
  startBytes: number;
  sizeBytes: number;
  /** MBR type byte as two hex digits ("83"), or GPT type GUID in upper case. */
  type: string;
}

export interface GuestFilesystemInfo {
  /** `/dev/sda1`, or `/dev/sda` for a filesystem on the whole disk. */
  device: string;
  /** As guestfish's list-filesystems prints it: `ext4`, `vfat`, `swap`, `ntfs`, `xfs`, `LVM2_member`, `unknown`. */
  type: string;
}

export interface GuestMount {
  device: string;
  mountpoint: string;
  readOnly: boolean;
  fs: ImageFs;
}

/**
 * One guest disk opened for a plan-script run. Device names follow guestfish (`/dev/sda`, `/dev/sda1`).
 * Errors are AppErrors worded like guestfish's (`mount: /dev/sda3: No such file or directory`).
 */
export interface GuestSession {
  listDevices(): string[];
  listPartitions(): GuestPartition[];
  listFilesystems(): Promise<GuestFilesystemInfo[]>;
  /** Mounts the filesystem on `device` at `mountpoint` ("/" first; others must be existing directories). */
  mount(device: string, mountpoint: string, options?: { readOnly?: boolean }): Promise<void>;
  /** Unmounts by mountpoint or device; syncs the filesystem first. */
  umount(target: string): Promise<void>;
  umountAll(): Promise<void>;
  mounts(): GuestMount[];
  /**
   * Maps an absolute guest path to the filesystem mounted over it (longest mountpoint prefix) and the path
   * inside that filesystem. Fails when nothing is mounted on "/" or the path escapes the root.
   */
  resolve(path: string): { fs: ImageFs; path: string; mount: GuestMount };
  /**
   * inspect-os: unmounts everything first, like libguestfs does (a script must mount again afterwards),
   * then finds the Linux roots and what inspect-get-* report for them.
   */
  inspect?(): Promise<OsInspection[]>;
  /** Syncs every mounted filesystem and flushes the Disk. */
  sync(): Promise<void>;
  /** Unmounts everything (syncing) and releases workers; the Disk itself stays open. */
  close(): Promise<void>;
}
