// compress-out: a guest file, gzip-compressed, to a host file in the scratch directory.
import { gzipSync } from 'node:zlib';
import { commandError, guestPath, optionalArgs, parseCInteger, type CommandSpec } from '../command.js';

export const compressOut: CommandSpec = {
  name: 'compress-out',
  synopsis: 'compress-out ctype file zfile [level:N]',
  description: 'Compress a guest file into a host file in the scratch directory; ctype gzip only.',
  minArgs: 3,
  maxArgs: 4,
  writes: false,
  preflight: ([ctype]) => (ctype === 'gzip' ? undefined : `compression type "${ctype}" is not available natively (only gzip)`),
  async run(ctx, args) {
    const { positional, options } = optionalArgs('compress_out', args, 3, ['level']);
    const [ctype, file, zfile] = positional as [string, string, string];
    if (ctype !== 'gzip') throw commandError('compress_out', `${ctype}: unsupported compression type`);
    const level = options.has('level') ? parseCInteger('compress_out', options.get('level')!) : 6;
    if (level < 1 || level > 9) throw commandError('compress_out', `level: ${level}: must be 1..9`);
    const source = guestPath(ctx, 'compress_out', file);
    await ctx.fileOut('compress_out', zfile, gzipSync(await source.fs.readFile(source.path), { level }));
  },
};
