// The errno codes the filesystem engines fail with (what Linux would return), and how an ImageFs error for
// each reads: its AppError code and kind, and strerror's text as guestfish prints it.
import { AppError, type ErrorKind } from '../core/errors.js';

export type Errno =
  | 'ENOENT' | 'EEXIST' | 'ENOTDIR' | 'EISDIR' | 'ENOTEMPTY' | 'ENOSPC' | 'EROFS' | 'EINVAL' | 'ENAMETOOLONG'
  | 'EPERM' | 'EBUSY' | 'EFBIG' | 'EIO' | 'EMLINK' | 'ELOOP' | 'ENOMEM' | 'EXDEV';

export const ERRNO_ERRORS: Readonly<Record<Errno, { code: string; kind: ErrorKind; text: string }>> = {
  ENOENT: { code: 'FS_NOT_FOUND', kind: 'not_found', text: 'No such file or directory' },
  EEXIST: { code: 'FS_EXISTS', kind: 'conflict', text: 'File exists' },
  ENOTDIR: { code: 'FS_NOT_DIR', kind: 'invalid', text: 'Not a directory' },
  EISDIR: { code: 'FS_IS_DIR', kind: 'invalid', text: 'Is a directory' },
  ENOTEMPTY: { code: 'FS_NOT_EMPTY', kind: 'conflict', text: 'Directory not empty' },
  ENOSPC: { code: 'FS_NO_SPACE', kind: 'unavailable', text: 'No space left on device' },
  EROFS: { code: 'FS_READ_ONLY', kind: 'forbidden', text: 'Read-only file system' },
  EINVAL: { code: 'FS_UNSUPPORTED', kind: 'invalid', text: 'Invalid argument' },
  ENAMETOOLONG: { code: 'FS_UNSUPPORTED', kind: 'invalid', text: 'File name too long' },
  EPERM: { code: 'FS_UNSUPPORTED', kind: 'forbidden', text: 'Operation not permitted' },
  EBUSY: { code: 'FS_UNSUPPORTED', kind: 'conflict', text: 'Device or resource busy' },
  EFBIG: { code: 'FS_NO_SPACE', kind: 'invalid', text: 'File too large' },
  EIO: { code: 'FS_CORRUPT', kind: 'internal', text: 'Input/output error' },
  EMLINK: { code: 'FS_NO_SPACE', kind: 'unavailable', text: 'Too many links' },
  ELOOP: { code: 'FS_NOT_FOUND', kind: 'invalid', text: 'Too many levels of symbolic links' },
  ENOMEM: { code: 'FS_NO_SPACE', kind: 'unavailable', text: 'Cannot allocate memory' },
  EXDEV: { code: 'FS_UNSUPPORTED', kind: 'invalid', text: 'Invalid cross-device link' },
};

/** The errno an ImageFs error carries (both engines put it in the AppError's data), if it is one. */
export function errnoOf(error: unknown): Errno | undefined {
  return error instanceof AppError ? (error.data as { errno?: Errno } | undefined)?.errno : undefined;
}
