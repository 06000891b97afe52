// One guestfish line into a statement, the way guestfish's own parser splits it: `#` comments, `!` and
// `<!` host commands, `-` to ignore errors, an unquoted command word, arguments bare or quoted, `|` pipes.

/** What one line holds; here-documents are attached by the script parser. */
export type LineResult =
  | { kind: 'empty' }
  | { kind: 'command'; ignoreErrors: boolean; column: number; name: string; args: string[]; argColumns: number[]; pipe?: string }
  | { kind: 'host' | 'inline'; ignoreErrors: boolean; column: number; command: string }
  | { kind: 'invalid'; ignoreErrors: boolean; column: number; message: string; errorColumn: number };

const isBlank = (ch: string | undefined) => ch === ' ' || ch === '\t';
const isSpace = (ch: string | undefined) => ch !== undefined && ' \t\n\v\f\r'.includes(ch);

const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '"': '"', "'": "'", '?': '?' };

/** Reads a double-quoted string whose opening quote is at `open`; returns its value and the closing index. */
function readDoubleQuoted(line: string, open: number): { value: string; close: number } | { error: string; at: number } {
  let value = '';
  let i = open + 1;
  while (i < line.length && line[i] !== '"') {
    if (line[i] !== '\\') {
      value += line[i];
      i++;
      continue;
    }
    const next = line[i + 1] ?? '';
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      value += simple;
      i += 2;
      continue;
    }
    // guestfish: octal is exactly three digits, hex exactly two, and the result must be 1..255.
    const octal = /^[0-7]{3}/.exec(line.slice(i + 1, i + 4));
    const hex = next === 'x' ? /^[0-9A-Fa-f]{2}/.exec(line.slice(i + 2, i + 4)) : null;
    const code = octal !== null ? parseInt(octal[0], 8) : hex !== null ? parseInt(hex[0], 16) : -1;
    if (code < 1 || code > 255) return { error: 'invalid escape sequence in double-quoted string', at: i };
    value += String.fromCharCode(code);
    i += 4;
  }
  if (i >= line.length) return { error: 'unterminated double quote', at: open };
  return { value, close: i };
}

/** Parses one line (no newline in it). Columns are 1-based. */
export function parseLine(line: string): LineResult {
  let i = 0;
  let ignoreErrors = false;
  let column = 0;
  for (;;) {
    while (isSpace(line[i])) i++;
    if (i >= line.length || line[i] === '#') return { kind: 'empty' };
    if (column === 0) column = i + 1;
    if (line[i] === '!') return { kind: 'host', ignoreErrors, column, command: line.slice(i + 1) };
    if (line[i] === '<' && line[i + 1] === '!') return { kind: 'inline', ignoreErrors, column, command: line.slice(i + 2) };
    if (line[i] !== '-') break;
    ignoreErrors = true;
    i++;
  }
  const invalidAt = (message: string, at: number): LineResult => ({ kind: 'invalid', ignoreErrors, column, message, errorColumn: at + 1 });
  let end = i;
  while (end < line.length && !isBlank(line[end])) end++;
  const name = line.slice(i, end);
  const args: string[] = [];
  const argColumns: number[] = [];
  let pipe: string | undefined;
  i = end;
  while (isBlank(line[i])) i++;
  while (i < line.length) {
    const start = i;
    const ch = line[i];
    let value: string;
    if (ch === '"' || ch === "'") {
      let close: number;
      if (ch === '"') {
        const read = readDoubleQuoted(line, i);
        if ('error' in read) return invalidAt(read.error, read.at);
        value = read.value;
        close = read.close;
      } else {
        close = line.indexOf("'", i + 1);
        if (close === -1) return invalidAt('unterminated single quote', i);
        value = line.slice(i + 1, close);
      }
      if (close + 1 < line.length && !isBlank(line[close + 1])) return invalidAt('command arguments not separated by whitespace', close + 1);
      i = close + 1;
    } else if (ch === '|') {
      pipe = line.slice(i + 1);
      break;
    } else {
      while (i < line.length && !isBlank(line[i])) i++;
      value = line.slice(start, i);
    }
    args.push(value);
    argColumns.push(start + 1);
    while (isBlank(line[i])) i++;
  }
  // guestfish keeps at most 63 arguments.
  if (args.length >= 64) return invalidAt('too many arguments', argColumns[63]! - 1);
  return pipe === undefined ? { kind: 'command', ignoreErrors, column, name, args, argColumns } : { kind: 'command', ignoreErrors, column, name, args, argColumns, pipe };
}
