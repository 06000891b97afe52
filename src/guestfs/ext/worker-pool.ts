// Reusable ext worker threads: a thread that has loaded and JIT-compiled the ext2fs module opens the next
// filesystem in a few milliseconds instead of the ~40 ms a new thread costs. Owned by whoever runs guest
// sessions (main.ts creates one); idle threads do not keep Node running.
import { ExtWorkerHost } from './worker-host.js';

export interface ExtWorkerPoolOptions {
  /** Idle threads kept for the next open (default 2); more are started on demand and ended on release. */
  maxIdle?: number;
}

export class ExtWorkerPool {
  private readonly idle: ExtWorkerHost[] = [];
  private readonly maxIdle: number;
  private closed = false;

  constructor(options: ExtWorkerPoolOptions = {}) {
    this.maxIdle = options.maxIdle ?? 2;
  }

  /** Starts threads ahead of need and waits until each has its module loaded. */
  async warm(count = 1): Promise<void> {
    const hosts = Array.from({ length: Math.max(0, count - this.idle.length) }, () => new ExtWorkerHost());
    await Promise.all(hosts.map((h) => h.call('ping')));
    for (const h of hosts) this.release(h);
  }

  /** A thread for one filesystem; give it back with `release` once it is unmounted. */
  acquire(): ExtWorkerHost {
    if (this.closed) throw new Error('The ext worker pool is closed');
    let host = this.idle.pop();
    while (host && !host.usable) host = this.idle.pop();
    return host ?? new ExtWorkerHost();
  }

  release(host: ExtWorkerHost): void {
    host.attach(undefined, { readOnly: true });
    if (!this.closed && host.usable && this.idle.length < this.maxIdle) this.idle.push(host);
    else void host.terminate();
  }

  /** Ends the idle threads; filesystems still open keep theirs until they close. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((h) => h.terminate()));
  }
}
