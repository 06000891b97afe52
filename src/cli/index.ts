// The command line: one commander program; `serve` is handed in by main.ts (the composition root).
import { Command } from 'commander';
import type { RunningAppliance, ServeOptions } from '../appliance.js';
import { registerServe } from './commands/serve.js';

export interface CliHooks {
  serve: (options: ServeOptions) => Promise<RunningAppliance>;
}

/** Runs the CLI and returns the process exit code. */
export async function runCli(argv: string[], hooks: CliHooks): Promise<number> {
  const program = new Command('streamer').description('Streamer: deploy stateless servers from golden images').exitOverride();
  let exitCode = 0;
  registerServe(program, hooks.serve);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    const code = (error as { exitCode?: unknown }).exitCode;
    if (typeof code === 'number') return code;
    process.stderr.write(`streamer: ${(error as Error).message}\n`);
    exitCode = 1;
  }
  return exitCode;
}
