// Real client tools for the NBD tests: a missing tool fails the test with the Debian package to install.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Throws unless `command` is on PATH, naming the Debian package that provides it. */
export function requireTool(command: string, debianPackage: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (found.status !== 0) {
    throw new Error(`Cannot run this test: "${command}" is missing (apt-get install ${debianPackage})`);
  }
}

/** Runs a tool; resolves with its stdout, rejects with its stderr in the message. */
export async function tool(command: string, args: string[], options: { timeoutMs?: number } = {}): Promise<string> {
  try {
    const { stdout } = await run(command, args, { timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 << 20 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${err.stderr ?? ''} ${err.message}`);
  }
}
