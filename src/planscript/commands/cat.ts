// cat: print a guest file as guestfish does (a C string, then a newline).
import { guestPath, worded, type CommandSpec } from '../command.js';

export const cat: CommandSpec = {
  name: 'cat',
  synopsis: 'cat path',
  description: 'Print a guest file followed by a newline; like guestfish, output stops at the first NUL byte.',
  minArgs: 1,
  maxArgs: 1,
  writes: false,
  async run(ctx, [path]) {
    // guestfish 1.48 reads through download, whose name its errors carry
    const source = guestPath(ctx, 'download', path!);
    const data = await worded(() => source.fs.readFile(source.path), 'download', (r) => `${path}: ${r === 'Is a directory' ? 'is a directory' : r}`);
    const nul = data.indexOf(0);
    ctx.print(`${(nul === -1 ? data : data.subarray(0, nul)).toString('utf8')}\n`);
  },
};
