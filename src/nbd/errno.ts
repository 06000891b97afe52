// Maps a failure from a Disk to the NBD error value of its reply (proto.md "Error values").
import { isAppError } from '../core/errors.js';
import { NBD_EINVAL, NBD_EIO, NBD_ENOMEM, NBD_ENOSPC, NBD_EPERM } from './protocol/constants.js';

export function nbdErrorOf(error: unknown): number {
  if (isAppError(error)) {
    if (error.kind === 'forbidden') return NBD_EPERM;
    if (error.kind === 'invalid') return NBD_EINVAL;
  }
  if (error instanceof RangeError) return NBD_EINVAL;
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return NBD_ENOSPC;
  if (code === 'ENOMEM') return NBD_ENOMEM;
  if (code === 'EROFS' || code === 'EPERM' || code === 'EACCES') return NBD_EPERM;
  return NBD_EIO;
}
