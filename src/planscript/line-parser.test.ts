import { describe, expect, it } from 'vitest';
import { parseLine } from './line-parser.js';

const args = (line: string) => {
  const r = parseLine(line);
  if (r.kind !== 'command') throw new Error(`not a command: ${JSON.stringify(r)}`);
  return r.args;
};

describe('parseLine', () => {
  it('skips blank lines and comments, even indented or after "-"', () => {
    expect(parseLine('')).toEqual({ kind: 'empty' });
    expect(parseLine('   \t ')).toEqual({ kind: 'empty' });
    expect(parseLine('  # note')).toEqual({ kind: 'empty' });
    expect(parseLine('-# note')).toEqual({ kind: 'empty' });
  });

  it('splits bare words at spaces and tabs and keeps "#" inside a command line', () => {
    expect(parseLine('mkdir-p\t/a   /b # x')).toMatchObject({ kind: 'command', name: 'mkdir-p', args: ['/a', '/b', '#', 'x'], column: 1 });
  });

  it('reads double quotes with guestfish escapes and single quotes literally', () => {
    expect(args('echo "a b" \'c "d\' "\\t\\"\\\\\\x41\\101\\?\\\'" \'e\\n\'')).toEqual(['a b', 'c "d', '\t"\\AA?\'', 'e\\n']);
    expect(args('echo "" \'\'')).toEqual(['', '']);
  });

  it('keeps quotes inside a bare word literal', () => {
    expect(args('echo a"b c\'d')).toEqual(['a"b', "c'd"]);
  });

  it('marks "-cmd" as ignoring errors and gives the column of the "-"', () => {
    expect(parseLine('  -mount /dev/sda5 /')).toMatchObject({ kind: 'command', ignoreErrors: true, name: 'mount', column: 3 });
  });

  it('hands "!" and "<!" lines to the host untouched, with or without "-"', () => {
    expect(parseLine('!source ./x "$@"')).toEqual({ kind: 'host', ignoreErrors: false, column: 1, command: 'source ./x "$@"' });
    expect(parseLine("<!awk '/sles/ {print \"rm-rf /x\"}' ./OS-Type")).toMatchObject({ kind: 'inline', command: "awk '/sles/ {print \"rm-rf /x\"}' ./OS-Type" });
    expect(parseLine('-!false')).toMatchObject({ kind: 'host', ignoreErrors: true, command: 'false' });
  });

  it('takes "|" at the start of an argument as a pipe into the host', () => {
    expect(parseLine('inspect-os | cat > ./OS-Dev')).toMatchObject({ name: 'inspect-os', args: [], pipe: ' cat > ./OS-Dev' });
    expect(parseLine('cat /etc/x |grep a')).toMatchObject({ args: ['/etc/x'], pipe: 'grep a' });
    expect(parseLine('echo a|b "c|d"')).toMatchObject({ args: ['a|b', 'c|d'] });
    expect(parseLine('echo a|b')).not.toHaveProperty('pipe');
  });

  it('reports unterminated quotes and bad escapes with their column', () => {
    expect(parseLine('echo "abc')).toMatchObject({ kind: 'invalid', message: 'unterminated double quote', errorColumn: 6 });
    expect(parseLine("echo x 'abc")).toMatchObject({ kind: 'invalid', message: 'unterminated single quote', errorColumn: 8 });
    expect(parseLine('echo "a\\qb"')).toMatchObject({ kind: 'invalid', message: 'invalid escape sequence in double-quoted string', errorColumn: 8 });
    expect(parseLine('echo "a\\000"')).toMatchObject({ kind: 'invalid' });
    expect(parseLine('echo "a"b')).toMatchObject({ kind: 'invalid', message: 'command arguments not separated by whitespace', errorColumn: 9 });
  });

  it('refuses 64 arguments like guestfish', () => {
    expect(parseLine(`echo ${Array(63).fill('x').join(' ')}`)).toMatchObject({ kind: 'command' });
    expect(parseLine(`echo ${Array(64).fill('x').join(' ')}`)).toMatchObject({ kind: 'invalid', message: 'too many arguments' });
  });
});
