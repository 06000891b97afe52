// download: a guest file to a host file in the scratch directory (or "-" for standard output).
import { guestPath, type CommandSpec, worded } from '../command.js';

export const download: CommandSpec = {
  name: 'download',
  synopsis: 'download remotefilename filename',
  description: 'Copy a guest file to a host file in the scratch directory ("-" prints it).',
  minArgs: 2,
  maxArgs: 2,
  writes: false,
  async run(ctx, [from, to]) {
    const source = guestPath(ctx, 'download', from!);
    const data = await worded(() => source.fs.readFile(source.path), 'download', (r) => `${from}: ${r === 'Is a directory' ? 'is a directory' : r}`);
    await ctx.fileOut('download', to!, data);
  },
};
