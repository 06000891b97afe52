// Positional reads and writes on a raw file descriptor that never return short: the building blocks of
// FileDisk and of the copy-on-write layer files; PageCacheFile runs small ones on the event loop.
import { fdatasync, read, readSync, readv, write, writeSync } from 'node:fs';

/** Reads exactly `length` bytes at `position` into `buffer` from `offset`; bytes past end of file read as zeroes. */
export async function preadFully(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<void> {
  let done = 0;
  while (done < length) {
    const n = await new Promise<number>((resolve, reject) => {
      read(fd, buffer, offset + done, length - done, position + done, (error, bytesRead) => (error ? reject(error) : resolve(bytesRead)));
    });
    if (n === 0) {
      buffer.fill(0, offset + done, offset + length);
      return;
    }
    done += n;
  }
}

/** `preadFully` blocking the calling thread: for reads the page cache serves in microseconds. */
export function preadFullySync(fd: number, buffer: Buffer, offset: number, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buffer, offset + done, length - done, position + done);
    if (n === 0) {
      buffer.fill(0, offset + done, offset + length);
      return;
    }
    done += n;
  }
}

/**
 * Reads and writes up to this size may run on the event loop (1 MiB from the page cache: ~100 µs) ... A
 * read through the pool costs two thread hand-offs and leaves its bytes in another core's cache just
 * before the socket copies them out; read inline, nbdcopy's 256 KiB requests cost a third less CPU.
 */
const INLINE_MAX_BYTES = 1024 * 1024;
/** ... an access taking longer than this waited for the disk (or the thread was preempted) ... */
const INLINE_SLOW_MS = 1;
/** ... slow accesses may hold the event loop this long per window when they are frequent ... */
const INLINE_SLOW_BUDGET_MS = 20;
/** ... at least this share of the window's accesses, as when the data is not cached ... */
const INLINE_SLOW_SHARE = 1 / 16;
/** ... and this long when they are sporadic (preemption, or a miss now and then) ... */
const INLINE_SPORADIC_BUDGET_MS = 100;
/** ... beyond that the rest of the window goes through the thread pool. */
const INLINE_WINDOW_MS = 1000;

/**
 * Whether one kind of access (reads, or writes) runs inline: always while fast. Slow ones hold the event
 * loop up. When they are frequent (the data is not in the page cache, writeback throttles writes) they may
 * take INLINE_SLOW_BUDGET_MS (2 %) of a window; sporadic ones, what a busy machine's preemption looks like
 * (a slice of another process lands inside one access in thousands), up to INLINE_SPORADIC_BUDGET_MS
 * (10 %): sending every access of the window to the pool because of those would cost each of them two
 * thread hand-offs, at queue depth 1 most of a 4 KiB read's time. Either way, past its budget the rest of
 * the window goes to the pool.
 */
export class InlinePolicy {
  private windowStartMs = -Infinity;
  private accesses = 0;
  private slowAccesses = 0;
  private slowMs = 0;
  private pooled = false;

  constructor(private readonly now: () => number = () => performance.now()) {}

  inline(length: number): boolean {
    if (length > INLINE_MAX_BYTES) return false;
    if (!this.pooled) return true;
    if (this.now() - this.windowStartMs < INLINE_WINDOW_MS) return false;
    this.pooled = false;
    return true;
  }

  /** Runs `fn` on the event loop, charging its time to the budget when it was slow. */
  run(fn: () => void): Promise<void> {
    const start = this.now();
    try {
      fn();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.charge(start, this.now());
    }
    return Promise.resolve();
  }

  private charge(start: number, end: number): void {
    if (end - this.windowStartMs >= INLINE_WINDOW_MS) {
      this.windowStartMs = end;
      this.accesses = 0;
      this.slowAccesses = 0;
      this.slowMs = 0;
    }
    this.accesses++;
    if (end - start <= INLINE_SLOW_MS) return;
    this.slowAccesses++;
    this.slowMs += end - start;
    const frequent = this.slowAccesses >= this.accesses * INLINE_SLOW_SHARE;
    if (this.slowMs >= (frequent ? INLINE_SLOW_BUDGET_MS : INLINE_SPORADIC_BUDGET_MS)) this.pooled = true;
  }
}

/** A contiguous run of queued reads is sent as one preadv of at most this many buffers ... */
const MAX_RUN_READS = 64;
/** ... and this many bytes. */
const MAX_RUN_BYTES = 4 * 1024 * 1024;

