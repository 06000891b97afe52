// ls: the names in a guest directory, sorted, one per line (guestfs_ls).
import { guestPath, type CommandSpec, worded } from '../command.js';

export const ls: CommandSpec = {
  name: 'ls',
  synopsis: 'ls directory',
  description: 'List the names in a directory (without . and ..), sorted, one per line.',
  minArgs: 1,
  maxArgs: 1,
  writes: false,
  async run(ctx, [directory]) {
    const target = guestPath(ctx, 'ls0', directory!);
    const names = (await worded(() => target.fs.readdir(target.path), 'ls0', (r) => `opendir: ${directory}: ${r}`)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    ctx.print(names.map((n) => `${n}\n`).join(''));
  },
};
