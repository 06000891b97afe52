// Benchmark: importing a sparse golden image from a file on the appliance's machine (what
// `POST /rest/golden-images/import` does): a 10 GiB raw disk that is mostly holes, and the same disk as
// qcow2. Peers: `sha256sum` of the raw file (the hash alone, holes read) and `cp --sparse=always`.
// Prints `name: value unit` lines (medians over alternating rounds) and how much of the layer is allocated,
// and writes them to bench/RESULTS.md.
// Run: npm run build && npm run bench -- image-import [sizeGiB] [rounds]   (defaults 10 and 3)
// Before and after holes were skipped (commit ac61f4d), 64 MiB of data in 10 GiB, on the 2-core machine
// under load 3-7, medians of 3 runs alternating old and new code: raw 31.1 s (18.1 s CPU) → 7.6 s (6.6 s
// CPU, nearly all SHA-256 of the holes' zeroes); qcow2 22.9 s (11.7 s CPU) → 0.42 s (0.14 s CPU);
// `sha256sum` of the raw file 51-95 s.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openVolumeStore } from '../src/storage/index.js';
import { writeResultsBlock } from './results-file.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const sizeGiB = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), 'streamer-bench-import-'));
const lines: string[] = [];
function say(text: string): void {
  lines.push(text);
  console.log(text);
}
const line = (name: string, value: number, unit: string): void => say(`${name}: ${value.toFixed(unit === 'x' ? 2 : 3)} ${unit}`);
const seconds = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e9;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** A sparse raw disk: 4 MiB of random data every 640 MiB (an OS image's layout, roughly), holes between. */
async function makeSparseRaw(path: string, sizeBytes: number): Promise<number> {
  const f = await open(path, 'w');
  let dataBytes = 0;
  try {
    await f.truncate(sizeBytes);
    for (let at = 0; at + 4 * MiB <= sizeBytes; at += 640 * MiB) {
      await f.write(randomBytes(4 * MiB), 0, 4 * MiB, at);
      dataBytes += 4 * MiB;
    }
    await f.write(randomBytes(1000), 0, 1000, sizeBytes - 1000); // an unaligned tail
  } finally {
    await f.close();
  }
  return dataBytes + 1000;
}

/** Bytes the files under `path` occupy on disk. */
function allocatedBytes(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.blocks * 512;
  return readdirSync(path).reduce((sum, name) => sum + allocatedBytes(join(path, name)), 0);
}

async function main(): Promise<void> {
  say(`# ${new Date().toISOString()} node ${process.version}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; median of ${rounds} alternating rounds`);
  const raw = join(dir, 'sparse.raw');
  const dataBytes = await makeSparseRaw(raw, sizeGiB * GiB);
  const qcow2 = join(dir, 'sparse.qcow2');
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw, qcow2]);
  line('source_size', sizeGiB * GiB / GiB, 'GiB');
  line('source_data', dataBytes / MiB, 'MiB');

  const store = await openVolumeStore(join(dir, 'store'));
  const times: Record<string, number[]> = { import_raw: [], import_qcow2: [], sha256sum_raw: [], cp_sparse_raw: [] };
  // CPU time of this process (not of qemu-img): steadier than wall time on a shared machine
  const cpu: Record<string, number[]> = { import_raw: [], import_qcow2: [] };
  const layerAllocated: Record<string, number> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, path] of [['import_raw', raw], ['import_qcow2', qcow2]] as const) {
      const start = process.hrtime.bigint();
      const cpuStart = process.cpuUsage();
      const { imageId } = await store.importImageFile(path);
      times[name]?.push(seconds(start));
      const used = process.cpuUsage(cpuStart);
      cpu[name]?.push((used.user + used.system) / 1e6);
      layerAllocated[name] = allocatedBytes(join(dir, 'store', 'layers'));
      await store.deleteImage(imageId);
    }
    let start = process.hrtime.bigint();
    execFileSync('sha256sum', [raw]);
    times['sha256sum_raw']?.push(seconds(start));
    start = process.hrtime.bigint();
    execFileSync('cp', ['--sparse=always', raw, join(dir, 'copy.raw')]);
    times['cp_sparse_raw']?.push(seconds(start));
    rmSync(join(dir, 'copy.raw'));
  }
  for (const [name, values] of Object.entries(times)) line(`${name}_median`, median(values), 's');
  for (const [name, values] of Object.entries(cpu)) line(`${name}_cpu_median`, median(values), 's');
  for (const [name, bytes] of Object.entries(layerAllocated)) line(`${name}_layer_allocated`, bytes / MiB, 'MiB');
  line('ratio_import_raw_over_sha256sum', median(times['import_raw'] ?? []) / median(times['sha256sum_raw'] ?? []), 'x');
  await store.close();
  writeResultsBlock('image-import', lines);
}

if (spawnSync('sh', ['-c', 'command -v qemu-img']).status !== 0) {
  console.log('# qemu-img not installed (apt-get install qemu-utils): cannot make the qcow2 source');
  process.exitCode = 1;
} else {
  try {
    await main();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
