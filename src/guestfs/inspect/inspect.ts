// OS inspection like libguestfs' inspect-os and inspect-get-*: finds Linux root filesystems among a guest's
// filesystems and reads distro, version, hostname and fstab mountpoints from them. Not for Windows/BSD.
import { AppError } from '../../core/errors.js';
import type { ImageFs } from '../image-fs.js';
import { parseFstab, resolveFstabDevice, type KnownFilesystem } from './fstab.js';
import { LINUX_RELEASE_TESTS, parseKeyValues, type ReleaseInfo } from './release-files.js';

/** One filesystem of the guest, as list-filesystems shows it, with what fstab may call it by. */
export interface InspectCandidate extends KnownFilesystem {
  /** list-filesystems' type: `ext4`, `vfat`, `swap`, `xfs`, `unknown`… */
  type: string;
  /** Opens it (read-only is enough); inspection closes it again. */
  open(): Promise<ImageFs>;
}

/** What inspect-get-* return for one root. Unknown values are what libguestfs returns for them. */
export interface OsInspection {
  root: string;
  /** inspect-get-type: `linux` (other types are not detected). */
  type: string;
  /** inspect-get-distro: `debian`, `ubuntu`, `rhel`, `centos`, `fedora`, `sles`, `opensuse`, … or `unknown`. */
  distro: string;
  /** inspect-get-product-name, `unknown` when not found. */
  productName: string;
  majorVersion: number;
  minorVersion: number;
  /** inspect-get-hostname, `unknown` when not found. */
  hostname: string;
  /** inspect-get-mountpoints: [mountpoint, device], last fstab line first like guestfish (swap left out). */
  mountpoints: [string, string][];
  /** inspect-get-filesystems: every device fstab names (swap included), last line first, or just the root. */
  filesystems: string[];
  /** inspect-get-osinfo: the libosinfo short id (`centos7.0`, `debian12`, `ubuntu22.04`) or `unknown`. */
  osinfo: string;
  /** inspect-get-package-format: `rpm`, `deb`, `pacman`, `apk` or `unknown`. */
  packageFormat: string;
  /** inspect-get-package-management: `yum`, `dnf`, `apt`, `zypper`, `pacman`, `apk` or `unknown`. */
  packageManagement: string;
  /** inspect-get-arch: from the ELF header of the guest's shell or ls, `unknown` when there is none. */
  arch: string;
}

const OPENABLE = new Set(['ext2', 'ext3', 'ext4', 'vfat']);

/**
 * inspect-os: the Linux roots among `candidates`, sorted by device name. A candidate that cannot be opened
 * or read is skipped like libguestfs skips filesystems it cannot mount.
 */
export async function inspectOs(candidates: InspectCandidate[]): Promise<OsInspection[]> {
  const roots: OsInspection[] = [];
  for (const candidate of candidates) {
    if (!OPENABLE.has(candidate.type)) continue;
    let fs: ImageFs;
    try {
      fs = await candidate.open();
    } catch {
      continue;
    }
    try {
      if (await isLinuxRoot(fs)) roots.push(await inspectLinuxRoot(fs, candidate.device, candidates));
    } catch {
      // an unreadable filesystem is not a root
    } finally {
      await fs.close().catch(() => undefined);
    }
  }
  return roots.sort((a, b) => a.root.localeCompare(b.root, 'en', { numeric: true }));
}

async function isFile(fs: ImageFs, path: string): Promise<boolean> {
  return fs.stat(path).then(
    (s) => s.kind === 'file',
    () => false,
  );
}

async function isLinuxRoot(fs: ImageFs): Promise<boolean> {
  const etc = await fs.stat('/etc').catch(() => undefined);
  if (etc?.kind !== 'directory') return false;
  const bin = await fs.lstat('/bin').catch(() => undefined);
  if (bin?.kind !== 'directory' && bin?.kind !== 'symlink') return false;
  return (await isFile(fs, '/etc/fstab')) || (await isFile(fs, '/etc/hosts'));
}

async function readSmall(fs: ImageFs, path: string): Promise<string | undefined> {
  if (!(await isFile(fs, path))) return undefined;
  const st = await fs.stat(path);
  if (st.sizeBytes > 1 << 20) return undefined;
  return (await fs.readFile(path)).toString('utf8');
}

async function inspectLinuxRoot(fs: ImageFs, root: string, known: InspectCandidate[]): Promise<OsInspection> {
  const info: ReleaseInfo = {};
  for (const [file, apply] of LINUX_RELEASE_TESTS) {
    const text = await readSmall(fs, file);
    if (text !== undefined && apply(text, info)) break;
  }
  const fstab = parseFstab((await readSmall(fs, '/etc/fstab')) ?? '');
  // guestfish 1.48 lists fstab entries last line first (checked against its inspect-get-mountpoints and
  // inspect-get-filesystems output); entries naming no filesystem of this guest are left out.
  const entries: [string, string][] = [];
  for (const e of fstab) {
    const device = resolveFstabDevice(e.spec, known);
    if (device !== undefined) entries.unshift([device, e.mountpoint]);
  }
  const distro = info.distro ?? 'unknown';
  const majorVersion = info.version?.major ?? 0;
  const minorVersion = info.version?.minor ?? 0;
  return {
    root,
    type: 'linux',
    distro,
    productName: info.productName ?? 'unknown',
    majorVersion,
    minorVersion,
    osinfo: osinfoId(distro, majorVersion, minorVersion),
    packageFormat: packageFormat(distro),
    packageManagement: await packageManagement(fs, distro, majorVersion),
    arch: await guestArch(fs),
    hostname: (await linuxHostname(fs)) ?? 'unknown',
    mountpoints: entries.length === 0 ? [['/', root]] : entries.filter(([, mp]) => mp.startsWith('/')).map(([d, mp]) => [mp, d]),
    filesystems: entries.length === 0 ? [root] : entries.map(([d]) => d),
  };
}

