// upload: a host file (in the scratch directory) or a here-document into a guest file.
import { isAppError } from '../../core/errors.js';
import { guestPath, type CommandSpec, worded } from '../command.js';

export const upload: CommandSpec = {
  name: 'upload',
  synopsis: 'upload filename remotefilename',
  description: 'Write a host file from the scratch directory (or a -<<END here-document) to a guest file, creating it with mode 0644.',
  minArgs: 2,
  maxArgs: 2,
  writes: true,
  async run(ctx, [from, to]) {
    const target = guestPath(ctx, 'upload', to!);
    let data: Buffer;
    try {
      data = await ctx.fileIn('upload', from!);
    } catch (error) {
      // libguestfs has the daemon open (and truncate) the target before it reads the local file: a
      // missing local file leaves an empty guest file behind, and so does this
      if (isAppError(error) && error.message.startsWith('open: ')) await target.fs.writeFile(target.path, new Uint8Array(0), { mode: 0o644 }).catch(() => undefined);
      throw error;
    }
    await worded(() => target.fs.writeFile(target.path, data, { mode: 0o644 }), 'upload', (r) => `${to}: ${r}`);
  },
};
