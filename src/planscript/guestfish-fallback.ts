// Build plans the native engine cannot run (a guest binary, NTFS, XFS, LVM…) run through real guestfish
// when libguestfs-tools is installed: the volume is exported to it over NBD on a Unix socket in the run's
// scratch directory, the steps run as one guestfish session, and its output becomes the same log and
// result a native run gives. guestfish runs in new mount, pid and network namespaces where the machine
// allows it, with the data directory covered, and as nobody when the appliance is root (its own appliance
// VM and its host commands alike), so its host commands stay behind the same boundary as native ones.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { chown, lstat, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../core/errors.js';
import { secretValues, substitute, type AttributeValues, type CustomAttribute } from '../attributes/index.js';
import { ExportRegistry, startNbdServer } from '../nbd/index.js';
import type { Disk } from '../storage/disk.js';
import { runResult, type BuildPlanStep, type RunFailure, type RunResult, type StepResult } from './interpreter.js';
import { RunLog, type LogLine } from './run-log.js';

export interface GuestfishRunOptions {
  steps: readonly BuildPlanStep[];
  values?: AttributeValues;
  attributes?: readonly CustomAttribute[];
  disk: Disk;
  scratchParent: string;
  /** Paths guestfish's host commands must not see (the data directory). */
  hiddenPaths?: readonly string[];
  /** Longest the whole session may take (the appliance launch included); 10 minutes by default. */
  timeoutMs?: number;
  /** TCG instead of KVM for guestfish's appliance (hosts without usable KVM). */
  tcg: boolean;
  signal?: AbortSignal;
  log?: (line: LogLine) => void;
}

let available: boolean | undefined;

/** Whether guestfish is installed (libguestfs-tools) with a kernel for its appliance. */
export function guestfishAvailable(): boolean {
  available ??= spawnSync('sh', ['-c', 'command -v guestfish && ls /boot/vmlinuz-*'], { stdio: 'ignore' }).status === 0;
  return available;
}

const MARK = '::streamer-step::';
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const NOBODY = { uid: 65534, gid: 65534 };

let fixed: Promise<string> | undefined;

/**
 * libguestfs' appliance as a "fixed appliance" (libguestfs-make-fixed-appliance), built once per machine,
 * user, libguestfs and kernel, in /var/tmp/streamer-guestfs-UID: a run then neither builds one (supermin
 * writes ~700 MB) nor needs a cache directory of its own, so guestfish can run as nobody.
 */
export function guestfishAppliance(tcg: boolean): Promise<string> {
  fixed ??= buildFixedAppliance(tcg).catch((error: unknown) => {
    fixed = undefined;
    throw error;
  });
  return fixed;
}

