// Distro, product name and version of a Linux root, read from its release files in the order libguestfs
// tries them (daemon/inspect_fs_unix.ml, linux_root_tests): os-release, lsb-release, then the per-distro files.
// Pure functions over file contents: the caller reads the files.

export interface ReleaseInfo {
  distro?: string;
  productName?: string;
  version?: { major: number; minor: number };
}

/** Parses `KEY=value` lines, removing shell quotes like os-release(5) allows. */
export function parseKeyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1);
      if (line[eq + 1] === '"') value = value.replace(/\\(["$`\\])/g, '$1');
    }
    out.set(line.slice(0, eq).trim(), value);
  }
  return out;
}

/** "12.5" → 12/5, "12" → 12/0, as libguestfs' parse_version_from_major_minor (first match in the string). */
export function parseMajorMinor(text: string): { major: number; minor: number } | undefined {
  const both = /(\d+)\.(\d+)/.exec(text);
  if (both) return { major: Number(both[1]), minor: Number(both[2]) };
  const one = /(\d+)/.exec(text);
  return one ? { major: Number(one[1]), minor: 0 } : undefined;
}

const OS_RELEASE_IDS: Record<string, string> = {
  alpine: 'alpinelinux',
  altlinux: 'altlinux',
  arch: 'archlinux',
  centos: 'centos',
  coreos: 'coreos',
  debian: 'debian',
  fedora: 'fedora',
  frugalware: 'frugalware',
  kali: 'kalilinux',
  mageia: 'mageia',
  neokylin: 'neokylin',
  opensuse: 'opensuse',
  pld: 'pldlinux',
  rhel: 'rhel',
  rocky: 'rocky',
  sles: 'sles',
  sled: 'sles',
  ubuntu: 'ubuntu',
  void: 'voidlinux',
};

/**
 * Applies /etc/os-release to `info`; returns true when inspection may stop there. Like libguestfs it gives
 * up (false) when ID or PRETTY_NAME is missing, when there is no VERSION_ID, and for Debian and CentOS
 * whose VERSION_ID has no minor part (their release file has the full version).
 */
export function applyOsRelease(text: string, info: ReleaseInfo): boolean {
  const values = parseKeyValues(text);
  const id = values.get('ID');
  if (id !== undefined) {
    const distro = OS_RELEASE_IDS[id] ?? (id.startsWith('opensuse-') ? 'opensuse' : undefined);
    if (distro) info.distro = distro;
  }
  const pretty = values.get('PRETTY_NAME');
  if (pretty !== undefined) info.productName = pretty;
  const versionId = values.get('VERSION_ID');
  if (versionId !== undefined) {
    const neokylin = /^V(\d+)Update(\d+)$/.exec(versionId);
    const v = neokylin ? { major: Number(neokylin[1]), minor: Number(neokylin[2]) } : parseMajorMinor(versionId);
    if (v) info.version = v;
  }
  if (info.distro === undefined || info.productName === undefined) return false;
  if ((info.distro === 'debian' || info.distro === 'centos') && info.version?.minor === 0) return false;
  if (info.distro === 'voidlinux' && info.version === undefined) {
    info.version = { major: 0, minor: 0 };
    return true;
  }
  return info.version !== undefined;
}

const LSB_IDS: Record<string, string> = { CoreOS: 'coreos', LinuxMint: 'linuxmint', Mageia: 'mageia', Ubuntu: 'ubuntu' };

export function applyLsbRelease(text: string, info: ReleaseInfo): boolean {
  let ok = false;
  for (const [key, value] of parseKeyValues(text)) {
    if (key === 'DISTRIB_ID' && LSB_IDS[value]) {
      info.distro = LSB_IDS[value];
      ok = true;
    } else if (key === 'DISTRIB_RELEASE') {
      const v = parseMajorMinor(value);
      if (v) info.version = v;
    } else if (key === 'DISTRIB_DESCRIPTION') {
      info.productName = value;
      ok = true;
    }
  }
  return ok;
}

/**
 * A release file whose first line is the product name. With `pattern`, it must match and its groups give
 * major and minor; without, a version is taken where one can be found.
 */
export function applyGeneric(text: string, distro: string, info: ReleaseInfo, pattern?: RegExp): boolean {
  const first = text.split('\n')[0] ?? '';
  if (first === '') return false;
  info.productName = first;
  info.distro = distro;
  if (!pattern) {
    const v = parseMajorMinor(first);
    if (v) info.version = v;
    return true;
  }
  const m = pattern.exec(first);
  if (!m) return false;
  const major = m[1] === undefined ? NaN : Number(m[1]);
  const minor = m[2] === undefined ? NaN : Number(m[2]);
  if (!Number.isNaN(major)) info.version = { major, minor: Number.isNaN(minor) ? 0 : minor };
  return true;
}

