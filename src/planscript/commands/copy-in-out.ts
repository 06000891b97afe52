// copy-in, copy-out: whole files and trees between the scratch directory and the guest.
import { lstat, mkdir, readdir, readFile, readlink, rm, symlink, writeFile, chmod as hostChmod } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AppError } from '../../core/errors.js';
import { guestPath, type CommandContext, type CommandSpec } from '../command.js';
import type { ImageFs } from '../../guestfs/image-fs.js';
import { baseName, joinGuest } from '../guest-tree.js';

async function copyHostToGuest(from: string, fs: ImageFs, to: string): Promise<void> {
  const stat = await lstat(from);
  const mode = stat.mode & 0o7777;
  if (stat.isSymbolicLink()) {
    await fs.symlink(await readlink(from), to);
  } else if (stat.isDirectory()) {
    if (!(await fs.exists(to))) await fs.mkdir(to, { mode });
    for (const name of (await readdir(from)).sort()) await copyHostToGuest(join(from, name), fs, joinGuest(to, name));
    await fs.chmod(to, mode);
  } else if (stat.isFile()) {
    await fs.writeFile(to, await readFile(from), { mode });
    await fs.chmod(to, mode);
  } else {
    return;
  }
  // Guest files belong to root, as when the appliance runs as root (host commands here run as nobody).
  if (!stat.isSymbolicLink()) await fs.chown(to, 0, 0);
}

async function copyGuestToHost(ctx: CommandContext, fs: ImageFs, from: string, to: string): Promise<void> {
  // Checked at every level: a link a host command left inside the target tree must not lead outside.
  await ctx.scratch.hostPath('copy-out', to);
  const stat = await fs.lstat(from);
  const mode = stat.mode & 0o7777;
  if (stat.kind === 'symlink') {
    await rm(to, { force: true });
    await symlink(await fs.readlink(from), to);
  } else if (stat.kind === 'directory') {
    await mkdir(to, { recursive: true, mode: 0o700 });
    for (const name of await fs.readdir(from)) await copyGuestToHost(ctx, fs, joinGuest(from, name), join(to, name));
    await hostChmod(to, mode | 0o700);
  } else if (stat.kind === 'file') {
    await writeFile(to, await fs.readFile(from), { mode: 0o600 });
    await hostChmod(to, mode | 0o600);
  } else {
    return;
  }
  if (stat.kind !== 'symlink') await ctx.scratch.adopt(to);
}

export const copyIn: CommandSpec = {
  name: 'copy-in',
  synopsis: 'copy-in localpath [localpath...] remotedir',
  description: 'Copy host files or directories (scratch directory) recursively into an existing guest directory.',
  minArgs: 2,
  maxArgs: Infinity,
  writes: true,
  async run(ctx, args) {
    const remotedir = args[args.length - 1]!;
    const dir = guestPath(ctx, 'copy-in', remotedir);
    if (!(await dir.fs.exists(dir.path)) || (await dir.fs.stat(dir.path)).kind !== 'directory') {
      throw new AppError('invalid', 'PLANSCRIPT_COMMAND_FAILED', `target ‘${remotedir}’ is not a directory`);
    }
    for (const local of args.slice(0, -1)) {
      const from = await ctx.scratch.hostPath('copy-in', local);
      await copyHostToGuest(from, dir.fs, joinGuest(dir.path, basename(from)));
    }
  },
};

export const copyOut: CommandSpec = {
  name: 'copy-out',
  synopsis: 'copy-out remotepath [remotepath...] localdir',
  description: 'Copy guest files or directories recursively into an existing host directory (scratch directory).',
  minArgs: 2,
  maxArgs: Infinity,
  writes: false,
  async run(ctx, args) {
    const localdir = await ctx.scratch.hostPath('copy-out', args[args.length - 1]!);
    let isDir = false;
    try {
      isDir = (await lstat(localdir)).isDirectory();
    } catch {
      // missing
    }
    // guestfish words these itself, without a command name, with typographic quotes
    if (!isDir) throw new AppError('invalid', 'PLANSCRIPT_COMMAND_FAILED', `target ‘${args[args.length - 1]}’ is not a directory`);
    for (const remote of args.slice(0, -1)) {
      const from = guestPath(ctx, 'copy-out', remote);
      if (!(await from.fs.exists(from.path))) throw new AppError('not_found', 'PLANSCRIPT_COMMAND_FAILED', `‘${remote}’ is not a file or directory`);
      await copyGuestToHost(ctx, from.fs, from.path, join(localdir, baseName(from.path) || 'root'));
    }
  },
};
