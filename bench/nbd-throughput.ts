// Benchmark: our NBD server next to nbdkit (file plugin) and qemu-nbd (raw, and a qcow2 overlay for the
// copy-on-write case) on the same data, all on 127.0.0.1. Prints `name: value unit` lines and ratios,
// and writes them into bench/RESULTS.md. Run: npx tsc -p tsconfig.json && node dist/bench/nbd-throughput.js
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { randomFillSync } from 'node:crypto';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportRegistry, startNbdServer } from '../src/nbd/index.js';
import type { Disk } from '../src/storage/disk.js';
import { openBenchDisks, type BenchDisks } from './nbd-disks.js';
import { writeResultsBlock } from './results-file.js';

const GiB = 1 << 30;
const MiB = 1 << 20;
const SIZE = Number(process.env.NBD_BENCH_BYTES ?? GiB);
const FIO_SECONDS = Number(process.env.NBD_BENCH_FIO_SECONDS ?? 5);
/** Each case runs this many times, alternating between the servers compared; its figure is the median. */
const ROUNDS = Number(process.env.NBD_BENCH_ROUNDS ?? 3);
const CLUSTER = 64 * 1024;
const SPARSE_SIZE = 100 * GiB;
const dir = mkdtempSync(join(tmpdir(), 'streamer-bench-nbd-'));
const lines: string[] = [];
const results = new Map<string, number>();
let nextPort = 10900 + Math.floor(Math.random() * 500);
/**
 * fio's cases put every server on one CPU and fio on another (taskset), as when the client is another
 * machine. Left to the scheduler on a 2-CPU machine, queue depth 1 measures where it happens to wake each
 * server: nbdkit hands every request from one thread to another, and the second is often woken on fio's own
 * CPU (no cross-CPU wake-up), while a single event loop stays on its CPU. Unpinned QD1 rows are kept as info.
 */
const PIN = availableParallelism() >= 2 && has('taskset') ? { server: '0', client: '1', all: `0-${availableParallelism() - 1}` } : undefined;

function say(line: string): void {
  lines.push(line);
  console.log(line);
}
function record(name: string, value: number, unit: string): void {
  results.set(name, value);
  say(`${name}: ${value.toFixed(unit === 'IOPS' ? 0 : 1)} ${unit}`);
}
function ratio(label: string, ours: string, peer: string, goal: string): void {
  const a = results.get(ours);
  const b = results.get(peer);
  if (a === undefined || b === undefined) return;
  say(`ratio ${label}: ${(a / b).toFixed(2)}x (goal ${goal})`);
}
function spawnChecked(command: string, args: string[]): void {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * MiB });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${r.stderr}`);
}
function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}
// Asynchronous on purpose: our server runs in this process, so a synchronous client would deadlock it.
const execFileAsync = promisify(execFile);
async function run(command: string, args: string[]): Promise<string> {
  try {
    return (await execFileAsync(command, args, { encoding: 'utf8', maxBuffer: 256 * MiB })).stdout;
  } catch (error) {
    throw new Error(`${command} ${args.join(' ')} failed: ${(error as { stderr?: string }).stderr ?? String(error)}`);
  }
}
async function timed(command: string, args: string[]): Promise<number> {
  const start = process.hrtime.bigint();
  await run(command, args);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Nothing listens on port ${port}`);
}

interface Served { url: string; stop(): Promise<void> }

async function child(command: string, args: (port: number) => string[], name: string, cpu?: string): Promise<Served> {
  const port = nextPort++;
  const argv = cpu === undefined ? [command, ...args(port)] : ['taskset', '-c', cpu, command, ...args(port)];
  const proc: ChildProcess = spawn(argv[0] as string, argv.slice(1), { stdio: 'ignore' });
  await waitForPort(port);
  return {
    url: `nbd://127.0.0.1:${port}/${name}`,
    stop: () => new Promise<void>((resolve) => { proc.once('exit', () => resolve()); proc.kill('SIGTERM'); }),
  };
}
const nbdkit = (file: string, readOnly: boolean, cpu?: string): Promise<Served> =>
  child('nbdkit', (p) => ['-f', '--exit-with-parent', '-i', '127.0.0.1', '-p', String(p), ...(readOnly ? ['-r'] : []), 'file', file], '', cpu);
const qemuNbd = (file: string, format: string, readOnly: boolean, cpu?: string): Promise<Served> =>
  child('qemu-nbd', (p) => ['-f', format, '-b', '127.0.0.1', '-p', String(p), '-x', 'q', '-e', '16', '-t', '--cache=writeback', ...(readOnly ? ['-r'] : []), file], 'q', cpu);

