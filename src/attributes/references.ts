// Custom-attribute references in plan-script text (reference §9.2): finding them and substituting values.
// One left-to-right tokenizer serves both, so what the artifacts list and what a run substitutes agree.

/** One `@Name@`, `@Name:default@`, `@Nic.field@` or `@Nic.field:default@` found in a text. */
export interface AttributeReference {
  name: string;
  /** The NIC sub-field after the dot (`mac`, `ipaddress`…), when there is one. */
  field?: string;
  /** The text after `:`; may hold spaces and `!`, never `@` or a newline. */
  defaultValue?: string;
  /** Offsets of the reference in the text: `text.slice(start, end)` is `@…@`. */
  start: number;
  end: number;
}

/** A piece of text: literal characters (with `@@` already turned into `@`) or an attribute reference. */
export type TextToken = { kind: 'text'; text: string } | { kind: 'reference'; reference: AttributeReference };

const NAME = /[A-Za-z0-9_-]/;

function isNameChar(ch: string | undefined): boolean {
  return ch !== undefined && NAME.test(ch);
}

function readName(text: string, from: number): number {
  let i = from;
  while (isNameChar(text[i])) i++;
  return i;
}

/** Tries to read a reference whose opening `@` is at `at`. */
function readReference(text: string, at: number): AttributeReference | undefined {
  const nameEnd = readName(text, at + 1);
  if (nameEnd === at + 1) return undefined;
  const reference: AttributeReference = { name: text.slice(at + 1, nameEnd), start: at, end: 0 };
  let i = nameEnd;
  if (text[i] === '.') {
    const fieldEnd = readName(text, i + 1);
    if (fieldEnd === i + 1) return undefined;
    reference.field = text.slice(i + 1, fieldEnd);
    i = fieldEnd;
  }
  if (text[i] === ':') {
    let j = i + 1;
    while (j < text.length && text[j] !== '@' && text[j] !== '\n') j++;
    if (text[j] !== '@') return undefined;
    reference.defaultValue = text.slice(i + 1, j);
    i = j;
  }
  if (text[i] !== '@') return undefined;
  reference.end = i + 1;
  return reference;
}

/**
 * Splits a text into literal pieces and references, left to right: `@@` is a literal `@` (so
 * `root@@@Host@` is `root@` then `@Host@`, and `root@@Host@` stays `root@Host@`); an `@` that does not
 * open a well-formed reference (bash `"$@"`, `${a[@]}`, an e-mail address) is literal.
 */
export function tokenize(text: string): TextToken[] {
  const tokens: TextToken[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('@', i);
    if (at === -1) {
      literal += text.slice(i);
      break;
    }
    literal += text.slice(i, at);
    if (text[at + 1] === '@') {
      literal += '@';
      i = at + 2;
      continue;
    }
    const reference = readReference(text, at);
    if (reference === undefined) {
      literal += '@';
      i = at + 1;
      continue;
    }
    if (literal !== '') tokens.push({ kind: 'text', text: literal });
    literal = '';
    tokens.push({ kind: 'reference', reference });
    i = reference.end;
  }
  if (literal !== '') tokens.push({ kind: 'text', text: literal });
  return tokens;
}

/** Every attribute reference in a text, in order of appearance. */
export function scanReferences(text: string): AttributeReference[] {
  const found: AttributeReference[] = [];
  for (const token of tokenize(text)) if (token.kind === 'reference') found.push(token.reference);
  return found;
}

/** The key a reference's value is looked up under: `Name`, or `Nic.field` for a NIC sub-field. */
export function referenceKey(reference: Pick<AttributeReference, 'name' | 'field'>): string {
  return reference.field === undefined ? reference.name : `${reference.name}.${reference.field}`;
}

/**
 * Attribute values by key (`HostName`, `Nic1.ipaddress`). `null`/`undefined`/missing means unset:
 * the reference's own default applies, else the empty string.
 */
export type AttributeValues = Readonly<Record<string, string | null | undefined>>;

export interface Substitution {
  text: string;
  /** Keys referenced with no value and no default (they became the empty string), first-use order. */
  unresolved: string[];
}

/**
 * Replaces every reference in the whole text (comments and here-document bodies included) with its
 * value, raw and unescaped, and every `@@` with `@`. An empty-string value counts as set.
 */
export function substitute(text: string, values: AttributeValues): Substitution {
  const unresolved: string[] = [];
  let out = '';
  for (const token of tokenize(text)) {
    if (token.kind === 'text') {
      out += token.text;
      continue;
    }
    const key = referenceKey(token.reference);
    const value = Object.hasOwn(values, key) ? values[key] : undefined;
    if (value !== null && value !== undefined) out += value;
    else if (token.reference.defaultValue !== undefined) out += token.reference.defaultValue;
    else if (!unresolved.includes(key)) unresolved.push(key);
  }
  return { text: out, unresolved };
}
