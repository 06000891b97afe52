import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.js';
import { parseScript } from './parser.js';

describe('parseScript', () => {
  it('gathers a here-document body verbatim, each line with its newline', () => {
    const { statements } = parseScript('mount /dev/sda1 /\nupload -<<EOF /EFI/BOOT/message.txt\n\n  x "y" @z\n#not a comment\nEOF\numount /\n');
    expect(statements.map((s) => s.kind === 'command' && s.name)).toEqual(['mount', 'upload', 'umount']);
    const upload = statements[1]!;
    expect(upload).toMatchObject({ kind: 'command', line: 2, args: ['-<<EOF', '/EFI/BOOT/message.txt'], heredoc: { marker: 'EOF', body: '\n  x "y" @z\n#not a comment\n', argIndex: 0, bodyLine: 3 } });
    expect(statements[2]!.line).toBe(7);
  });

  it('accepts any terminator word, with "-upload", and an empty body', () => {
    const { statements } = parseScript('-upload -<<END_UNATTEND_XML /a\nEND_UNATTEND_XML\n');
    expect(statements[0]).toMatchObject({ ignoreErrors: true, heredoc: { marker: 'END_UNATTEND_XML', body: '' } });
  });

  it('ends a body only at a line that is exactly the marker', () => {
    const { statements } = parseScript('upload -<<END /a\n END\nEND \nENDX\nEND\n');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ heredoc: { body: ' END\nEND \nENDX\n' } });
  });

  it('does not start a here-document for commands without a file argument', () => {
    const { statements } = parseScript('echo -<<END\nEND\n');
    expect(statements.map((s) => s.kind === 'command' && s.name)).toEqual(['echo', 'END']);
  });

  it('throws a syntax error with line and column for an unterminated here-document', () => {
    let caught: unknown;
    try {
      parseScript('echo hi\n  upload -<<EOF /x\nbody\n', { step: 'S1' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).code).toBe('PLANSCRIPT_SYNTAX');
    expect((caught as AppError).message).toBe('Cannot parse the plan script: here-document "EOF" is never terminated (step "S1", line 2, column 10)');
    expect((caught as AppError).data).toEqual({ line: 2, column: 10, step: 'S1' });
  });

  it('names CRLF line endings when they hide the end marker', () => {
    expect(() => parseScript('upload -<<EOF /x\r\nbody\r\nEOF\r\n')).toThrow(/CRLF line endings/);
  });

  it('refuses "-<<" without a marker', () => {
    expect(() => parseScript('upload -<< /x\n')).toThrow('Cannot parse the plan script: missing end marker in -<< expression (line 1, column 8)');
  });

  it('keeps a badly quoted line as an invalid statement at its place, body and all', () => {
    const { statements } = parseScript('echo ok\nupload -<<END "/x\nrm-rf /\nEND\necho after\n');
    expect(statements.map((s) => s.kind)).toEqual(['command', 'invalid', 'command']);
    expect(statements[1]).toMatchObject({ line: 2, message: 'unterminated double quote', errorColumn: 15 });
  });
});
