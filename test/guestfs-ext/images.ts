// Real ext images for the ext engine's tests: made with mkfs in temp files, checked with e2fsck and debugfs.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TOOLS: Record<string, string> = {
  'mkfs.ext4': 'e2fsprogs',
  'mkfs.ext3': 'e2fsprogs',
  'mkfs.ext2': 'e2fsprogs',
  e2fsck: 'e2fsprogs',
  debugfs: 'e2fsprogs',
  truncate: 'coreutils',
};

/** Fails (never skips) when a tool the tests need is missing, naming its Debian package. */
export function requireTools(): void {
  for (const [tool, pkg] of Object.entries(TOOLS)) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
    if (!found) throw new Error(`The ext tests need "${tool}": install the Debian package "${pkg}"`);
  }
}

export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'streamer-ext-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Makes a sparse image file of `size` (truncate syntax: 64M, 10G) with `mkfs.<type>` and extra mkfs args. */
export function makeImage(path: string, type: 'ext2' | 'ext3' | 'ext4', size: string, args: string[] = []): void {
  execFileSync('truncate', ['-s', size, path]);
  execFileSync(`mkfs.${type}`, ['-q', '-F', ...args, path], { stdio: 'pipe' });
}

/** `e2fsck -fn`: returns its exit status and output (0 means clean). */
export function fsck(path: string): { status: number; output: string } {
  const r = spawnSync('e2fsck', ['-fn', path], { encoding: 'utf8' });
  return { status: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

export function debugfs(path: string, request: string): string {
  // debugfs prints times in local time: pin it
  const env = { ...process.env, TZ: 'UTC' };
  return execFileSync('debugfs', ['-R', request, path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env });
}

export function debugfsRaw(path: string, request: string): Buffer {
  return execFileSync('debugfs', ['-R', request, path], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
}

/** Parses mode, owner, size and link count out of `debugfs -R 'stat PATH'`. */
export function debugStat(path: string, file: string): { mode: number; uid: number; gid: number; size: number; links: number; type: string } {
  const out = debugfs(path, `stat "${file}"`);
  const num = (re: RegExp): number => Number(re.exec(out)?.[1] ?? NaN);
  return {
    type: /Type: (\w+)/.exec(out)?.[1] ?? '',
    mode: parseInt(/Mode:\s+(\d+)/.exec(out)?.[1] ?? 'NaN', 8),
    uid: num(/User:\s+(\d+)/),
    gid: num(/Group:\s+(\d+)/),
    size: num(/Size: (\d+)/),
    links: num(/Links: (\d+)/),
  };
}
