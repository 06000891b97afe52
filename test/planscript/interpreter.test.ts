// runBuildPlan on real images (GPT: a FAT ESP made by mkfs.vfat, an ext4 root made by mkfs.ext4 -d) through
// openGuestSession on a FileDisk; results read back with debugfs, mtype and e2fsck, independent of the engine.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomAttribute } from '../../src/attributes/types.js';
import { ExtWorkerPool } from '../../src/guestfs/ext/index.js';
import { openGuestSession } from '../../src/guestfs/open-session.js';
import {
  BUILTIN_COMMANDS,
  CommandRegistry,
  HostSandbox,
  runBuildPlan,
  type BuildPlanStep,
  type LogLine,
  type RunBuildPlanOptions,
  type RunResult,
} from '../../src/planscript/index.js';
import { FileDisk } from '../../src/storage/index.js';
import { requireTool } from './ext-session.js';

const work = mkdtempSync(join(tmpdir(), 'streamer-interpreter-'));
// Host commands run as nobody when the tests run as root: the scratch directory's parent must let them in.
chmodSync(work, 0o755);
const sandbox = new HostSandbox();
const pool = new ExtWorkerPool();
let base: string;
/** Byte offsets of the ESP (sda1) and the root (sda2) in every image copy. */
let espOffset = 0;
let rootOffset = 0;
let copies = 0;

// Every command a test runs goes through this registry, so the last test can tell which were never exercised.
const exercised = new Set<string>();
const registry = new CommandRegistry(BUILTIN_COMMANDS.map((spec) => ({
  ...spec,
  run: (ctx, args) => {
    exercised.add(spec.name);
    return spec.run(ctx, args);
  },
})));

