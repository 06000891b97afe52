// cp, cp-a, cp-r, mv: copies and moves inside the guest; a directory destination receives the source by name.
import { commandError, guestPath, worded, type CommandContext, type CommandSpec } from '../command.js';
import type { ImageFs } from '../../guestfs/image-fs.js';
import { baseName, copyTree, joinGuest, removeTree, samePath } from '../guest-tree.js';

/** Where src goes: dest, or dest/name-of-src when dest is a directory; `shown` is that guest path, for errors. */
async function destination(ctx: CommandContext, command: string, src: string, dest: string) {
  const to = guestPath(ctx, command, dest);
  let isDir = false;
  try {
    isDir = (await to.fs.stat(to.path)).kind === 'directory';
  } catch {
    // a new name
  }
  return isDir ? { fs: to.fs, path: joinGuest(to.path, baseName(src)), shown: joinGuest(dest, baseName(src)) } : { ...to, shown: dest };
}

/** Whether `path` lies below directory `dir` of the same filesystem. */
function inside(fs: ImageFs, dir: string, path: string): boolean {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  return path.length > prefix.length && samePath(fs, path.slice(0, prefix.length), prefix);
}

function makeCopy(name: string, options: { recursive: boolean; preserve: boolean; description: string }): CommandSpec {
  const fn = name.replaceAll('-', '_');
  return {
    name,
    synopsis: `${name} src dest`,
    description: options.description,
    minArgs: 2,
    maxArgs: 2,
    writes: true,
    async run(ctx, [src, dest]) {
      // libguestfs runs cp(1) in the appliance: its errors carry cp's own words and the /sysroot path
      const from = guestPath(ctx, fn, src!);
      const stat = await worded(() => from.fs.stat(from.path), fn, (r) => `cp: cannot stat '/sysroot${src}': ${r}`);
      if (stat.kind === 'directory' && !options.recursive) throw commandError(fn, `cp: -r not specified; omitting directory '/sysroot${src}'`);
      const to = await destination(ctx, fn, src!, dest!);
      // cp(1)'s refusals, with its words: onto itself would remove the source; into itself it copies all but
      // the copy it is making, then fails
      const { shown } = to;
      if (from.fs === to.fs && samePath(from.fs, from.path, to.path)) throw commandError(fn, `cp: '/sysroot${src}' and '/sysroot${shown}' are the same file`);
      const intoItself = from.fs === to.fs && stat.kind === 'directory' && inside(from.fs, from.path, to.path);
      if (stat.kind === 'file' && !options.recursive) {
        const data = await from.fs.readFile(from.path);
        await worded(() => to.fs.writeFile(to.path, data, { mode: stat.mode & 0o7777 }), fn, (r) => `cp: cannot create regular file '/sysroot${dest}': ${r}`);
        return;
      }
      if (await to.fs.exists(to.path)) {
        if ((await to.fs.lstat(to.path)).kind === 'directory') throw commandError(fn, `${dest}: File exists`);
        await to.fs.unlink(to.path);
      }
      const ownerNotKept: string[] = [];
      await copyTree(from.fs, from.path, to.fs, to.path, { preserve: options.preserve, ownerNotKept, ...(intoItself ? { skip: to.path } : {}) });
      if (intoItself) throw commandError(fn, `cp: cannot copy a directory, '/sysroot${src}', into itself, '/sysroot${shown}'`);
      if (ownerNotKept.length > 0) {
        // cp -a copies everything and then says where it could not keep the owner (FAT has none)
        throw commandError(fn, ownerNotKept.map((path) => `cp: failed to preserve ownership for '/sysroot${shown}${path.slice(to.path.length)}': Operation not permitted`).join('\n'));
      }
    },
  };
}

export const cp = makeCopy('cp', { recursive: false, preserve: false, description: 'Copy a regular file (a directory needs cp-a or cp-r); into dest/name when dest is a directory.' });
export const cpA = makeCopy('cp-a', { recursive: true, preserve: true, description: 'Copy a file or tree keeping modes, owners, times and symlinks (cp -a).' });
export const cpR = makeCopy('cp-r', { recursive: true, preserve: false, description: 'Copy a file or directory tree (cp -rP): modes are kept, owners and times are not.' });

export const mv: CommandSpec = {
  name: 'mv',
  synopsis: 'mv src dest',
  description: 'Move or rename a file or directory; into a directory when dest is one.',
  minArgs: 2,
  maxArgs: 2,
  writes: true,
  async run(ctx, [src, dest]) {
    const from = guestPath(ctx, 'mv', src!);
    const stat = await worded(() => from.fs.lstat(from.path), 'mv', (r) => `mv: cannot stat '/sysroot${src}': ${r}`);
    const to = await destination(ctx, 'mv', src!, dest!);
    if (from.fs === to.fs) {
      // mv(1)'s refusals, with its words (a case-only rename on FAT is one of them, as in guestfish)
      const { shown } = to;
      if (samePath(from.fs, from.path, to.path)) throw commandError('mv', `mv: '/sysroot${src}' and '/sysroot${shown}' are the same file`);
      if (stat.kind === 'directory' && inside(from.fs, from.path, to.path)) {
        throw commandError('mv', `mv: cannot move '/sysroot${src}' to a subdirectory of itself, '/sysroot${shown}'`);
      }
      await worded(() => from.fs.rename(from.path, to.path), 'mv', (r) => `mv: cannot move '/sysroot${src}' to '/sysroot${shown}': ${r}`);
      return;
    }
    // across filesystems mv(1) copies and removes; an owner FAT cannot keep is passed over without a word
    await copyTree(from.fs, from.path, to.fs, to.path, { preserve: true, ownerNotKept: [] });
    await removeTree(from.fs, from.path);
  },
};
