// version: the libguestfs version this engine answers for, in guestfish's struct format.
import type { CommandSpec } from '../command.js';

/** The guestfish the engine matches (Debian 12's libguestfs-tools), which the conformance suite runs. */
export const EMULATED_VERSION = { major: 1, minor: 48, release: 6, extra: '' } as const;

export const version: CommandSpec = {
  name: 'version',
  synopsis: 'version',
  description: `Print the emulated libguestfs version as "major: ${EMULATED_VERSION.major}", "minor: …", "release: …", "extra: …" lines.`,
  minArgs: 0,
  maxArgs: 0,
  writes: false,
  run(ctx) {
    const v = EMULATED_VERSION;
    ctx.print(`major: ${v.major}\nminor: ${v.minor}\nrelease: ${v.release}\nextra: ${v.extra}\n`);
    return Promise.resolve();
  },
};
