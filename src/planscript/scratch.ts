// The run's scratch directory on the host: where `./file` in a script lives, where host commands run,
// and the only host place upload/download/copy-in/copy-out may touch. Deleted when the run ends.
import { mkdtemp, realpath, rm, chown } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { AppError } from '../core/errors.js';

export class Scratch {
  private constructor(
    readonly dir: string,
    private readonly owner: { uid: number; gid: number } | undefined,
  ) {}

  /** Makes a fresh directory under `parent` (mode 0700); `owner` hands it to the user host commands run as. */
  static async create(parent: string, owner?: { uid: number; gid: number }): Promise<Scratch> {
    const dir = await realpath(await mkdtemp(join(parent, 'planscript-')));
    if (owner !== undefined) await chown(dir, owner.uid, owner.gid);
    return new Scratch(dir, owner);
  }

  /**
   * The host path a script names (`./x`, `x`, or an absolute path inside the scratch directory), checked
   * after following symlinks so that nothing a host command links can lead outside. Throws AppError
   * `forbidden` `PLANSCRIPT_HOST_PATH` otherwise.
   */
  async hostPath(command: string, path: string): Promise<string> {
    const wanted = isAbsolute(path) ? resolve(path) : resolve(this.dir, path);
    let real: string;
    try {
      real = await realpath(wanted);
    } catch {
      // Not there (yet): check the directory it would be made in.
      const parent = await realpath(dirname(wanted)).catch(() => dirname(wanted));
      real = join(parent, relative(dirname(wanted), wanted));
    }
    if (real !== this.dir && !real.startsWith(this.dir + sep)) {
      throw new AppError('forbidden', 'PLANSCRIPT_HOST_PATH', `${command}: ${path}: host files must stay inside the run's scratch directory`, {
        recommendedActions: ['Use a relative path such as "./file" for host-side files'],
      });
    }
    return real;
  }

  /** Gives a file the engine wrote to the user host commands run as, so they can change it. */
  async adopt(path: string): Promise<void> {
    if (this.owner !== undefined) await chown(path, this.owner.uid, this.owner.gid);
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
