// Benchmark: a typical personalization (hostname, two NIC configs, SSH keys, ten small files, a few
// chmod/mkdir/symlink) on ext4 inside a 10 GiB sparse image — the in-process engine, and guestfish when
// installed (LIBGUESTFS_BACKEND=direct, force_tcg). Prints `name: value unit` lines and the ratio.
// Run: npm run build && node dist/bench/guestfs-ext.js [servers]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExtWorkerPool, openExt } from '../src/guestfs/ext/index.js';
import type { ImageFs } from '../src/guestfs/image-fs.js';
import { FileDisk } from '../test/guestfs-ext/file-disk.js';

const servers = Number(process.argv[2] ?? 10);
const dir = mkdtempSync(join(tmpdir(), 'streamer-bench-ext-'));
const golden = join(dir, 'golden.img');

function makeGolden(): void {
  const tree = join(dir, 'tree');
  for (const d of ['etc/network/interfaces.d', 'etc/ssh', 'root', 'usr/bin', 'var/log']) mkdirSync(join(tree, d), { recursive: true });
  writeFileSync(join(tree, 'etc/hostname'), 'golden\n');
  writeFileSync(join(tree, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
  writeFileSync(join(tree, 'etc/fstab'), 'UUID=x / ext4 errors=remount-ro 0 1\n');
  execFileSync('truncate', ['-s', '10G', golden]);
  execFileSync('mkfs.ext4', ['-q', '-F', '-d', tree, golden]);
}

const KEY = `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${'A'.repeat(43)} admin@streamer\n`;
const nic = (n: number): string =>
  `auto eth${n}\niface eth${n} inet static\n  address 10.0.${n}.17/24\n  gateway 10.0.${n}.1\n  dns-nameservers 10.0.0.2\n`;

/** The same steps the guestfish script below performs. */
async function personalize(fs: ImageFs, server: number): Promise<void> {
  const text = (s: string): Buffer => Buffer.from(s);
  await fs.writeFile('/etc/hostname', text(`server-${server}\n`));
  await fs.writeFile('/etc/network/interfaces.d/eth0', text(nic(0)));
  await fs.writeFile('/etc/network/interfaces.d/eth1', text(nic(1)));
  await fs.mkdir('/root/.ssh', { mode: 0o700 });
  await fs.writeFile('/root/.ssh/authorized_keys', text(KEY), { mode: 0o600 });
  await fs.mkdir('/etc/streamer');
  for (let i = 0; i < 10; i++) await fs.writeFile(`/etc/streamer/file${i}.conf`, text(`key${i}=value${server}\n`));
  await fs.chmod('/etc/streamer/file0.conf', 0o600);
  await fs.chmod('/etc/streamer/file1.conf', 0o640);
  await fs.mkdir('/var/log/streamer');
  await fs.symlink('/etc/streamer/file0.conf', '/etc/streamer.conf');
  await fs.symlink('../etc/hostname', '/root/hostname');
  await fs.chown('/root/.ssh/authorized_keys', 0, 0);
}

function guestfishScript(server: number): string {
  const lines = [
    `write /etc/hostname "server-${server}\\n"`,
    `write /etc/network/interfaces.d/eth0 "${nic(0).replace(/\n/g, '\\n')}"`,
    `write /etc/network/interfaces.d/eth1 "${nic(1).replace(/\n/g, '\\n')}"`,
    'mkdir-mode /root/.ssh 0700',
    `write /root/.ssh/authorized_keys "${KEY.replace(/\n/g, '\\n')}"`,
    'chmod 0600 /root/.ssh/authorized_keys',
    'mkdir /etc/streamer',
    ...Array.from({ length: 10 }, (_, i) => `write /etc/streamer/file${i}.conf "key${i}=value${server}\\n"`),
    'chmod 0600 /etc/streamer/file0.conf',
    'chmod 0640 /etc/streamer/file1.conf',
    'mkdir /var/log/streamer',
    'ln-s /etc/streamer/file0.conf /etc/streamer.conf',
    'ln-s ../etc/hostname /root/hostname',
    'chown 0 0 /root/.ssh/authorized_keys',
  ];
  return `${lines.join('\n')}\n`;
}

function clone(n: number): string {
  const path = join(dir, `server${n}.img`);
  execFileSync('cp', ['--sparse=always', '--reflink=auto', golden, path]);
  return path;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** Without a pool: each server starts its own thread and compiles the module again. */
async function engineColdThread(): Promise<void> {
  const totals: number[] = [];
  for (let n = 0; n < 3; n++) {
    const image = clone(n);
    const disk = await FileDisk.open(image);
    const t0 = performance.now();
    const fs = await openExt(disk, { readOnly: false, device: '/dev/sda' });
    await personalize(fs, n);
    await fs.close();
    totals.push(performance.now() - t0);
    await disk.close();
    rmSync(image);
  }
  console.log(`engine_cold_thread_per_server_median: ${median(totals).toFixed(1)} ms`);
}

async function engine(pool: ExtWorkerPool): Promise<number> {
  const opens: number[] = [];
  const ops: number[] = [];
  const closes: number[] = [];
  const totals: number[] = [];
  for (let n = 0; n < servers + 3; n++) {
    const image = clone(n);
    const disk = await FileDisk.open(image);
    const t0 = performance.now();
    const fs = await openExt(disk, { readOnly: false, device: '/dev/sda', pool });
    const t1 = performance.now();
    await personalize(fs, n);
    const t2 = performance.now();
    await fs.close();
    const t3 = performance.now();
    await disk.close();
    const check = spawnSync('e2fsck', ['-fn', image], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error(`e2fsck found problems after server ${n}:\n${check.stdout}`);
    if (n === 1) execFileSync('mv', [image, join(dir, 'engine-server1.img')]);
    else rmSync(image);
    if (n < 3) continue; // the first runs warm up the thread's compiled code
    opens.push(t1 - t0);
    ops.push(t2 - t1);
    closes.push(t3 - t2);
    totals.push(t3 - t0);
  }
  console.log(`engine_open_median: ${median(opens).toFixed(1)} ms`);
  console.log(`engine_personalize_median: ${median(ops).toFixed(1)} ms`);
  console.log(`engine_close_median: ${median(closes).toFixed(1)} ms`);
  console.log(`engine_warm_per_server_median: ${median(totals).toFixed(1)} ms`);
  console.log(`engine_per_server_after_open_median: ${median(ops.map((o, i) => o + (closes[i] ?? 0))).toFixed(1)} ms`);
  return median(totals);
}

function guestfish(): number | undefined {
  if (spawnSync('sh', ['-c', 'command -v guestfish']).status !== 0) {
    console.log('guestfish: not installed (Debian libguestfs-tools + linux-image-amd64)');
    return undefined;
  }
  const env = { ...process.env, LIBGUESTFS_BACKEND: 'direct', LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' };
  const times: number[] = [];
  for (let n = 1; n <= Math.min(servers, 3); n++) {
    const image = clone(n);
    const t0 = performance.now();
    const r = spawnSync('guestfish', ['--rw', '-a', image, '-m', '/dev/sda'], { input: guestfishScript(n), env, encoding: 'utf8' });
    times.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`guestfish failed: ${r.stderr}`);
    if (n === 1) execFileSync('mv', [image, join(dir, 'guestfish-server1.img')]);
    else rmSync(image);
  }
  console.log(`guestfish_per_server_median: ${median(times).toFixed(0)} ms`);
  return median(times);
}

/** Paths, modes, owners, sizes, link targets and contents of a filesystem, as debugfs rdump extracts them. */
function treeListing(image: string): string {
  const out = join(dir, `${image.replace(/\W/g, '_')}-tree`);
  mkdirSync(out);
  execFileSync('debugfs', ['-R', `rdump / ${out}`, image], { stdio: 'pipe' });
  return execFileSync('sh', ['-c', `cd ${out} && find . -path ./lost+found -prune -o -printf '%p %m %U %G %s %l\\n' | sort && find . -type f -exec md5sum {} + | sort`], {
    encoding: 'utf8',
  });
}

try {
  makeGolden();
  await engineColdThread();
  const pool = new ExtWorkerPool({ maxIdle: 1 });
  await pool.warm(1);
  const engineMs = await engine(pool);
  await pool.close();
  const theirs = guestfish();
  if (theirs !== undefined) {
    console.log(`ratio_guestfish_to_engine: ${(theirs / engineMs).toFixed(1)} x`);
    const ours = treeListing(join(dir, 'engine-server1.img'));
    const same = ours === treeListing(join(dir, 'guestfish-server1.img'));
    console.log(`compared_tree_lines: ${ours.split('\n').length} count`);
    console.log(`same_tree_as_guestfish: ${same ? 1 : 0} bool`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
