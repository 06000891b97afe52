// The command line: one commander program and its one error boundary. `serve` is handed in by main.ts
// (the composition root); every other command is a REST client of a running appliance.
import { Command, CommanderError } from 'commander';
import type { RunningAppliance, ServeOptions } from '../appliance.js';
import { isAppError } from '../core/errors.js';
import { registerFileVerbs } from './commands/files.js';
import { registerLogin } from './commands/login.js';
import { registerResource } from './commands/resource.js';
import { registerServe } from './commands/serve.js';
import { registerTasksWatch } from './commands/tasks-watch.js';
import { exitCodeFor, exitCodeHelp, exitCodes } from './exit-codes.js';
import { processIo, type CliIo } from './io.js';
import { resources } from './resources.js';

export { ApiClient, errorFromReply, taskFailure, type ClientOptions, type Reply } from './client.js';
export { exitCodes } from './exit-codes.js';
export type { CliIo } from './io.js';
export { resources, type ResourceSpec } from './resources.js';

export interface CliHooks {
  serve: (options: ServeOptions) => Promise<RunningAppliance>;
  /** Streams and environment (default: the process's); tests pass their own to capture output. */
  io?: CliIo;
}

const epilogue = `
Log in once, then manage resources:
  streamer login --url https://appliance:8443 --user Administrator
  streamer plan-scripts create --name hostname --type deploy --content-file hostname.txt
  streamer build-plans list --filter oeBuildPlanType=deploy --sort name:asc
  streamer tasks watch <task-id>

Environment: STREAMER_CONFIG (session file, default ~/.config/streamer/session.json),
STREAMER_PASSWORD (login password).

${exitCodeHelp}
`;

function reportError(io: CliIo, error: unknown): void {
  if (!isAppError(error)) {
    io.stderr.write(`streamer: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return;
  }
  const lines = [`streamer: ${error.message}`];
  if (error.details !== '') lines.push(`  ${error.details}`);
  const actions = [...error.recommendedActions];
  if (error.kind === 'forbidden' && actions.length === 0) actions.push('Log in as a user whose role allows this: "streamer login --url URL --user NAME"');
  for (const action of actions) lines.push(`  → ${action}`);
  io.stderr.write(`${lines.join('\n')}\n`);
}

/** Runs the CLI and returns the process exit code (see `exitCodes`). */
export async function runCli(argv: string[], hooks: CliHooks): Promise<number> {
  const io = hooks.io ?? processIo();
  const program = new Command('streamer')
    .description('Streamer: deploy stateless servers from golden images')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .addHelpText('after', epilogue);
  registerServe(program, hooks.serve);
  registerLogin(program, io);
  for (const spec of resources) {
    const group = registerResource(program, io, spec);
    registerFileVerbs(group, io, spec);
    if (spec.name === 'tasks') registerTasksWatch(group, io);
  }
  for (const command of program.commands) {
    command.exitOverride();
    for (const sub of command.commands) sub.exitOverride();
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return exitCodes.ok;
      return exitCodes.usage;
    }
    reportError(io, error);
    return exitCodeFor(error);
  }
}
