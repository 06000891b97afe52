// upload: a host file (in the scratch directory) or a here-document into a guest file.
import { guestPath, type CommandSpec, worded } from '../command.js';

export const upload: CommandSpec = {
  name: 'upload',
  synopsis: 'upload filename remotefilename',
  description: 'Write a host file from the scratch directory (or a -<<END here-document) to a guest file, creating it with mode 0644.',
  minArgs: 2,
  maxArgs: 2,
  writes: true,
  async run(ctx, [from, to]) {
    const data = await ctx.fileIn('upload', from!);
    const target = guestPath(ctx, 'upload', to!);
    await worded(() => target.fs.writeFile(target.path, data, { mode: 0o644 }), 'upload', (r) => `${to}: ${r}`);
  },
};