export function applySuseRelease(text: string, info: ReleaseInfo): boolean {
  const lines = text.split('\n');
  const product = lines[0] ?? '';
  if (product === '') return false;
  info.productName = product;
  if (/^SUSE (Linux|LINUX) Enterprise /.test(product) || /^Novell Linux Desktop /.test(product)) {
    const major = /^VERSION = (\d+)/.exec(lines[1] ?? '');
    const minor = /^PATCHLEVEL = (\d+)/.exec(lines[2] ?? '');
    info.distro = 'sles';
    info.version = major ? { major: Number(major[1]), minor: minor ? Number(minor[1]) : 0 } : undefined;
  } else if (/^(openSUSE|SuSE Linux|SUSE LINUX) /.test(product)) {
    const v = lines[1] === undefined ? undefined : parseMajorMinor(lines[1]);
    if (v) info.version = v;
    info.distro = 'opensuse';
  }
  return true;
}

type Test = [file: string, apply: (text: string, info: ReleaseInfo) => boolean];

const generic = (distro: string, pattern?: RegExp) => (text: string, info: ReleaseInfo) =>
  applyGeneric(text, distro, info, pattern);

/** libguestfs' linux_root_tests, in order: the first file that exists and parses wins. */
export const LINUX_RELEASE_TESTS: Test[] = [
  ['/etc/os-release', applyOsRelease],
  ['/etc/lsb-release', applyLsbRelease],
  ['/etc/oracle-release', generic('oraclelinux', /Oracle Linux.*release (\d+).*Update (\d+)/)],
  ['/etc/oracle-release', generic('oraclelinux', /Oracle Linux.*release (\d+)\.(\d+)/)],
  ['/etc/oracle-release', generic('oraclelinux', /Oracle Linux.*release (\d+)/)],
  ['/etc/centos-release', generic('centos', /CentOS.*release (\d+).*Update (\d+)/)],
  ['/etc/centos-release', generic('centos', /CentOS.*release (\d+)\.(\d+)/)],
  ['/etc/centos-release', generic('centos', /CentOS.*release (\d+)/)],
  ['/etc/altlinux-release', generic('altlinux')],
  ['/etc/redhat-release', generic('fedora', /Fedora release (\d+)/)],
  ['/etc/redhat-release', generic('rhel', /Red Hat.*release (\d+).*Update (\d+)/)],
  ['/etc/redhat-release', generic('rhel', /Red Hat.*release (\d+)\.(\d+)/)],
  ['/etc/redhat-release', generic('rhel', /Red Hat.*release (\d+)/)],
  ['/etc/redhat-release', generic('centos', /CentOS.*release (\d+).*Update (\d+)/)],
  ['/etc/redhat-release', generic('centos', /CentOS.*release (\d+)\.(\d+)/)],
  ['/etc/redhat-release', generic('centos', /CentOS.*release (\d+)/)],
  ['/etc/redhat-release', generic('scientificlinux', /Scientific Linux.*release (\d+).*Update (\d+)/)],
  ['/etc/redhat-release', generic('scientificlinux', /Scientific Linux.*release (\d+)\.(\d+)/)],
  ['/etc/redhat-release', generic('scientificlinux', /Scientific Linux.*release (\d+)/)],
  ['/etc/redhat-release', generic('redhat-based')],
  [
    '/etc/redhat-release',
    (_t, info) => {
      info.distro = 'redhat-based';
      return true;
    },
  ],
  ['/etc/debian_version', generic('debian')],
  ['/etc/pardus-release', generic('pardus')],
  [
    '/etc/arch-release',
    (_t, info) => {
      info.distro = 'archlinux';
      return true;
    },
  ],
  ['/etc/gentoo-release', generic('gentoo')],
  ['/etc/meego-release', generic('meego')],
  ['/etc/slackware-version', generic('slackware')],
  ['/etc/ttylinux-target', generic('ttylinux')],
  ['/etc/SuSE-release', applySuseRelease],
  ['/etc/alpine-release', generic('alpinelinux')],
  ['/etc/frugalware-release', generic('frugalware', /Frugalware (\d+)\.(\d+)/)],
  ['/etc/pld-release', generic('pldlinux', /(\d+)\.(\d+) PLD Linux/)],
];
