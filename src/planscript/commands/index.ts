// The commands the native engine runs, one file each (reference §9.3), and lookup by guestfish name.
import type { CommandSpec } from '../command.js';
import { cat } from './cat.js';
import { chmod, chown } from './chmod.js';
import { compressOut } from './compress-out.js';
import { copyIn, copyOut } from './copy-in-out.js';
import { cp, cpA, cpR, mv } from './cp.js';
import { download } from './download.js';
import { echo } from './echo.js';
import { glob } from './glob.js';
import { INSPECT_COMMANDS } from './inspect.js';
import { listDevices, listFilesystems, listPartitions, lvs, pvs, vgs } from './listing.js';
import { ln, lnF, lnS, lnSf } from './ln.js';
import { ls } from './ls.js';
import { readlink, rmdir } from './misc.js';
import { mkdir } from './mkdir.js';
import { mkdirP } from './mkdir-p.js';
import { mount, mountRo, sync, umount, umountAll } from './mount.js';
import { rm, rmF, rmRf } from './rm.js';
import { statvfs } from './statvfs.js';
import { exists, isDir, isFile, isSymlink } from './tests.js';
import { touch } from './touch.js';
import { upload } from './upload.js';
import { version } from './version.js';
import { write, writeAppend } from './write.js';

/** Every native command, in the order the reference lists them (alphabetical). */
export const BUILTIN_COMMANDS: readonly CommandSpec[] = [
  cat, chmod, chown, compressOut, copyIn, copyOut, cp, cpA, cpR, download, echo, exists, glob,
  isDir, isFile, isSymlink, listDevices, listFilesystems, listPartitions, ln, lnF, lnS, lnSf, ls, lvs, mkdir,
  mkdirP, mount, mountRo, mv, pvs, readlink, rm, rmF, rmRf, rmdir, statvfs, sync, touch, umount, umountAll,
  upload, version, vgs, write, writeAppend, ...INSPECT_COMMANDS,
].sort((a, b) => a.name.localeCompare(b.name));

/** Looks commands up by name or alias, with `_` read as `-` like guestfish. */
export class CommandRegistry {
  private readonly byName = new Map<string, CommandSpec>();

  constructor(readonly specs: readonly CommandSpec[] = BUILTIN_COMMANDS) {
    for (const spec of specs) {
      for (const name of [spec.name, ...(spec.aliases ?? [])]) {
        if (this.byName.has(name)) throw new Error(`Duplicate plan-script command "${name}"`);
        this.byName.set(name, spec);
      }
    }
  }

  get(name: string): CommandSpec | undefined {
    return this.byName.get(name.replaceAll('_', '-'));
  }
}

export { unsupportedReason, UNSUPPORTED_REASONS } from './unsupported.js';
