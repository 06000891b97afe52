// Host commands on this machine: bash in the scratch directory, clean environment, limits, isolation.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  });
});

describe('HostSandbox.open: one sandbox for all the host commands of a run', () => {
  const limits = { timeoutMs: 10_000, maxOutputBytes: 100_000 };

  it('gives each command a fresh bash with the same isolation, limits and results as run()', async () => {
    const shell = await sandbox.open(scratch.dir);
    try {
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
    } finally {
      await shell.close();
    }
  });

  it('cancels a command when the run is aborted, and leaves no process behind when it closes', async () => {
    const shell = await sandbox.open(scratch.dir);
    const marker = `sleep ${50000 + Math.floor(Math.random() * 10000)}`;
    const controller = new AbortController();
    const pending = shell.run(`${marker}`, { limits, signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(pending).rejects.toMatchObject({ code: 'PLANSCRIPT_ABORTED' });
    await shell.run(`setsid ${marker} >/dev/null 2>&1 < /dev/null & echo started`, { limits });
    await shell.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout.trim()).toBe('');
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
