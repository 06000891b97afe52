// echo: guestfish's own echo, arguments joined by one space.
import type { CommandSpec } from '../command.js';

export const echo: CommandSpec = {
  name: 'echo',
  synopsis: 'echo [params...]',
  description: 'Print the arguments separated by spaces, then a newline (to the run log, or into a pipe).',
  minArgs: 0,
  maxArgs: Infinity,
  writes: false,
  run(ctx, args) {
    ctx.print(`${args.join(' ')}\n`);
    return Promise.resolve();
  },
};
