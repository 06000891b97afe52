// Reusable buffers for READ replies (header and data in one allocation). A fresh buffer of a few hundred KiB
// is a fresh mmap: the kernel zeroes and faults in every page before the read can fill it, and the garbage
// collector frees it later. Lent buffers come back once the socket has taken their bytes.

/** Most bytes kept idle across all sizes; beyond it returned buffers are left to the garbage collector. */
const DEFAULT_MAX_IDLE_BYTES = 64 * 1024 * 1024;

export class ReplyBuffers {
  private readonly idle = new Map<number, Buffer[]>();
  private idleBytes = 0;
  private readonly lent = new WeakSet<Buffer>();
  private readonly maxIdleBytes: number;

  constructor(options: { maxIdleBytes?: number } = {}) {
    this.maxIdleBytes = options.maxIdleBytes ?? DEFAULT_MAX_IDLE_BYTES;
  }

  /** A buffer of exactly `bytes` bytes (contents undefined), to be given back with `give()`. */
  take(bytes: number): Buffer {
    const list = this.idle.get(bytes);
    let b = list?.pop();
    if (b === undefined) b = Buffer.allocUnsafeSlow(bytes);
    else this.idleBytes -= bytes;
    if (list?.length === 0) this.idle.delete(bytes);
    this.lent.add(b);
    return b;
  }

  /** Whether `b` came from `take()` and has not been given back. */
  isLent(b: Buffer): boolean {
    return this.lent.has(b);
  }

  /** Returns a buffer from `take()` once nothing refers to its bytes any more; other buffers are ignored. */
  give(b: Buffer): void {
    if (!this.lent.delete(b)) return;
    if (this.idleBytes + b.length > this.maxIdleBytes) return;
    const list = this.idle.get(b.length);
    if (list === undefined) this.idle.set(b.length, [b]);
    else list.push(b);
    this.idleBytes += b.length;
  }
}
