// Failures inside the FAT engine are errno codes (what Linux's vfat would return); the ImageFs methods turn
// them into AppErrors worded like guestfish's (`mkdir: /EFI: File exists`) with the command and path.
import { AppError } from '../../core/errors.js';
import { ERRNO_ERRORS, type Errno } from '../errno.js';

export type { Errno } from '../errno.js';
const BY_ERRNO = ERRNO_ERRORS;

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
  const options = errno === 'EIO' ? { cause, data: { errno }, details: cause instanceof FatErrno ? cause.detail : '', recommendedActions: ['Check the filesystem with "fsck.vfat -n" on a copy of the volume'] } : { cause, data: { errno } };
  return new AppError(known.kind, known.code, `${command}: ${path}: ${known.text}`, options);
}
