// A QEMU guest (TCG, Debian's kernel, a busybox initramfs) writes to and reads from a virtio disk
// served by our NBD server; the test checks the bytes the guest wrote and what it read.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ExportRegistry, startNbdServer, type NbdServer } from '../../src/nbd/index.js';
import { SparseMemoryDisk } from './test-disks.js';
import { requireTool, tool } from './tools.js';

const MiB = 1 << 20;
/** In load order (dependencies first, as modules.dep lists them). */
const MODULES = ['virtio_ring', 'virtio', 'virtio_pci_legacy_dev', 'virtio_pci_modern_dev', 'virtio_pci', 'virtio_blk'];
let server: NbdServer;
let dir: string;
const disk = new SparseMemoryDisk(64 * MiB);
const pattern = Buffer.alloc(64 * 1024);
for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 7 + 3) & 0xff;

function kernel(): { vmlinuz: string; modules: string } {
  const v = existsSync('/boot') ? readdirSync('/boot').find((f) => f.startsWith('vmlinuz-')) : undefined;
  if (v === undefined) throw new Error('Cannot run this test: no kernel in /boot (apt-get install linux-image-amd64)');
  return { vmlinuz: join('/boot', v), modules: join('/lib/modules', v.slice('vmlinuz-'.length)) };
}

/** An initramfs whose init loads virtio-blk, dd's the pattern to /dev/vda at 1 MiB, prints sector 0, powers off. */
function initramfs(modules: string): string {
  const root = join(dir, 'root');
  for (const d of ['bin', 'lib', 'dev', 'proc', 'sys']) mkdirSync(join(root, d), { recursive: true });
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'));
  const found = execFileSync('find', [modules, '-name', '*.ko*'], { encoding: 'utf8' }).split('\n');
  for (const m of MODULES) {
    const file = found.find((f) => f.endsWith(`/${m}.ko`));
    if (file === undefined) throw new Error(`Cannot build the guest: kernel module "${m}.ko" not found (uncompressed) under "${modules}"`);
    copyFileSync(file, join(root, 'lib', `${m}.ko`));
  }
  writeFileSync(join(root, 'pattern'), pattern);
  const bb = '/bin/busybox';
  writeFileSync(join(root, 'init'), [
    `#!${bb} sh`,
    `${bb} mount -t devtmpfs dev /dev`,
    `${bb} mount -t proc proc /proc`,
    ...MODULES.map((m) => `${bb} insmod /lib/${m}.ko`),
    `for i in 1 2 3 4 5 6 7 8 9 10; do [ -b /dev/vda ] && break; ${bb} sleep 0.5; done`,
    `${bb} dd if=/pattern of=/dev/vda bs=4096 seek=256 conv=fsync 2>/dev/null`,
    `echo "GUEST-READ:$(${bb} dd if=/dev/vda bs=512 count=1 2>/dev/null | ${bb} head -c 20)"`,
    `${bb} sync`,
    'echo GUEST-DONE',
    `${bb} poweroff -f`,
    '',
  ].join('\n'), { mode: 0o755 });
  const image = join(dir, 'initramfs.cpio');
  execFileSync('sh', ['-c', `cd "${root}" && find . | cpio -o -H newc --quiet > "${image}"`]);
  return image;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'streamer-nbd-guest-'));
  await disk.write(0, Buffer.from('HELLO-FROM-STREAMER!'));
  const registry = new ExportRegistry();
  registry.add('guest', disk, { readOnly: false });
  server = await startNbdServer({ host: '127.0.0.1', port: 0, registry });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a QEMU guest reads and writes its virtio disk over NBD', async () => {
  requireTool('qemu-system-x86_64', 'qemu-system-x86');
  requireTool('busybox', 'busybox-static');
  requireTool('cpio', 'cpio');
  const k = kernel();
  const image = initramfs(k.modules);
  const console = await tool('qemu-system-x86_64', [
    '-accel', 'tcg', '-m', '256', '-nographic', '-no-reboot', '-nodefaults', '-serial', 'stdio',
    '-kernel', k.vmlinuz, '-initrd', image,
    '-append', 'console=ttyS0 quiet panic=-1 rdinit=/init',
    '-drive', `file=nbd://127.0.0.1:${server.port}/guest,format=raw,if=virtio,cache=none`,
  ], { timeoutMs: 120_000 });
  expect(console, console.slice(-2000)).toContain('GUEST-READ:HELLO-FROM-STREAMER!');
  expect(console).toContain('GUEST-DONE');
  expect((await disk.read(MiB, pattern.length)).equals(pattern)).toBe(true);
}, 150_000);
