// rm, rm-f, rm-rf: remove a file; ignoring a missing one; or a whole tree.
import { AppError, isAppError } from '../../core/errors.js';
import type { FileKind, ImageFs } from '../../guestfs/image-fs.js';
import { commandError, guestPath, type CommandSpec } from '../command.js';
import { removeTree } from '../guest-tree.js';

/**
 * The kind of what `path` names, without following a symlink. The filesystem words a failure after its own
 * call and inner path (`lstat: /x: …`, `stat: /x: …` on FAT); guestfish names the command and the path as
 * written (`rm: /boot/x: …`).
 */
async function kindAt(command: string, target: { fs: ImageFs; path: string }, path: string): Promise<FileKind> {
  try {
    return (await target.fs.lstat(target.path)).kind;
  } catch (error) {
    if (!isAppError(error)) throw error;
    const inner = `: ${target.path}: `;
    const at = error.message.indexOf(inner);
    if (at === -1 || /\s/.test(error.message.slice(0, at))) throw error;
    throw new AppError(error.kind, error.code, `${command}: ${path}: ${error.message.slice(at + inner.length)}`, { cause: error });
  }
}

export const rm: CommandSpec = {
  name: 'rm',
  synopsis: 'rm path',
  description: 'Remove a single file (not a directory).',
  minArgs: 1,
  maxArgs: 1,
  writes: true,
  async run(ctx, [path]) {
    const target = guestPath(ctx, 'rm', path!);
    if ((await kindAt('rm', target, path!)) === 'directory') throw commandError('rm', `${path}: Is a directory`);
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
    if ((await kindAt('rm_f', target, path!)) === 'directory') throw commandError('rm_f', `${path}: Is a directory`);
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
