// A FIFO work queue with a concurrency limit: work beyond the limit waits, it is never rejected.

export class WorkQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`WorkQueue limit must be a positive integer, got ${limit}`);
  }

  get pending(): number {
    return this.waiting.length;
  }

  get active(): number {
    return this.running;
  }

  /** Runs `job` once a slot is free; `onStart` is called when it leaves the queue. */
  async run<T>(job: () => Promise<T>, onStart?: () => void | Promise<void>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      await onStart?.();
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next === undefined) this.running--;
      else next(); // hand the slot over without releasing it
    }
  }
}
