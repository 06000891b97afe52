// Build plans the native engine refuses run through real guestfish on the same Disk (over NBD on a Unix
// socket), with the same log and failure format; the deployer's personalizer chooses the route.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAccelerator } from '../../src/compute/index.js';
import { planScriptPersonalizer } from '../../src/deploy/personalizer.js';
import { openGuestSession } from '../../src/guestfs/open-session.js';
import { HostSandbox } from '../../src/planscript/host.js';
import { pruneAppliances, runWithGuestfish } from '../../src/planscript/guestfish-fallback.js';
import { FileDisk } from '../../src/storage/index.js';
import { makeImage } from '../conformance/images.js';
import { requireTool } from './ext-session.js';

const work = mkdtempSync(join(tmpdir(), 'fallback-'));
chmodSync(work, 0o711); // guestfish runs as nobody in a scratch directory below it
const pristine = join(work, 'pristine.img');

beforeAll(async () => {
  requireTool('guestfish', 'libguestfs-tools (and linux-image-amd64)');
  requireTool('debugfs', 'e2fsprogs');
  await makeImage('mbr-ext4', pristine);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function copy(name: string): string {
  const path = join(work, name);
  execFileSync('cp', ['--sparse=always', pristine, path]);
  return path;
}

/** The ext4 partition of the image as its own file, for debugfs, dumpe2fs and e2fsck. */
function rootPartition(image: string): string {
  const out = `${image}.p1`;
  execFileSync('dd', [`if=${image}`, `of=${out}`, 'bs=1M', 'skip=1', 'status=none']);
  return out;
}

/** An MBR disk whose one partition (type `mbrType`) holds the filesystem `mkfs` makes in a file of `sizeMiB`. */
function partitionedImage(name: string, sizeMiB: number, mbrType: string, mkfs: (file: string) => void): { image: string; readPartition: () => string } {
  const image = join(work, `${name}.img`);
  const part = join(work, `${name}.part`);
  execFileSync('truncate', ['-s', `${sizeMiB + 2}M`, image]);
  execFileSync('sfdisk', ['-q', image], { input: `label: dos\nstart=2048, type=${mbrType}\n` });
  execFileSync('truncate', ['-s', `${sizeMiB}M`, part]);
  mkfs(part);
  execFileSync('dd', [`if=${part}`, `of=${image}`, 'bs=1M', 'seek=1', 'conv=notrunc,sparse', 'status=none']);
  return {
    image,
    readPartition: () => {
      execFileSync('dd', [`if=${image}`, `of=${part}`, 'bs=1M', 'skip=1', 'status=none']);
      return part;
    },
  };
}

/** Personalizes `image` with the appliance's route (native engine, else guestfish); returns the result and log lines. */
async function personalizeImage(image: string, steps: { name: string; content: string }[], values: Record<string, string>): Promise<{ result: unknown; lines: string[] }> {
  const disk = await FileDisk.open(image);
  const lines: string[] = [];
  const personalize = planScriptPersonalizer({
    openSession: (d) => openGuestSession(d),
    scratchParent: work,
    sandbox: new HostSandbox(),
    guestfish: { tcg: async () => (await probeAccelerator()) === 'tcg', hiddenPaths: [] },
  });
  try {
    const result = await personalize(disk, { steps, values, attributes: [], signal: new AbortController().signal, log: (line) => lines.push(line) });
    return { result, lines };
  } finally {
    await disk.close();
  }
}

describe('build plans the native engine cannot run', { timeout: 240_000 }, () => {
  it('run through guestfish on the same disk when the personalizer is allowed to, with the log and values of a native run', async () => {
    const image = copy('ok.img');
    const { result, lines } = await personalizeImage(
      image,
      [
        { name: 'relabel', content: 'mount /dev/sda1 /\nset-e2label /dev/sda1 relabeled\necho "label: $(not expanded)"\nvfs-label /dev/sda1\n' },
        { name: 'personalize', content: 'write /etc/hostname "@HostName@"\n!echo "host side in $PWD" | sed "s#/.*#<scratch>#"\n!echo "host side as $(id -u)"\n-mkdir /etc\necho ImageStreamerLog: done\n' },
      ],
      { HostName: 'fallback-host' },
    );
    expect(result).toEqual({ ok: true });
    expect(lines[0]).toMatch(/^The native engine cannot run this build plan \("set-e2label" \(step "relabel", line 2\).*running it through guestfish$/);
    expect(lines.slice(1)).toEqual(['label: $(not expanded)', 'relabeled', 'host side in <scratch>', `host side as ${process.getuid!() === 0 ? 65534 : process.getuid!()}`, 'libguestfs: error: mkdir: /etc: File exists', 'ImageStreamerLog: done']);
    const root = rootPartition(image);
    expect(execFileSync('debugfs', ['-R', 'cat /etc/hostname', root], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()).toBe('fallback-host');
    expect(execFileSync('dumpe2fs', ['-h', root], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()).toMatch(/Filesystem volume name:\s+relabeled\n/);
    execFileSync('e2fsck', ['-fn', root], { stdio: 'pipe' });
  });

  it('run a build plan on an XFS root (which the native engine does not read) through guestfish; xfs_repair finds it clean', async () => {
    requireTool('mkfs.xfs', 'xfsprogs');
    const xfs = partitionedImage('xfs', 320, '83', (file) => execFileSync('mkfs.xfs', ['-q', '-f', '-L', 'root', file]));
    const { result, lines } = await personalizeImage(xfs.image, [{ name: 'xfs', content: 'list-filesystems\nmount /dev/sda1 /\nmkdir-p /etc\nwrite /etc/hostname "@HostName@"\ncat /etc/hostname\n' }], { HostName: 'xfs-host' });
    expect(result).toEqual({ ok: true });
    expect(lines[0]).toMatch(/^The native engine cannot run this build plan \(.*xfs.*\): running it through guestfish$/);
    expect(lines.slice(1)).toEqual(['/dev/sda1: xfs', 'xfs-host']);
    execFileSync('xfs_repair', ['-n', '-f', xfs.readPartition()], { stdio: 'pipe' });
  });

  it('run a build plan on an NTFS volume through guestfish; ntfs-3g reads the file back', async () => {
    requireTool('mkntfs', 'ntfs-3g');
    const ntfs = partitionedImage('ntfs', 32, '7', (file) => execFileSync('mkntfs', ['-q', '-F', '-f', '-L', 'WINDOWS', file], { stdio: 'ignore' }));
    const { result, lines } = await personalizeImage(ntfs.image, [{ name: 'ntfs', content: 'list-filesystems\nmount /dev/sda1 /\nmkdir-p /Windows/Setup\nupload -<<END /Windows/Setup/unattend.txt\nComputerName=@HostName@\nEND\n' }], { HostName: 'WIN-01' });
    expect(result).toEqual({ ok: true });
    expect(lines[0]).toMatch(/^The native engine cannot run this build plan \(.*ntfs.*\): running it through guestfish$/);
    expect(lines.slice(1)).toEqual(['/dev/sda1: ntfs']);
    expect(execFileSync('ntfscat', [ntfs.readPartition(), '/Windows/Setup/unattend.txt']).toString()).toBe('ComputerName=WIN-01\n');
  });

  it('report a failing command with its step, line and cause, as a native run does', async () => {
    const image = copy('fail.img');
    const disk = await FileDisk.open(image);
    const result = await runWithGuestfish({
      steps: [{ name: 'first', content: 'mount /dev/sda1 /\nwrite /before "x"\n' }, { name: 'second', content: 'set-e2label /dev/sda1 x\nmkdir /a/b\nwrite /after "y"\n' }],
      disk,
      scratchParent: work,
      tcg: (await probeAccelerator()) === 'tcg',
    });
    await disk.close();
    expect(result.ok).toBe(false);
    expect(result.failure).toMatchObject({ stepIndex: 1, step: 'second', line: 2, command: 'mkdir /a/b', cause: 'libguestfs: error: mkdir: /a/b: No such file or directory' });
    expect(result.steps.map((s) => s.status)).toEqual(['ok', 'failed']);
    const root = rootPartition(image);
    const names = execFileSync('debugfs', ['-R', 'ls -p /', root], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    expect(names).toContain('/before/');
    expect(names).not.toContain('/after/');
  });

  it.runIf(process.getuid!() === 0)('refuse, before starting anything, a scratch parent nobody cannot pass through', async () => {
    const closed = join(work, 'closed');
    mkdirSync(closed, { mode: 0o700 });
    const disk = await FileDisk.open(copy('closed.img'));
    await expect(runWithGuestfish({ steps: [{ name: 'only', content: 'mount /dev/sda1 /\n' }], disk, scratchParent: closed, tcg: true })).rejects.toMatchObject({
      code: 'PLANSCRIPT_GUESTFISH_SCRATCH',
      message: expect.stringContaining('does not let others through'),
    });
    await disk.close();
  });

  it('leave no old appliance behind: earlier builds and unfinished ones an hour old are removed, a build under way stays', async () => {
    const base = join(work, 'appliances');
    for (const name of ['0123456789abcdef', 'building-old', 'building-new']) mkdirSync(join(base, name, 'appliance'), { recursive: true });
    const hourAgo = new Date(Date.now() - 3700_000);
    utimesSync(join(base, 'building-old'), hourAgo, hourAgo);
    await pruneAppliances(base);
    expect(readdirSync(base)).toEqual(['building-new']);
  });
});
