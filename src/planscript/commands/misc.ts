// readlink, rmdir: small single-call commands.
import { guestPath, type CommandSpec } from '../command.js';

export const readlink: CommandSpec = {
  name: 'readlink',
  synopsis: 'readlink path',
  description: 'Print the target of a symbolic link as stored (not resolved).',
  minArgs: 1,
  maxArgs: 1,
  writes: false,
  async run(ctx, [path]) {
    const target = guestPath(ctx, 'readlink', path!);
    ctx.print(`${await target.fs.readlink(target.path)}\n`);
  },
};

export const rmdir: CommandSpec = {
  name: 'rmdir',
  synopsis: 'rmdir path',
  description: 'Remove an empty directory.',
  minArgs: 1,
  maxArgs: 1,
  writes: true,
  async run(ctx, [path]) {
    const target = guestPath(ctx, 'rmdir', path!);
    await target.fs.rmdir(target.path);
  },
};
