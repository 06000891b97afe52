// Host commands (`!cmd`, `<!cmd`, `cmd | pipeline`) are a trust boundary: each runs in /bin/bash in the
// scratch directory, with a clean environment, a time and output limit, no network and no view of the
// data directory where the machine allows it (probed once per sandbox, with a warning when it does not).
import { spawn } from 'node:child_process';
import { AppError } from '../core/errors.js';
import { startHostRunner, type HostRunner } from './host-shell.js';

export interface HostLimits {
  /** Wall-clock limit of one host command; the whole process group is killed after it. */
  timeoutMs: number;
  /** Most bytes of stdout plus stderr one host command may write. */
  maxOutputBytes: number;
}

export const DEFAULT_HOST_LIMITS: HostLimits = { timeoutMs: 60_000, maxOutputBytes: 16 * 1024 * 1024 };

export interface HostResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
  outputExceeded: boolean;
}

/** How host commands are isolated on this machine, as the probe found. */
export interface SandboxMode {
  /** `root`: new network and mount namespaces, data paths covered, command run as `nobody`.
   *  `user`: unprivileged user namespace (network and mount namespaces, data paths covered).
   *  `none`: plain bash (no namespaces could be made). */
  kind: 'root' | 'user' | 'none';
  /** The uid/gid commands run as when they are not ours (root mode), for the scratch directory's owner. */
  runAs?: { uid: number; gid: number };
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const NOBODY = { uid: 65534, gid: 65534 };

// What starts one command of the runner in its own pid namespace (its bash is the namespace's first process,
// so whatever the command leaves ends with it) with a /proc of that namespace (it sees no other process, so
// no other run's command lines, where attribute values are): as nobody where the appliance is root (unshare
// clears the supplementary groups; the runner's no_new_privs is inherited), in a user namespace of its own
// otherwise, which also locks the runner's covering mounts.
const ROOT_COMMAND = ['unshare', '--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child', '--mount-proc', '--setuid', String(NOBODY.uid), '--setgid', String(NOBODY.gid), '--'];
const USER_COMMAND = ['unshare', '--user', '--map-root-user', '--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child', '--mount-proc', '--'];

/**
 * What bash runs for every host command: the command's text arrives on file descriptor 3, not in the
 * process's arguments, which every user of the machine can read in /proc (attribute values, passwords
 * among them, are in it). Bash then runs it as `bash -c` would (only a syntax error reads "eval:" for "-c:").
 */
export const RUN_FROM_FD3 = 'IFS= read -r -d "" -u 3 c; exec 3<&-; eval "$c"';

// Covers each path of the arguments with an empty read-only tmpfs.
const COVER = 'for p; do mount -t tmpfs -o ro,size=4k,mode=0 none "$p" || exit 125; done; ';
// One command in a sandbox of its own, after the covering mounts; the command comes on file descriptor 3.
const ROOT_WRAPPER = `exec setpriv --reuid=${NOBODY.uid} --regid=${NOBODY.gid} --clear-groups --no-new-privs /bin/bash --norc --noprofile -c '${RUN_FROM_FD3}'`;
// In a user namespace the covering mounts are made in an outer namespace and locked by an inner one.
const USER_WRAPPER = `exec unshare --user --map-root-user --mount /bin/bash --norc --noprofile -c '${RUN_FROM_FD3}'`;

export interface HostSandboxOptions {
  /** Host paths host commands must not see (the data directory); covered where mount namespaces work. */
  hiddenPaths?: readonly string[];
  /** Told once when isolation is weaker than wanted. */
  warn?: (message: string) => void;
  /** Skip namespaces altogether (tests of the plain mode). */
  disableNamespaces?: boolean;
}

function quickRun(argv: string[]): Promise<boolean> {
  return new Promise((resolveRun) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore', env: { PATH } });
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.on('error', () => {
      clearTimeout(timer);
      resolveRun(false);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun(code === 0);
    });
  });
}

export class HostSandbox {
  private mode: Promise<SandboxMode> | undefined;

  constructor(private readonly options: HostSandboxOptions = {}) {}

  /** Finds (once) how host commands can be isolated here. */
  probe(): Promise<SandboxMode> {
    this.mode ??= this.findMode();
    return this.mode;
  }

  private async findMode(): Promise<SandboxMode> {
    const warn = this.options.warn ?? (() => undefined);
    if (this.options.disableNamespaces === true) return { kind: 'none' };
    const isRoot = process.getuid?.() === 0;
    if (isRoot) {
      const ok = await quickRun(['unshare', '--net', '--mount', '--pid', '--fork', '--kill-child', '--propagation', 'private', '--', '/bin/bash', '--norc', '--noprofile', '-c',
        `mount -t tmpfs -o ro,size=4k none /mnt && exec setpriv --no-new-privs -- ${ROOT_COMMAND.join(' ')} /bin/true`]);
      if (ok) return { kind: 'root', runAs: NOBODY };
      warn('Host commands run as root without network or mount isolation: "unshare"/"setpriv" (util-linux) did not work here');
      return { kind: 'none' };
    }
    const ok = await quickRun(['unshare', '--net', '--mount', '--pid', '--fork', '--kill-child', '--map-root-user', '--propagation', 'private', '--', '/bin/bash', '--norc', '--noprofile', '-c',
      `mount -t tmpfs -o ro,size=4k none /mnt && exec ${USER_COMMAND.join(' ')} /bin/true`]);
    if (ok) return { kind: 'user' };
    warn('Host commands run without network isolation and can see the data directory: unprivileged user namespaces are not available (sysctl kernel.unprivileged_userns_clone)');
    return { kind: 'none' };
  }

