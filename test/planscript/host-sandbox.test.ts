// Host commands on this machine: bash in the scratch directory, clean environment, limits, isolation.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostSandbox } from '../../src/planscript/host.js';
import { Scratch } from '../../src/planscript/scratch.js';

const secretDir = mkdtempSync(join(tmpdir(), 'datadir-'));
writeFileSync(join(secretDir, 'db.sqlite'), 'secret');
const sandbox = new HostSandbox({ hiddenPaths: [secretDir] });
let scratch: Scratch;

beforeAll(async () => {
  scratch = await Scratch.create(tmpdir(), (await sandbox.probe()).runAs);
});
afterAll(async () => {
  await sandbox.close();
  await scratch.remove();
  rmSync(secretDir, { recursive: true, force: true });
});

describe('HostSandbox', () => {
  it('isolates with namespaces on this machine (root or user namespaces)', async () => {
    expect(['root', 'user']).toContain((await sandbox.probe()).kind);
  });

  it('runs bash in the scratch directory with only PATH, HOME, TMPDIR, LANG, LC_ALL and PWD', async () => {
    const r = await sandbox.run('pwd; env | cut -d= -f1 | grep -v "^_$\\|^SHLVL$\\|^OLDPWD$" | sort | tr "\\n" " "; source /dev/null && echo bash', { cwd: scratch.dir });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.toString()).toBe(`${scratch.dir}\nHOME LANG LC_ALL PATH PWD TMPDIR bash\n`);
  });

  it('has no network interface but loopback (/proc/net/dev is per network namespace)', async () => {
    const r = await sandbox.run('tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "', { cwd: scratch.dir });
    expect(r.stdout.toString()).toBe('lo\n');
  });

  it('cannot see the data directory', async () => {
    const r = await sandbox.run(`cat ${secretDir}/db.sqlite; ls -A ${secretDir} | wc -l`, { cwd: scratch.dir });
    expect(r.stdout.toString()).not.toContain('secret');
    expect(r.stdout.toString().trim().split('\n').pop()).toBe('0');
  });

  it('never runs a .bashrc or .profile the script wrote into the scratch directory (its HOME)', async () => {
    // Node's pipes are socket pairs, which Debian's bash takes for an ssh session and would source ~/.bashrc
    const planted = await sandbox.run('echo "echo SOURCED" > ./.bashrc; cp ./.bashrc ./.profile; cp ./.bashrc ./.bash_profile', { cwd: scratch.dir });
    expect(planted.exitCode).toBe(0);
    const r = await sandbox.run('echo ran', { cwd: scratch.dir, stdin: Buffer.from('') });
    expect(r.stdout.toString()).toBe('ran\n');
  });

  it('leaves no process behind: background jobs and setsid escapes end with the command', async () => {
    const marker = `sleep ${40000 + Math.floor(Math.random() * 10000)}`;
    const r = await sandbox.run(`(${marker} >/dev/null 2>&1 &); setsid ${marker} >/dev/null 2>&1 < /dev/null & echo started`, { cwd: scratch.dir });
    expect(r.stdout.toString()).toBe('started\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const left = spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout.trim();
    expect(left).toBe('');
  });

  it('gives the exit status and output of a failing command', async () => {
    const r = await sandbox.run('echo out; echo err >&2; exit 3', { cwd: scratch.dir });
    expect([r.exitCode, r.stdout.toString(), r.stderr.toString()]).toEqual([3, 'out\n', 'err\n']);
  });

  it('feeds stdin to a pipeline', async () => {
    const r = await sandbox.run('tr a-z A-Z > ./up; cat ./up', { cwd: scratch.dir, stdin: Buffer.from('hello\n') });
    expect(r.stdout.toString()).toBe('HELLO\n');
  });

  it('kills a command that runs past its time limit, children too', async () => {
    const started = Date.now();
    const r = await sandbox.run('sleep 30 & sleep 30; wait', { cwd: scratch.dir, limits: { timeoutMs: 300, maxOutputBytes: 1000 } });
    expect(r.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('kills a command that writes more than its output limit', async () => {
    const r = await sandbox.run('yes', { cwd: scratch.dir, limits: { timeoutMs: 10_000, maxOutputBytes: 100_000 } });
    expect(r.outputExceeded).toBe(true);
    expect(r.stdout.length).toBeLessThanOrEqual(100_000);
  });

  it('runs plain bash when namespaces are disabled', async () => {
    const plain = new HostSandbox({ disableNamespaces: true });
    expect((await plain.probe()).kind).toBe('none');
    const r = await plain.run('echo $HOME', { cwd: scratch.dir });
    expect(r.stdout.toString()).toBe(`${scratch.dir}\n`);
    const shell = await plain.open(scratch.dir);
    expect((await shell.run('echo $HOME; exit 4', { limits: { timeoutMs: 10_000, maxOutputBytes: 1000 } })).exitCode).toBe(4);
    await plain.close();
  });
});

describe('HostSandbox.open: one runner for the host commands of every run', () => {
  const limits = { timeoutMs: 10_000, maxOutputBytes: 100_000 };

  it('gives each command a fresh bash with the same isolation, limits and results as run()', async () => {
    const shell = await sandbox.open(scratch.dir);
    const env = await shell.run('pwd; env | cut -d= -f1 | grep -v "^_$\\|^SHLVL$\\|^OLDPWD$" | sort | tr "\\n" " "; id -u', { limits });
    expect(env.stdout.toString()).toBe(`${scratch.dir}\nHOME LANG LC_ALL PATH PWD TMPDIR ${(await sandbox.probe()).kind === 'root' ? '65534' : '0'}\n`);
    expect((await shell.run('tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "', { limits })).stdout.toString()).toBe('lo\n');
    expect((await shell.run(`cat ${secretDir}/db.sqlite; ls -A ${secretDir} | wc -l`, { limits })).stdout.toString()).not.toContain('secret');
    const failing = await shell.run('X=1; cd /; echo out; echo err >&2; exit 3', { limits });
    expect([failing.exitCode, failing.stdout.toString(), failing.stderr.toString()]).toEqual([3, 'out\n', 'err\n']);
    // nothing carries over from one command to the next but files
    expect((await shell.run('echo "[$X]"; pwd', { limits })).stdout.toString()).toBe(`[]\n${scratch.dir}\n`);
    expect((await shell.run('tr a-z A-Z', { limits, stdin: Buffer.from('hello\n') })).stdout.toString()).toBe('HELLO\n');
    const slow = await shell.run('sleep 30 & sleep 30; wait', { limits: { timeoutMs: 300, maxOutputBytes: 1000 } });
    expect(slow.timedOut).toBe(true);
    const loud = await shell.run('yes', { limits });
    expect(loud.outputExceeded).toBe(true);
    expect(loud.stdout.length).toBeLessThanOrEqual(limits.maxOutputBytes);
    await shell.run('echo "echo SOURCED" > ./.bashrc', { limits });
    expect((await shell.run('echo ran', { limits })).stdout.toString()).toBe('ran\n');
  });

  it('cancels a command when the run is aborted; nothing a command starts outlives it, setsid escapes included', async () => {
    const shell = await sandbox.open(scratch.dir);
    const marker = `sleep ${50000 + Math.floor(Math.random() * 10000)}`;
    const controller = new AbortController();
    const pending = shell.run(`${marker}`, { limits, signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toMatchObject({ code: 'PLANSCRIPT_ABORTED' });
    const escaped = await shell.run(`(${marker} >/dev/null 2>&1 &); setsid ${marker} >/dev/null 2>&1 < /dev/null & echo started`, { limits });
    expect(escaped.stdout.toString()).toBe('started\n');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout.trim()).toBe('');
  });

  it('runs commands in a scratch directory below a parent that lets no one else through (0700)', async () => {
    const closed = mkdtempSync(join(tmpdir(), 'closed-'));
    chmodSync(closed, 0o700);
    const inner = await Scratch.create(closed, (await sandbox.probe()).runAs);
    try {
      const shell = await sandbox.open(inner.dir);
      const r = await shell.run('echo made > ./made; pwd; cat ./made', { limits });
      expect([r.exitCode, r.stdout.toString()]).toEqual([0, `${inner.dir}\nmade\n`]);
      expect(statSync(join(inner.dir, 'made')).uid).toBe((await sandbox.probe()).runAs?.uid ?? process.getuid!());
    } finally {
      await inner.remove();
      rmSync(closed, { recursive: true, force: true });
    }
  });

  it('serves every run from one runner, and replaces a runner that died', async () => {
    const own = new HostSandbox({ hiddenPaths: [secretDir] });
    try {
      // the runner: the ancestor (in this namespace's /proc) of a running command that runs the runner's source
      const runnerPid = async (): Promise<number> => {
        const marker = `sleep ${60000 + Math.floor(Math.random() * 10000)}`;
        const controller = new AbortController();
        const running = (await own.open(scratch.dir)).run(marker, { limits, signal: controller.signal }).catch(() => undefined);
        let pid: number | undefined;
        for (let tries = 0; pid === undefined && tries < 100; tries++) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          pid = Number(spawnSync('pgrep', ['-f', `^${marker}$`], { encoding: 'utf8' }).stdout.trim().split('\n')[0]) || undefined;
        }
        for (let ancestor = pid; ancestor !== undefined && ancestor > 1; ancestor = Number(/^\d+ \(.*\) \S (\d+)/.exec(readFileSync(`/proc/${ancestor}/stat`, 'utf8'))?.[1])) {
          if (readFileSync(`/proc/${ancestor}/cmdline`, 'utf8').includes('STREAMER_HOST_PREFIX')) {
            controller.abort();
            await running;
            return ancestor;
          }
        }
        throw new Error(`no runner above the command (pid ${pid})`);
      };
      const first = await runnerPid();
      expect(await runnerPid()).toBe(first);
      process.kill(first, 'SIGKILL');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const second = await runnerPid();
      expect(second).not.toBe(first);
      expect((await (await own.open(scratch.dir)).run(`ls -A ${secretDir} | wc -l`, { limits })).stdout.toString()).toBe('0\n');
    } finally {
      await own.close();
    }
  });

  it('keeps the command text out of the process arguments, which every user of the machine can read', async () => {
    const secret = `secret-${Math.random().toString(36).slice(2)}`;
    const shell = await sandbox.open(scratch.dir);
    for (const running of [shell.run(`: ${secret}; sleep 1; echo "${secret}" | wc -c`, { limits }), sandbox.run(`: ${secret}; sleep 1; echo "${secret}" | wc -c`, { cwd: scratch.dir })]) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })).not.toContain(secret);
      const r = await running;
      expect([r.exitCode, r.stdout.toString().trim()]).toEqual([0, String(secret.length + 1)]);
    }
  });

  it('shows a command no other process: not the appliance, not another run\'s command line', async () => {
    const marker = `sleep ${70000 + Math.floor(Math.random() * 10000)}`;
    const controller = new AbortController();
    const other = (await sandbox.open(scratch.dir)).run(`${marker}; echo secret-value`, { limits, signal: controller.signal }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    try {
      const shell = await sandbox.open(scratch.dir);
      const r = await shell.run(`cat /proc/[0-9]*/cmdline | tr "\\0" " "; echo; ls /proc | grep -c "^[0-9]"`, { limits });
      expect(r.stdout.toString()).not.toContain('secret-value');
      expect(r.stdout.toString()).not.toContain(marker);
      // bash, cat, tr, ls and grep at most
      expect(Number(r.stdout.toString().trim().split('\n').pop())).toBeLessThanOrEqual(6);
      const own = await sandbox.run('ls /proc | grep -c "^[0-9]"', { cwd: scratch.dir });
      expect(Number(own.stdout.toString().trim())).toBeLessThanOrEqual(4);
    } finally {
      controller.abort();
      await other;
    }
  });
});

