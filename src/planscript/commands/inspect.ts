// inspect-os and inspect-get-*: Linux OS inspection printed like guestfish 1.48 prints it. inspect-os
// unmounts everything first, as libguestfs does, so scripts mount what it found afterwards.
import { formatHash, formatList, inspectionOf, type OsInspection } from '../../guestfs/inspect/index.js';
import { commandError, type CommandContext, type CommandSpec } from '../command.js';

export const inspectOs: CommandSpec = {
  name: 'inspect-os',
  synopsis: 'inspect-os',
  description: 'Unmount everything, then print the root filesystem of each operating system found (Linux), one per line.',
  minArgs: 0,
  maxArgs: 0,
  writes: false,
  preflight: (_args, facts) => (facts.canInspect ? undefined : 'OS inspection is not available to this run'),
  async run(ctx) {
    if (ctx.inspect === undefined) throw commandError('inspect_os', 'OS inspection is not available to this run');
    ctx.print(formatList((await ctx.inspect()).map((r) => r.root)));
  },
};

export const inspectGetRoots: CommandSpec = {
  name: 'inspect-get-roots',
  synopsis: 'inspect-get-roots',
  description: 'Print the roots the last inspect-os found, one per line.',
  minArgs: 0,
  maxArgs: 0,
  writes: false,
  run(ctx) {
    ctx.print(formatList((ctx.inspected() ?? []).map((r) => r.root)));
    return Promise.resolve();
  },
};

/** The inspection of `root`, with guestfish's error for a device that does not exist at all. */
function rootOf(ctx: CommandContext, command: string, root: string): OsInspection {
  const results = ctx.inspected();
  const name = command.replace(/-/g, '_');
  if (results !== undefined && !results.some((r) => r.root === root) && !ctx.session.listDevices().includes(root) && !ctx.session.listPartitions().some((p) => p.device === root)) {
    throw commandError(name, `${name}_stub: ${root}: No such file or directory`);
  }
  return inspectionOf(results, root, command);
}

function getter(name: string, description: string, value: (r: OsInspection) => string | number | [string, string][] | string[]): CommandSpec {
  return {
    name,
    synopsis: `${name} root`,
    description,
    minArgs: 1,
    maxArgs: 1,
    writes: false,
    run(ctx, args) {
      // Nothing to await; the executor turns rootOf's error into a rejection, as run()'s callers expect.
      return new Promise((resolve) => {
        const v = value(rootOf(ctx, name, args[0]!));
        if (typeof v === 'string' || typeof v === 'number') ctx.print(`${v}\n`);
        else if (v.length > 0 && Array.isArray(v[0])) ctx.print(formatHash(v as [string, string][]));
        else ctx.print(formatList(v as string[]));
        resolve();
      });
    },
  };
}

export const inspectGetType = getter('inspect-get-type', 'Print the OS type of an inspected root: linux.', (r) => r.type);
export const inspectGetDistro = getter('inspect-get-distro', 'Print the distro of an inspected root (centos, rhel, debian, ubuntu, sles …).', (r) => r.distro);
export const inspectGetProductName = getter('inspect-get-product-name', 'Print the product name of an inspected root (from os-release or the release file).', (r) => r.productName);
export const inspectGetProductVariant = getter('inspect-get-product-variant', 'Print the product variant of an inspected root: unknown for Linux.', () => 'unknown');
export const inspectGetMajorVersion = getter('inspect-get-major-version', 'Print the major version of an inspected root.', (r) => r.majorVersion);
export const inspectGetMinorVersion = getter('inspect-get-minor-version', 'Print the minor version of an inspected root.', (r) => r.minorVersion);
export const inspectGetHostname = getter('inspect-get-hostname', 'Print the hostname configured in an inspected root.', (r) => r.hostname);
export const inspectGetOsinfo = getter('inspect-get-osinfo', 'Print the libosinfo short id of an inspected root (centos7.0, debian12 …).', (r) => r.osinfo);
export const inspectGetArch = getter('inspect-get-arch', 'Print the architecture of an inspected root (from its binaries), or unknown.', (r) => r.arch);
export const inspectGetFormat = getter('inspect-get-format', 'Print the format of an inspected root: installed.', () => 'installed');
export const inspectGetPackageFormat = getter('inspect-get-package-format', 'Print the package format of an inspected root (rpm, deb …).', (r) => r.packageFormat);
export const inspectGetPackageManagement = getter('inspect-get-package-management', 'Print the package manager of an inspected root (yum, dnf, apt, zypper …).', (r) => r.packageManagement);
export const inspectGetMountpoints = getter('inspect-get-mountpoints', 'Print "mountpoint: device" for each filesystem the inspected root mounts (from its fstab).', (r) => r.mountpoints);
export const inspectGetFilesystems = getter('inspect-get-filesystems', 'Print the devices the inspected root uses, one per line.', (r) => r.filesystems);

export const INSPECT_COMMANDS: readonly CommandSpec[] = [
  inspectOs, inspectGetRoots, inspectGetType, inspectGetDistro, inspectGetProductName, inspectGetProductVariant, inspectGetMajorVersion,
  inspectGetMinorVersion, inspectGetHostname, inspectGetOsinfo, inspectGetArch, inspectGetFormat, inspectGetPackageFormat,
  inspectGetPackageManagement, inspectGetMountpoints, inspectGetFilesystems,
];