  /**
   * The command line that runs `script` with bash inside this machine's new network, mount and pid
   * namespaces, after covering the hidden paths (its `$@`); plain bash where no namespaces can be made.
   */
  private async inNamespaces(script: string): Promise<string[]> {
    const mode = await this.probe();
    const bash = ['/bin/bash', '--norc', '--noprofile', '-c'];
    if (mode.kind === 'none') return [...bash, script];
    const user = mode.kind === 'user' ? ['--map-root-user'] : [];
    return ['unshare', '--net', '--mount', '--pid', '--fork', '--kill-child', '--mount-proc', ...user, '--propagation', 'private', '--', ...bash, COVER + script, 'sandbox', ...(this.options.hiddenPaths ?? [])];
  }

  /**
   * The host commands of one run in `cwd`, through the sandbox's runner (see host-shell.ts), started at the
   * first run and kept: each command then costs a fork and two execs.
   */
  async open(cwd: string): Promise<HostCommands> {
    const runner = await this.currentRunner();
    return { run: (command, options) => runner.run(command, { ...options, cwd }) };
  }

  private runner: Promise<HostRunner> | undefined;

  private async currentRunner(): Promise<HostRunner> {
    const running = await this.runner;
    if (running?.alive === true) return running;
    this.runner = this.startRunner();
    return this.runner;
  }

  private async startRunner(): Promise<HostRunner> {
    const mode = await this.probe();
    const prefix = mode.kind === 'root' ? ROOT_COMMAND : mode.kind === 'user' ? USER_COMMAND : [];
    const argv = await this.inNamespaces(`exec setpriv --no-new-privs -- ${JSON.stringify(process.execPath)} -e "$STREAMER_HOST_RUNNER"`);
    return startHostRunner(argv, prefix, cleanEnv('/'));
  }

  /** Ends the runner and every host command still running (the appliance's shutdown). */
  async close(): Promise<void> {
    const runner = await this.runner?.catch(() => undefined);
    this.runner = undefined;
    await runner?.close();
  }

  /** Runs `command` with bash in `cwd`. Never throws for the command's own failure; see HostResult. */
  async run(command: string, options: { cwd: string; stdin?: Uint8Array; signal?: AbortSignal; limits?: HostLimits }): Promise<HostResult> {
    const limits = options.limits ?? DEFAULT_HOST_LIMITS;
    const mode = await this.probe();
    const argv = await this.inNamespaces(mode.kind === 'root' ? ROOT_WRAPPER : mode.kind === 'user' ? USER_WRAPPER : RUN_FROM_FD3);
    const env = cleanEnv(options.cwd);
    return new Promise((resolveRun, reject) => {
      if (options.signal?.aborted === true) return reject(abortError());
      const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
      sendCommand(child.stdio[3], command);
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let bytes = 0;
      let timedOut = false;
      let outputExceeded = false;
      const killGroup = () => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      const collect = (into: Buffer[]) => (chunk: Buffer) => {
        if (outputExceeded) return;
        bytes += chunk.length;
        if (bytes > limits.maxOutputBytes) {
          outputExceeded = true;
          killGroup();
          return;
        }
        into.push(chunk);
      };
      child.stdout.on('data', collect(stdout));
      child.stderr.on('data', collect(stderr));
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, limits.timeoutMs);
      const onAbort = () => killGroup();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      child.stdin.on('error', () => undefined); // a command that does not read its input
      child.stdin.end(options.stdin === undefined ? undefined : Buffer.from(options.stdin));
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new AppError('unavailable', 'PLANSCRIPT_HOST_SPAWN', `Cannot run a host command: ${error.message}`, { cause: error }));
      });
      child.on('close', (exitCode, signal) => {
        clearTimeout(timer);
        // nothing a host command started outlives it (a pid namespace ends with its first process too)
        killGroup();
        options.signal?.removeEventListener('abort', onAbort);
        if (options.signal?.aborted === true) return reject(abortError());
        resolveRun({ exitCode, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), timedOut, outputExceeded });
      });
    });
  }
}

/** Writes the command's text to the pipe bash reads it from (RUN_FROM_FD3). */
function sendCommand(pipe: unknown, command: string): void {
  const writable = pipe as NodeJS.WritableStream & { on(event: 'error', listener: () => void): void };
  writable.on('error', () => undefined); // a sandbox that failed before reading it
  writable.end(command);
}

/** A run's host commands in its scratch directory, through the sandbox's runner (host-shell.ts). */
export interface HostCommands {
  run(command: string, options: { stdin?: Uint8Array; signal?: AbortSignal; limits: HostLimits }): Promise<HostResult>;
}

/** All a host command's environment: nothing of the appliance's own. */
function cleanEnv(cwd: string): NodeJS.ProcessEnv {
  return { PATH, HOME: cwd, TMPDIR: cwd, LANG: 'C', LC_ALL: 'C', PWD: cwd };
}

function abortError(): AppError {
  return new AppError('unavailable', 'PLANSCRIPT_ABORTED', 'The plan-script run was cancelled');
}
