// chmod, chown: mode as a C integer (0755 is octal, like guestfish), numeric owner and group.
import { guestPath, parseCInteger, type CommandSpec, worded } from '../command.js';

export const chmod: CommandSpec = {
  name: 'chmod',
  synopsis: 'chmod mode path',
  description: 'Change permission bits; the mode is a C integer, so write 0755 (755 would be decimal).',
  minArgs: 2,
  maxArgs: 2,
  writes: true,
  async run(ctx, [mode, path]) {
    const bits = parseCInteger('chmod', mode!);
    const target = guestPath(ctx, 'chmod', path!);
    await worded(() => target.fs.chmod(target.path, bits & 0o7777), 'chmod', (r) => `${path}: 0${bits.toString(8)}: ${r}`);
  },
};

export const chown: CommandSpec = {
  name: 'chown',
  synopsis: 'chown owner group path',
  description: 'Change the numeric owner and group of a file (symlinks are followed).',
  minArgs: 3,
  maxArgs: 3,
  writes: true,
  async run(ctx, [owner, group, path]) {
    const uid = parseCInteger('chown', owner!);
    const gid = parseCInteger('chown', group!);
    const target = guestPath(ctx, 'chown', path!);
    await worded(() => target.fs.chown(target.path, uid, gid), 'chown', (r) => `${path}: ${uid}.${gid}: ${r}`);
  },
};
