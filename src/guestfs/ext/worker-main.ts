// The code that runs inside the ext worker thread: loads the ext2fs WebAssembly module (which installs
// process-wide handlers, so never in the main thread) and serves file operations. It is passed to the
// Worker as source text, so it must use nothing from outside its own body but its `require` parameter.
/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call,
   @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return,
   @typescript-eslint/no-unsafe-argument, @typescript-eslint/require-await, @typescript-eslint/prefer-promise-reject-errors
   -- the ext2fs module is untyped JavaScript and its disk contract wants async methods */

/** Messages between the main thread and the worker. */
export type ToWorker =
  | { t: 'call'; id: number; op: string; args: unknown[] }
  | { t: 'io'; id: number; data?: Uint8Array; error?: string };
export type FromWorker =
  | { t: 'result'; id: number; value?: unknown; error?: { code: string; errno: number; message: string } }
  | { t: 'io'; id: number; kind: 'read' | 'flush'; offset: number; length: number }
  | { t: 'w'; kind: 'write'; writes: { offset: number; length: number; data: Uint8Array }[] }
  | { t: 'w'; kind: 'discard'; offset: number; length: number };

export function extWorkerMain(require: (id: string) => any): void {
  const { parentPort, workerData } = require('node:worker_threads');
  const ext2fs = require(workerData.ext2fsPath as string);
  const CHUNK = 1024 * 1024; // the module's heap is 16 MiB: never hand it more than this at once
  const PAGE = 4096;
  const CACHE_LIMIT_PAGES = 16384; // 64 MiB of read cache
  const cache = new Map<number, Uint8Array>();
  const pendingIo = new Map<number, (m: { data?: Uint8Array; error?: string }) => void>();
  let nextIo = 1;
  let ioError: string | undefined;

  let batch = new Map<string, { offset: number; length: number; data: Uint8Array }>();
  let batchBytes = 0;
  const sendBatch = () => {
    if (batch.size === 0) return;
    const writes = [...batch.values()];
    batch = new Map();
    batchBytes = 0;
    parentPort.postMessage({ t: 'w', kind: 'write', writes }, writes.map((w) => w.data.buffer));
  };
  const ask = (kind: 'read' | 'flush', offset: number, length: number): Promise<Uint8Array | undefined> =>
    new Promise((resolve, reject) => {
      sendBatch();
      const id = nextIo++;
      pendingIo.set(id, (m) => (m.error === undefined ? resolve(m.data) : reject(new Error(m.error))));
      parentPort.postMessage({ t: 'io', id, kind, offset, length });
    });

  // The block device ext2fs sees: reads served from a page cache or fetched from the main thread in one
  // message; writes sent without waiting (the main thread applies messages in order).
  const disk = {
    async read(buffer: Uint8Array, bufferOffset: number, length: number, position: number): Promise<{ bytesRead: number; buffer: Uint8Array }> {
      const first = Math.floor(position / PAGE);
      const last = Math.floor((position + length - 1) / PAGE);
      let missing = -1;
      for (let p = first; p <= last; p++) if (!cache.has(p)) { missing = p; break; }
      if (missing >= 0) {
        let end = missing;
        while (end < last && !cache.has(end + 1)) end++;
        const ahead = length <= 64 * 1024 ? 16 : 0; // small metadata reads pull a little more
        const data = await ask('read', missing * PAGE, (end - missing + 1 + ahead) * PAGE).catch(() => undefined);
        if (data === undefined) throw new Error('EIO');
        if (cache.size > CACHE_LIMIT_PAGES) cache.clear();
        for (let i = 0; (i + 1) * PAGE <= data.length; i++) {
          const p = missing + i;
          if (p <= end || !cache.has(p)) cache.set(p, data.subarray(i * PAGE, (i + 1) * PAGE));
        }
        if (missing > first || end < last) return disk.read(buffer, bufferOffset, length, position);
      }
      for (let p = first; p <= last; p++) {
        const page = cache.get(p) as Uint8Array;
        const from = Math.max(position, p * PAGE);
        const to = Math.min(position + length, (p + 1) * PAGE);
        buffer.set(page.subarray(from - p * PAGE, to - p * PAGE), bufferOffset + from - position);
      }
      return { bytesRead: length, buffer };
    },
    async write(buffer: Uint8Array, bufferOffset: number, length: number, position: number) {
      if (ioError !== undefined) throw new Error(ioError);
      const data = new Uint8Array(length);
      data.set(buffer.subarray(bufferOffset, bufferOffset + length));
      for (let p = Math.floor(position / PAGE); p * PAGE < position + length; p++) {
        const page = cache.get(p);
        const from = Math.max(position, p * PAGE);
        const to = Math.min(position + length, (p + 1) * PAGE);
        if (page !== undefined) page.set(data.subarray(from - position, to - position), from - p * PAGE);
        else if (from === p * PAGE && to === (p + 1) * PAGE && length <= 64 * 1024)
          cache.set(p, data.slice(from - position, to - position));
      }
      // Writes wait in a batch that leaves before the next read or flush request and at the end of each
      // operation; a block written twice in one operation goes out once.
      const key = `${position}:${length}`;
      batch.delete(key);
      batch.set(key, { offset: position, length, data });
      batchBytes += length;
      if (batchBytes >= 4 * CHUNK) sendBatch();
      return { bytesWritten: length, buffer };
    },
    async discard(offset: number, length: number) {
      sendBatch();
      for (let p = Math.ceil(offset / PAGE); (p + 1) * PAGE <= offset + length; p++) cache.delete(p);
      parentPort.postMessage({ t: 'w', kind: 'discard', offset, length });
    },
    async flush() {
      await ask('flush', 0, 0);
    },
  };

  let fs: any;
  const p = <T>(fn: (...a: any[]) => void, ...args: unknown[]): Promise<T> =>
    new Promise((resolve, reject) => fn(...args, (e: unknown, v: T) => (e ? reject(e) : resolve(v))));

  const withFd = async <T>(path: string, flags: number | string, mode: number, fn: (fd: number) => Promise<T>) => {
    const fd: number = await p(fs.open, path, flags, mode);
    try { return await fn(fd); } finally { await p(fs.close, fd); }
  };

  // The module's own errno values are unreliable (EIO for EEXIST, success for writing over a directory),
  // so every mutating call checks the kernel's preconditions first.
  const fail = (code: string): never => { const e: any = new Error(code); e.code = code; throw e; };
  const isDir = (mode: number) => (mode & 0o170000) === 0o040000;
  // The inode fields of an open file live in the module's memory, so they are read with plain (synchronous)
  // calls: an async call costs a trip through the module's operation queue. Safe because this worker
  // runs one operation at a time and awaits every async call, so none is suspended when these run.
  const Module = require(require('node:path').join(require('node:path').dirname(workerData.ext2fsPath), 'lib', 'libext2fs.js'));
  const field = (name: string, fd: number): number => {
    // 32-bit fields come back signed: sizes of 2-4 GiB and times past 2038 read as unsigned
    const v: number = Module.ccall(`node_ext2fs_stat_i_${name}`, 'number', ['number'], [fd]);
    return v < 0 ? v + 2 ** 32 : v;
  };
  const statFd = (fd: number) => ({
    mode: field('mode', fd), uid: field('uid', fd), gid: field('gid', fd), nlink: field('links_count', fd),
    sizeBytes: field('size', fd), mtimeMs: field('mtime', fd) * 1000,
  });
  const modeOf = async (path: string, follow: boolean): Promise<number | undefined> => {
    let fd: number;
    try { fd = await p(fs.open, path, follow ? 0 : 0o400000, 0); } catch { return undefined; }
    try { return field('mode', fd); } finally { await p(fs.close, fd); }
  };
  const parentDir = async (path: string) => {
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    const mode = await modeOf(parent, true);
    if (mode === undefined) fail('ENOENT');
    if (!isDir(mode as number)) fail('ENOTDIR');
  };
  const need = async (path: string, what: 'dir' | 'nondir' | 'any', follow = true): Promise<number> => {
    if (path !== '/') await parentDir(path);
    const mode = await modeOf(path, follow);
    if (mode === undefined) return fail('ENOENT');
    if (what === 'dir' && !isDir(mode)) fail('ENOTDIR');
    if (what === 'nondir' && isDir(mode)) fail('EISDIR');
    return mode;
  };
  const creatable = async (path: string) => {
    if (path === '/') fail('EEXIST');
    await parentDir(path);
    if ((await modeOf(path, false)) !== undefined) fail('EEXIST');
  };

  const ops: Record<string, (...a: any[]) => Promise<unknown>> = {
    async ping() { while (!Module.calledRun) await new Promise((r) => setTimeout(r, 1)); },
    async mount() { cache.clear(); ioError = undefined; fs = await ext2fs.mount(disk, 0); },
    // a pooled worker forgets its filesystem without writing (read-only opens, failed mounts)
    async detach() { if (fs) await fs.closeAllFileDescriptors(); fs = undefined; cache.clear(); batch.clear(); batchBytes = 0; },
    async umount() { if (fs) await ext2fs.umount(fs); fs = undefined; await disk.flush(); cache.clear(); },
    async remount() { await ext2fs.umount(fs); await disk.flush(); fs = await ext2fs.mount(disk, 0); },
    async stat(path: string) { await need(path, 'any'); return withFd(path, 0, 0, async (fd) => statFd(fd)); },
    async lstat(path: string) { await need(path, 'any', false); return withFd(path, 0o400000, 0, async (fd) => statFd(fd)); },
    async readFile(path: string) {
      await need(path, 'nondir');
      return withFd(path, 0, 0, async (fd) => {
        const size = field('size', fd);
        const out = new Uint8Array(size);
        for (let at = 0; at < size; at += CHUNK) {
          const part = Buffer.alloc(Math.min(CHUNK, size - at));
          const { bytesRead } = await fs.promises.read(fd, part, 0, part.length, at);
          out.set(part.subarray(0, bytesRead), at);
        }
        return out;
      });
    },
    async writeFile(path: string, data: Uint8Array, mode: number | undefined, append: boolean) {
      // O_WRONLY|O_CREAT plus O_TRUNC or O_APPEND
      const flags = 0o1 | 0o100 | (append ? 0o2000 : 0o1000);
      await parentDir(path);
      const existing = await modeOf(path, true);
      if (existing !== undefined && (existing & 0o170000) !== 0o100000) fail(isDir(existing) ? 'EISDIR' : 'EINVAL');
      if (existing === undefined && (await modeOf(path, false)) !== undefined) fail('ENOENT'); // dangling symlink
      await withFd(path, flags, mode ?? 0o644, async (fd) => {
        const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        for (let at = 0; at < buf.length; at += CHUNK) {
          const n = Math.min(CHUNK, buf.length - at);
          // the module's write() ignores a buffer offset: hand it a view that starts at the chunk
          await fs.promises.write(fd, buf.subarray(at, at + n), 0, n, append ? null : at);
        }
        if (existing === undefined) await fs.promises.fchmod(fd, mode ?? 0o644);
      });
    },
    async ino(path: string) {
      await need(path, 'any');
      return withFd(path, 0, 0, async (fd) => Module.ccall('node_ext2fs_stat_ino', 'number', ['number'], [fd]));
    },
    async exists(path: string) { return (await modeOf(path, false)) !== undefined; },
    async readdir(path: string) {
      await need(path, 'dir');
      const names: string[] = await fs.promises.readdir(path);
      return names.filter((n) => n !== '.' && n !== '..');
    },
    async mkdir(path: string, mode: number) { await creatable(path); await fs.promises.mkdir(path, mode); },
    async unlink(path: string) {
      await need(path, 'nondir', false);
      await fs.promises.unlink(path);
    },
    async rmdir(path: string) {
      if (path === '/') fail('EBUSY');
      await need(path, 'dir', false);
      await fs.promises.rmdir(path);
    },
    async rename(from: string, to: string) {
      const fromMode = await need(from, 'any', false);
      if (from === to) return;
      await parentDir(to);
      const toMode = await modeOf(to, false);
      if (toMode !== undefined) {
        const fromDir = isDir(fromMode), toDir = isDir(toMode);
        if (fromDir && !toDir) fail('ENOTDIR');
        if (!fromDir && toDir) fail('EISDIR');
        if ((to + '/').startsWith(from + '/')) fail('EINVAL');
        if (toDir) await fs.promises.rmdir(to); else await fs.promises.unlink(to);
      } else if (isDir(fromMode) && (to + '/').startsWith(from + '/')) fail('EINVAL');
      await fs.promises.rename(from, to);
    },
    async symlink(path: string, target: string) { await creatable(path); await fs.promises.symlink(target, path); },
    async readlink(path: string) {
      if (((await need(path, 'any', false)) & 0o170000) !== 0o120000) fail('EINVAL');
      return fs.promises.readlink(path);
    },
    async link(existing: string, path: string) {
      if (isDir(await need(existing, 'any', false))) fail('EPERM');
      await creatable(path);
      await fs.promises.link(existing, path);
    },
    async chmod(path: string, mode: number) { await need(path, 'any'); await fs.promises.chmod(path, mode); },
    async chown(path: string, uid: number, gid: number) { await need(path, 'any'); await fs.promises.chown(path, uid, gid); },
  };

  // libext2fs' own error codes (lib/ext2fs/ext2_err.et: EXT2_ET_BASE 2133571328 + index) that have an errno
  const LIBEXT2FS_CODES: Record<number, string> = {
    2133571398: 'ENOMEM', // EXT2_ET_NO_MEMORY
    2133571400: 'ENOSPC', // EXT2_ET_BLOCK_ALLOC_FAIL
    2133571401: 'ENOSPC', // EXT2_ET_INODE_ALLOC_FAIL
    2133571403: 'EMLINK', // EXT2_ET_TOO_MANY_REFS
  };

  // One operation at a time: the module is not re-entrant.
  let chain: Promise<unknown> = Promise.resolve();
  parentPort.on('message', (m: ToWorker) => {
    if (m.t === 'io') {
      const done = pendingIo.get(m.id);
      pendingIo.delete(m.id);
      if (m.error !== undefined && ioError === undefined) ioError = m.error;
      done?.(m);
      return;
    }
    chain = chain.then(async () => {
      try {
        const op = ops[m.op];
        if (op === undefined) throw new Error(`unknown op ${m.op}`);
        let value: unknown;
        try { value = await op(...m.args); } finally { sendBatch(); }
        if (ioError !== undefined) throw Object.assign(new Error(ioError), { code: 'EIO', errno: 29 });
        parentPort.postMessage({ t: 'result', id: m.id, value });
      } catch (e: any) {
        const errno = Number(e?.errno ?? 0);
        const code = LIBEXT2FS_CODES[errno] ?? String(e?.code ?? 'EIO');
        const error = { code, errno, message: String(e?.message ?? e) };
        parentPort.postMessage({ t: 'result', id: m.id, error });
      }
    });
  });
}
