// glob: run a command once for every combination of its expanded wildcard arguments (guestfish's glob).
import { commandError, type CommandSpec } from '../command.js';
import { componentRegExp, globGuest, hasWildcard } from '../glob-match.js';

export const glob: CommandSpec = {
  name: 'glob',
  synopsis: 'glob command [args...]',
  description: 'Expand wildcards in guest-path (and /dev/) arguments, then run the command for each combination; a pattern matching nothing is passed as written.',
  minArgs: 1,
  maxArgs: Infinity,
  writes: true,
  async run(ctx, [command, ...args]) {
    const lists: string[][] = [];
    for (const arg of args) {
      let matches: string[] = [];
      if (arg.startsWith('/dev/')) {
        const re = componentRegExp(arg);
        const devices = [...ctx.session.listDevices(), ...ctx.session.listPartitions().map((p) => p.device)];
        matches = hasWildcard(arg) ? devices.filter((d) => re.test(d)) : [];
      } else if (arg.startsWith('/') && hasWildcard(arg)) {
        matches = await globGuest(arg, (path) => {
          const r = ctx.session.resolve(path);
          return { fs: r.fs, path: r.path };
        });
      }
      lists.push(matches.length > 0 ? matches : [arg]);
    }
    let combinations: string[][] = [[]];
    for (const list of lists) combinations = combinations.flatMap((prefix) => list.map((item) => [...prefix, item]));
    let firstError: Error | undefined;
    // Like guestfish, every combination runs even after one fails; the glob fails at the end.
    for (const combination of combinations) {
      try {
        await ctx.runCommand(command!, combination);
      } catch (error) {
        // runCommand rejects with the AppError the interpreter made; a bare value (a string) becomes one here
        firstError ??= error instanceof Error ? error : commandError('glob', String(error));
      }
    }
    if (firstError !== undefined) throw firstError;
  },
};
