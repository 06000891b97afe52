// readlink, rmdir: small single-call commands.
import { guestPath, type CommandSpec, worded } from '../command.js';

export const readlink: CommandSpec = {
  name: 'readlink',
  synopsis: 'readlink path',
  description: 'Print the target of a symbolic link as stored (not resolved).',
  minArgs: 1,
  maxArgs: 1,
  writes: false,
  async run(ctx, [path]) {
    const target = guestPath(ctx, 'readlink', path!);
    const link = await worded(() => target.fs.readlink(target.path), 'readlink', (r) => `readlink: ${path}: ${r === 'No such file or directory' ? r : 'Invalid argument'}`);
    ctx.print(`${link}\n`);
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
    await worded(() => target.fs.rmdir(target.path), 'rmdir', (r) => `${path}: ${r}`);
  },
};
