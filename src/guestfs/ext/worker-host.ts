// The main-thread side of one ext worker: starts the thread, serves its block I/O from the Disk (in
// message order, so a read after a write sees it) and turns calls into request/response messages.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Disk } from '../../storage/disk.js';
import { extWorkerMain, type FromWorker, type ToWorker } from './worker-main.js';

export interface WorkerFailure {
  code: string;
  errno: number;
  message: string;
}

export class WorkerCallError extends Error {
  constructor(readonly failure: WorkerFailure) {
    super(failure.message);
  }
}

const workerSource = `(${extWorkerMain.toString()})(require)`;

export class ExtWorkerHost {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  private nextId = 1;
  private io: Promise<void> = Promise.resolve();
  private writeError: string | undefined;
  private exited: Error | undefined;
  private disk: Disk | undefined;
  private readOnly = true;

  constructor() {
    const ext2fsPath = createRequire(import.meta.url).resolve('ext2fs');
    this.worker = new Worker(workerSource, { eval: true, workerData: { ext2fsPath } });
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`The ext worker exited with code ${code}`)));
  }

  /** True while the thread is alive and can take another filesystem. */
  get usable(): boolean {
    return this.exited === undefined;
  }

  /** Serves the worker's block I/O from `disk` until the next attach; an idle host does not keep Node alive. */
  attach(disk: Disk | undefined, options: { readOnly: boolean }): void {
    this.disk = disk;
    this.readOnly = options.readOnly;
    this.writeError = undefined;
    if (disk) this.worker.ref();
    else this.worker.unref();
  }

  /** Resolves once every block write the worker has sent is applied to the Disk. */
  async drained(): Promise<void> {
    await this.io;
  }

  call<T>(op: string, ...args: unknown[]): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const transfer = args.filter((a): a is Uint8Array => a instanceof Uint8Array).map((a) => a.buffer);
      const message: ToWorker = { t: 'call', id, op, args };
      this.worker.postMessage(message, transfer as ArrayBuffer[]);
    });
  }

  async terminate(): Promise<void> {
    this.exited ??= new Error('The ext filesystem is closed');
    await this.worker.terminate();
    await this.io;
  }

  private fail(error: Error): void {
    this.exited ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  private onMessage(m: FromWorker): void {
    if (m.t === 'result') {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) p?.reject(new WorkerCallError(m.error));
      else p?.resolve(m.value);
      return;
    }
    // Disk I/O runs strictly in arrival order.
    this.io = this.io.then(() => this.serveIo(m));
  }

  private async serveIo(m: Exclude<FromWorker, { t: 'result' }>): Promise<void> {
    const disk = this.disk;
    if (m.t === 'w') {
      if (this.writeError !== undefined) return;
      try {
        if (!disk) throw new Error('no disk is attached');
        // libext2fs updates access times even on a read-only mount: those writes never reach the disk
        if (this.readOnly) return;
        if (m.kind === 'write') for (const w of m.writes) await disk.write(w.offset, w.data);
        // Discard is advisory: a disk that cannot free space keeps the data, which nothing reads again.
        else if (m.kind === 'discard') await disk.discard(m.offset, m.length).catch(() => undefined);
      } catch (e) {
        this.writeError = e instanceof Error ? e.message : String(e);
      }
      return;
    }
    let reply: ToWorker;
    try {
      if (this.writeError !== undefined) throw new Error(this.writeError);
      if (!disk) throw new Error('no disk is attached');
      if (m.kind === 'flush') {
        if (!this.readOnly) await disk.flush();
        reply = { t: 'io', id: m.id };
      } else {
        const length = Math.max(0, Math.min(m.length, disk.sizeBytes - m.offset));
        const data = new Uint8Array(m.length);
        if (length > 0) data.set(await disk.read(m.offset, length));
        reply = { t: 'io', id: m.id, data };
      }
    } catch (e) {
      reply = { t: 'io', id: m.id, error: e instanceof Error ? e.message : String(e) };
    }
    if (!this.exited) this.worker.postMessage(reply, reply.data ? [reply.data.buffer as ArrayBuffer] : []);
  }
}
