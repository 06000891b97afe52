// Exit codes of the `streamer` command by error kind: one table, shown in `streamer --help`, and the one
// function that picks a code for anything thrown.
import { isAppError } from '../core/errors.js';

export const exitCodes = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  notFound: 3,
  conflict: 4,
  unauthorized: 5,
  invalid: 6,
  unreachable: 7,
  taskFailed: 8,
} as const;

/** Error codes the CLI itself raises whose exit code is more specific than their kind's. */
export const CLI_USAGE = 'CLI_USAGE';
export const TASK_FAILED = 'TASK_FAILED';

export const exitCodeHelp = `Exit codes:
  0  success (a watched task ended Completed or Warning)
  1  unexpected error
  2  usage error (unknown command or resource, bad option)
  3  not found
  4  conflict (name taken, artifact in use: see --force, resource changed since read)
  5  not logged in, session expired, or not allowed (run "streamer login")
  6  invalid input (rejected body, bad JSON file)
  7  server unreachable or unavailable (connection refused, TLS, timeout, 503)
  8  task failed (Error, Terminated, Killed, Interrupted)`;

/** The exit code for an error thrown anywhere under a command. */
export function exitCodeFor(error: unknown): number {
  if (!isAppError(error)) return exitCodes.unexpected;
  if (error.code === CLI_USAGE) return exitCodes.usage;
  if (error.code === TASK_FAILED) return exitCodes.taskFailed;
  switch (error.kind) {
    case 'invalid':
      return exitCodes.invalid;
    case 'not_found':
      return exitCodes.notFound;
    case 'conflict':
    case 'precondition':
      return exitCodes.conflict;
    case 'unauthorized':
    case 'forbidden':
      return exitCodes.unauthorized;
    case 'unavailable':
      return exitCodes.unreachable;
    case 'internal':
      return exitCodes.unexpected;
  }
}