/** Moves every thread of this process (our servers run in it) to `cpus`; threads started later follow. */
function pinSelf(cpus: string): void {
  spawnChecked('taskset', ['-a', '-p', '-c', cpus, String(process.pid)]);
}

async function ours(disk: Disk, readOnly: boolean): Promise<Served> {
  const registry = new ExportRegistry();
  registry.add('d', disk, { readOnly, flushIsGlobal: true });
  const server = await startNbdServer({ host: '127.0.0.1', port: nextPort++, registry });
  return { url: `nbd://127.0.0.1:${server.port}/d`, stop: () => server.close() };
}

/**
 * A self-signed certificate for 127.0.0.1 in the layout nbdkit (server-cert.pem, server-key.pem) and libnbd
 * (ca-cert.pem) read; returns the directory.
 */
function makeCertificates(): string {
  const tls = join(dir, 'tls');
  spawnChecked('mkdir', ['-p', tls]);
  spawnChecked('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(tls, 'server-key.pem'), '-out', join(tls, 'server-cert.pem')]);
  spawnChecked('cp', [join(tls, 'server-cert.pem'), join(tls, 'ca-cert.pem')]);
  return tls;
}

/** `served` with its URL as nbds:// trusting the certificates in `tls`. */
function overTls(served: Served, tls: string): Served {
  return { ...served, url: `${served.url.replace(/^nbd:/, 'nbds:')}?tls-certificates=${tls}` };
}

async function oursTls(disk: Disk, tls: string): Promise<Served> {
  const registry = new ExportRegistry();
  registry.add('d', disk, { readOnly: true });
  const server = await startNbdServer({
    host: '127.0.0.1', port: nextPort++, registry,
    tls: { mode: 'require', cert: readFileSync(join(tls, 'server-cert.pem')), key: readFileSync(join(tls, 'server-key.pem')) },
  });
  return overTls({ url: `nbd://127.0.0.1:${server.port}/d`, stop: () => server.close() }, tls);
}

const seqRead = (connections: 1 | 4) => async (url: string): Promise<number> =>
  SIZE / MiB / (await timed('nbdcopy', connections === 1 ? ['--connections=1', url, 'null:'] : [url, 'null:']));

/** Several machines booting at once: `clients` one-connection nbdcopy processes together; their total rate. */
const concurrentReads = (clients: number) => async (url: string): Promise<number> => {
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: clients }, () => run('nbdcopy', ['--connections=1', url, 'null:'])));
  return (clients * SIZE) / MiB / (Number(process.hrtime.bigint() - start) / 1e9);
};

const fio = (rw: 'randread' | 'randwrite', depth: number, cpu = PIN?.client) => async (url: string): Promise<number> => {
  // the page cache the previous case dirtied is written back first: otherwise its writeback throttles
  // whichever server writes next (dirty pages are counted machine-wide)
  if (rw === 'randwrite') await run('sync', []);
  const out = await run(cpu === undefined ? 'fio' : 'taskset', [
    ...(cpu === undefined ? [] : ['-c', cpu, 'fio']),
    '--name=b', '--ioengine=nbd', `--uri=${url}`, `--rw=${rw}`, '--bs=4k', `--iodepth=${depth}`,
    `--size=${Math.min(SIZE, GiB)}`, '--time_based', `--runtime=${FIO_SECONDS}`, '--output-format=json',
  ]);
  const report = JSON.parse(out.slice(out.indexOf('{'))) as { jobs: { read: { iops: number }; write: { iops: number } }[] };
  const job = report.jobs[0]!;
  return rw === 'randread' ? job.read.iops : job.write.iops;
};

interface Case { name: string; server: string; unit: string; run: (url: string) => Promise<number> }

/**
 * Serves every server at once, then runs the cases ROUNDS times, each round in a rotated order so that no
 * server always follows the same neighbour (the machine is shared: load comes and goes); records medians.
 */
async function compare(servers: Record<string, () => Promise<Served>>, cases: Case[]): Promise<void> {
  const up = new Map<string, Served>();
  try {
    for (const [name, serve] of Object.entries(servers)) up.set(name, await serve());
    const seen = new Map<string, number[]>();
    for (let r = 0; r < ROUNDS; r++) {
      const order = cases.map((_, i) => cases[(i + r) % cases.length] as Case);
      for (const c of order) {
        const value = await c.run((up.get(c.server) as Served).url);
        seen.set(c.name, [...(seen.get(c.name) ?? []), value]);
      }
    }
    for (const c of cases) {
      const values = seen.get(c.name) as number[];
      const sorted = [...values].sort((x, y) => x - y);
      record(c.name, sorted[Math.floor(sorted.length / 2)] as number, c.unit);
      if (values.length > 1) say(`#   runs: ${values.map((v) => v.toFixed(c.unit === 'IOPS' ? 0 : 2)).join(' ')}`);
    }
  } finally {
    for (const s of up.values()) await s.stop();
  }
}