beforeAll(() => {
  for (const [tool, pkg] of [['sfdisk', 'fdisk'], ['mkfs.ext4', 'e2fsprogs'], ['debugfs', 'e2fsprogs'], ['e2fsck', 'e2fsprogs'], ['mkfs.vfat', 'dosfstools'], ['mtype', 'mtools']] as const) {
    requireTool(tool, pkg);
  }
  const tree = join(work, 'tree');
  for (const dir of ['etc/ssh', 'boot/efi', 'srv', 'bin']) mkdirSync(join(tree, dir), { recursive: true });
  writeFileSync(join(tree, 'etc/hostname'), 'localhost\n');
  writeFileSync(join(tree, 'etc/fstab'), 'LABEL=none / ext4 defaults 0 1\n');
  writeFileSync(join(tree, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
  for (const key of ['ssh_host_rsa_key', 'ssh_host_rsa_key.pub', 'ssh_host_ed25519_key']) writeFileSync(join(tree, 'etc/ssh', key), `${key}\n`);
  writeFileSync(join(tree, 'etc/ssh/sshd_config'), 'PermitRootLogin no\n');
  execFileSync('chown', ['-R', '0:0', tree]);

  base = join(work, 'base.img');
  execFileSync('truncate', ['-s', '96M', base]);
  execFileSync('sfdisk', ['-q', base], { input: 'label: gpt\n,40M,U\n,,L\n' });
  const layout = JSON.parse(execFileSync('sfdisk', ['--json', base]).toString()) as { partitiontable: { partitions: { start: number; size: number }[] } };
  const [esp, root] = layout.partitiontable.partitions as [{ start: number; size: number }, { start: number; size: number }];
  espOffset = esp.start * 512;
  rootOffset = root.start * 512;
  const espPart = join(work, 'esp.part');
  execFileSync('truncate', ['-s', String(esp.size * 512), espPart]);
  execFileSync('mkfs.vfat', ['-F', '32', espPart], { stdio: 'ignore' });
  const rootPart = join(work, 'root.part');
  execFileSync('truncate', ['-s', String(root.size * 512), rootPart]);
  execFileSync('mkfs.ext4', ['-q', '-F', '-d', tree, rootPart], { stdio: 'ignore' });
  execFileSync('dd', [`if=${espPart}`, `of=${base}`, 'bs=512', `seek=${esp.start}`, 'conv=notrunc'], { stdio: 'ignore' });
  execFileSync('dd', [`if=${rootPart}`, `of=${base}`, 'bs=512', `seek=${root.start}`, 'conv=notrunc'], { stdio: 'ignore' });
});

afterAll(async () => {
  await pool.close();
  rmSync(work, { recursive: true, force: true });
});

/** A fresh copy of the base image (tests never write the original). */
function freshImage(): string {
  const image = join(work, `run-${++copies}.img`);
  execFileSync('cp', ['--sparse=always', base, image]);
  return image;
}

type RunOptions = Partial<Omit<RunBuildPlanOptions, 'steps' | 'session'>>;

/** Runs the steps (each a script, or lines joined by newlines) on the image, closing session and disk after. */
async function runOn(image: string, steps: (string | string[])[], options: RunOptions = {}): Promise<RunResult> {
  const disk = await FileDisk.open(image);
  const session = await openGuestSession(disk, { pool });
  try {
    const planSteps: BuildPlanStep[] = steps.map((s, i) => ({ name: `step-${i + 1}`, content: Array.isArray(s) ? s.join('\n') : s }));
    return await runBuildPlan({ steps: planSteps, session, scratchParent: work, sandbox, registry, ...options });
  } finally {
    await session.close();
    await disk.close();
  }
}

/** What the statement on `line` (1-based) of step `step` (0-based) printed, kind `output` or `host`. */
function printed(result: RunResult, line: number, options: { step?: number; kind?: LogLine['kind'] } = {}): string {
  return result.log
    .filter((l) => l.step === (options.step ?? 0) && l.line === line && l.kind === (options.kind ?? 'output'))
    .map((l) => `${l.text}\n`)
    .join('');
}

/** The 1-based line of the statement that starts with `start` in a script given as lines. */
function lineOf(lines: string[], start: string): number {
  const index = lines.findIndex((l) => l.startsWith(start));
  if (index === -1) throw new Error(`No line starts with "${start}"`);
  return index + 1;
}

function debugfs(image: string, request: string): string {
  return execFileSync('debugfs', ['-R', request, `${image}?offset=${rootOffset}`], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
}

/** A root-filesystem file's content, read by debugfs (a missing file gives ""). */
function rootFile(image: string, path: string): string {
  return debugfs(image, `cat ${path}`);
}

/** Names in a root-filesystem directory, sorted, without . and .. (debugfs `ls -p`). */
function rootNames(image: string, dir: string): string[] {
  return debugfs(image, `ls -p ${dir}`)
    .split('\n')
    .map((l) => l.split('/')[5])
    .filter((n): n is string => n !== undefined && n !== '' && n !== '.' && n !== '..')
    .sort();
}

/** Mode (octal string of the permission bits), owner and link target of a root-filesystem inode. */
function rootInode(image: string, path: string): { type: string; mode: string; uid: number; gid: number; links: number; target?: string } {
  const stat = debugfs(image, `stat ${path}`);
  const m = /Type: (\w+)\s+Mode:\s+(\d+)/.exec(stat);
  const owner = /User:\s+(\d+)\s+Group:\s+(\d+)/.exec(stat);
  const links = /Links: (\d+)/.exec(stat);
  if (m === null || owner === null || links === null) throw new Error(`debugfs cannot stat ${path}: ${stat}`);
  const target = /Fast link dest: "([^"]*)"/.exec(stat)?.[1];
  return { type: m[1]!, mode: m[2]!, uid: Number(owner[1]), gid: Number(owner[2]), links: Number(links[1]), ...(target === undefined ? {} : { target }) };
}

function e2fsckClean(image: string): void {
  const r = spawnSync('e2fsck', ['-fn', `${image}?offset=${rootOffset}`], { encoding: 'utf8' });
  expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
}

/** A file on the ESP, read by mtools. */
function espFile(image: string, path: string): string {
  return execFileSync('mtype', ['-i', `${image}@@${espOffset}`, `::${path}`], { env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } }).toString();
}

