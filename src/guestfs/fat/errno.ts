// Failures inside the FAT engine are errno codes (what Linux's vfat would return); the ImageFs methods turn
// them into AppErrors worded like guestfish's (`mkdir: /EFI: File exists`) with the command and path.
import { AppError, type ErrorKind } from '../../core/errors.js';

export type Errno = 'ENOENT' | 'EEXIST' | 'ENOTDIR' | 'EISDIR' | 'ENOTEMPTY' | 'ENOSPC' | 'EROFS' | 'EINVAL' | 'ENAMETOOLONG' | 'EPERM' | 'EBUSY' | 'EFBIG' | 'EIO';

const BY_ERRNO: Record<Errno, { code: string; kind: ErrorKind; text: string }> = {
  ENOENT: { code: 'FS_NOT_FOUND', kind: 'not_found', text: 'No such file or directory' },
  EEXIST: { code: 'FS_EXISTS', kind: 'conflict', text: 'File exists' },
  ENOTDIR: { code: 'FS_NOT_DIR', kind: 'invalid', text: 'Not a directory' },
  EISDIR: { code: 'FS_IS_DIR', kind: 'invalid', text: 'Is a directory' },
  ENOTEMPTY: { code: 'FS_NOT_EMPTY', kind: 'conflict', text: 'Directory not empty' },
  ENOSPC: { code: 'FS_NO_SPACE', kind: 'unavailable', text: 'No space left on device' },
  EROFS: { code: 'FS_READ_ONLY', kind: 'forbidden', text: 'Read-only file system' },
  EINVAL: { code: 'FS_UNSUPPORTED', kind: 'invalid', text: 'Invalid argument' },
  ENAMETOOLONG: { code: 'FS_UNSUPPORTED', kind: 'invalid', text: 'File name too long' },
  EPERM: { code: 'FS_UNSUPPORTED', kind: 'invalid', text: 'Operation not permitted' },
  EBUSY: { code: 'FS_UNSUPPORTED', kind: 'conflict', text: 'Device or resource busy' },
  EFBIG: { code: 'FS_NO_SPACE', kind: 'invalid', text: 'File too large' },
  EIO: { code: 'FS_CORRUPT', kind: 'internal', text: 'Input/output error' },
};

/** A failure of the engine with its errno; `detail` says what was found (for EIO) and is kept out of the message's tail. */
export class FatErrno extends Error {
  constructor(
    readonly errno: Errno,
    readonly detail = '',
  ) {
    super(detail === '' ? errno : `${errno}: ${detail}`);
    this.name = 'FatErrno';
  }
}

export const fail = (errno: Errno, detail?: string): never => {
  throw new FatErrno(errno, detail);
};

/** The ImageFs error for `command` on `path`: `command: path: <errno text>`. */
export function fsError(command: string, path: string, errno: Errno, cause?: unknown): AppError {
  const known = BY_ERRNO[errno];
  const options = errno === 'EIO' ? { cause, details: cause instanceof FatErrno ? cause.detail : '', recommendedActions: ['Check the filesystem with "fsck.vfat -n" on a copy of the volume'] } : { cause };
  return new AppError(known.kind, known.code, `${command}: ${path}: ${known.text}`, options);
}
