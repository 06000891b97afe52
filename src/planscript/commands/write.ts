// write, write-append: a guest file's content from an argument.
import { guestPath, type CommandSpec } from '../command.js';

export const write: CommandSpec = {
  name: 'write',
  synopsis: 'write path content',
  description: 'Create or overwrite a guest file with the content argument (no newline added).',
  minArgs: 2,
  maxArgs: 2,
  writes: true,
  async run(ctx, [path, content]) {
    const target = guestPath(ctx, 'write', path!);
    await target.fs.writeFile(target.path, Buffer.from(content!, 'utf8'), { mode: 0o644 });
  },
};

export const writeAppend: CommandSpec = {
  name: 'write-append',
  synopsis: 'write-append path content',
  description: 'Append the content argument to a guest file, creating it when missing.',
  minArgs: 2,
  maxArgs: 2,
  writes: true,
  async run(ctx, [path, content]) {
    const target = guestPath(ctx, 'write_append', path!);
    const data = Buffer.from(content!, 'utf8');
    if (await target.fs.exists(target.path)) await target.fs.appendFile(target.path, data);
    else await target.fs.writeFile(target.path, data, { mode: 0o644 });
  },
};