describe('HostSandbox in an appliance that does not run as root', () => {
  // the compiled module (npm test builds it first), run by a node process that is nobody
  const script = `
    import { HostSandbox } from ${JSON.stringify(fileURLToPath(new URL('../../dist/src/planscript/host.js', import.meta.url)))};
    import { mkdtempSync, rmSync } from 'node:fs';
    const sandbox = new HostSandbox({ hiddenPaths: [process.argv[1]] });
    const mode = await sandbox.probe();
    const dir = mkdtempSync('/tmp/streamer-user-mode-');
    const shell = await sandbox.open(dir);
    const r = await shell.run('ls -A "$0" 2>&1 | wc -l; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; ls /proc | grep -c "^[0-9]"'.replace('$0', process.argv[1]), { limits: { timeoutMs: 10000, maxOutputBytes: 10000 } });
    await sandbox.close();
    rmSync(dir, { recursive: true });
    console.log(JSON.stringify({ kind: mode.kind, exitCode: r.exitCode, stdout: r.stdout.toString() }));
  `;

  it.runIf(process.getuid!() === 0)('isolates with user namespaces: no network, data directory hidden, no other process', () => {
    chmodSync(secretDir, 0o755);
    const child = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script, secretDir], { cwd: '/tmp', env: { PATH: process.env.PATH, HOME: '/tmp' }, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    const result = JSON.parse(child.stdout) as { kind: string; exitCode: number; stdout: string };
    const [hiddenEntries, interfaces, processes] = result.stdout.trim().split('\n');
    expect([result.kind, result.exitCode, hiddenEntries, interfaces]).toEqual(['user', 0, '0', 'lo']);
    expect(Number(processes)).toBeLessThanOrEqual(5);
  });
});

describe('Scratch.hostPath', () => {
  it('allows paths inside the scratch directory and refuses others, symlinks included', async () => {
    expect(await scratch.hostPath('download', './a/../b')).toBe(join(scratch.dir, 'b'));
    await expect(scratch.hostPath('upload', '/etc/passwd')).rejects.toThrow('upload: /etc/passwd: host files must stay inside the run\'s scratch directory');
    await expect(scratch.hostPath('upload', '../x')).rejects.toThrow(/host files must stay inside/);
    await sandbox.run(`ln -s ${secretDir} ./link`, { cwd: scratch.dir });
    await expect(scratch.hostPath('upload', './link/db.sqlite')).rejects.toThrow(/host files must stay inside/);
  });
});
