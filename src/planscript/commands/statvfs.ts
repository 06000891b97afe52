// statvfs: filesystem statistics in guestfish's struct format (`bsize: 4096` …).
import { guestPath, type CommandSpec, worded } from '../command.js';

/** ST_RELATIME | ST_RDONLY as Linux reports them for a mount (statvfs(3) f_flag). */
const ST_RDONLY = 1;
const ST_RELATIME = 4096;

export const statvfs: CommandSpec = {
  name: 'statvfs',
  synopsis: 'statvfs path',
  description: 'Print the statistics of the filesystem holding path: bsize, frsize, blocks, bfree, bavail, files, ffree, favail, fsid, flag, namemax.',
  minArgs: 1,
  maxArgs: 1,
  writes: false,
  async run(ctx, [path]) {
    const target = guestPath(ctx, 'statvfs', path!);
    await worded(() => target.fs.stat(target.path), 'statvfs', (r) => `statvfs: ${path}: ${r}`);
    const s = await target.fs.statvfs();
    const fields: [string, number | bigint][] = [
      ['bsize', s.blockSize],
      ['frsize', s.blockSize],
      ['blocks', s.blocks],
      ['bfree', s.blocksFree],
      ['bavail', s.blocksAvailable],
      ['files', s.files],
      ['ffree', s.filesFree],
      ['favail', s.filesFree],
      // ext's comes from its UUID; FAT's from the device number, which an in-process engine does not have
      ['fsid', s.fsid ?? 0n],
      ['flag', ST_RELATIME | (target.fs.readOnly ? ST_RDONLY : 0)],
      ['namemax', s.nameMax],
    ];
    ctx.print(fields.map(([k, v]) => `${k}: ${v}\n`).join(''));
  },
};
