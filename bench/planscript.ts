// Benchmark (issue 4): the plan-script engine personalizing copy-on-write clones from a real volume store —
// a typical personalization on ext4 in a 10 GiB image, and HPE's UEFI example on FAT — next to guestfish
// running the same substituted scripts on a copy of the image. Prints `name: value unit` lines and ratios,
// and writes them into bench/RESULTS.md. Run: npx tsc -p tsconfig.json && node dist/bench/planscript.js [servers=50]
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { substitute, type AttributeValues } from '../src/attributes/index.js';
import { probeAccelerator } from '../src/compute/index.js';
import { ExtWorkerPool } from '../src/guestfs/ext/index.js';
import { openGuestSession } from '../src/guestfs/open-session.js';
import { DEFAULT_HOST_LIMITS, HostSandbox, runBuildPlan, type BuildPlanStep } from '../src/planscript/index.js';
import { openVolumeStore, type Disk, type VolumeStore } from '../src/storage/index.js';
import { loadFixtureBundles } from '../test/planscript/fixture-bundles.js';
import { writeResultsBlock } from './results-file.js';

const SERVERS = Number(process.argv[2] ?? 50);
const WARMUP = 5;
const GUESTFISH_RUNS = Number(process.env.PLANSCRIPT_BENCH_GUESTFISH_RUNS ?? 3);
const GOAL_MS = 50;
const MiB = 1024 * 1024;
const PART_START = MiB;
const UEFI_BUNDLE = 'HPE-ImageStreamer-Developer-2017-08-28-v5.0.zip';
const UEFI_SCRIPT = 'HPE - Developer 1.0 - example UEFI personalization script - 2017-03-24';
const dir = mkdtempSync(join(tmpdir(), 'streamer-bench-planscript-'));
const lines: string[] = [];

function say(line: string): void {
  lines.push(line);
  console.log(line);
}
const record = (name: string, value: number, unit: string): void => say(`${name}: ${value.toFixed(unit === 'ms' ? 1 : 2)} ${unit}`);
const run = (command: string, args: string[], env?: NodeJS.ProcessEnv): string => {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * MiB, ...(env === undefined ? {} : { env }) });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
};
const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

// --- the typical personalization --------------------------------------------------------------------

