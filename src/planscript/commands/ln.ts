// ln, ln-f, ln-s, ln-sf: hard and symbolic links, the -f forms replacing what is there.
import { commandError, guestPath, type CommandContext, type CommandSpec, worded } from '../command.js';

async function replaceable(ctx: CommandContext, command: string, linkname: string): Promise<void> {
  const target = guestPath(ctx, command, linkname);
  let kind: string;
  try {
    kind = (await target.fs.lstat(target.path)).kind;
  } catch {
    return;
  }
  if (kind === 'directory') throw commandError(command, `${linkname}: Is a directory`);
  await target.fs.unlink(target.path);
}

function makeLink(name: string, options: { symbolic: boolean; force: boolean; description: string }): CommandSpec {
  const fn = name.replaceAll('-', '_');
  return {
    name,
    synopsis: `${name} target linkname`,
    description: options.description,
    minArgs: 2,
    maxArgs: 2,
    writes: true,
    async run(ctx, [target, linkname]) {
      if (options.force) await replaceable(ctx, fn, linkname!);
      const link = guestPath(ctx, fn, linkname!);
      if (options.symbolic) {
        // libguestfs runs ln(1) for symlinks and link(2) for hard links; errors carry their words
        const how = options.force ? 'ln -sf' : 'ln -s';
        await worded(() => link.fs.symlink(target!, link.path), fn, (r) => `${how}: ${target}: ${linkname}: ln: failed to create symbolic link '/sysroot${linkname}': ${r}`);
        return;
      }
      const existing = guestPath(ctx, fn, target!);
      if (existing.fs !== link.fs) throw commandError(fn, `link: ${target}: ${linkname}: Invalid cross-device link`);
      await worded(() => link.fs.link(existing.path, link.path), fn, (r) => `link: ${target}: ${linkname}: ${r}`);
    },
  };
}

export const ln = makeLink('ln', { symbolic: false, force: false, description: 'Create a hard link to an existing file on the same filesystem.' });
export const lnF = makeLink('ln-f', { symbolic: false, force: true, description: 'Create a hard link, replacing what linkname names (not a directory).' });
export const lnS = makeLink('ln-s', { symbolic: true, force: false, description: 'Create a symbolic link to target (target is stored as written).' });
export const lnSf = makeLink('ln-sf', { symbolic: true, force: true, description: 'Create a symbolic link, replacing an existing file or link.' });
