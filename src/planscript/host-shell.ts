// One runner for all the host commands of a HostSandbox (an appliance): a small node process started once
// inside the sandbox's network and mount namespaces, with the data paths covered and no_new_privs set. For
// each command it starts `unshare --pid --fork --kill-child` (as `nobody` where the appliance is root) and
// a fresh bash in the command's scratch directory, in its own process group, with the run's limits. A host
// command then costs a fork and two execs instead of new network and mount namespaces, covering mounts and
// three more execs; a run costs nothing at all; and nothing a command starts outlives it, because the first
// process of its pid namespace is the command's bash. The runner ends with the sandbox (or when its stdin
// closes, so never after the appliance).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { AppError } from '../core/errors.js';
import { RUN_FROM_FD3, type HostLimits, type HostResult } from './host.js';

/**
 * The runner, run with `node -e SOURCE`: JSON requests on stdin, JSON replies on stdout, one line each.
 * STREAMER_HOST_PREFIX (a JSON array) is what starts a command in its own pid namespace as its user; bash
 * follows it and reads the command from fd 3 (STREAMER_HOST_EVAL, host.ts' RUN_FROM_FD3).
 */
export const RUNNER_SOURCE = `
'use strict';
const { spawn } = require('node:child_process');
const prefix = JSON.parse(process.env.STREAMER_HOST_PREFIX);
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
function handle(request) {
  if (request.kill !== undefined) return running.get(request.kill)?.();
  const env = { PATH, HOME: request.cwd, TMPDIR: request.cwd, LANG: 'C', LC_ALL: 'C', PWD: request.cwd };
  // the command's text goes in on fd 3, not in the arguments anyone can read in /proc
  const argv = [...prefix, '/bin/bash', '--norc', '--noprofile', '-c', process.env.STREAMER_HOST_EVAL];
  const child = spawn(argv[0], argv.slice(1), { cwd: request.cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  child.stdio[3].on('error', () => {});
  child.stdio[3].end(request.command);
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

function resultOf(reply: Reply): HostResult {
  return { exitCode: reply.exitCode, signal: reply.signal, stdout: Buffer.from(reply.stdout, 'base64'), stderr: Buffer.from(reply.stderr, 'base64'), timedOut: reply.timedOut, outputExceeded: reply.outputExceeded };
}

export class HostRunner {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: HostResult) => void; reject: (e: Error) => void }>();
  private failure: AppError | undefined;
  private diagnostics = '';

  /** @internal startHostRunner makes these. */
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
        if (this.waiting.size === 0) this.holdProcess(false);
        if (reply.error !== undefined) waiter?.reject(new AppError('unavailable', 'PLANSCRIPT_HOST_SPAWN', `Cannot run a host command: ${reply.error}`));
        else waiter?.resolve(resultOf(reply));
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
      this.failure = new AppError('unavailable', 'PLANSCRIPT_HOST_RUNNER', `The host-command sandbox ended (${why})`);
      for (const waiter of this.waiting.values()) waiter.reject(this.failure);
      this.waiting.clear();
    });
    this.holdProcess(false);
  }

  /** False once the runner has ended: the sandbox then starts another. */
  get alive(): boolean {
    return this.failure === undefined;
  }

  /** The runner keeps the process alive only while a command of it runs. */
  private holdProcess(hold: boolean): void {
    for (const handle of [this.child, this.child.stdin, this.child.stdout, this.child.stderr] as unknown as { ref?: () => void; unref?: () => void }[]) {
      if (hold) handle.ref?.();
      else handle.unref?.();
    }
  }

  /** Runs `command` with bash in `cwd`. Never throws for the command's own failure. */
  run(command: string, options: { cwd: string; stdin?: Uint8Array; signal?: AbortSignal; limits: HostLimits }): Promise<HostResult> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (options.signal?.aborted === true) return Promise.reject(abortError());
    const id = this.nextId++;
    return new Promise<HostResult>((resolve, reject) => {
      const onAbort = (): void => {
        this.child.stdin.write(`${JSON.stringify({ kill: id })}\n`);
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(id, {
        resolve: (result) => {
          options.signal?.removeEventListener('abort', onAbort);
          if (options.signal?.aborted === true) reject(abortError());
          else resolve(result);
        },
        reject: (error) => {
          options.signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      if (this.waiting.size === 1) this.holdProcess(true);
      const request = { id, cwd: options.cwd, command, stdin: Buffer.from(options.stdin ?? new Uint8Array(0)).toString('base64'), timeoutMs: options.limits.timeoutMs, maxOutputBytes: options.limits.maxOutputBytes };
      this.child.stdin.write(`${JSON.stringify(request)}\n`);
    });
  }

  /** Ends the runner; with it ends every command still running (its pid namespace goes). */
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

/**
 * Starts a runner through `argv`, the sandbox wrapper that ends in `exec … node -e "$STREAMER_HOST_RUNNER"`
 * (host.ts builds it); `prefix` starts each command (see RUNNER_SOURCE).
 */
export function startHostRunner(argv: string[], prefix: string[], env: NodeJS.ProcessEnv): HostRunner {
  const child = spawn(argv[0]!, argv.slice(1), { cwd: '/', env: { ...env, STREAMER_HOST_RUNNER: RUNNER_SOURCE, STREAMER_HOST_PREFIX: JSON.stringify(prefix), STREAMER_HOST_EVAL: RUN_FROM_FD3 }, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  return new HostRunner(child);
}

function abortError(): AppError {
  return new AppError('unavailable', 'PLANSCRIPT_ABORTED', 'The plan-script run was cancelled');
}