interface QueuedRead {
  target: Buffer;
  position: number;
  /** Offloaded by the caller although it could run on the event loop: it does when it shares no preadv. */
  mayRunInline: boolean;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Positional reads and writes of one file that skip libuv's thread pool while the page cache absorbs them. A
 * small read from cache, or write into it, takes microseconds; through the pool it costs two thread
 * hand-offs, which on a busy machine cost more than the copy (4 KiB random reads over NBD ran at half of
 * nbdkit's rate). Accesses that wait for the disk (a cache miss, writeback throttling) may hold the event
 * loop up for a bounded share of the time (InlinePolicy); beyond that they go to the pool. Accesses over 1 MiB
 * always go to the pool (one of them would hold the loop up too long). Pool reads asked for in the same turn
 * of the event loop at contiguous positions share one preadv. A caller serving several streams, for which the
 * loop is the bottleneck, may offload reads: those go to the pool too, but only in a preadv with others (a
 * sequential stream's pipelined requests); one alone still runs on the loop, as a hand-off of its own costs
 * more CPU than its copy.
 */
export class PageCacheFile {
  private readonly reads = new InlinePolicy();
  private readonly writes = new InlinePolicy();
  /** Reads for the pool asked for in this turn of the event loop; contiguous ones go as one preadv. */
  private queued: QueuedRead[] = [];
  /** What the reads did: ran on the loop, went to the pool, and in how many preadvs (tests, diagnostics). */
  readonly stats = { inlineReads: 0, poolReads: 0, preadvs: 0 };

  constructor(private readonly fd: number) {}

  /** Like `preadFully` on this file; `offload` lets it go to the pool with contiguous reads even when cached. */
  read(buffer: Buffer, offset: number, length: number, position: number, offload = false): Promise<void> {
    const mayRunInline = this.reads.inline(length);
    if (mayRunInline && !offload) {
      this.stats.inlineReads++;
      return this.reads.run(() => preadFullySync(this.fd, buffer, offset, length, position));
    }
    return new Promise((resolve, reject) => {
      if (this.queued.length === 0) process.nextTick(this.submitQueued);
      this.queued.push({ target: buffer.subarray(offset, offset + length), position, mayRunInline, resolve, reject });
    });
  }

  /**
   * Sends the queued reads to the pool, runs of contiguous ones (a sequential reader's pipelined requests)
   * as one preadv each: one thread hand-off for the run instead of one per read. An offloaded read left
   * alone runs here, on the loop.
   */
  private readonly submitQueued = (): void => {
    const queued = this.queued.sort((a, b) => a.position - b.position);
    this.queued = [];
    for (let i = 0; i < queued.length; ) {
      const run = [queued[i] as QueuedRead];
      let end = run[0]!.position + run[0]!.target.length;
      for (i++; i < queued.length && run.length < MAX_RUN_READS; i++) {
        const next = queued[i] as QueuedRead;
        if (next.position !== end || end - run[0]!.position + next.target.length > MAX_RUN_BYTES) break;
        run.push(next);
        end += next.target.length;
      }
      const only = run[0]!;
      if (run.length === 1 && only.mayRunInline) {
        this.stats.inlineReads++;
        this.reads.run(() => preadFullySync(this.fd, only.target, 0, only.target.length, only.position)).then(only.resolve, only.reject);
      } else this.readRun(run);
    }
  };

  private readRun(run: QueuedRead[]): void {
    this.stats.poolReads += run.length;
    this.stats.preadvs++;
    const start = (run[0] as QueuedRead).position;
    readv(this.fd, run.map((r) => r.target), start, (error, bytesRead) => {
      for (const r of run) {
        // a read cut short (end of file, or the kernel's choice) finishes on its own
        const done = error ? 0 : Math.max(0, Math.min(r.target.length, bytesRead - (r.position - start)));
        if (done === r.target.length) r.resolve();
        else preadFully(this.fd, r.target, done, r.target.length - done, r.position + done).then(r.resolve, r.reject);
      }
    });
  }

  /** Like `pwriteFully` on this file. */
  write(data: Uint8Array, position: number): Promise<void> {
    if (!this.writes.inline(data.length)) return pwriteFully(this.fd, data, position);
    return this.writes.run(() => pwriteFullySync(this.fd, data, position));
  }
}

/** Writes all of `data` at `position`. */
export async function pwriteFully(fd: number, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const n = await new Promise<number>((resolve, reject) => {
      write(fd, data, done, data.length - done, position + done, (error, written) => (error ? reject(error) : resolve(written)));
    });
    done += n;
  }
}

/** `pwriteFully` blocking the calling thread: for writes the page cache takes in microseconds. */
export function pwriteFullySync(fd: number, data: Uint8Array, position: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}

export function fdatasyncFd(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (error) => (error ? reject(error) : resolve())));
}

const ZERO_CHUNK = 1024 * 1024;

/** Writes zeroes over `[position, position + length)`, a chunk at a time. */
export async function writeZeroes(fd: number, position: number, length: number): Promise<void> {
  const zeroes = Buffer.alloc(Math.min(ZERO_CHUNK, length));
  for (let at = 0; at < length; at += ZERO_CHUNK) {
    const n = Math.min(ZERO_CHUNK, length - at);
    await pwriteFully(fd, n === zeroes.length ? zeroes : zeroes.subarray(0, n), position + at);
  }
}
