// touch: create an empty regular file, or update the times of an existing one.
import { isAppError } from '../../core/errors.js';
import { errnoOf } from '../../guestfs/errno.js';
import { commandError, guestPath, reasonOf, worded, type CommandSpec } from '../command.js';

export const touch: CommandSpec = {
  name: 'touch',
  synopsis: 'touch path',
  description: 'Create an empty file (mode 0644) or set an existing regular file\'s times to now.',
  minArgs: 1,
  maxArgs: 1,
  writes: true,
  async run(ctx, [path]) {
    const target = guestPath(ctx, 'touch', path!);
    // as the daemon: lstat first (any error but "not there" is reported as lstat's), then create
    const found = await target.fs.lstat(target.path).then(
      () => true,
      (error: unknown) => {
        if (errnoOf(error) === 'ENOENT') return false;
        throw isAppError(error) ? commandError('touch', `lstat: ${path}: ${reasonOf(error)}`) : error;
      },
    );
    if (!found) {
      await worded(() => target.fs.writeFile(target.path, new Uint8Array(0), { mode: 0o644 }), 'touch', (r) => `open: ${path}: ${r}`);
      return;
    }
    if ((await target.fs.stat(target.path)).kind !== 'file') throw commandError('touch', `${path}: touch can only be used on a regular files`);
    const now = Date.now();
    await target.fs.utimes(target.path, now, now);
  },
};
