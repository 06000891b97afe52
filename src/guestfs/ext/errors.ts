// Maps the errno codes the ext2fs module reports to ImageFs AppErrors worded like guestfish's
// (`cat: /etc/nope: No such file or directory`).
import { AppError, type ErrorKind } from '../../core/errors.js';

const BY_ERRNO: Record<string, { code: string; kind: ErrorKind; text: string }> = {
  ENOENT: { code: 'FS_NOT_FOUND', kind: 'not_found', text: 'No such file or directory' },
  EEXIST: { code: 'FS_EXISTS', kind: 'conflict', text: 'File exists' },
  ENOTDIR: { code: 'FS_NOT_DIR', kind: 'invalid', text: 'Not a directory' },
  EISDIR: { code: 'FS_IS_DIR', kind: 'invalid', text: 'Is a directory' },
  ENOTEMPTY: { code: 'FS_NOT_EMPTY', kind: 'conflict', text: 'Directory not empty' },
  ENOSPC: { code: 'FS_NO_SPACE', kind: 'unavailable', text: 'No space left on device' },
  EROFS: { code: 'FS_READ_ONLY', kind: 'forbidden', text: 'Read-only file system' },
  EINVAL: { code: 'FS_UNSUPPORTED', kind: 'invalid', text: 'Invalid argument' },
  ENAMETOOLONG: { code: 'FS_UNSUPPORTED', kind: 'invalid', text: 'File name too long' },
  EMLINK: { code: 'FS_NO_SPACE', kind: 'unavailable', text: 'Too many links' },
  ELOOP: { code: 'FS_NOT_FOUND', kind: 'invalid', text: 'Too many levels of symbolic links' },
  EBUSY: { code: 'FS_UNSUPPORTED', kind: 'conflict', text: 'Device or resource busy' },
  ENOMEM: { code: 'FS_NO_SPACE', kind: 'unavailable', text: 'Cannot allocate memory' },
  EPERM: { code: 'FS_UNSUPPORTED', kind: 'forbidden', text: 'Operation not permitted' },
  EXDEV: { code: 'FS_UNSUPPORTED', kind: 'invalid', text: 'Invalid cross-device link' },
};

/** An ImageFs error for `command` on `path` from the module's errno code (anything unknown reads as I/O error). */
export function fsError(command: string, path: string, errnoCode: string, cause?: unknown): AppError {
  const known = BY_ERRNO[errnoCode];
  if (known) return new AppError(known.kind, known.code, `${command}: ${path}: ${known.text}`, { cause });
  return new AppError('internal', 'FS_CORRUPT', `${command}: ${path}: Input/output error (${errnoCode})`, {
    cause,
    recommendedActions: ['Check the filesystem with "e2fsck -f" on a copy of the volume'],
  });
}

export function readOnlyError(command: string, path: string): AppError {
  return new AppError('forbidden', 'FS_READ_ONLY', `${command}: ${path}: Read-only file system`);
}
