// write, write-append: a guest file's content from an argument.
import { guestPath, worded, type CommandSpec } from '../command.js';

export const write: CommandSpec = {
  name: 'write',
  synopsis: 'write path content',
  description: 'Create or overwrite a guest file with the content argument (no newline added).',
  minArgs: 2,
  maxArgs: 2,
  writes: true,
  async run(ctx, [path, content]) {
    const target = guestPath(ctx, 'internal_write', path!);
    await worded(() => target.fs.writeFile(target.path, Buffer.from(content!, 'utf8'), { mode: 0o644 }), 'internal_write', (r) => `open: ${path}: ${r}`);
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
    const target = guestPath(ctx, 'internal_write_append', path!);
    const data = Buffer.from(content!, 'utf8');
    await worded(
      async () => ((await target.fs.exists(target.path)) ? target.fs.appendFile(target.path, data) : target.fs.writeFile(target.path, data, { mode: 0o644 })),
      'internal_write_append',
      (r) => `open: ${path}: ${r}`,
    );
  },
};
