// The browser modules that need no DOM, run in Node: the guestfish highlighter, attribute references,
// the as-you-type attribute checks, and how appliance errors become line marks. Plus the type check of
// all browser code against the DOM library (src/ui/web/tsconfig.json), which `npm test`'s tsc does not see.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

interface Token { text: string; kind: string }
interface HighlightModule {
  highlightLines: (source: string) => Token[][];
  attributeReferences: (source: string) => { name: string; defaultValue: string | undefined; lines: number[] }[];
  scriptProblems: (source: string) => { line: number; message: string }[];
}
interface AttributeFormModule {
  valueProblem: (type: string, value: string, constraints: Record<string, unknown>) => string | undefined;
}
interface ApiModule {
  ApiError: new (status: number, body: Record<string, unknown>) => Error;
}
interface PlanScriptsModule {
  lineErrors: (error: unknown) => Map<number, string>;
}

const web = join(import.meta.dirname, '..', '..', 'src', 'ui', 'web');
// Non-literal specifiers: the root tsconfig does not type these JavaScript files.
const load = <T>(path: string): Promise<T> => import(join(web, path)) as Promise<T>;

const kinds = (tokens: Token[] | undefined) => (tokens ?? []).filter((t) => t.text.trim() !== '').map((t) => `${t.kind}:${t.text}`);

describe('guestfish highlighter', async () => {
  const { highlightLines, attributeReferences, scriptProblems } = await load<HighlightModule>('js/highlight.js');

  it('marks the ignore-errors prefix, the command, paths, strings and attributes', () => {
    const [line] = highlightLines('-mount /dev/sda1 "/ @Root:/@"');
    expect(kinds(line)).toEqual(['ignore:-', 'command:mount', 'path:/dev/sda1', 'string:"/ ', 'attr:@Root:/@', 'string:"']);
  });

  it('marks ! and <! host commands and the host side of a pipe', () => {
    const lines = highlightLines("!source ./x\n<!awk '/sles/ {print 1}' ./OS-Type\ninspect-os | cat > ./OS-Dev");
    expect(kinds(lines[0])[0]).toBe('host:!');
    expect(kinds(lines[1])[0]).toBe('host:<!');
    expect(kinds(lines[2])).toEqual(['command:inspect-os', 'pipe:|', 'host-text: cat > ./OS-Dev']);
  });

  it('treats here-document bodies as text up to the terminator, still marking attributes', () => {
    const lines = highlightLines('upload -<<END /etc/hostname\n# not a comment @HostName@\nEND\necho done');
    expect(kinds(lines[0])).toContain('heredoc:-<<END');
    expect(kinds(lines[1])).toEqual(['heredoc-body:# not a comment ', 'attr:@HostName@']);
    expect(kinds(lines[2])).toEqual(['heredoc:END']);
    expect(kinds(lines[3])[0]).toBe('command:echo');
  });

  it('does not take @@, bash "$@" or ${a[@]} for attributes', () => {
    const tokens = highlightLines('!echo root@@ "$@" ${a[@]}')[0] ?? [];
    expect(tokens.filter((t) => t.kind === 'attr')).toEqual([]);
  });

  it('keeps every character: the tokens of a line join back to the line', () => {
    const source = '  -upload -<<EOF /x\nbody "q\nEOF\n# c @A@\n!cmd | x\nmkdir-p /a/b "c d" \'e\'';
    expect(highlightLines(source).map((l) => l.map((t) => t.text).join(''))).toEqual(source.split('\n'));
  });

  it('sees a here-document never closed, at the line that opens it', () => {
    expect(scriptProblems('echo a\nupload -<<END /x\nbody\nEND \n')).toEqual([{ line: 2, message: 'The here-document is never closed: add a line holding only "END"' }]);
    expect(scriptProblems('upload -<<END /x\nbody "unbalanced\nEND\necho ok')).toEqual([]);
  });

  it('sees a quote left open on a command line, but not in host lines or after a pipe', () => {
    expect(scriptProblems('echo "a\\"b\nmkdir-p \'/x')).toEqual([
      { line: 1, message: 'The double quote opened on this line is not closed' },
      { line: 2, message: 'The single quote opened on this line is not closed' },
    ]);
    expect(scriptProblems('!echo "unbalanced\n<!awk \'{print\ninspect-os | awk \'{print $1\necho "a | b" \'c\'')).toEqual([]);
  });

  it('lists attribute references with the first default and the lines using them', () => {
    expect(attributeReferences('echo @A:1@ @Nic1.ipaddress@\necho @A@ root@@@B@')).toEqual([
      { name: 'A', defaultValue: '1', lines: [1, 2] },
      { name: 'Nic1', defaultValue: undefined, lines: [1] },
      { name: 'B', defaultValue: undefined, lines: [2] },
    ]);
  });
});

