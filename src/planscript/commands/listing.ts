// list-devices, list-partitions, list-filesystems, vgs, lvs, pvs: what the guest disk holds,
// printed like guestfish (one per line; list-filesystems as `device: type`).
import { type CommandSpec, type PreflightFacts } from '../command.js';

export const listDevices: CommandSpec = {
  name: 'list-devices',
  synopsis: 'list-devices',
  description: 'Print the block devices, one per line: /dev/sda, the OS volume.',
  minArgs: 0,
  maxArgs: 0,
  writes: false,
  run(ctx) {
    ctx.print(ctx.session.listDevices().map((d) => `${d}\n`).join(''));
    return Promise.resolve();
  },
};

export const listPartitions: CommandSpec = {
  name: 'list-partitions',
  synopsis: 'list-partitions',
  description: 'Print the partitions (/dev/sda1 …), one per line.',
  minArgs: 0,
  maxArgs: 0,
  writes: false,
  run(ctx) {
    ctx.print(ctx.session.listPartitions().map((p) => `${p.device}\n`).join(''));
    return Promise.resolve();
  },
};

export const listFilesystems: CommandSpec = {
  name: 'list-filesystems',
  synopsis: 'list-filesystems',
  description: 'Print each filesystem as "device: type" (ext4, vfat, swap, unknown …).',
  minArgs: 0,
  maxArgs: 0,
  writes: false,
  async run(ctx) {
    const list = await ctx.session.listFilesystems();
    ctx.print(list.map((f) => `${f.device}: ${f.type}\n`).join(''));
  },
};

function lvmPreflight(_args: readonly string[], facts: PreflightFacts): string | undefined {
  for (const [device, type] of facts.filesystems) {
    if (type === 'LVM2_member') return `the guest has an LVM physical volume on "${device}", which the native engine does not read`;
  }
  return undefined;
}

function makeLvmList(name: string, what: string): CommandSpec {
  return {
    name,
    synopsis: name,
    description: `Print the LVM ${what}, one per line: nothing on a disk without LVM (a disk with LVM needs guestfish).`,
    minArgs: 0,
    maxArgs: 0,
    writes: false,
    preflight: lvmPreflight,
    async run() {
      // No LVM physical volume (checked before the run): guestfish prints nothing either.
    },
  };
}

export const vgs = makeLvmList('vgs', 'volume groups');
export const lvs = makeLvmList('lvs', 'logical volumes');
export const pvs = makeLvmList('pvs', 'physical volumes');
