// A compute module that is a QEMU VM on this host. The OS volume is its virtio disk, read and written over
// NBD straight from the appliance's export; the serial console is captured. KVM is used when it really
// runs guests (probed once with a short boot), TCG otherwise.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { AppError } from '../core/errors.js';
import { ConsoleBuffer, type BootTarget, type ComputeDriver, type PowerState } from './driver.js';

export interface QemuModuleConfig {
  memoryMiB: number;
  cpus: number;
  /** Direct kernel boot (the network-boot stand-in): kernel and initrd from the host, root on the volume. */
  kernel?: string | undefined;
  initrd?: string | undefined;
  append?: string | undefined;
}

export type Accelerator = 'kvm' | 'tcg';

const QEMU = 'qemu-system-x86_64';

/** The newest host kernel under /boot, for probes and lab images. */
export function hostKernel(): string | undefined {
  const names = existsSync('/boot') ? readdirSync('/boot').filter((n) => n.startsWith('vmlinuz-')).sort() : [];
  const last = names[names.length - 1];
  return last === undefined ? undefined : join('/boot', last);
}

let probed: Promise<Accelerator> | undefined;
let cacheFile: string | undefined;

/**
 * Where the probe's answer is kept between starts (the appliance's data directory): the probe costs up to
 * its timeout on hosts whose KVM hangs, and the answer holds while the host kernel and QEMU stay the same.
 */
export function rememberAcceleratorIn(file: string): void {
  cacheFile = file;
}

function cachedAccelerator(): Accelerator | undefined {
  if (cacheFile === undefined) return undefined;
  try {
    const saved = JSON.parse(readFileSync(cacheFile, 'utf8')) as { accelerator?: unknown; kernel?: unknown; qemu?: unknown };
    const stamp = acceleratorStamp();
    if (saved.kernel === stamp.kernel && saved.qemu === stamp.qemu && (saved.accelerator === 'kvm' || saved.accelerator === 'tcg')) return saved.accelerator;
  } catch {
    // no answer kept yet
  }
  return undefined;
}

function acceleratorStamp(): { kernel: string; qemu: string } {
  // QEMU's binary on PATH and its mtime: an upgrade or an install (the probe answers tcg without it) re-probes
  let qemu = 'missing';
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    try {
      qemu = `${join(dir, QEMU)}@${statSync(join(dir, QEMU)).mtimeMs}`;
      break;
    } catch {
      // not in this directory
    }
  }
  return { kernel: release(), qemu };
}

/**
 * KVM when /dev/kvm boots a kernel to its first messages within `timeoutMs`; TCG otherwise. On hosts where
 * /dev/kvm opens but cannot run ordinary guests (nested PVM), the probe times out and TCG is used.
 */
export function probeAccelerator(timeoutMs = 15_000): Promise<Accelerator> {
  const forced = process.env['STREAMER_QEMU_ACCEL'];
  if (forced === 'kvm' || forced === 'tcg') return Promise.resolve(forced);
  const cached = cachedAccelerator();
  if (cached !== undefined) return Promise.resolve(cached);
  probed ??= new Promise<Accelerator>((resolve) => {
    const kernel = hostKernel();
    if (!existsSync('/dev/kvm') || kernel === undefined) return resolve('tcg');
    const child = spawn(QEMU, ['-accel', 'kvm', '-m', '128', '-nodefaults', '-display', 'none', '-no-reboot', '-serial', 'stdio', '-kernel', kernel, '-append', 'console=ttyS0 panic=-1'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    const done = (accel: Accelerator): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      resolve(accel);
    };
    const timer = setTimeout(() => done('tcg'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('latin1');
      if (/Kernel panic|VFS: Unable to mount root|Run \/init/.test(out)) done('kvm');
    });
    child.on('error', () => done('tcg'));
    child.on('exit', () => done(/Linux version/.test(out) ? 'kvm' : 'tcg'));
  }).then((accelerator) => {
    if (cacheFile !== undefined) {
      try {
        mkdirSync(dirname(cacheFile), { recursive: true });
        writeFileSync(cacheFile, `${JSON.stringify({ accelerator, ...acceleratorStamp() })}\n`);
      } catch {
        // the next start probes again
      }
    }
    return accelerator;
  });
  return probed;
}

/** Sends one QMP command on the VM's monitor socket. */
function qmp(socketPath: string, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let greeted = false;
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      if (!greeted && text.includes('"QMP"')) {
        greeted = true;
        socket.write('{"execute":"qmp_capabilities"}\n');
        socket.write(`{"execute":"${command}"}\n`);
        setTimeout(() => {
          socket.end();
          resolve();
        }, 100);
      }
    });
    socket.on('error', reject);
  });
}

