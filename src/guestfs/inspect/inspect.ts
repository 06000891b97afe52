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
  return {
    root,
    type: 'linux',
    distro: info.distro ?? 'unknown',
    productName: info.productName ?? 'unknown',
    majorVersion: info.version?.major ?? 0,
    minorVersion: info.version?.minor ?? 0,
    hostname: (await linuxHostname(fs)) ?? 'unknown',
    mountpoints: entries.length === 0 ? [['/', root]] : entries.filter(([, mp]) => mp.startsWith('/')).map(([d, mp]) => [mp, d]),
    filesystems: entries.length === 0 ? [root] : entries.map(([d]) => d),
  };
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
