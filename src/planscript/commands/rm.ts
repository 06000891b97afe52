// rm, rm-f, rm-rf: remove a file; ignoring a missing one; or a whole tree.
import { commandError, guestPath, type CommandSpec } from '../command.js';
import { removeTree } from '../guest-tree.js';

export const rm: CommandSpec = {
  name: 'rm',
  synopsis: 'rm path',
  description: 'Remove a single file (not a directory).',
  minArgs: 1,
  maxArgs: 1,
  writes: true,
  async run(ctx, [path]) {
    const target = guestPath(ctx, 'rm', path!);
    if ((await target.fs.lstat(target.path)).kind === 'directory') throw commandError('rm', `${path}: Is a directory`);
    await target.fs.unlink(target.path);
  },
};

export const rmF: CommandSpec = {
  name: 'rm-f',
  synopsis: 'rm-f path',
  description: 'Remove a single file; a missing file is not an error, a directory is.',
  minArgs: 1,
  maxArgs: 1,
  writes: true,
  async run(ctx, [path]) {
    const target = guestPath(ctx, 'rm_f', path!);
    if (!(await target.fs.exists(target.path)) && !(await isSymlink(target.fs, target.path))) return;
    if ((await target.fs.lstat(target.path)).kind === 'directory') throw commandError('rm_f', `${path}: Is a directory`);
    await target.fs.unlink(target.path);
  },
};

export const rmRf: CommandSpec = {
  name: 'rm-rf',
  synopsis: 'rm-rf path',
  description: 'Remove a file or a directory tree; a missing path is not an error.',
  minArgs: 1,
  maxArgs: 1,
  writes: true,
  async run(ctx, [path]) {
    const target = guestPath(ctx, 'rm_rf', path!);
    if (target.path === '/') throw commandError('rm_rf', 'cannot remove root directory');
    if (!(await target.fs.exists(target.path)) && !(await isSymlink(target.fs, target.path))) return;
    await removeTree(target.fs, target.path);
  },
};

/** `exists` follows symlinks; a dangling link still has to be removable. */
async function isSymlink(fs: { lstat(path: string): Promise<{ kind: string }> }, path: string): Promise<boolean> {
  try {
    return (await fs.lstat(path)).kind === 'symlink';
  } catch {
    return false;
  }
}
