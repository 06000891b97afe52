// Maps the errno codes the ext2fs module reports to ImageFs AppErrors worded like guestfish's
// (`cat: /etc/nope: No such file or directory`).
import { AppError } from '../../core/errors.js';
import { ERRNO_ERRORS, type Errno } from '../errno.js';

const BY_ERRNO: Record<string, (typeof ERRNO_ERRORS)[Errno] | undefined> = ERRNO_ERRORS;

/** An ImageFs error for `command` on `path` from the module's errno code (anything unknown reads as I/O error). */
export function fsError(command: string, path: string, errnoCode: string, cause?: unknown): AppError {
  const known = errnoCode === 'EIO' ? undefined : BY_ERRNO[errnoCode];
  if (known) return new AppError(known.kind, known.code, `${command}: ${path}: ${known.text}`, { cause, data: { errno: errnoCode } });
  return new AppError('internal', 'FS_CORRUPT', `${command}: ${path}: Input/output error (${errnoCode})`, {
    cause,
    recommendedActions: ['Check the filesystem with "e2fsck -f" on a copy of the volume'],
  });
}

export function readOnlyError(command: string, path: string): AppError {
  return new AppError('forbidden', 'FS_READ_ONLY', `${command}: ${path}: Read-only file system`);
}
