// The file-level interface a plan-script command sees for one filesystem inside a Disk (ext*, FAT, …).
// Paths are absolute POSIX paths inside that filesystem ("/etc/hostname"); no `..` escapes the root.

export type FileKind = 'file' | 'directory' | 'symlink' | 'other';

export interface FileStat {
  kind: FileKind;
  sizeBytes: number;
  /** Permission bits and type as st_mode (e.g. 0o100644). FAT reports a fixed mode like guestfish does. */
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  nlink: number;
}

export interface StatVfs {
  blockSize: number;
  blocks: number;
  blocksFree: number;
  blocksAvailable: number;
  files: number;
  filesFree: number;
  nameMax: number;
  /** f_fsid as Linux reports it (signed 64-bit), where the filesystem alone determines it (ext: from its UUID). */
  fsid?: bigint;
}

/**
 * A mounted-in-process filesystem. Errors are AppErrors whose message reads like guestfish's
 * (`cat: /etc/nope: No such file or directory`); `code` is one of `FS_NOT_FOUND`, `FS_EXISTS`,
 * `FS_NOT_DIR`, `FS_IS_DIR`, `FS_NOT_EMPTY`, `FS_NO_SPACE`, `FS_UNSUPPORTED`, `FS_READ_ONLY`, `FS_CORRUPT`.
 */
export interface ImageFs {
  readonly type: 'ext2' | 'ext3' | 'ext4' | 'vfat';
  readonly readOnly: boolean;
  stat(path: string): Promise<FileStat>;
  /** Like stat but does not follow a final symlink. */
  lstat(path: string): Promise<FileStat>;
  exists(path: string): Promise<boolean>;
  readFile(path: string): Promise<Buffer>;
  /** Creates or truncates; `mode` applies only when the file is created (default 0o644). */
  writeFile(path: string, data: Uint8Array, options?: { mode?: number }): Promise<void>;
  appendFile(path: string, data: Uint8Array): Promise<void>;
  /** Names in the directory, without `.` and `..`, sorted as the filesystem returns them. */
  readdir(path: string): Promise<string[]>;
  mkdir(path: string, options?: { mode?: number }): Promise<void>;
  unlink(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  symlink(target: string, path: string): Promise<void>;
  readlink(path: string): Promise<string>;
  link(existing: string, path: string): Promise<void>;
  chmod(path: string, mode: number): Promise<void>;
  chown(path: string, uid: number, gid: number): Promise<void>;
  utimes(path: string, atimeMs: number, mtimeMs: number): Promise<void>;
  statvfs(): Promise<StatVfs>;
  /** Writes everything to the Disk and flushes it; the filesystem stays usable. */
  sync(): Promise<void>;
  /** Syncs and releases the filesystem (and any worker it runs in). */
  close(): Promise<void>;
}
