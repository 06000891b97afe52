// The parsed form of a plan script (reference §9.2): one statement per guestfish line, with where it
// came from, so every error can name a line and a column.
import { invalid, type AppError } from '../core/errors.js';

interface Located {
  /** 1-based line and column of the statement's first character (its `-` when ignoring errors). */
  line: number;
  column: number;
  /** `-cmd`: a failure is logged and the run goes on. */
  ignoreErrors: boolean;
  /** The source line as written. */
  source: string;
}

/** A guestfish command: `name arg… [| host pipeline]`, with its here-document when it has one. */
export interface CommandStatement extends Located {
  kind: 'command';
  name: string;
  args: string[];
  /** Host shell pipeline the command's output is piped into (`inspect-os | cat > ./OS-Dev`). */
  pipe?: string;
  /** `-<<END`: the body (every line with its newline, verbatim) replaces argument `argIndex`. */
  heredoc?: { marker: string; body: string; argIndex: number; bodyLine: number };
}

/** `!command` (runs in bash) or `<!command` (its output is run as guestfish commands). */
export interface HostStatement extends Located {
  kind: 'host' | 'inline';
  command: string;
}

/** A line guestfish would refuse at run time (bad quoting…); with `-` its failure is ignored like any other. */
export interface InvalidStatement extends Located {
  kind: 'invalid';
  message: string;
  /** 1-based column where the problem is. */
  errorColumn: number;
}

export type Statement = CommandStatement | HostStatement | InvalidStatement;

export interface ParsedScript {
  statements: Statement[];
}

/** The error of a script that cannot be run at all: `data` holds `line` and `column`. */
export function syntaxError(message: string, at: { line: number; column: number; step?: string }): AppError {
  const where = `${at.step === undefined ? '' : `step "${at.step}", `}line ${at.line}, column ${at.column}`;
  return invalid('PLANSCRIPT_SYNTAX', `Cannot parse the plan script: ${message} (${where})`, {
    data: { line: at.line, column: at.column, ...(at.step === undefined ? {} : { step: at.step }) },
  });
}