describe('runBuildPlan on a GPT image with a FAT ESP and an ext4 root', () => {
  it('prints what the listing, test and read commands print, as guestfish does', async () => {
    const script = [
      'mount-ro /dev/sda2 /',
      'echo hello   "big  world"',
      'version',
      'list-devices',
      'list-partitions',
      'list-filesystems',
      'vgs',
      'lvs',
      'pvs',
      'inspect-os',
      ...['roots', 'type', 'distro', 'product-name', 'product-variant', 'major-version', 'minor-version', 'hostname', 'osinfo', 'arch', 'format',
        'package-format', 'package-management', 'mountpoints', 'filesystems'].map((what) => `inspect-get-${what}${what === 'roots' ? '' : ' /dev/sda2'}`),
      'mount-ro /dev/sda2 /',
      'ls /etc/ssh',
      'cat /etc/hostname',
      'exists /etc/hostname',
      'exists /etc/nothing',
      'is-file /etc/hostname',
      'is-dir /etc',
      'is-dir /etc/hostname',
      'is-symlink /etc/hostname',
      'statvfs /',
    ];
    const image = freshImage();
    const result = await runOn(image, [script]);
    expect(result.ok, JSON.stringify(result.failure)).toBe(true);
    const out = (start: string) => printed(result, lineOf(script, start));
    expect(out('echo')).toBe('hello big  world\n');
    expect(out('version')).toBe('major: 1\nminor: 48\nrelease: 6\nextra: \n');
    expect(out('list-devices')).toBe('/dev/sda\n');
    expect(out('list-partitions')).toBe('/dev/sda1\n/dev/sda2\n');
    expect(out('list-filesystems')).toBe('/dev/sda1: vfat\n/dev/sda2: ext4\n');
    expect(out('vgs') + out('lvs') + out('pvs')).toBe('');
    expect(out('inspect-os')).toBe('/dev/sda2\n');
    // inspect-os unmounted everything, as in guestfish; the conformance suite compares the values with guestfish's
    expect(out('inspect-get-roots') + out('inspect-get-type') + out('inspect-get-format')).toBe('/dev/sda2\nlinux\ninstalled\n');
    expect(out('ls /etc/ssh')).toBe('ssh_host_ed25519_key\nssh_host_rsa_key\nssh_host_rsa_key.pub\nsshd_config\n');
    expect(out('cat /etc/hostname')).toBe('localhost\n\n');
    expect(out('exists /etc/hostname') + out('exists /etc/nothing')).toBe('true\nfalse\n');
    expect(out('is-file') + out('is-dir /etc') + out('is-dir /etc/hostname') + out('is-symlink')).toBe('true\ntrue\nfalse\nfalse\n');
    const stats = debugfs(image, 'stats');
    const blockSize = /Block size:\s+(\d+)/.exec(stats)![1];
    // as Linux's statfs reports it: the metadata mke2fs recorded as overhead is not counted
    const blocks = Number(/Block count:\s+(\d+)/.exec(stats)![1]) - Number(/Overhead clusters:\s+(\d+)/.exec(stats)![1]);
    const freeInodes = /Free inodes:\s+(\d+)/.exec(stats)![1];
    expect(out('statvfs')).toMatch(new RegExp(`^bsize: ${blockSize}\nfrsize: ${blockSize}\nblocks: ${blocks}\nbfree: \\d+\nbavail: \\d+\nfiles: \\d+\nffree: ${freeInodes}\n`));
    expect(out('statvfs')).toContain('flag: 4097\n'); // ST_RELATIME | ST_RDONLY on a read-only mount
    expect(result.steps).toMatchObject([{ status: 'ok', commands: script.length, ignoredErrors: 0 }]);
  });

  it('changes files, directories, modes, owners and links, leaving an e2fsck-clean filesystem', async () => {
    const script = [
      'mount /dev/sda2 /',
      'mkdir /opt',
      'mkdir-p /opt/a/b/c',
      'mkdir-p /opt/a/b',
      'write /opt/a/one "first"',
      'write-append /opt/a/one " second"',
      'write-append /opt/a/new "made by write-append"',
      'touch /opt/a/empty',
      'chmod 0600 /opt/a/one',
      'chown 1000 1001 /opt/a/one',
      'cp /opt/a/one /opt/a/b/copy',
      'cp-a /opt/a /opt/a-preserved',
      'cp-r /opt/a /opt/a-plain',
      'mv /opt/a-plain /opt/moved',
      'mv /opt/moved/new /opt',
      'ln /opt/a/one /opt/hard',
      'ln-f /opt/a/empty /opt/hard',
      'ln-s /etc/hostname /opt/sym',
      'ln-sf /etc/os-release /opt/sym',
      'readlink /opt/sym',
      'is-symlink /opt/sym',
      'is-file /opt/sym',
      'is-file /opt/sym followsymlinks:true',
      'rm /opt/a/b/copy',
      'rm-f /opt/not-there',
      'rm-f /opt/a/new',
      'rmdir /opt/a/b/c',
      'rm-rf /opt/a-preserved/b',
      'rm-rf /opt/never-was',
      'sync',
      'ls /opt',
      'cat /opt/a/one',
    ];
    const image = freshImage();
    const result = await runOn(image, [script]);
    expect(result.ok, JSON.stringify(result.failure)).toBe(true);
    const out = (start: string) => printed(result, lineOf(script, start));
    expect(out('readlink')).toBe('/etc/os-release\n');
    expect(out('is-symlink') + out('is-file /opt/sym') + out('is-file /opt/sym followsymlinks')).toBe('true\nfalse\ntrue\n');
    expect(out('ls /opt')).toBe('a\na-preserved\nhard\nmoved\nnew\nsym\n');
    expect(out('cat /opt/a/one')).toBe('first second\n');

    expect(rootNames(image, '/opt/a')).toEqual(['b', 'empty', 'one']);
    expect(rootNames(image, '/opt/a/b')).toEqual([]);
    expect(rootFile(image, '/opt/a/one')).toBe('first second');
    expect(rootFile(image, '/opt/new')).toBe('made by write-append');
    expect(rootInode(image, '/opt/a/one')).toMatchObject({ type: 'regular', mode: '0600', uid: 1000, gid: 1001 });
    expect(rootInode(image, '/opt/a/empty')).toMatchObject({ type: 'regular', mode: '0644', links: 2 });
    expect(rootInode(image, '/opt/hard')).toMatchObject({ links: 2 });
    expect(debugfs(image, 'stat /opt/hard').split('\n')[0]).toBe(debugfs(image, 'stat /opt/a/empty').split('\n')[0]);
    expect(rootInode(image, '/opt/sym')).toMatchObject({ type: 'symlink', target: '/etc/os-release' });
    // cp-a keeps mode and owner; cp-r (then mv) does not keep the owner.
    expect(rootInode(image, '/opt/a-preserved/one')).toMatchObject({ mode: '0600', uid: 1000, gid: 1001 });
    expect(rootNames(image, '/opt/a-preserved')).toEqual(['empty', 'new', 'one']);
    expect(rootFile(image, '/opt/moved/one')).toBe('first second');
    expect(rootNames(image, '/opt/moved')).toEqual(['b', 'empty', 'one']);
    expect(rootInode(image, '/opt/moved/one')).toMatchObject({ uid: 0, gid: 0 });
    expect(rootInode(image, '/opt/a/b')).toMatchObject({ type: 'directory', mode: '0755' });
    e2fsckClean(image);
  });

  it('mounts the ESP under /boot/efi, unmounts by path, remounts it read-only and unmounts everything', async () => {
    const script = [
      'mount /dev/sda2 /',
      'mount /dev/sda1 /boot/efi',
      'mkdir-p /boot/efi/EFI/BOOT',
      'write /boot/efi/EFI/BOOT/message.txt "Hello from web-01"',
      'write /etc/on-root "root"',
      '-rm /boot/efi/EFI/missing',
      'umount /boot/efi',
      'exists /boot/efi/EFI',
      'mount-ro /dev/sda1 /boot/efi',
      'cat /boot/efi/EFI/BOOT/message.txt',
      '-write /boot/efi/EFI/BOOT/message.txt "changed"',
      'unmount-all',
      'mount /dev/sda2 /',
      'cat /etc/on-root',
      'umount-all',
    ];
    const image = freshImage();
    const result = await runOn(image, [script]);
    expect(result.ok, JSON.stringify(result.failure)).toBe(true);
    const out = (start: string) => printed(result, lineOf(script, start));
    expect(out('exists')).toBe('false\n');
    expect(out('cat /boot')).toBe('Hello from web-01\n');
    expect(printed(result, lineOf(script, '-rm'), { kind: 'error' })).toBe('libguestfs: error: rm: /boot/efi/EFI/missing: No such file or directory\n');
    expect(printed(result, lineOf(script, '-write'), { kind: 'error' })).toMatch(/read-only/i);
    expect(out('cat /etc/on-root')).toBe('root\n');
    expect(result.steps[0]).toMatchObject({ status: 'ok', ignoredErrors: 2 });
    expect(espFile(image, '/EFI/BOOT/message.txt')).toBe('Hello from web-01');
    expect(rootFile(image, '/etc/on-root')).toBe('root');
    e2fsckClean(image);
  });

  it('keeps the scratch directory from step to step: host files, download, upload, copy-out, copy-in, compress-out', async () => {
    const step1 = [
      'mount /dev/sda2 /',
      '!echo "made in step 1" > ./from-host',
      '!mkdir -p ./tree/sub && echo leaf > ./tree/sub/leaf && chmod 0750 ./tree/sub',
      'download /etc/hostname ./hostname',
      'download /etc/os-release -',
      'compress-out gzip /etc/os-release ./os-release.gz',
      '!mkdir ./backup',
      'copy-out /etc/ssh /etc/hostname ./backup',
    ];
    const step2 = [
      '!sed -i s/localhost/web-01/ ./hostname && cat ./hostname',
      'upload ./hostname /etc/hostname',
      'upload ./from-host /etc/from-host',
      'mkdir /srv/restore',
      'copy-in ./tree ./backup/ssh /srv/restore',
      '!gzip -dc ./os-release.gz > ./os-release && ls ./backup',
      'upload ./os-release /srv/os-release-copy',
    ];
    const image = freshImage();
    const result = await runOn(image, [step1, step2]);
    expect(result.ok, JSON.stringify(result.failure)).toBe(true);
    expect(result.steps.map((s) => s.status)).toEqual(['ok', 'ok']);
    expect(printed(result, lineOf(step1, 'download /etc/os-release'))).toBe('ID=debian\nVERSION_ID="12"\n');
    expect(printed(result, 1, { step: 1, kind: 'host' })).toBe('web-01\n');
    expect(printed(result, lineOf(step2, '!gzip'), { step: 1, kind: 'host' })).toBe('hostname\nssh\n');
    expect(rootFile(image, '/etc/hostname')).toBe('web-01\n');
    expect(rootFile(image, '/etc/from-host')).toBe('made in step 1\n');
    expect(rootInode(image, '/etc/from-host')).toMatchObject({ mode: '0644', uid: 0 });
    expect(rootNames(image, '/srv/restore')).toEqual(['ssh', 'tree']);
    expect(rootNames(image, '/srv/restore/ssh')).toEqual(['ssh_host_ed25519_key', 'ssh_host_rsa_key', 'ssh_host_rsa_key.pub', 'sshd_config']);
    expect(rootFile(image, '/srv/restore/tree/sub/leaf')).toBe('leaf\n');
    expect(rootInode(image, '/srv/restore/tree/sub')).toMatchObject({ type: 'directory', mode: '0750', uid: 0 });
    expect(rootFile(image, '/srv/os-release-copy')).toBe('ID=debian\nVERSION_ID="12"\n');
    e2fsckClean(image);
  });

  it('uploads here-documents verbatim, bash here-documents and $ signs included', async () => {
    const body = ['#!/bin/bash', 'cat > /etc/motd <<EOF', 'Welcome to $(hostname) "quoted" \'single\'', 'EOF', '  indented\ttab', '', 'END-not-the-marker'];
    const script = ['mount /dev/sda2 /', 'upload -<<END /etc/first.sh', ...body, 'END', 'chmod 0755 /etc/first.sh', '-upload -<<EOF12345 /etc/second', 'second', 'EOF12345', 'echo after'];
    const image = freshImage();
    const result = await runOn(image, [script]);
    expect(result.ok, JSON.stringify(result.failure)).toBe(true);
    expect(rootFile(image, '/etc/first.sh')).toBe(`${body.join('\n')}\n`);
    expect(rootInode(image, '/etc/first.sh')).toMatchObject({ mode: '0755' });
    expect(rootFile(image, '/etc/second')).toBe('second\n');
    expect(printed(result, script.length)).toBe('after\n');
    expect(result.steps[0]!.commands).toBe(5);
  });

  it('runs the output of <! host commands as plan-script commands', async () => {
    const step1 = ['mount /dev/sda2 /', 'cat /etc/os-release | cat > ./OS-Type'];
    const step2 = [
      `<!awk '/debian/ {print "write /etc/distro debian"} /sles/ {print "rm-rf /etc/sysconfig/network"}' ./OS-Type`,
      `<!if [ -e ./OS-Type ]; then echo 'mkdir /etc/inline'; echo '-rm /etc/inline/missing'; echo "write /etc/inline/file \\"a b\\""; fi`,
      '<!echo "echo ImageStreamerLog: from inline"',
    ];
    const image = freshImage();
    const result = await runOn(image, [step1, step2]);
    expect(result.ok, JSON.stringify(result.failure)).toBe(true);
    expect(rootFile(image, '/etc/distro')).toBe('debian');
    expect(rootFile(image, '/etc/inline/file')).toBe('a b');
    expect(rootFile(image, '/etc/sysconfig/network')).toBe('');
    expect(printed(result, 2, { step: 1, kind: 'error' })).toBe('libguestfs: error: rm: /etc/inline/missing: No such file or directory\n');
    expect(result.imageStreamerLog).toEqual([{ step: 1, line: 3, message: 'from inline' }]);
    expect(result.steps[1]).toMatchObject({ status: 'ok', commands: 3 });

    const failing = await runOn(freshImage(), [['mount /dev/sda2 /', '<!echo "mkdir /no/such/parent"', 'write /etc/after x']]);
    expect(failing.ok).toBe(false);
    expect(failing.failure).toMatchObject({ step: 'step-1', line: 2, command: '<!echo "mkdir /no/such/parent"' });
    expect(failing.failure!.cause).toMatch(/mkdir: \/no\/such\/parent: No such file or directory/);
  });

  it('pipes command output into a host pipeline', async () => {
    const script = ['mount /dev/sda2 /', 'cat /etc/hostname | tr a-z A-Z', 'echo one two | wc -w > ./count', 'upload ./count /etc/count'];
    const image = freshImage();
    const result = await runOn(image, [script]);
    expect(result.ok, JSON.stringify(result.failure)).toBe(true);
    expect(printed(result, 2, { kind: 'host' })).toBe('LOCALHOST\n\n');
    expect(printed(result, 2)).toBe('');
    expect(rootFile(image, '/etc/count')).toBe('2\n');
  });

  it('substitutes attributes with their defaults and masks password values in the log and the failure', async () => {
    const attributes: CustomAttribute[] = [
      { name: 'HostName', value: null, type: 'string', constraints: '{}', description: '' },
      { name: 'RootPassword', value: null, type: 'password', constraints: '{}', description: '' },
    ];
    const values = { HostName: 'web-01', RootPassword: 'S3cr3t!pw', 'Nic1.ipaddress': '10.0.0.5' };
    const script = [
      'mount /dev/sda2 /',
      'echo "ImageStreamerLog: naming @HostName@.@Domain:example.com@ at @Nic1.ipaddress@ (vlan @Nic1.vlanid:0@)"',
      'write /etc/hostname "@HostName@"',
      'upload -<<END /etc/secret',
      'root:@RootPassword@ mail root@@@HostName@ @Unset@.',
      'END',
      'echo password is @RootPassword@',
      'mkdir /nope/@RootPassword@',
    ];
    const image = freshImage();
    const result = await runOn(image, [script], { values, attributes });
    expect(rootFile(image, '/etc/hostname')).toBe('web-01');
    expect(rootFile(image, '/etc/secret')).toBe('root:S3cr3t!pw mail root@web-01 .\n');
    expect(result.imageStreamerLog.map((l) => l.message)).toEqual(['naming web-01.example.com at 10.0.0.5 (vlan 0)']);
    expect(result.unresolved).toEqual(['Unset']);
    expect(printed(result, 7)).toBe('password is ********\n');
    expect(result.failure).toMatchObject({ line: 8, command: 'mkdir /nope/********' });
    expect(result.failure!.cause).toContain('/nope/********');
    expect(JSON.stringify(result)).not.toContain('S3cr3t');
  });

  it('expands glob wildcards over guest paths and runs the command for each match', async () => {
    const script = [
      'mount /dev/sda2 /',
      'glob echo /etc/ssh/ssh_host_*_key.pub /etc/{hostname,os-release}',
      'glob echo /etc/ssh/nothing-*',
      '-glob rm-rf /etc/ssh/ssh_host_*',
      'ls /etc/ssh',
    ];
    const image = freshImage();
    const result = await runOn(image, [script]);
    expect(result.ok, JSON.stringify(result.failure)).toBe(true);
    expect(printed(result, 2)).toBe('/etc/ssh/ssh_host_rsa_key.pub /etc/hostname\n/etc/ssh/ssh_host_rsa_key.pub /etc/os-release\n');
    expect(printed(result, 3)).toBe('/etc/ssh/nothing-*\n');
    expect(printed(result, 5)).toBe('sshd_config\n');
    expect(rootNames(image, '/etc/ssh')).toEqual(['sshd_config']);
    expect(result.steps[0]!.ignoredErrors).toBe(0);
  });

  it('logs and counts errors of - prefixed statements and goes on', async () => {
    const script = ['mount /dev/sda2 /', '-rm /etc/missing', '-!exit 3', '-no-such-command x', '-mkdir /etc', 'write /etc/went-on "yes"'];
    const image = freshImage();
    const result = await runOn(image, [script]);
    expect(result.ok, JSON.stringify(result.failure)).toBe(true);
    expect(result.steps[0]).toMatchObject({ status: 'ok', commands: 6, ignoredErrors: 4 });
    expect(printed(result, 2, { kind: 'error' })).toBe('libguestfs: error: rm: /etc/missing: No such file or directory\n');
    expect(printed(result, 3, { kind: 'error' })).toBe(''); // guestfish prints nothing for a failed host command
    expect(printed(result, 4, { kind: 'error' })).toBe('no-such-command: unknown command\n');
    expect(printed(result, 5, { kind: 'error' })).toMatch(/mkdir: \/etc: File exists/);
    expect(rootFile(image, '/etc/went-on')).toBe('yes');
  });

  it('stops at a failing command with its step, line, command and cause, and skips the rest', async () => {
    const steps = [
      ['mount /dev/sda2 /', 'write /etc/step1 "done"'],
      ['echo before', '', '  mkdir   /no/parent/here', 'write /etc/step2-after "never"'],
      ['write /etc/step3 "never"'],
    ];
    const image = freshImage();
    const result = await runOn(image, steps);
    expect(result.ok).toBe(false);
    expect(result.failure).toEqual({
      stepIndex: 1,
      step: 'step-2',
      line: 3,
      column: 3,
      command: '  mkdir   /no/parent/here',
      cause: 'mkdir: /no/parent/here: No such file or directory',
      code: expect.any(String),
    });
    expect(result.steps.map((s) => [s.status, s.commands])).toEqual([['ok', 2], ['failed', 2], ['skipped', 0]]);
    expect(result.steps[2]!.startedAt).toBeUndefined();
    expect(printed(result, 3, { step: 1, kind: 'error' })).toBe('libguestfs: error: mkdir: /no/parent/here: No such file or directory\n');
    expect(rootFile(image, '/etc/step1')).toBe('done');
    expect(rootNames(image, '/etc')).not.toContain('step2-after');
    expect(rootNames(image, '/etc')).not.toContain('step3');
    e2fsckClean(image);
  });

  it('exercised every built-in command in the tests above', () => {
    expect(BUILTIN_COMMANDS.map((c) => c.name).filter((name) => !exercised.has(name))).toEqual([]);
  });
});
