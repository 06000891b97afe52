// What a command reads and writes besides the network: streams, environment, terminal. Handed in so
// tests can run commands in-process and capture their output.
import { AppError } from '../core/errors.js';

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  env: NodeJS.ProcessEnv;
}

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env });

export function print(io: CliIo, text: string): void {
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function warn(io: CliIo, text: string): void {
  io.stderr.write(`streamer: ${text}\n`);
}

/** Reads a password from the terminal without echo; fails when stdin is not a terminal. */
export function promptPassword(io: CliIo, prompt: string): Promise<string> {
  const stdin = io.stdin;
  if (stdin.isTTY !== true || stdin.setRawMode === undefined) {
    return Promise.reject(new AppError('invalid', 'CLI_NO_PASSWORD', 'Cannot log in: no password given', {
      recommendedActions: ['Pass --password, set STREAMER_PASSWORD, or run on a terminal to be asked'],
    }));
  }
  const setRaw = stdin.setRawMode.bind(stdin);
  io.stderr.write(prompt);
  setRaw(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: AppError) => {
      stdin.off('data', onData);
      setRaw(false);
      stdin.pause();
      io.stderr.write('\n');
      if (error === undefined) resolve(value);
      else reject(error);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return finish();
        if (ch === '\u0003') return finish(new AppError('invalid', 'CLI_CANCELLED', 'Cannot log in: cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
