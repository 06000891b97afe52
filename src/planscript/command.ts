// What a plan-script command is (one file each under commands/) and what it may use while it runs.
// Commands print like guestfish prints and fail with AppErrors worded like libguestfs' errors.
import { AppError } from '../core/errors.js';
import type { GuestSession } from '../guestfs/session.js';
import type { ImageFs } from '../guestfs/image-fs.js';
import type { OsInspection } from '../guestfs/inspect/index.js';
import type { Scratch } from './scratch.js';

/** Facts the pre-flight pass knows about the guest before anything runs. */
export interface PreflightFacts {
  /** list-filesystems: device → type (`ext4`, `vfat`, `xfs`, `LVM2_member`…). */
  filesystems: ReadonlyMap<string, string>;
  /** Whether `inspect-os` can be answered. */
  canInspect: boolean;
}

export interface CommandContext {
  session: GuestSession;
  scratch: Scratch;
  signal: AbortSignal;
  /** Appends to the command's standard output (what guestfish prints; piped or logged). */
  print(text: string): void;
  /** Runs another command by name, as `glob` does for each expansion; throws its error. */
  runCommand(name: string, args: string[]): Promise<void>;
  /** A guestfish FileIn argument: the statement's here-document for `-<<END`, else a scratch-directory file. */
  fileIn(command: string, arg: string): Promise<Buffer>;
  /** A guestfish FileOut argument: `-` prints the data, anything else is a scratch-directory file. */
  fileOut(command: string, arg: string, data: Uint8Array): Promise<void>;
  /** inspect-os for this run (absent when the session cannot inspect): runs it and remembers the result. */
  inspect?: () => Promise<OsInspection[]>;
  /** What the last inspect-os found, for inspect-get-*; undefined before inspect-os ran. */
  inspected(): OsInspection[] | undefined;
}

export interface CommandSpec {
  /** The guestfish name, with dashes (`mkdir-p`); guestfish also accepts underscores. */
  name: string;
  aliases?: readonly string[];
  /** Arguments as guestfish's help shows them: `remotefilename`, `[level:N]` for an optional one, `paths...`. */
  synopsis: string;
  /** One line for the reference. */
  description: string;
  minArgs: number;
  /** `Infinity` for a list. Optional `name:value` arguments count too. */
  maxArgs: number;
  /** Whether it can change the guest (the dry-run and read-only checks use it). */
  writes: boolean;
  /** A reason the engine cannot do this use (an XFS mount…), or undefined. */
  preflight?(args: readonly string[], facts: PreflightFacts): string | undefined;
  run(ctx: CommandContext, args: readonly string[]): Promise<void>;
}

/** A command that fails the way libguestfs reports it: `mkdir: /a/b: No such file or directory`. */
export function commandError(command: string, message: string, code = 'PLANSCRIPT_COMMAND_FAILED'): AppError {
  return new AppError('invalid', code, `${command}: ${message}`);
}

/**
 * An absolute guest path on the filesystem mounted over it; libguestfs refuses relative paths. `command`
 * is libguestfs' own name for the call (`internal_write`, `ls0`), which its errors print.
 */
export function guestPath(ctx: CommandContext, command: string, path: string): { fs: ImageFs; path: string } {
  // the daemon's stub checks this before the call runs, and its error names the stub
  if (!path.startsWith('/')) throw commandError(command, `${command}_stub: path must start with a / character`);
  if (!ctx.session.mounts().some((m) => m.mountpoint === '/')) throw notMounted(command);
  const resolved = ctx.session.resolve(path);
  return { fs: resolved.fs, path: resolved.path };
}

/** libguestfs' error for a call that needs a mounted root before anything is mounted. */
export function notMounted(command: string): AppError {
  return new AppError('precondition', 'GUESTFS_NOT_MOUNTED', `${command}: ${command}_stub: you must call 'mount' first to mount the root filesystem`);
}

/** The errno text an ImageFs error ends with (`No such file or directory`). */
export function reasonOf(error: AppError): string {
  return error.message.slice(error.message.lastIndexOf(': ') + 2);
}

/**
 * Runs an ImageFs call and words its failure the way libguestfs does for this command:
 * `command: ${message(reason)}`, e.g. `internal_write: open: /x/y: No such file or directory`.
 */
export async function worded<T>(call: () => Promise<T>, command: string, message: (reason: string) => string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof AppError) || !error.code.startsWith('FS_')) throw error;
    throw new AppError(error.kind, error.code, `${command}: ${message(reasonOf(error))}`, { cause: error });
  }
}

/**
 * Splits trailing `name:value` optional arguments off (guestfish's `[followsymlinks:true]`). An
 * argument after the required ones that is not `known:value` is an error, like guestfish.
 */
export function optionalArgs(command: string, args: readonly string[], required: number, known: readonly string[]): { positional: string[]; options: Map<string, string> } {
  const options = new Map<string, string>();
  for (const arg of args.slice(required)) {
    const colon = arg.indexOf(':');
    const name = colon === -1 ? '' : arg.slice(0, colon);
    if (!known.includes(name)) throw commandError(command, `unknown optional argument "${arg}"`);
    if (options.has(name)) throw commandError(command, `optional argument "${name}" given more than once`);
    options.set(name, arg.slice(colon + 1));
  }
  return { positional: args.slice(0, required), options };
}

/** guestfish's boolean arguments: true/false, yes/no, on/off, 1/0. */
export function parseBool(command: string, value: string): boolean {
  const v = value.toLowerCase();
  if (['true', 't', 'yes', 'y', 'on', '1'].includes(v)) return true;
  if (['false', 'f', 'no', 'n', 'off', '0'].includes(v)) return false;
  throw commandError(command, `"${value}": invalid boolean value`);
}

/** guestfish's integers: C conventions (`0755` octal, `0x1ed` hex, else decimal). */
export function parseCInteger(command: string, value: string): number {
  const text = value.trim();
  const n = /^[+-]?0[xX][0-9a-fA-F]+$/.test(text)
    ? parseInt(text, 16)
    : /^[+-]?0[0-7]*$/.test(text)
      ? parseInt(text, 8)
      : /^[+-]?[1-9][0-9]*$/.test(text)
        ? parseInt(text, 10)
        : NaN;
  if (!Number.isSafeInteger(n)) throw commandError(command, `"${value}": invalid integer parameter`);
  return n;
}
