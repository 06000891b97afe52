// Argument checks every Disk implementation shares, so they fail the same way: a RangeError for a range
// outside the disk, an AppError of kind `forbidden` for a change to a read-only disk.
import { forbidden } from '../core/errors.js';

/** Throws a RangeError unless `[offset, offset + length)` lies inside a disk of `sizeBytes`. */
export function checkRange(sizeBytes: number, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > sizeBytes) {
    throw new RangeError(`Cannot access bytes ${offset}+${length}: the disk holds ${sizeBytes} bytes`);
  }
}

/** Throws `STORAGE_READ_ONLY` when the disk is read-only. */
export function checkWritable(readOnly: boolean, what: string): void {
  if (readOnly) throw forbidden('STORAGE_READ_ONLY', `Cannot ${what}: the disk is read-only`);
}
