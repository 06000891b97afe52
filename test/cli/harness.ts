// CLI test harness: a real appliance served on an ephemeral 127.0.0.1 port (in-process), the CLI run
// in-process through runCli with captured streams, or as the real `node dist/src/main.js` process.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { serveAppliance, type RunningAppliance } from '../../src/appliance.js';
import { runCli, type CliIo } from '../../src/cli/index.js';
import { serveWithFiles } from './file-server.js';

export const ADMIN_PASSWORD = 'admin-password-1';
export const MAIN = join(import.meta.dirname, '..', '..', 'dist', 'src', 'main.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliHarness {
  running: RunningAppliance;
  url: string;
  dir: string;
  /** Session file the CLI uses (STREAMER_CONFIG). */
  config: string;
  /** Runs the CLI in-process; `tty` makes stdout look like a terminal. */
  cli(args: string[], options?: { tty?: boolean; env?: Record<string, string>; stdin?: string; stdinTty?: boolean }): Promise<CliRun>;
  /** Runs the built CLI as a real process. */
  process(args: string[], options?: { env?: Record<string, string> }): Promise<CliRun>;
  close(): Promise<void>;
}

/** `files: true` also mounts golden-image and bundle routes (see file-server.ts). */
export async function startCliHarness(options: { https?: boolean; files?: boolean } = {}): Promise<CliHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'streamer-cli-'));
  const running = options.files === true ? await serveWithFiles(join(dir, 'data'), ADMIN_PASSWORD) : await serveAppliance({
    dataDir: join(dir, 'data'),
    host: '127.0.0.1',
    port: 0,
    http: options.https !== true,
    adminPassword: ADMIN_PASSWORD,
    logger: pino({ level: 'silent' }),
  });
  const config = join(dir, 'session.json');
  const baseEnv = { STREAMER_CONFIG: config, HOME: dir };
  return {
    running,
    url: running.server.url,
    dir,
    config,
    async cli(args, o = {}) {
      const stdout = Object.assign(new PassThrough(), { isTTY: o.tty === true, columns: 100 });
      const stderr = new PassThrough();
      const rawModes: boolean[] = [];
      const stdin = Object.assign(new PassThrough(), o.stdinTty === true ? { isTTY: true, setRawMode: (raw: boolean) => rawModes.push(raw) } : {});
      stdin.end(o.stdin ?? '');
      let out = '';
      let err = '';
      stdout.on('data', (d: Buffer) => (out += d.toString()));
      stderr.on('data', (d: Buffer) => (err += d.toString()));
      const io: CliIo = { stdout, stderr, stdin, env: { ...baseEnv, ...(o.env ?? {}) } };
      const code = await runCli(args, { io, serve: () => Promise.reject(new Error('serve is not part of these tests')) });
      if (o.stdinTty === true && rawModes.at(-1) !== false && rawModes.length > 0) throw new Error('the terminal was left in raw mode');
      return { code, stdout: out, stderr: err };
    },
    process(args, o = {}) {
      if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npx tsc -p tsconfig.json" first (npm test does)`);
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [MAIN, ...args], {
          env: { PATH: process.env['PATH'] ?? '', ...baseEnv, ...(o.env ?? {}) },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (err += d.toString()));
        child.once('error', reject);
        child.once('close', (code) => resolve({ code: code ?? -1, stdout: out, stderr: err }));
      });
    },
    async close() {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
