// cat: print a guest file as guestfish does (a C string, then a newline).
import { guestPath, type CommandSpec } from '../command.js';

export const cat: CommandSpec = {
  name: 'cat',
  synopsis: 'cat path',
  description: 'Print a guest file followed by a newline; like guestfish, output stops at the first NUL byte.',
  minArgs: 1,
  maxArgs: 1,
  writes: false,
  async run(ctx, [path]) {
    const source = guestPath(ctx, 'cat', path!);
    const data = await source.fs.readFile(source.path);
    const nul = data.indexOf(0);
    ctx.print(`${(nul === -1 ? data : data.subarray(0, nul)).toString('utf8')}\n`);
  },
};
