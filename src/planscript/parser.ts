// A whole plan script into statements: lines through the line parser, here-documents (`-<<END` …
// `END`) gathered verbatim. Only what no run could survive is thrown: an unterminated here-document.
import { isAppError } from '../core/errors.js';
import { parseLine } from './line-parser.js';
import { syntaxError, type Statement, type ParsedScript } from './syntax.js';

/**
 * Commands whose argument at the given index is a guestfish FileIn, where `-<<END` starts a
 * here-document (every use in the HPE corpus is `upload`).
 */
const FILE_IN_ARGUMENTS: ReadonlyMap<string, number> = new Map([
  ['upload', 0],
  ['tar-in', 0],
  ['tgz-in', 0],
  ['txz-in', 0],
  ['base64-in', 0],
]);

/** guestfish accepts `mkdir_p` for `mkdir-p`. */
export function canonicalCommandName(name: string): string {
  return name.replaceAll('_', '-');
}

export interface ParseOptions {
  /** Named in error messages: the plan script or build-plan step. */
  step?: string;
}

/**
 * Parses a script (after attribute substitution). Lines guestfish would reject become `invalid`
 * statements (they fail when reached, unless `-` prefixed), so the run stops where guestfish would.
 * Throws AppError `invalid` `PLANSCRIPT_SYNTAX` (with line and column) for an unterminated
 * here-document or one without an end marker.
 */
export function parseScript(text: string, options: ParseOptions = {}): ParsedScript {
  const lines = text.split('\n');
  const statements: Statement[] = [];
  for (let index = 0; index < lines.length; index++) {
    const source = lines[index]!;
    const line = index + 1;
    const parsed = parseLine(source);
    if (parsed.kind === 'empty') continue;
    if (parsed.kind !== 'command') {
      statements.push({ ...parsed, line, source });
      // A broken line that opens a here-document still owns its body: never run a body as commands.
      const marker = parsed.kind === 'invalid' ? /(?:^|\s)["']?-<<([^\s"']+)/.exec(source)?.[1] : undefined;
      const end = marker === undefined ? -1 : lines.indexOf(marker, index + 1);
      if (end !== -1) index = end;
      continue;
    }
    const { argColumns, ...command } = parsed;
    const statement: Statement = { ...command, line, source };
    const fileIn = FILE_IN_ARGUMENTS.get(canonicalCommandName(parsed.name));
    const arg = fileIn === undefined ? undefined : parsed.args[fileIn];
    if (fileIn !== undefined && arg !== undefined && arg.startsWith('-<<')) {
      const at = { line, column: argColumns[fileIn]!, ...(options.step === undefined ? {} : { step: options.step }) };
      const marker = arg.slice(3);
      if (marker === '') throw syntaxError('missing end marker in -<< expression', at);
      let end = index + 1;
      while (end < lines.length && lines[end] !== marker) end++;
      // The text's last line has no newline after it: it cannot be a body line followed by a marker.
      if (end >= lines.length) {
        const crlf = lines.slice(index + 1).some((l) => l === `${marker}\r`);
        throw syntaxError(`here-document "${marker}" is never terminated${crlf ? ' (its end marker is followed by a carriage return: the script has CRLF line endings)' : ''}`, at);
      }
      const body = lines.slice(index + 1, end).map((l) => `${l}\n`).join('');
      statement.heredoc = { marker, body, argIndex: fileIn, bodyLine: line + 1 };
      index = end;
    }
    statements.push(statement);
  }
  return { statements };
}

/** A line of a plan script that does not parse; `ignored` for a `-` line, whose failure a run logs and passes over. */
export interface ScriptSyntaxProblem {
  line: number;
  column: number;
  message: string;
  ignored: boolean;
}

/**
 * Every line of `text` that does not parse (invalid statements), or the one error that stops the parse (a
 * here-document never closed): what the REST create refuses a plan script for and bundle extraction warns of.
 */
export function scriptSyntaxProblems(text: string): ScriptSyntaxProblem[] {
  try {
    return parseScript(text).statements.flatMap((st) => (st.kind === 'invalid' ? [{ line: st.line, column: st.errorColumn, message: st.message, ignored: st.ignoreErrors }] : []));
  } catch (error) {
    if (!isAppError(error)) throw error;
    const at = error.data as { line?: number; column?: number };
    const message = error.message.replace(/^Cannot parse the plan script: /, '').replace(/ \((?:step "[^"]*", )?line \d+, column \d+\)$/, '');
    return [{ line: at.line ?? 1, column: at.column ?? 1, message, ignored: false }];
  }
}
