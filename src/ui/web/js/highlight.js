// @ts-check
// Syntax highlighting for the guestfish dialect of plan scripts (reference §9.2): comments, the `-`
// ignore-errors prefix, `!` and `<!` host commands, pipes, quoted strings, here-documents, and custom
// attribute references (`@Name@`, `@Name:default@`, `@Nic.field@`; `@@` is a literal @). It only colours
// text: whether a script runs is for the appliance to say.

/** @typedef {{ text: string, kind: string }} Token */

const ATTRIBUTE = /@@|@([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)?)(?::([^@\n]*))?@/g;

/** Splits plain text into text and attribute tokens. @param {string} text @param {string} kind @returns {Token[]} */
function withAttributes(text, kind) {
  /** @type {Token[]} */
  const out = [];
  let last = 0;
  for (const m of text.matchAll(ATTRIBUTE)) {
    if (m[0] === '@@') continue;
    if (m.index > last) out.push({ text: text.slice(last, m.index), kind });
    out.push({ text: m[0], kind: 'attr' });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), kind });
  return out;
}

/** Tokens of one command line (not a comment, not inside a here-document). @param {string} line @returns {Token[]} */
function commandLine(line) {
  /** @type {Token[]} */
  const out = [];
  const lead = /^\s*/.exec(line)?.[0] ?? '';
  if (lead !== '') out.push({ text: lead, kind: 'plain' });
  let rest = line.slice(lead.length);
  const host = /^(<!|!)/.exec(rest);
  if (host !== null) {
    out.push({ text: host[0], kind: 'host' });
    out.push(...withAttributes(rest.slice(host[0].length), 'host-text'));
    return out;
  }
  if (rest.startsWith('-') && !rest.startsWith('-<<')) {
    out.push({ text: '-', kind: 'ignore' });
    rest = rest.slice(1);
  }
  const command = /^[^\s|]+/.exec(rest)?.[0] ?? '';
  if (command !== '') out.push(...withAttributes(command, 'command'));
  rest = rest.slice(command.length);
  // Arguments: strings, here-document openers, a pipe (the rest goes to the host), words.
  const pattern = /("(?:[^"\\]|\\.)*"?|'[^']*'?)|(-<<\s*\S+)|(\|.*$)|(\s+)|([^\s"'|]+)/gy;
  let m;
  while ((m = pattern.exec(rest)) !== null && m[0] !== '') {
    if (m[1] !== undefined) out.push(...withAttributes(m[1], 'string'));
    else if (m[2] !== undefined) out.push({ text: m[2], kind: 'heredoc' });
    else if (m[3] !== undefined) out.push({ text: '|', kind: 'pipe' }, ...withAttributes(m[3].slice(1), 'host-text'));
    else if (m[4] !== undefined) out.push({ text: m[4], kind: 'plain' });
    else out.push(...withAttributes(m[5] ?? '', (m[5] ?? '').startsWith('/') ? 'path' : 'arg'));
  }
  if (pattern.lastIndex < rest.length && pattern.lastIndex > 0) out.push({ text: rest.slice(pattern.lastIndex), kind: 'arg' });
  return out;
}

/**
 * Tokens per line. Here-document bodies (after `-<<END`, up to a line that is exactly `END`) are one
 * kind, with attribute references still marked since they are substituted there too.
 * @param {string} source @returns {Token[][]}
 */
export function highlightLines(source) {
  /** @type {Token[][]} */
  const lines = [];
  /** @type {string | undefined} */
  let terminator;
  for (const line of source.split('\n')) {
    if (terminator !== undefined) {
      if (line === terminator) {
        lines.push([{ text: line, kind: 'heredoc' }]);
        terminator = undefined;
      } else lines.push(withAttributes(line, 'heredoc-body'));
      continue;
    }
    if (/^\s*#/.test(line)) {
      lines.push(withAttributes(line, 'comment'));
      continue;
    }
    const tokens = commandLine(line);
    const opener = tokens.find((t) => t.kind === 'heredoc');
    if (opener !== undefined) terminator = opener.text.replace(/^-<<\s*/, '');
    lines.push(tokens);
  }
  return lines;
}

/**
 * The attribute names a script refers to, with their defaults, in order of first use.
 * @param {string} source @returns {{ name: string, defaultValue: string | undefined, lines: number[] }[]}
 */
export function attributeReferences(source) {
  /** @type {Map<string, { name: string, defaultValue: string | undefined, lines: number[] }>} */
  const found = new Map();
  source.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(ATTRIBUTE)) {
      if (m[0] === '@@' || m[1] === undefined) continue;
      const name = m[1].split('.')[0] ?? m[1];
      const entry = found.get(name) ?? { name, defaultValue: undefined, lines: [] };
      if (entry.defaultValue === undefined && m[2] !== undefined) entry.defaultValue = m[2];
      if (!entry.lines.includes(i + 1)) entry.lines.push(i + 1);
      found.set(name, entry);
    }
  });
  return [...found.values()];
}

/**
 * Problems the editor can see while you type, before the appliance checks the script: a here-document
 * that is never closed, a quote left open on a guestfish command line. Host lines (`!`, `<!`) and the
 * host side of a pipe are the shell's business and are not checked.
 * @param {string} source @returns {{ line: number, message: string }[]}
 */
export function scriptProblems(source) {
  /** @type {{ line: number, message: string }[]} */
  const problems = [];
  /** @type {{ terminator: string, line: number } | undefined} */
  let open;
  source.split('\n').forEach((line, i) => {
    if (open !== undefined) {
      if (line === open.terminator) open = undefined;
      return;
    }
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('!') || trimmed.startsWith('<!')) return;
    const quote = openQuote(trimmed);
    if (quote !== undefined) problems.push({ line: i + 1, message: `The ${quote === '"' ? 'double' : 'single'} quote opened on this line is not closed` });
    const opener = /-<<\s*(\S+)/.exec(trimmed);
    if (opener?.[1] !== undefined && quote === undefined) open = { terminator: opener[1], line: i + 1 };
  });
  if (open !== undefined) problems.push({ line: open.line, message: `The here-document is never closed: add a line holding only "${open.terminator}"` });
  return problems;
}

/** The quote character left open at the end of a command line, if any (a `|` outside quotes ends the check). @param {string} line */
function openQuote(line) {
  /** @type {string | undefined} */
  let quote;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quote === '"' && c === '\\') i += 1;
    else if (quote !== undefined && c === quote) quote = undefined;
    else if (quote === undefined && (c === '"' || c === "'")) quote = c;
    else if (quote === undefined && c === '|') return undefined;
  }
  return quote;
}