async function warm(url: string): Promise<void> {
  await run('nbdcopy', [url, 'null:']);
}

/** 1 GiB of incompressible data, and a 100 GiB sparse file holding 64 MiB of it in 16 places. */
function makeImages(): { raw: string; sparse: string; sparseRanges: { offset: number; data: Buffer }[] } {
  const raw = join(dir, 'data.raw');
  const fd = openSync(raw, 'w');
  const block = Buffer.alloc(16 * MiB);
  for (let at = 0; at < SIZE; at += block.length) writeSync(fd, randomFillSync(block), 0, Math.min(block.length, SIZE - at));
  closeSync(fd);
  const sparse = join(dir, 'sparse.raw');
  const sfd = openSync(sparse, 'w');
  ftruncateSync(sfd, SPARSE_SIZE);
  const sparseRanges: { offset: number; data: Buffer }[] = [];
  for (let i = 0; i < 16; i++) {
    const range = { offset: i * 6 * GiB + 12345 * CLUSTER, data: randomFillSync(Buffer.alloc(4 * MiB)) };
    writeSync(sfd, range.data, 0, range.data.length, range.offset);
    sparseRanges.push(range);
  }
  closeSync(sfd);
  return { raw, sparse, sparseRanges };
}

/** Offsets of the 10 % of clusters the CoW case writes (every tenth). */
function cowOffsets(): number[] {
  const out: number[] = [];
  for (let at = 0; at < SIZE; at += 10 * CLUSTER) out.push(at);
  return out;
}

