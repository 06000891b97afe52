// mkdir-p: a directory and its missing parents; an existing directory is fine.
import { commandError, guestPath, type CommandSpec, worded } from '../command.js';

export const mkdirP: CommandSpec = {
  name: 'mkdir-p',
  synopsis: 'mkdir-p path',
  description: 'Create a directory and any missing parents (mode 0755); succeeds when it already exists.',
  minArgs: 1,
  maxArgs: 1,
  writes: true,
  async run(ctx, [path]) {
    const target = guestPath(ctx, 'mkdir_p', path!);
    const parts = target.path.split('/').filter((p) => p !== '');
    let current = '';
    for (const part of parts) {
      current += `/${part}`;
      if (await target.fs.exists(current)) {
        if ((await target.fs.stat(current)).kind !== 'directory') throw commandError('mkdir_p', `${path}: Not a directory`);
        continue;
      }
      await worded(() => target.fs.mkdir(current, { mode: 0o755 }), 'mkdir_p', (r) => `${path}: ${r}`);
    }
  },
};
