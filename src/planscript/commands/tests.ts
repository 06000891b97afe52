// exists, is-file, is-dir, is-symlink: true/false tests on guest paths, printed as guestfish prints booleans.
import { guestPath, optionalArgs, parseBool, type CommandSpec } from '../command.js';
import type { FileKind, FileStat } from '../../guestfs/image-fs.js';

async function kindOf(stat: () => Promise<FileStat>): Promise<FileKind | undefined> {
  try {
    return (await stat()).kind;
  } catch {
    return undefined;
  }
}

export const exists: CommandSpec = {
  name: 'exists',
  synopsis: 'exists path',
  description: 'Print true if the path exists (following symlinks), else false.',
  minArgs: 1,
  maxArgs: 1,
  writes: false,
  async run(ctx, [path]) {
    const target = guestPath(ctx, 'exists', path!);
    ctx.print(`${await target.fs.exists(target.path)}\n`);
  },
};

function makeKindTest(name: string, kind: FileKind, what: string): CommandSpec {
  const fn = name.replaceAll('-', '_');
  return {
    name,
    synopsis: `${name} path [followsymlinks:true|false]`,
    description: `Print true if the path is ${what} (a symlink counts only with followsymlinks:true), else false.`,
    minArgs: 1,
    maxArgs: 2,
    writes: false,
    async run(ctx, args) {
      const { positional, options } = optionalArgs(fn, args, 1, ['followsymlinks']);
      const follow = options.has('followsymlinks') && parseBool(fn, options.get('followsymlinks')!);
      const target = guestPath(ctx, fn, positional[0]!);
      const found = await kindOf(() => (follow ? target.fs.stat(target.path) : target.fs.lstat(target.path)));
      ctx.print(`${found === kind}\n`);
    },
  };
}

export const isFile = makeKindTest('is-file', 'file', 'a regular file');
export const isDir = makeKindTest('is-dir', 'directory', 'a directory');

export const isSymlink: CommandSpec = {
  name: 'is-symlink',
  synopsis: 'is-symlink path',
  description: 'Print true if the path is a symbolic link, else false.',
  minArgs: 1,
  maxArgs: 1,
  writes: false,
  async run(ctx, [path]) {
    const target = guestPath(ctx, 'is_symlink', path!);
    ctx.print(`${(await kindOf(() => target.fs.lstat(target.path))) === 'symlink'}\n`);
  },
};
