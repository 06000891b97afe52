// What the suite compares of a result image: every filesystem's tree (path, kind, mode, owner, size, content
// hash, symlink target), and whether e2fsck -fn / fsck.vfat -n find it clean.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openGuestSession } from '../../src/guestfs/open-session.js';
import { readPartitions } from '../../src/guestfs/partition-table.js';
import type { ImageFs } from '../../src/guestfs/image-fs.js';
import { FileDisk } from '../../src/storage/index.js';

/** What two runs of a script never share: the clock (`!date`). Logs and file contents are compared without it. */
export function comparable(text: string): string {
  return text.replace(/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d [A-Z]+ \d{4}\b/g, '<date>');
}

async function walk(fs: ImageFs, dir: string, out: string[], prefix: string): Promise<void> {
  for (const name of [...(await fs.readdir(dir))].sort()) {
    const path = dir === '/' ? `/${name}` : `${dir}/${name}`;
    const st = await fs.lstat(path);
    const head = `${prefix}${path} ${st.kind} ${(st.mode & 0o7777).toString(8).padStart(4, '0')} ${st.uid}:${st.gid}`;
    if (st.kind === 'symlink') out.push(`${head} -> ${await fs.readlink(path)}`);
    else if (st.kind === 'file') out.push(`${head} ${st.sizeBytes} ${createHash('sha256').update(comparable((await fs.readFile(path)).toString('latin1'))).digest('hex').slice(0, 16)}`);
    else out.push(head);
    if (st.kind === 'directory') await walk(fs, path, out, prefix);
  }
}

/** One line per file of every ext/vfat filesystem on the image, sorted. */
export async function dumpTree(image: string): Promise<string[]> {
  const disk = await FileDisk.open(image, { readOnly: true });
  const out: string[] = [];
  try {
    const session = await openGuestSession(disk);
    for (const f of await session.listFilesystems()) {
      if (!['ext2', 'ext3', 'ext4', 'vfat'].includes(f.type)) continue;
      await session.mount(f.device, '/', { readOnly: true });
      out.push(`${f.device}: ${f.type}`);
      await walk(session.resolve('/').fs, '/', out, `${f.device}:`);
      await session.umount('/');
    }
    await session.close();
  } finally {
    await disk.close();
  }
  return out;
}

/** fsck findings per filesystem ('' when clean): e2fsck -fn for ext, fsck.vfat -n for FAT. */
export async function fsckImage(image: string): Promise<Record<string, string>> {
  const disk = await FileDisk.open(image, { readOnly: true });
  const parts = await readPartitions(disk);
  const session = await openGuestSession(disk);
  const types = new Map((await session.listFilesystems()).map((f) => [f.device, f.type]));
  await session.close();
  await disk.close();
  const work = mkdtempSync(join(tmpdir(), 'conformance-fsck-'));
  const findings: Record<string, string> = {};
  try {
    const slices = parts.length === 0 ? [{ device: '/dev/sda', startBytes: 0, sizeBytes: disk.sizeBytes }] : parts;
    for (const p of slices) {
      const type = types.get(p.device);
      if (type === undefined || !['ext2', 'ext3', 'ext4', 'vfat'].includes(type)) continue;
      const file = join(work, 'part.img');
      execFileSync('dd', [`if=${image}`, `of=${file}`, 'bs=64K', `skip=${p.startBytes}`, `count=${p.sizeBytes}`, 'iflag=skip_bytes,count_bytes', 'status=none']);
      const r = type === 'vfat' ? spawnSync('fsck.vfat', ['-n', file], { encoding: 'utf8' }) : spawnSync('e2fsck', ['-fn', file], { encoding: 'utf8' });
      findings[p.device] = r.status === 0 ? '' : `${type} fsck exit ${r.status}: ${(r.stdout + r.stderr).replaceAll(file, 'PART')}`;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return findings;
}
