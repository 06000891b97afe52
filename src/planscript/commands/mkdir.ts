// mkdir: one directory, whose parent must exist.
import { guestPath, type CommandSpec, worded } from '../command.js';

export const mkdir: CommandSpec = {
  name: 'mkdir',
  synopsis: 'mkdir path',
  description: 'Create a directory (mode 0755); its parent must exist.',
  minArgs: 1,
  maxArgs: 1,
  writes: true,
  async run(ctx, [path]) {
    const target = guestPath(ctx, 'mkdir', path!);
    await worded(() => target.fs.mkdir(target.path, { mode: 0o755 }), 'mkdir', (r) => `${path}: ${r}`);
  },
};