describe('attribute checks as you type', async () => {
  const { valueProblem } = await load<AttributeFormModule>('js/attribute-form.js');

  it('accepts good values and empty ones', () => {
    expect(valueProblem('hostname', 'web-01', {})).toBeUndefined();
    expect(valueProblem('fqdn', 'web01.example.com', {})).toBeUndefined();
    expect(valueProblem('ipv4', '192.0.2.10', {})).toBeUndefined();
    expect(valueProblem('number', '35', { minimum: '30', maximum: '75', increment: '5' })).toBeUndefined();
    expect(valueProblem('option', 'Enabled', { options: ['Enabled', 'Disabled'] })).toBeUndefined();
    expect(valueProblem('hostname', '', {})).toBeUndefined();
  });

  it('names what is wrong with a bad value', () => {
    expect(valueProblem('hostname', 'web.example.com', {})).toMatch(/without dots/);
    expect(valueProblem('hostname', '-web', {})).toMatch(/starting with a letter or digit/);
    expect(valueProblem('fqdn', 'web', {})).toMatch(/at least one dot/);
    expect(valueProblem('ipv4', '300.1.1.1', {})).toMatch(/IPv4/);
    expect(valueProblem('number', 'ten', {})).toBe('Must be a number');
    expect(valueProblem('number', '80', { maximum: '75', unit: 'percent' })).toBe('Must be at most 75 percent');
    expect(valueProblem('number', '32', { minimum: '30', increment: '5' })).toMatch(/step of 5/);
    expect(valueProblem('option', 'Maybe', { options: ['Enabled', 'Disabled'] })).toMatch(/one of Enabled, Disabled/);
    expect(valueProblem('password', 'short', { minlen: '8' })).toMatch(/at least 8/);
    expect(valueProblem('string', 'abc', { regex: '[0-9]+' })).toMatch(/pattern/);
    expect(valueProblem('string', 'x'.repeat(255), {})).toMatch(/at most 254/);
  });
});

describe('line marks from appliance errors', async () => {
  const { ApiError } = await load<ApiModule>('js/api.js');
  const { lineErrors } = await load<PlanScriptsModule>('js/pages/plan-scripts.js');

  it('reads data.problems, data.line, or "line N" in the message', () => {
    const problems = new ApiError(400, { message: 'x', data: { problems: [{ line: 3, column: 5, message: 'unterminated here-document' }] } });
    expect([...lineErrors(problems)]).toEqual([[3, 'column 5: unterminated here-document']]);
    expect([...lineErrors(new ApiError(400, { message: 'Bad', data: { line: 7 } }))]).toEqual([[7, 'Bad']]);
    expect([...lineErrors(new ApiError(400, { message: 'Cannot parse (step "s", line 12, column 1)' }))][0]?.[0]).toBe(12);
    expect(lineErrors(new Error('no line')).size).toBe(0);
  });
});

describe('browser code types', () => {
  it('type-checks against the DOM library with strict settings', async () => {
    const tsc = join(import.meta.dirname, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc');
    const run = await promisify(execFile)(process.execPath, [tsc, '-p', join(web, 'tsconfig.json')]).then(
      () => ({ ok: true, output: '' }),
      (error: unknown) => ({ ok: false, output: (error as { stdout?: string }).stdout ?? (error instanceof Error ? error.message : 'tsc failed') }),
    );
    expect(run.output).toBe('');
    expect(run.ok).toBe(true);
  }, 120_000);
});