/** libosinfo's short id the way libguestfs derives it from distro and version (lib/inspect-osinfo.c). */
export function osinfoId(distro: string, major: number, minor: number): string {
  if (distro === 'unknown') return 'unknown';
  if (distro === 'centos' && major === 7) return 'centos7.0';
  if ((distro === 'centos' && major >= 8) || (distro === 'debian' && major >= 4) || distro === 'fedora' || distro === 'rocky') return `${distro}${major}`;
  if (distro === 'sles') return minor === 0 ? `sles${major}` : `sles${major}sp${minor}`;
  if (distro === 'ubuntu') return `ubuntu${major}.${String(minor).padStart(2, '0')}`;
  if (distro === 'archlinux' || distro === 'gentoo' || distro === 'voidlinux') return distro;
  if (major > 0 || minor > 0) return `${distro}${major}.${minor}`;
  return 'unknown';
}

const RPM = new Set(['centos', 'rhel', 'fedora', 'sles', 'opensuse', 'suse-based', 'oraclelinux', 'rocky', 'almalinux', 'mageia', 'altlinux', 'openmandriva', 'scientificlinux', 'redhat-based', 'neokylin', 'coreos']);
const DEB = new Set(['debian', 'ubuntu', 'linuxmint', 'kalilinux']);

function packageFormat(distro: string): string {
  if (RPM.has(distro)) return 'rpm';
  if (DEB.has(distro)) return 'deb';
  if (distro === 'archlinux') return 'pacman';
  if (distro === 'alpinelinux') return 'apk';
  if (distro === 'voidlinux') return 'xbps';
  return 'unknown';
}

async function packageManagement(fs: ImageFs, distro: string, major: number): Promise<string> {
  // Fedora says dnf only where it is installed (guestfish 1.48: yum for a Fedora 39 root without it)
  if (distro === 'fedora') return major >= 22 && (await isFile(fs, '/usr/bin/dnf')) ? 'dnf' : 'yum';
  if (['centos', 'rhel', 'oraclelinux', 'rocky', 'almalinux', 'scientificlinux', 'redhat-based'].includes(distro)) return major >= 8 ? 'dnf' : 'yum';
  if (DEB.has(distro)) return 'apt';
  if (['sles', 'opensuse', 'suse-based'].includes(distro)) return 'zypper';
  if (distro === 'archlinux') return 'pacman';
  if (distro === 'alpinelinux') return 'apk';
  if (distro === 'mageia' || distro === 'openmandriva') return 'urpmi';
  return 'unknown';
}

const ELF_MACHINES: Record<number, string> = { 0x03: 'i386', 0x3e: 'x86_64', 0xb7: 'aarch64', 0x28: 'arm', 0x15: 'ppc64', 0x16: 's390x', 0xf3: 'riscv64' };

/** Architecture of the first ELF binary among the usual ones (a symlinked /bin is followed). */
async function guestArch(fs: ImageFs): Promise<string> {
  for (const path of ['/bin/bash', '/bin/ls', '/bin/echo', '/bin/rm', '/bin/sh', '/usr/bin/bash', '/usr/bin/ls']) {
    try {
      const st = await fs.stat(path);
      if (st.kind !== 'file' || st.sizeBytes < 64) continue;
      const head = (await fs.readFile(path)).subarray(0, 64);
      if (head.readUInt32BE(0) !== 0x7f454c46) continue;
      const machine = ELF_MACHINES[head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18)];
      if (machine === 'ppc64' && head[5] === 1) return 'ppc64le';
      if (machine !== undefined) return machine;
    } catch {
      // not there or unreadable: try the next one
    }
  }
  return 'unknown';
}

async function linuxHostname(fs: ImageFs): Promise<string | undefined> {
  for (const file of ['/etc/HOSTNAME', '/etc/hostname']) {
    const first = (await readSmall(fs, file))?.split('\n')[0];
    if (first) return first;
  }
  const network = await readSmall(fs, '/etc/sysconfig/network');
  return network === undefined ? undefined : parseKeyValues(network).get('HOSTNAME') || undefined;
}

/**
 * The inspection of `root` for an inspect-get-* command, or the error libguestfs gives
 * (`inspect_get_type: /dev/sda9: root device not found: …`).
 */
export function inspectionOf(results: OsInspection[] | undefined, root: string, command: string): OsInspection {
  const name = command.replace(/-/g, '_');
  if (results === undefined) {
    throw new AppError('precondition', 'INSPECT_NOT_RUN', `${name}: no inspection data: call guestfs_inspect_os first`, {
      recommendedActions: ['Run inspect-os before the inspect-get-* commands'],
    });
  }
  const found = results.find((r) => r.root === root);
  if (!found) {
    throw new AppError(
      'not_found',
      'INSPECT_ROOT_NOT_FOUND',
      `${name}: ${root}: root device not found: only call this function with a root device previously returned by guestfs_inspect_os`,
    );
  }
  return found;
}

/** guestfish's printing of inspect-os (one root per line) and of list results in general. */
export function formatList(items: string[]): string {
  return items.map((i) => `${i}\n`).join('');
}

/** guestfish's printing of a hash result such as inspect-get-mountpoints: `key: value` per line. */
export function formatHash(pairs: [string, string][]): string {
  return pairs.map(([k, v]) => `${k}: ${v}\n`).join('');
}