/** qcow2 base from the raw data and an overlay on it with 10 % of clusters rewritten. */
function makeQcow2Overlay(raw: string): string {
  const base = join(dir, 'base.qcow2');
  const overlay = join(dir, 'overlay.qcow2');
  spawnChecked('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, base]);
  spawnChecked('qemu-img', ['create', '-f', 'qcow2', '-F', 'qcow2', '-b', base, overlay]);
  const script = join(dir, 'writes.qemu-io');
  writeFileSync(script, cowOffsets().map((o) => `write -q -P 0x5a ${o} ${CLUSTER}`).join('\n') + '\n');
  const r = spawnSync('sh', ['-c', `qemu-io -f qcow2 ${overlay} < ${script}`], { encoding: 'utf8', maxBuffer: 64 * MiB });
  if (r.status !== 0) throw new Error(`qemu-io failed: ${r.stderr}`);
  return overlay;
}

function writeResults(): void {
  writeResultsBlock('nbd-throughput', lines);
}

async function main(): Promise<void> {
  for (const [tool, pkg] of [['nbdcopy', 'libnbd-bin'], ['nbdkit', 'nbdkit'], ['qemu-nbd', 'qemu-utils'], ['qemu-io', 'qemu-utils'], ['fio', 'fio'], ['openssl', 'openssl']]) {
    if (!has(tool as string)) throw new Error(`Cannot run the benchmark: "${tool}" is missing (apt-get install ${pkg})`);
  }
  say(`# ${new Date().toISOString()} data ${SIZE / MiB} MiB, fio ${FIO_SECONDS} s per case, median of ${ROUNDS} alternating runs, node ${process.version}`);
  // nbdcopy opens up to 4 connections but no more than its threads, one per core by default
  say(`# "4conn" is nbdcopy's default: ${Math.min(4, availableParallelism())} connections on this ${availableParallelism()}-core machine`);
  const { raw, sparse, sparseRanges } = makeImages();
  const disks: BenchDisks = await openBenchDisks({ dir, raw, sparseRanges, sparseBytes: SPARSE_SIZE, cowOffsets: cowOffsets(), clusterBytes: CLUSTER });
  say(`# ours: ${disks.describe}`);

  const seq = (server: string): Case[] => [
    { name: `${server} seq-read 4conn`, server, unit: 'MiB/s', run: seqRead(4) },
    { name: `${server} seq-read 1conn`, server, unit: 'MiB/s', run: seqRead(1) },
    { name: `${server} seq-read 4 clients`, server, unit: 'MiB/s', run: concurrentReads(4) },
  ];
  await compare(
    {
      nbdkit: async () => { const s = await nbdkit(raw, true); await warm(s.url); return s; },
      'qemu-nbd': async () => { const s = await qemuNbd(raw, 'raw', true); await warm(s.url); return s; },
      ours: async () => { const s = await ours(disks.raw(), true); await warm(s.url); return s; },
    },
    [...seq('nbdkit'), ...seq('ours'), ...seq('qemu-nbd')],
  );

  // TLS (information): both servers require it, nbdkit through GnuTLS, ours through Node's OpenSSL
  const tls = makeCertificates();
  await compare(
    {
      nbdkit: async () => {
        const s = overTls(await child('nbdkit', (p) => ['-f', '--exit-with-parent', '-i', '127.0.0.1', '-p', String(p), '--tls=require', `--tls-certificates=${tls}`, '-r', 'file', raw], ''), tls);
        await warm(s.url);
        return s;
      },
      ours: async () => { const s = await oursTls(disks.raw(), tls); await warm(s.url); return s; },
    },
    [
      { name: 'nbdkit seq-read tls 4conn', server: 'nbdkit', unit: 'MiB/s', run: seqRead(4) },
      { name: 'nbdkit seq-read tls 1conn', server: 'nbdkit', unit: 'MiB/s', run: seqRead(1) },
      { name: 'ours seq-read tls 4conn', server: 'ours', unit: 'MiB/s', run: seqRead(4) },
      { name: 'ours seq-read tls 1conn', server: 'ours', unit: 'MiB/s', run: seqRead(1) },
    ],
  );

  const overlay = makeQcow2Overlay(raw);
  await compare(
    {
      'qemu-nbd-qcow2': async () => { const s = await qemuNbd(overlay, 'qcow2', true); await warm(s.url); return s; },
      ours: async () => { const s = await ours(await disks.cow(), true); await warm(s.url); return s; },
    },
    [
      { name: 'qemu-nbd-qcow2 cow-read 4conn', server: 'qemu-nbd-qcow2', unit: 'MiB/s', run: seqRead(4) },
      { name: 'ours cow-read 4conn', server: 'ours', unit: 'MiB/s', run: seqRead(4) },
    ],
  );

  const copyTime = async (url: string): Promise<number> => timed('nbdcopy', [url, 'null:']);
  await compare(
    { nbdkit: () => nbdkit(sparse, true), ours: () => ours(disks.sparse(), true) },
    [
      { name: 'nbdkit sparse-100g-copy', server: 'nbdkit', unit: 's', run: copyTime },
      { name: 'ours sparse-100g-copy', server: 'ours', unit: 's', run: copyTime },
    ],
  );

  // QD1 left to the scheduler (see PIN): information only
  if (PIN !== undefined) {
    await compare(
      { nbdkit: () => nbdkit(raw, true), ours: () => ours(disks.raw(), true) },
      [
        { name: 'nbdkit 4k-randread qd1 unpinned', server: 'nbdkit', unit: 'IOPS', run: fio('randread', 1, undefined) },
        { name: 'ours 4k-randread qd1 unpinned', server: 'ours', unit: 'IOPS', run: fio('randread', 1, undefined) },
      ],
    );
    say(`# fio cases below: servers on CPU ${PIN.server}, fio on CPU ${PIN.client}`);
    pinSelf(PIN.server);
  }
  // writes accumulate over the rounds in every server alike (the raw file, the qcow2 overlay, the CoW volume)
  for (const depth of [1, 16]) {
    const w = await disks.cow();
    await compare(
      {
        nbdkit: () => nbdkit(raw, false, PIN?.server),
        'qemu-nbd-qcow2': () => qemuNbd(overlay, 'qcow2', false, PIN?.server),
        ours: () => ours(disks.raw(), false),
        'ours-cow': () => ours(w, false),
      },
      [
        { name: `nbdkit 4k-randread qd${depth}`, server: 'nbdkit', unit: 'IOPS', run: fio('randread', depth) },
        { name: `ours 4k-randread qd${depth}`, server: 'ours', unit: 'IOPS', run: fio('randread', depth) },
        { name: `ours-cow 4k-randread qd${depth}`, server: 'ours-cow', unit: 'IOPS', run: fio('randread', depth) },
        { name: `nbdkit 4k-randwrite qd${depth}`, server: 'nbdkit', unit: 'IOPS', run: fio('randwrite', depth) },
        { name: `qemu-nbd-qcow2 4k-randwrite qd${depth}`, server: 'qemu-nbd-qcow2', unit: 'IOPS', run: fio('randwrite', depth) },
        { name: `ours 4k-randwrite qd${depth}`, server: 'ours', unit: 'IOPS', run: fio('randwrite', depth) },
        { name: `ours-cow 4k-randwrite qd${depth}`, server: 'ours-cow', unit: 'IOPS', run: fio('randwrite', depth) },
      ],
    );
  }

  // A server just deployed: every round on a new clone and a new qcow2 overlay, so the writes land in
  // clusters the top layer does not hold yet (copy-up), as they do after a deployment.
  const fresh = new Map<string, number[]>();
  for (let r = 0; r < ROUNDS; r++) {
    const order: ('qemu-nbd-qcow2' | 'ours-cow')[] = r % 2 === 0 ? ['qemu-nbd-qcow2', 'ours-cow'] : ['ours-cow', 'qemu-nbd-qcow2'];
    for (const server of order) {
      let served: Served;
      if (server === 'ours-cow') served = await ours(await disks.freshClone(), false);
      else {
        const overlay = join(dir, `fresh-${r}.qcow2`);
        spawnChecked('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', join(dir, 'base.qcow2'), overlay]);
        served = await qemuNbd(overlay, 'qcow2', false, PIN?.server);
      }
      try {
        fresh.set(server, [...(fresh.get(server) ?? []), await fio('randwrite', 1)(served.url)]);
      } finally {
        await served.stop();
      }
    }
  }
  for (const [server, values] of fresh) {
    const sorted = [...values].sort((x, y) => x - y);
    record(`${server} 4k-randwrite qd1 fresh`, sorted[Math.floor(sorted.length / 2)] as number, 'IOPS');
    say(`#   runs: ${values.map((v) => v.toFixed(0)).join(' ')}`);
  }

  if (PIN !== undefined) pinSelf(PIN.all);
  ratio('seq-read 4conn ours/nbdkit', 'ours seq-read 4conn', 'nbdkit seq-read 4conn', '>= 1.0');
  ratio('seq-read 1conn ours/nbdkit', 'ours seq-read 1conn', 'nbdkit seq-read 1conn', '>= 1.0');
  ratio('seq-read tls 4conn ours/nbdkit', 'ours seq-read tls 4conn', 'nbdkit seq-read tls 4conn', 'info');
  ratio('seq-read tls 1conn ours/nbdkit', 'ours seq-read tls 1conn', 'nbdkit seq-read tls 1conn', 'info');
  ratio('seq-read 4 clients ours/nbdkit', 'ours seq-read 4 clients', 'nbdkit seq-read 4 clients', 'info');
  ratio('seq-read 4conn ours/qemu-nbd', 'ours seq-read 4conn', 'qemu-nbd seq-read 4conn', 'info');
  ratio('cow-read ours/qemu-nbd-qcow2', 'ours cow-read 4conn', 'qemu-nbd-qcow2 cow-read 4conn', '>= 1.0');
  const t = (n: string): number | undefined => results.get(n);
  if (t('ours sparse-100g-copy') !== undefined && t('nbdkit sparse-100g-copy') !== undefined) {
    say(`ratio sparse-100g-copy time ours/nbdkit: ${(t('ours sparse-100g-copy')! / t('nbdkit sparse-100g-copy')!).toFixed(2)}x (goal <= 2.0)`);
  }
  ratio('4k-randread qd1 unpinned ours/nbdkit', 'ours 4k-randread qd1 unpinned', 'nbdkit 4k-randread qd1 unpinned', 'info');
  for (const d of [1, 16]) {
    ratio(`4k-randread qd${d} ours/nbdkit`, `ours 4k-randread qd${d}`, `nbdkit 4k-randread qd${d}`, '>= 0.8');
    // the goal compares copy-on-write with copy-on-write; raw file writes are compared with nbdkit's, as information
    ratio(`4k-randwrite qd${d} ours/nbdkit (raw file)`, `ours 4k-randwrite qd${d}`, `nbdkit 4k-randwrite qd${d}`, 'info');
    ratio(`4k-randwrite qd${d} ours-cow/qemu-nbd-qcow2`, `ours-cow 4k-randwrite qd${d}`, `qemu-nbd-qcow2 4k-randwrite qd${d}`, '>= 1.0');
  }
  ratio('4k-randwrite qd1 fresh volume ours-cow/qemu-nbd-qcow2', 'ours-cow 4k-randwrite qd1 fresh', 'qemu-nbd-qcow2 4k-randwrite qd1 fresh', '>= 1.0');
  await disks.close();
  writeResults();
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