/** A small Debian-like root tree: /etc with the files a personalization touches, some bulk elsewhere. */
function makeTree(root: string): void {
  const file = (path: string, text: string | Buffer, mode = 0o644): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    chmodSync(join(root, path), mode);
  };
  for (const d of ['etc/network/interfaces.d', 'etc/sudoers.d', 'etc/systemd/system', 'home', 'tmp', 'var/log', 'var/tmp', 'usr/sbin', 'boot']) mkdirSync(join(root, d), { recursive: true });
  mkdirSync(join(root, 'root'), { mode: 0o700 });
  file('etc/hostname', 'debian\n');
  file('etc/hosts', '127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n');
  file('etc/os-release', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION="12 (bookworm)"\nID=debian\n');
  file('etc/debian_version', '12.5\n');
  file('etc/fstab', '# /etc/fstab: static file system information.\nUUID=00000000-0000-0000-0000-000000000000 / ext4 errors=remount-ro 0 1\n');
  file('etc/environment', '');
  file('etc/timezone', 'Etc/UTC\n');
  file('etc/passwd', 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nbin:x:2:2:bin:/bin:/usr/sbin/nologin\nsshd:x:100:65534::/run/sshd:/usr/sbin/nologin\n');
  file('etc/group', 'root:x:0:\ndaemon:x:1:\nbin:x:2:\nsudo:x:27:\n');
  file('etc/shadow', 'root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n', 0o640);
  file('etc/network/interfaces', 'source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n');
  file('etc/ssh/sshd_config', `Include /etc/ssh/sshd_config.d/*.conf\n${'#'.repeat(60)}\nPermitRootLogin prohibit-password\n`);
  file('etc/sudoers', 'Defaults env_reset\nroot ALL=(ALL:ALL) ALL\n@includedir /etc/sudoers.d\n', 0o440);
  file('usr/share/zoneinfo/Etc/UTC', Buffer.from('TZif2\0\0\0'));
  file('usr/share/zoneinfo/Europe/Berlin', Buffer.from('TZif2\0\0\x01'));
  symlinkSync('/usr/share/zoneinfo/Etc/UTC', join(root, 'etc/localtime'));
  for (let i = 0; i < 120; i++) file(`usr/share/doc/package${i}/copyright`, `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n${'License text. '.repeat(40 + i)}\n`);
  for (let i = 0; i < 40; i++) file(`etc/default/setting${i}`, `# defaults for service ${i}\nENABLED=yes\n`);
  let status = '';
  for (let i = 0; i < 2000; i++) status += `Package: package${i}\nStatus: install ok installed\nVersion: 1.${i}-1\n\n`;
  file('var/lib/dpkg/status', status);
  for (let i = 0; i < 8; i++) file(`usr/bin/tool${i}`, Buffer.alloc(256 * 1024, i + 1), 0o755);
}

/** Builds the golden image: 10 GiB sparse, one GPT partition from 1 MiB, ext4 with Debian's mkfs defaults. */
function makeExtGolden(path: string): void {
  const tree = join(dir, 'tree');
  makeTree(tree);
  run('truncate', ['-s', '10G', path]);
  execFileSync('sfdisk', ['-q', path], { input: 'label: gpt\nstart=2048, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4\n' });
  const layout = JSON.parse(run('sfdisk', ['--json', path])) as { partitiontable: { partitions: { start: number; size: number }[] } };
  const partBytes = (layout.partitiontable.partitions[0]?.size ?? 0) * 512;
  run('mkfs.ext4', ['-q', '-F', '-E', `offset=${PART_START}`, '-d', tree, path, `${Math.floor(partBytes / 4096) * 4}k`]);
  rmSync(tree, { recursive: true });
}

const TYPICAL_SCRIPT = `# Typical personalization: hostname, two NICs, SSH keys and ten more files
mount /dev/sda1 /
upload -<<EOF /etc/hostname
@HostName@
EOF
upload -<<EOF /etc/hosts
127.0.0.1	localhost
127.0.1.1	@HostName@.@DomainName:example.com@	@HostName@
::1	localhost ip6-localhost ip6-loopback
EOF
mkdir-p /etc/network/interfaces.d
upload -<<EOF /etc/network/interfaces.d/ens1
auto ens1
iface ens1 inet static
    hwaddress ether @Nic1.mac@
    address @Nic1.ipaddress@
    netmask @Nic1.netmask:255.255.255.0@
    gateway @Nic1.gateway@
    dns-nameservers @Nic1.dns1@
EOF
upload -<<EOF /etc/network/interfaces.d/ens2
auto ens2
iface ens2 inet static
    hwaddress ether @Nic2.mac@
    address @Nic2.ipaddress@
    netmask @Nic2.netmask:255.255.255.0@
EOF
mkdir-p /root/.ssh
chmod 0700 /root/.ssh
upload -<<EOF /root/.ssh/authorized_keys
@SSHKey@
ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOps${'B'.repeat(40)} ops@streamer
EOF
chmod 0600 /root/.ssh/authorized_keys
chown 0 0 /root/.ssh/authorized_keys
write /etc/timezone "@TimeZone:Europe/Berlin@\\n"
rm-f /etc/localtime
ln-s /usr/share/zoneinfo/@TimeZone:Europe/Berlin@ /etc/localtime
upload -<<EOF /etc/motd
Welcome to @HostName@ (@Role:web@), deployed by Streamer.
EOF
upload -<<EOF /etc/resolv.conf
search @DomainName:example.com@
nameserver @Nic1.dns1@
EOF
write-append /etc/environment "STREAMER_ROLE=@Role:web@\\n"
write-append /etc/fstab "tmpfs /tmp tmpfs defaults,size=1G 0 0\\n"
mkdir-p /etc/streamer
write /etc/streamer/role "@Role:web@\\n"
ln-s /etc/streamer/role /etc/server-role
upload -<<EOF /etc/sudoers.d/90-streamer
ops ALL=(ALL) NOPASSWD:ALL
EOF
chmod 0440 /etc/sudoers.d/90-streamer
mkdir-p /etc/systemd/timesyncd.conf.d
upload -<<EOF /etc/systemd/timesyncd.conf.d/streamer.conf
[Time]
NTP=@NtpServer:ntp.example.com@
EOF
umount /
`;

function typicalValues(n: number): AttributeValues {
  const hex = (n & 0xff).toString(16).padStart(2, '0');
  return {
    HostName: `web${n}`,
    'Nic1.mac': `52:54:00:00:01:${hex}`,
    'Nic1.ipaddress': `10.1.${n >> 8}.${n & 0xff}`,
    'Nic1.gateway': '10.1.0.1',
    'Nic1.dns1': '10.1.0.2',
    'Nic2.mac': `52:54:00:00:02:${hex}`,
    'Nic2.ipaddress': `10.2.${n >> 8}.${n & 0xff}`,
    SSHKey: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${String(n).padStart(43, 'A')} admin@web${n}`,
  };
}

// --- HPE's UEFI example -----------------------------------------------------------------------------

function uefiValues(n: number): AttributeValues {
  return {
    ExampleString1: `streamer-value-${n}`,
    ExampleString2: 'second value',
    ExampleNumber1: String(n),
    ExampleOption: 'Option1',
    ExampleIPv4Address: `192.168.1.${n & 0xff}`,
    ExampleFQDN: `server${n}.example.com`,
    ExamplePassword: 'secret-password',
  };
}

async function uefiScriptAndImage(): Promise<{ script: string; image: string }> {
  const bundle = (await loadFixtureBundles()).find((b) => b.file === UEFI_BUNDLE);
  if (bundle === undefined) throw new Error(`Cannot find the fixture bundle "${UEFI_BUNDLE}"`);
  const script = bundle.planScripts.find((s) => s.name === UEFI_SCRIPT);
  const [payloadName, payload] = [...bundle.payloads][0] ?? [];
  if (script === undefined || payload === undefined) throw new Error(`${UEFI_BUNDLE}: no "${UEFI_SCRIPT}" or no golden image`);
  const image = join(dir, 'uefi-golden.zip');
  writeFileSync(image, payload);
  say(`# UEFI golden image: "${payloadName}" (${payload.length} bytes zipped)`);
  return { script: script.content, image };
}

// --- the engine -------------------------------------------------------------------------------------

interface EngineParts {
  store: VolumeStore;
  pool: ExtWorkerPool;
  sandbox: HostSandbox;
}

interface ServerTimes {
  clone: number;
  open: number;
  plan: number;
  close: number;
  /** openGuestSession + runBuildPlan + session.close + disk.close: the deployer's personalize step. */
  engine: number;
  /** Part of `engine` spent in Disk.flush (the volume store making the writes durable). */
  flush: number;
  /** cloneVolume to disk.close. */
  total: number;
}

/** Clones the image and personalizes the clone; returns the volume id and the timings. */
async function server(parts: EngineParts, imageId: string, steps: BuildPlanStep[], values: AttributeValues): Promise<{ volumeId: string; times: ServerTimes }> {
  const t0 = performance.now();
  const volumeId = await parts.store.cloneVolume(imageId);
  const volume = await parts.store.openDisk(volumeId);
  let flushMs = 0;
  const disk: Disk = {
    sizeBytes: volume.sizeBytes,
    readOnly: volume.readOnly,
    read: (offset, length) => volume.read(offset, length),
    write: (offset, data, options) => volume.write(offset, data, options),
    discard: (offset, length) => volume.discard(offset, length),
    zero: (offset, length) => volume.zero(offset, length),
    ...(volume.extents === undefined ? {} : { extents: (offset: number, length: number) => volume.extents!(offset, length) }),
    close: () => volume.close(),
    async flush() {
      const start = performance.now();
      await volume.flush();
      flushMs += performance.now() - start;
    },
  };
  const t1 = performance.now();
  let t2 = t1;
  let t3 = t1;
  try {
    const session = await openGuestSession(disk, { pool: parts.pool });
    t2 = performance.now();
    try {
      const result = await runBuildPlan({ steps, values, session, scratchParent: dir, sandbox: parts.sandbox });
      if (!result.ok) throw new Error(`The build plan failed: ${JSON.stringify(result.failure)}\n${result.log.map((l) => l.text).join('')}`);
    } finally {
      t3 = performance.now();
      await session.close();
    }
  } finally {
    await disk.close();
  }
  const t4 = performance.now();
  return { volumeId, times: { clone: t1 - t0, open: t2 - t1, plan: t3 - t2, close: t4 - t3, engine: t4 - t1, flush: flushMs, total: t4 - t0 } };
}

/** Writes a store disk to a sparse raw file, skipping holes. */
async function exportDisk(disk: Disk, path: string): Promise<void> {
  const out = await open(path, 'w');
  try {
    await out.truncate(disk.sizeBytes);
    const extents = disk.extents === undefined ? [{ offset: 0, length: disk.sizeBytes, hole: false, zero: false }] : await disk.extents(0, disk.sizeBytes);
    for (const e of extents) {
      if (e.hole || e.zero) continue;
      for (let at = e.offset; at < e.offset + e.length; at += 4 * MiB) {
        const data = await disk.read(at, Math.min(4 * MiB, e.offset + e.length - at));
        await out.write(data, 0, data.length, at);
      }
    }
  } finally {
    await out.close();
  }
}

async function exportVolume(store: VolumeStore, id: string, path: string): Promise<void> {
  const disk = await store.openDisk(id, { readOnly: true });
  try {
    await exportDisk(disk, path);
  } finally {
    await disk.close();
  }
}

/** Runs WARMUP + SERVERS clones; keeps the first measured volume (returned) and deletes the others. */
async function engineCase(label: string, parts: EngineParts, imageId: string, steps: BuildPlanStep[], values: (n: number) => AttributeValues): Promise<{ keptVolume: string; engineMedian: number }> {
  const times: ServerTimes[] = [];
  let keptVolume = '';
  let wall = 0;
  for (let n = 0; n < WARMUP + SERVERS; n++) {
    const { volumeId, times: t } = await server(parts, imageId, steps, values(n));
    if (n >= WARMUP) {
      times.push(t);
      wall += t.total;
    }
    if (n === WARMUP) keptVolume = volumeId;
    else await parts.store.deleteVolume(volumeId);
  }
  const pick = (key: keyof ServerTimes): number[] => times.map((t) => t[key]);
  say(`# ${label}: ${SERVERS} servers after ${WARMUP} warm-up, one at a time`);
  record(`${label} engine per server median`, percentile(pick('engine'), 50), 'ms');
  record(`${label} engine per server p90`, percentile(pick('engine'), 90), 'ms');
  record(`${label} open session median`, percentile(pick('open'), 50), 'ms');
  record(`${label} run build plan median`, percentile(pick('plan'), 50), 'ms');
  record(`${label} close session median`, percentile(pick('close'), 50), 'ms');
  record(`${label} disk flush (fsync) within engine median`, percentile(pick('flush'), 50), 'ms');
  record(`${label} engine without disk flush median`, percentile(times.map((t) => t.engine - t.flush), 50), 'ms');
  record(`${label} clone volume median`, percentile(pick('clone'), 50), 'ms');
  record(`${label} clone and personalize per server median`, percentile(pick('total'), 50), 'ms');
  record(`${label} clone and personalize ${SERVERS} servers total`, wall / 1000, 's');
  return { keptVolume, engineMedian: percentile(pick('engine'), 50) };
}

// --- guestfish --------------------------------------------------------------------------------------

async function guestfishEnv(): Promise<NodeJS.ProcessEnv> {
  const accel = await probeAccelerator();
  say(`# guestfish: LIBGUESTFS_BACKEND=direct${accel === 'tcg' ? ' LIBGUESTFS_BACKEND_SETTINGS=force_tcg' : ''} (accelerator ${accel}, from src/compute's probe; STREAMER_QEMU_ACCEL overrides)`);
  return { ...process.env, LIBGUESTFS_BACKEND: 'direct', ...(accel === 'tcg' ? { LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' } : {}) };
}

/** Times `guestfish --rw -a copy -f script` on fresh copies of `image`; leaves the first result at `keep`. */
function guestfishCase(label: string, env: NodeJS.ProcessEnv, image: string, script: string, keep: string): number {
  const scriptFile = join(dir, `${label}.fish`);
  // guestfish needs the appliance launched before the first mount; Image Streamer's runner did that.
  writeFileSync(scriptFile, `run\n${script}`);
  const times: number[] = [];
  for (let i = 0; i < GUESTFISH_RUNS; i++) {
    const copy = join(dir, `${label}-guestfish-${i}.img`);
    run('cp', ['--sparse=always', image, copy]);
    const t0 = performance.now();
    run('guestfish', ['--rw', '-a', copy, '-f', scriptFile], env);
    times.push(performance.now() - t0);
    if (i === 0) run('mv', [copy, keep]);
    else rmSync(copy);
  }
  record(`${label} guestfish per server median`, percentile(times, 50), 'ms');
  return percentile(times, 50);
}

// --- checks -----------------------------------------------------------------------------------------

/** Paths, modes, owners, sizes, link targets and contents of the ext4 partition at PART_START. */
function extTree(image: string): string {
  const part = `${image}?offset=${PART_START}`; // e2fsprogs' unix I/O manager option
  const fsck = spawnSync('e2fsck', ['-fn', part], { encoding: 'utf8' });
  if (fsck.status !== 0) throw new Error(`e2fsck -fn found problems in ${image}:\n${fsck.stdout}${fsck.stderr}`);
  const out = `${image}.tree`;
  mkdirSync(out);
  run('debugfs', ['-R', `rdump / ${out}`, part]);
  const listing = run('sh', ['-c', `cd '${out}' && find . -path ./lost+found -prune -o -printf '%p %m %U %G %s %l\\n' | sort && find . -type f -exec md5sum {} + | sort`]);
  rmSync(out, { recursive: true });
  return listing;
}

/** EFI/BOOT/message.txt of the first partition, and fsck.vfat's complaints other than HPE's own label one. */
function fatMessage(image: string): { message: string; fsck: string[] } {
  const layout = JSON.parse(run('sfdisk', ['--json', image])) as { partitiontable: { partitions: { start: number; size: number }[] } };
  const esp = layout.partitiontable.partitions[0];
  if (esp === undefined) throw new Error(`${image}: no partition`);
  const part = `${image}.esp`;
  run('dd', [`if=${image}`, `of=${part}`, 'bs=512', `skip=${esp.start}`, `count=${esp.size}`, 'status=none']);
  const fsck = spawnSync('fsck.vfat', ['-n', part], { encoding: 'utf8' });
  const complaints = fsck.stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(part) && !l.startsWith('fsck.fat'));
  const message = run('mtype', ['-i', part, '::/EFI/BOOT/message.txt'], { ...process.env, MTOOLS_SKIP_CHECK: '1' });
  rmSync(part);
  return { message, fsck: complaints };
}

function writeResults(): void {
  writeResultsBlock('planscript', lines);
}

async function main(): Promise<void> {
  for (const [tool, pkg] of [['mkfs.ext4', 'e2fsprogs'], ['debugfs', 'e2fsprogs'], ['sfdisk', 'fdisk'], ['mtype', 'mtools'], ['fsck.vfat', 'dosfstools'], ['guestfish', 'libguestfs-tools']]) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`Cannot run the benchmark: "${tool}" is missing (apt-get install ${pkg})`);
  }
  say(`# ${new Date().toISOString()} node ${process.version}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}; plan-script engine vs guestfish (${SERVERS} servers, ${GUESTFISH_RUNS} guestfish runs per case)`);
  const extGolden = join(dir, 'ext-golden.img');
  makeExtGolden(extGolden);
  const uefi = await uefiScriptAndImage();

  const store = await openVolumeStore(join(dir, 'store'));
  const pool = new ExtWorkerPool();
  await pool.warm(1);
  const parts: EngineParts = { store, pool, sandbox: new HostSandbox() };
  const env = await guestfishEnv();
  try {
    const t0 = performance.now();
    const extImage = await store.importImageFile(extGolden);
    record('typical import of the 10 GiB golden image', (performance.now() - t0) / 1000, 's');
    const typical = await engineCase('typical', parts, extImage.imageId, [{ name: 'typical personalization', content: TYPICAL_SCRIPT }], typicalValues);
    await exportVolume(store, typical.keptVolume, join(dir, 'typical-engine.img'));
    const engineTree = extTree(join(dir, 'typical-engine.img'));
    say('typical e2fsck -fn of an engine result: clean');

    const mode = await parts.sandbox.probe();
    const hostCommand = 'echo "Mounting File Systems:"';
    const commands = await parts.sandbox.open(dir);
    const hostTimes = { runner: [] as number[], own: [] as number[] };
    for (let i = 0; i < 20; i++) {
      let t = performance.now();
      await commands.run(hostCommand, { limits: DEFAULT_HOST_LIMITS });
      hostTimes.runner.push(performance.now() - t);
      t = performance.now();
      await parts.sandbox.run(hostCommand, { cwd: dir });
      hostTimes.own.push(performance.now() - t);
    }
    record(`host command (!echo, sandbox "${mode.kind}", through the sandbox's runner) median`, percentile(hostTimes.runner, 50), 'ms');
    record(`host command (!echo, sandbox "${mode.kind}", a sandbox of its own) median`, percentile(hostTimes.own, 50), 'ms');
    const uefiImage = await store.importImageFile(uefi.image);
    const uefiResult = await engineCase('uefi', parts, uefiImage.imageId, [{ name: UEFI_SCRIPT, content: uefi.script }], uefiValues);
    await exportVolume(store, uefiResult.keptVolume, join(dir, 'uefi-engine.img'));
    await exportVolume(store, uefiImage.imageId, join(dir, 'uefi-golden.img'));
    const engineFat = fatMessage(join(dir, 'uefi-engine.img'));
    const goldenFat = fatMessage(join(dir, 'uefi-golden.img'));
    if (JSON.stringify(engineFat.fsck) !== JSON.stringify(goldenFat.fsck)) throw new Error(`fsck.vfat -n finds new problems after the engine:\n${engineFat.fsck.join('\n')}`);
    if (!engineFat.message.includes(`ExampleString1: streamer-value-${WARMUP}`)) throw new Error(`message.txt lacks the attribute value:\n${engineFat.message}`);
    say('uefi fsck.vfat -n of an engine result: no problem beyond the golden image\'s own');

    const typicalFish = guestfishCase('typical', env, extGolden, substitute(TYPICAL_SCRIPT, typicalValues(WARMUP)).text, join(dir, 'typical-guestfish.img'));
    const uefiFish = guestfishCase('uefi', env, join(dir, 'uefi-golden.img'), substitute(uefi.script, uefiValues(WARMUP)).text, join(dir, 'uefi-guestfish.img'));
    say(`typical same file tree as guestfish: ${extTree(join(dir, 'typical-guestfish.img')) === engineTree ? 'yes' : 'NO'}`);
    say(`uefi same message.txt as guestfish: ${fatMessage(join(dir, 'uefi-guestfish.img')).message === engineFat.message ? 'yes' : 'NO'}`);

    say(`ratio typical guestfish/engine: ${(typicalFish / typical.engineMedian).toFixed(2)}x (goal engine <= ${GOAL_MS} ms per server: ${typical.engineMedian <= GOAL_MS ? 'met' : 'missed'})`);
    say(`ratio uefi guestfish/engine: ${(uefiFish / uefiResult.engineMedian).toFixed(2)}x (goal engine <= ${GOAL_MS} ms per server: ${uefiResult.engineMedian <= GOAL_MS ? 'met' : 'missed'})`);
  } finally {
    await parts.sandbox.close();
    await pool.close();
    await store.close();
  }
  say(`# load at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  writeResults();
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