async function buildFixedAppliance(tcg: boolean): Promise<string> {
  const run = promisify(execFile);
  const version = (await run('guestfish', ['--version'], { env: { PATH } })).stdout.trim();
  const kernels = (await readdir('/boot')).filter((name) => name.startsWith('vmlinuz-')).sort();
  const kernelTimes = await Promise.all(kernels.map(async (name) => (await stat(join('/boot', name))).mtimeMs));
  const key = createHash('sha256').update(JSON.stringify([version, kernels, kernelTimes])).digest('hex').slice(0, 16);
  const uid = process.getuid?.() ?? 0;
  const base = `/var/tmp/streamer-guestfs-${uid}`;
  await mkdir(base, { mode: 0o755 }).catch((error: unknown) => {
    if (errnoCode(error) !== 'EEXIST') throw error;
  });
  // a directory someone else made (or a link to one) must not supply the appliance guestfish boots
  const st = await lstat(base);
  if (!st.isDirectory() || st.uid !== uid || (st.mode & 0o022) !== 0) {
    throw new AppError('unavailable', 'PLANSCRIPT_GUESTFISH_APPLIANCE', `Cannot use ${base} for guestfish's appliance: it is not a directory of this user that only it can write`, {
      recommendedActions: [`Remove ${base}; Streamer makes it again`],
    });
  }
  const dir = join(base, key);
  if ((await stat(join(dir, 'root')).catch(() => undefined)) !== undefined) return dir;
  await pruneAppliances(base);
  const building = await mkdtemp(join(base, 'building-'));
  try {
    const env = { PATH, HOME: building, TMPDIR: building, LIBGUESTFS_BACKEND: 'direct', ...(tcg ? { LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' } : {}) };
    await run('libguestfs-make-fixed-appliance', [join(building, 'appliance')], { env, maxBuffer: 16 * 1024 * 1024 });
    await rename(join(building, 'appliance'), dir).catch((error: unknown) => {
      // another appliance process made it first
      const code = errnoCode(error);
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    });
  } catch (error) {
    throw new AppError('unavailable', 'PLANSCRIPT_GUESTFISH_APPLIANCE', `Cannot build guestfish's appliance: ${(error as { stderr?: string }).stderr?.trim() || String(error)}`, {
      recommendedActions: ['Check that libguestfs-tools and linux-image-amd64 are installed and that "libguestfs-test-tool" passes'],
    });
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Removes what an earlier libguestfs or kernel left in `base` (~700 MB each) and builds that never finished
 * (an hour old): an appliance process that still runs an old one keeps its open files.
 */
export async function pruneAppliances(base: string): Promise<void> {
  for (const name of await readdir(base)) {
    const path = join(base, name);
    const st = await lstat(path).catch(() => undefined);
    if (st === undefined || (name.startsWith('building-') && Date.now() - st.mtimeMs < 3600_000)) continue;
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The `code` of a failed file-system call (EEXIST …), if it has one. */
function errnoCode(error: unknown): string | undefined {
  return error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
}

/** Whether nobody can reach `path` through every directory above it. */
async function traversableByOthers(path: string): Promise<boolean> {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const st = await stat(dir).catch(() => undefined);
    if (st === undefined || (st.mode & 0o001) === 0) return false;
    if (dir === dirname(dir)) return true;
  }
}

/** Runs the build plan through guestfish on `disk`. Failure is a result, like runBuildPlan's. */
export async function runWithGuestfish(options: GuestfishRunOptions): Promise<RunResult> {
  if (!guestfishAvailable()) {
    throw new AppError('unavailable', 'PLANSCRIPT_NO_GUESTFISH', 'Cannot run the build plan through guestfish: it is not installed', {
      recommendedActions: ['Install the Debian packages libguestfs-tools and linux-image-amd64'],
    });
  }
  const started = Date.now();
  const log = new RunLog(secretValues(options.attributes ?? [], options.values ?? {}), options.log);
  const asRoot = process.getuid?.() === 0;
  if (asRoot && !(await traversableByOthers(join(options.scratchParent, 'x')))) {
    throw new AppError('unavailable', 'PLANSCRIPT_GUESTFISH_SCRATCH', `Cannot run guestfish as nobody in ${options.scratchParent}: a directory above it does not let others through`, {
      recommendedActions: ['Give the plan-script scratch parent and the directories above it search permission for others (chmod o+x)'],
    });
  }
  const appliance = await guestfishAppliance(options.tcg);
  const scratch = await mkdtemp(join(options.scratchParent, 'streamer-guestfish-'));
  if (asRoot) await chown(scratch, NOBODY.uid, NOBODY.gid);
  const registry = new ExportRegistry();
  const name = randomUUID();
  registry.add(name, options.disk, { readOnly: false, flushIsGlobal: true });
  const socket = join(scratch, '.nbd.sock');
  const server = await startNbdServer({ host: '127.0.0.1', socketPath: socket, registry });
  // guestfish's qemu connects as nobody
  if (asRoot) await chown(socket, NOBODY.uid, NOBODY.gid);

  // the script as guestfish reads it, and where each of its lines came from
  const input: string[] = [`add ${name} protocol:nbd server:unix:${socket} format:raw`, 'run'];
  const origin: ({ step: number; line: number } | undefined)[] = [undefined, undefined];
  const unresolved = new Set<string>();
  options.steps.forEach((step, index) => {
    input.push(`echo ${MARK}${index}`);
    origin.push(undefined);
    const substituted = substitute(step.content, options.values ?? {});
    substituted.unresolved.forEach((key) => unresolved.add(key));
    substituted.text.replace(/\n$/, '').split('\n').forEach((text, i) => {
      input.push(text);
      origin.push({ step: index, line: i + 1 });
    });
  });
  input.push(`echo ${MARK}end`, 'umount-all');
  origin.push(undefined, undefined);

  const results: StepResult[] = options.steps.map((step, index) => ({ index, name: step.name, status: 'skipped', durationMs: 0, commands: 0, ignoredErrors: 0 }));
  let current = -1;
  let stepStarted = 0;
  let lastError: { at: { step: number; line: number }; text: string } | undefined;
  const endStep = (status: StepResult['status']): void => {
    if (current < 0 || current >= results.length) return;
    results[current]!.status = status;
    results[current]!.durationMs = Math.round(performance.now() - stepStarted);
  };
  const onLine = (raw: string): void => {
    if (raw.startsWith(MARK)) {
      endStep('ok');
      const next = raw.slice(MARK.length);
      current = next === 'end' ? results.length : Number(next);
      if (current < results.length) {
        results[current]!.status = 'ok';
        results[current]!.startedAt = new Date().toISOString();
        stepStarted = performance.now();
      }
      return;
    }
    const located = /^\*stdin\*:(\d+): (.*)$/.exec(raw);
    const at = (located === null ? undefined : origin[Number(located[1]) - 1]) ?? { step: Math.max(0, Math.min(current, results.length - 1)), line: 0 };
    if (located !== null) {
      lastError = { at, text: located[2]! };
      log.add(at, 'error', located[2]!);
      const source = input[Number(located[1]) - 1]?.trimStart() ?? '';
      if (source.startsWith('-') && current >= 0 && current < results.length) results[current]!.ignoredErrors++;
    } else log.add(at, 'output', `${raw}\n`);
  };

  const hidden = [...(options.hiddenPaths ?? [])];
  // one stream, line-buffered: guestfish's errors stay in order with its output
  const fish = 'exec stdbuf -oL -eL guestfish 2>&1';
  // as root: private namespaces, bash as /bin/sh for host commands (HPE's scripts use `source`), data hidden,
  // then nobody (with the group of /dev/kvm, so the appliance VM keeps its acceleration)
  const kvmGroup = await stat('/dev/kvm').then((st) => st.gid, () => undefined);
  const groups = kvmGroup === undefined || kvmGroup === 0 ? '--clear-groups' : `--groups=${kvmGroup}`;
  const drop = `setpriv --reuid=${NOBODY.uid} --regid=${NOBODY.gid} ${groups} --no-new-privs`;
  const wrapper = `${hidden.map((_, i) => `mount -t tmpfs -o ro,size=4k,mode=0 none "$${i + 1}" || exit 125; `).join('')}mount --bind /bin/bash /bin/sh && exec ${drop} /bin/bash --norc --noprofile -c '${fish}'`;
  const argv = asRoot ? ['unshare', '--mount', '--net', '--pid', '--fork', '--kill-child', '--propagation', 'private', '--', '/bin/bash', '--norc', '--noprofile', '-c', wrapper, 'guestfish', ...hidden] : ['/bin/bash', '--norc', '--noprofile', '-c', fish];
  const env: NodeJS.ProcessEnv = { PATH, HOME: scratch, TMPDIR: scratch, LANG: 'C.UTF-8', LIBGUESTFS_BACKEND: 'direct', LIBGUESTFS_PATH: appliance, ...(options.tcg ? { LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' } : {}) };
  let exitCode: number | null = null;
  let timedOut = false;
  try {
    exitCode = await new Promise<number | null>((resolveRun, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { cwd: scratch, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
      const kill = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        kill();
      }, options.timeoutMs ?? 10 * 60_000);
      options.signal?.addEventListener('abort', kill, { once: true });
      let pending = '';
      const feed = (chunk: Buffer): void => {
        pending += chunk.toString('utf8');
        for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n')) {
          onLine(pending.slice(0, nl));
          pending = pending.slice(nl + 1);
        }
      };
      child.stdout.on('data', feed);
      child.stderr.on('data', feed);
      child.on('error', (error) => reject(new AppError('unavailable', 'PLANSCRIPT_GUESTFISH_SPAWN', `Cannot start guestfish: ${error.message}`, { cause: error })));
      child.on('close', (code) => {
        clearTimeout(timer);
        if (pending !== '') onLine(pending);
        resolveRun(code);
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(`${input.join('\n')}\n`);
    });
  } finally {
    await server.close();
    await registry.remove(name);
    await options.disk.flush();
    await rm(scratch, { recursive: true, force: true });
  }
  log.flush();
  let failure: RunFailure | undefined;
  if (exitCode !== 0 || timedOut || current < results.length) {
    endStep('failed');
    const at = lastError?.at ?? { step: Math.max(0, Math.min(current, results.length - 1)), line: 0 };
    const step = options.steps[at.step];
    const cause = timedOut ? 'guestfish ran longer than its time limit and was killed' : options.signal?.aborted === true ? 'The plan-script run was cancelled' : (lastError?.text ?? `guestfish exited with status ${exitCode}`);
    failure = {
      stepIndex: at.step,
      step: step?.name ?? '',
      line: at.line,
      column: 1,
      command: log.mask(at.line > 0 ? (substitute(step?.content ?? '', options.values ?? {}).text.split('\n')[at.line - 1] ?? '') : ''),
      cause: log.mask(cause),
      code: timedOut ? 'PLANSCRIPT_GUESTFISH_TIMEOUT' : 'PLANSCRIPT_GUESTFISH_FAILED',
    };
  }
  return runResult({ steps: results, failure, log, started, unresolved: [...unresolved] });
}
