// mount, mount-ro, umount (unmount), umount-all (unmount-all): the session's mount table.
import { AppError } from '../../core/errors.js';
import { commandError, optionalArgs, type CommandSpec, type PreflightFacts } from '../command.js';

/** Filesystems the native engine reads and writes. */
const NATIVE_TYPES = new Set(['ext2', 'ext3', 'ext4', 'vfat']);
/** Types guestfish could not mount either, so the failure is the same in both engines. */
const UNMOUNTABLE = new Set(['swap', 'unknown']);

/** Why the engine cannot mount `device` where guestfish could, or undefined. */
export function mountPreflight(device: string, facts: PreflightFacts): string | undefined {
  const type = facts.filesystems.get(device);
  if (type === undefined) {
    // LVM logical volumes (/dev/VG/LV, /dev/mapper/…) are the usual unknown names guestfish would find.
    if (/^\/dev\/(mapper\/|(?!sd|hd|vd|xvd)[^/]+\/)/.test(device)) return `"${device}" looks like an LVM logical volume, which the native engine does not read`;
    return undefined;
  }
  if (NATIVE_TYPES.has(type) || UNMOUNTABLE.has(type)) return undefined;
  return `"${device}" holds a ${type} filesystem, which the native engine does not read`;
}

/** A device that does not exist fails in libguestfs' generated stub, whose name its error carries. */
async function stubbed(command: string, call: () => Promise<void>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (error instanceof AppError && error.code === 'GUESTFS_NO_DEVICE') {
      throw new AppError(error.kind, error.code, `${command}: ${command}_stub: ${error.message.replace(/^mount: /, '')}`, { cause: error });
    }
    throw error;
  }
}

export const mount: CommandSpec = {
  name: 'mount',
  synopsis: 'mount mountable mountpoint',
  description: 'Mount a filesystem (ext2/3/4 or vfat) read-write; "/" first, then existing directories under it.',
  minArgs: 2,
  maxArgs: 2,
  writes: true,
  preflight: ([device], facts) => mountPreflight(device!, facts),
  async run(ctx, [device, mountpoint]) {
    await stubbed('mount', () => ctx.session.mount(device!, mountpoint!));
  },
};

export const mountRo: CommandSpec = {
  name: 'mount-ro',
  synopsis: 'mount-ro mountable mountpoint',
  description: 'Mount a filesystem (ext2/3/4 or vfat) read-only; commands that write under it fail.',
  minArgs: 2,
  maxArgs: 2,
  writes: false,
  preflight: ([device], facts) => mountPreflight(device!, facts),
  async run(ctx, [device, mountpoint]) {
    await stubbed('mount_ro', () => ctx.session.mount(device!, mountpoint!, { readOnly: true }));
  },
};

export const umount: CommandSpec = {
  name: 'umount',
  aliases: ['unmount'],
  synopsis: 'umount pathordevice [force:true|false] [lazyunmount:true|false]',
  description: 'Unmount a filesystem by mountpoint or device, writing it out first.',
  minArgs: 1,
  maxArgs: 3,
  writes: true,
  async run(ctx, args) {
    const { positional } = optionalArgs('umount', args, 1, ['force', 'lazyunmount']);
    const target = positional[0]!;
    if (!ctx.session.mounts().some((m) => m.mountpoint === target || m.device === target)) {
      // libguestfs runs umount(8) in its /sysroot chroot and passes its complaint on
      if (ctx.session.mounts().length === 0) throw commandError('umount', `umount_stub: you must call 'mount' first to mount the root filesystem`);
      if (target.startsWith('/dev/')) throw commandError('umount', `${target}: umount: ${target}: not mounted.`);
      throw commandError('umount', `${target}: umount: /sysroot${target === '/' ? '' : target}: no mount point specified.`);
    }
    await ctx.session.umount(target);
  },
};

export const umountAll: CommandSpec = {
  name: 'umount-all',
  aliases: ['unmount-all'],
  synopsis: 'umount-all',
  description: 'Unmount every mounted filesystem, writing each out first.',
  minArgs: 0,
  maxArgs: 0,
  writes: true,
  async run(ctx) {
    await ctx.session.umountAll();
  },
};

export const sync: CommandSpec = {
  name: 'sync',
  synopsis: 'sync',
  description: 'Write every mounted filesystem out to the disk.',
  minArgs: 0,
  maxArgs: 0,
  writes: true,
  async run(ctx) {
    await ctx.session.sync();
  },
};
