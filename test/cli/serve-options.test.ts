// `streamer serve` options reach the appliance as ServeOptions; a bad value stops it with a message naming
// the option and what it takes (no stack trace, the usage exit code), before anything starts.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ServeOptions } from '../../src/appliance.js';
import { exitCodes, runCli } from '../../src/cli/index.js';

async function serve(args: string[]): Promise<{ code: number; stderr: string; asked: ServeOptions | undefined }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const stdin = new PassThrough();
  stdin.end();
  let asked: ServeOptions | undefined;
  const code = await runCli(['serve', '--data', '/nonexistent/streamer-data', ...args], {
    io: { stdout, stderr, stdin, env: {} },
    serve: (options) => {
      asked = options;
      return Promise.reject(new Error('stopped here: the options are what this test checks'));
    },
  });
  return { code, stderr: err, asked };
}

describe('streamer serve', () => {
  it('passes --nbd-tls through; leaves it to the appliance default when absent', async () => {
    expect((await serve(['--nbd-tls', 'require'])).asked).toMatchObject({ nbdTls: 'require', nbd: { port: 10809 } });
    expect((await serve(['--http'])).asked).not.toHaveProperty('nbdTls');
  });

  it('refuses a bad --nbd-tls or port with a message, not a stack, and starts nothing', async () => {
    for (const [args, message] of [
      [['--nbd-tls', 'bogus'], 'Cannot start: "--nbd-tls bogus" is not one of off, allow, require'],
      [['--nbd-port', '70000'], 'Cannot start: "--nbd-port 70000" is not a port number'],
    ] as const) {
      const run = await serve([...args]);
      expect(run.asked).toBeUndefined();
      expect(run.code).toBe(exitCodes.usage);
      expect(run.stderr.trim()).toBe(`streamer: ${message}`);
    }
  });
});