/** QEMU option values: a comma is written twice. */
const optionValue = (s: string): string => s.replaceAll(',', ',,');

/** The arguments that attach the OS volume as the module's virtio disk: over NBD, with TLS when asked. */
export function bootDrive(target: BootTarget): string[] {
  const nbd = `file.driver=nbd,file.server.type=inet,file.server.host=${optionValue(target.host)},file.server.port=${target.port},file.export=${optionValue(target.exportName)}`;
  const drive = ['-drive', `${nbd}${target.tls === undefined ? '' : ',file.tls-creds=nbd-tls'},format=raw,if=virtio,cache=none`];
  if (target.tls === undefined) return drive;
  return ['-object', `tls-creds-x509,id=nbd-tls,dir=${optionValue(target.tls.caDir)},endpoint=client`, ...drive];
}

export class QemuDriver implements ComputeDriver {
  readonly kind = 'qemu';
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private readonly out = new ConsoleBuffer();

  constructor(
    private readonly config: QemuModuleConfig,
    private readonly runDir: string,
  ) {}

  powerState(): PowerState {
    return this.child === undefined ? 'Off' : 'On';
  }

  async powerOn(target: BootTarget | null): Promise<void> {
    if (this.child !== undefined) await this.powerOff({ force: true });
    const accel = await probeAccelerator();
    const monitor = join(this.runDir, 'qmp.sock');
    const args = ['-accel', accel, '-m', String(this.config.memoryMiB), '-smp', String(this.config.cpus), '-nodefaults', '-display', 'none', '-no-reboot', '-serial', 'stdio', '-qmp', `unix:${monitor},server=on,wait=off`];
    if (target !== null) args.push(...bootDrive(target));
    if (this.config.kernel !== undefined) {
      args.push('-kernel', this.config.kernel);
      if (this.config.initrd !== undefined) args.push('-initrd', this.config.initrd);
      args.push('-append', this.config.append ?? 'console=ttyS0 root=/dev/vda1');
    }
    this.out.append(`\n[streamer] power on (${accel.toUpperCase()}${target === null ? ', no boot volume' : ''})\n`);
    const child = spawn(QEMU, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => this.out.append(chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        this.out.append(`\n[streamer] powered off (${signal ?? `exit ${code ?? 0}`})${stderr.trim() === '' ? '' : `: ${stderr.trim().split('\n').slice(-2).join(' ')}`}\n`);
        resolve();
      });
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => {
        this.child = undefined;
        reject(new AppError('unavailable', 'QEMU_MISSING', `Cannot power on the QEMU compute module: ${error.message}`, { recommendedActions: ['Install the Debian package qemu-system-x86'] }));
      });
    });
  }

  async powerOff(options: { force?: boolean } = {}): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    if (options.force !== true) {
      await qmp(join(this.runDir, 'qmp.sock'), 'system_powerdown').catch(() => undefined);
      const graceful = await Promise.race([this.exited!.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
      if (graceful) return;
    }
    child.kill('SIGKILL');
    await this.exited;
  }

  console(): string {
    return this.out.read();
  }

  followConsole(listener: (text: string) => void): () => void {
    return this.out.follow(listener);
  }

  async close(): Promise<void> {
    await this.powerOff({ force: true });
  }
}
