// The one block-device interface everything shares: the NBD server, the plan-script engine (guestfs),
// import/export and capture all work on a Disk. Offsets and lengths are bytes.

/**
 * A random-access block device.
 *
 * - `read` returns exactly `length` bytes; reading past `sizeBytes` is an error (`RangeError`).
 * - `write` is durable only after `flush()` resolves (or when written with `{ fua: true }`).
 * - `discard` releases the range: later reads return zeroes, and backing space is freed where the
 *   implementation can. `zero` makes the range read as zeroes; it may release space too.
 * - A read-only disk rejects write/discard/zero with an AppError of kind `forbidden`.
 */
export interface Disk {
  readonly sizeBytes: number;
  readonly readOnly: boolean;
  read(offset: number, length: number): Promise<Buffer>;
  /**
   * Optional: reads `length` bytes at `offset` into `out` from byte `at`, like `read` but into the caller's
   * buffer (the NBD server reads straight into its reply, behind the header, with no copy).
   */
  readInto?(out: Buffer, at: number, offset: number, length: number, options?: ReadOptions): Promise<void>;
  /**
   * Optional: the bytes of `[offset, offset + length)` without copying them, as views of the page cache (and
   * of shared zeroes) in order, when all of them are cached right now; undefined when not (read them then).
   * Range checks as `read`. The views are for the kernel (a socket write), not for JavaScript: their pages
   * are unmapped when the Disk closes, and they show later writes to the range.
   */
  readViews?(offset: number, length: number): Buffer[] | undefined;
  write(offset: number, data: Uint8Array, options?: { fua?: boolean }): Promise<void>;
  flush(): Promise<void>;
  discard(offset: number, length: number): Promise<void>;
  zero(offset: number, length: number): Promise<void>;
  /**
   * Allocation status of a range, for NBD block status and sparse copies: extents in order that together
   * cover `[offset, offset + length)` (the last may be cut short), each marked as a hole (reads as zeroes,
   * no data stored) and/or zero (known to read as zeroes).
   */
  extents?(offset: number, length: number): Promise<DiskExtent[]>;
  close(): Promise<void>;
}

export interface ReadOptions {
  /**
   * Copy the bytes on a pool thread even when the page cache holds them. Cached reads otherwise run on the
   * event loop, the cheapest way for one stream; a caller serving several streams at once (the NBD server)
   * sets this for large reads, so their copies run on other cores while the loop sends.
   */
  offload?: boolean;
}

export interface DiskExtent {
  offset: number;
  length: number;
  hole: boolean;
  zero: boolean;
}
