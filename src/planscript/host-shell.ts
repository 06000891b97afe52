// One sandbox for all the host commands of a build-plan run: the namespaces, covering mounts and the switch
// to `nobody` are made once, for a small runner (node) that starts each command as a fresh bash in its own
// process group with the run's limits. Starting a host command then costs a fork and an exec instead of
// unshare + mount + setpriv + two shells. The runner and everything left of the run end when it closes.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { AppError } from '../core/errors.js';
import type { HostLimits, HostResult } from './host.js';

/** The runner, run with `node -e`: JSON requests on stdin, JSON replies on stdout, one line each. */
export const RUNNER_SOURCE = `
'use strict';
const { spawn } = require('node:child_process');
const PATH = process.env.PATH;
const running = new Map();
let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  for (let nl = buffer.indexOf('\\n'); nl !== -1; nl = buffer.indexOf('\\n')) {
    const line = buffer.slice(0, nl);
    buffer = buffer.slice(nl + 1);
    if (line !== '') handle(JSON.parse(line));
  }
});
process.stdin.on('end', () => {
  for (const kill of running.values()) kill();
  process.exit(0);
});
const reply = (message) => process.stdout.write(JSON.stringify(message) + '\\n');
// the first spawn of a node process is several times slower than the next: a spare pays it while it waits
spawn('/bin/true', [], { stdio: 'ignore' }).on('error', () => {});
function handle(request) {
  if (request.kill !== undefined) return running.get(request.kill)?.();
  const env = { PATH, HOME: request.cwd, TMPDIR: request.cwd, LANG: 'C', LC_ALL: 'C', PWD: request.cwd };
  const child = spawn('/bin/bash', ['--norc', '--noprofile', '-c', request.command], { cwd: request.cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  const out = [];
  const err = [];
  let bytes = 0;
  let timedOut = false;
  let outputExceeded = false;
  const kill = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch {} };
  running.set(request.id, kill);
  const collect = (into) => (chunk) => {
    if (outputExceeded) return;
    bytes += chunk.length;
    if (bytes > request.maxOutputBytes) { outputExceeded = true; kill(); return; }
    into.push(chunk);
  };
  child.stdout.on('data', collect(out));
  child.stderr.on('data', collect(err));
  const timer = setTimeout(() => { timedOut = true; kill(); }, request.timeoutMs);
  child.stdin.on('error', () => {});
  child.stdin.end(Buffer.from(request.stdin, 'base64'));
  child.on('error', (error) => { clearTimeout(timer); running.delete(request.id); reply({ id: request.id, error: error.message }); });
  child.on('close', (exitCode, signal) => {
    clearTimeout(timer);
    kill();
    running.delete(request.id);
    reply({ id: request.id, exitCode, signal, stdout: Buffer.concat(out).toString('base64'), stderr: Buffer.concat(err).toString('base64'), timedOut, outputExceeded });
  });
}
`;

interface Reply {
  id: number;
  error?: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  outputExceeded: boolean;
}

export class HostShell {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: HostResult) => void; reject: (e: unknown) => void }>();
  private failure: AppError | undefined;
  private diagnostics = '';

  private cwd = '/';

  /** @internal HostSandbox.open makes these. */
  constructor(private readonly child: ChildProcessWithoutNullStreams) {
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const reply = JSON.parse(buffer.slice(0, nl)) as Reply;
        buffer = buffer.slice(nl + 1);
        const waiter = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        if (reply.error !== undefined) waiter?.reject(new AppError('unavailable', 'PLANSCRIPT_HOST_SPAWN', `Cannot run a host command: ${reply.error}`));
        else waiter?.resolve({ exitCode: reply.exitCode, signal: reply.signal, stdout: Buffer.from(reply.stdout, 'base64'), stderr: Buffer.from(reply.stderr, 'base64'), timedOut: reply.timedOut, outputExceeded: reply.outputExceeded });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (this.diagnostics.length < 4096) this.diagnostics += chunk.toString('utf8');
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      this.diagnostics += error.message;
    });
    child.on('close', (code) => {
      const why = this.diagnostics.trim() === '' ? `exit status ${code}` : this.diagnostics.trim().split('\n').slice(-3).join('; ');
      this.failure = new AppError('unavailable', 'PLANSCRIPT_HOST_RUNNER', `The host-command sandbox of this run ended (${why})`);
      for (const waiter of this.waiting.values()) waiter.reject(this.failure);
      this.waiting.clear();
    });
  }

  /** Binds the (spare) runner to a run's scratch directory; it keeps the process alive from now on. */
  bind(cwd: string): this {
    this.cwd = cwd;
    this.child.ref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as unknown as { ref?: () => void }).ref?.();
    return this;
  }

  /** A spare runner must not keep the process alive. */
  unref(): this {
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
    return this;
  }

  /** Runs `command` with bash in the run's scratch directory. Never throws for the command's own failure. */
  run(command: string, options: { stdin?: Uint8Array; signal?: AbortSignal; limits: HostLimits }): Promise<HostResult> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (options.signal?.aborted === true) return Promise.reject(new AppError('unavailable', 'PLANSCRIPT_ABORTED', 'The plan-script run was cancelled'));
    const id = this.nextId++;
    return new Promise<HostResult>((resolve, reject) => {
      const onAbort = (): void => {
        this.child.stdin.write(`${JSON.stringify({ kill: id })}\n`);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(id, {
        resolve: (result) => {
          options.signal?.removeEventListener('abort', onAbort);
          if (options.signal?.aborted === true) reject(new AppError('unavailable', 'PLANSCRIPT_ABORTED', 'The plan-script run was cancelled'));
          else resolve(result);
        },
        reject,
      });
      const request = { id, cwd: this.cwd, command, stdin: Buffer.from(options.stdin ?? new Uint8Array(0)).toString('base64'), timeoutMs: options.limits.timeoutMs, maxOutputBytes: options.limits.maxOutputBytes };
      this.child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Ends the runner; with it ends every process the run's host commands left (its pid namespace goes). */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const closed = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => {
      try {
        if (this.child.pid !== undefined) process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }, 2000);
    await closed;
    clearTimeout(timer);
  }
}

/** Starts a runner through `argv` (the sandbox wrapper, ending in a bash -c of `exec node -e "$STREAMER_HOST_RUNNER"`). */
export function startHostShell(argv: string[], env: NodeJS.ProcessEnv): HostShell {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: '/', env: { ...env, STREAMER_HOST_RUNNER: RUNNER_SOURCE }, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  return new HostShell(child);
}
