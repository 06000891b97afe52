// Request bodies from the command line: `--file FILE.json` (or `-` for stdin) and `--set key=value`
// (dotted keys make nested objects; a value that parses as JSON is taken as JSON, else as a string).
import { readFile } from 'node:fs/promises';
import { AppError } from '../core/errors.js';
import type { CliIo } from './io.js';
import type { Member } from './resources.js';

export interface BodyOptions {
  file?: string;
  set?: string[];
}

/** Reads a text file, or stdin for `-`; an unreadable file is an `invalid` AppError naming it. */
export async function readTextFile(io: CliIo, path: string, what: string): Promise<string> {
  try {
    if (path === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of io.stdin) chunks.push(Buffer.from(chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8');
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new AppError('invalid', 'CLI_FILE_UNREADABLE', `Cannot read ${what} "${path}": ${(error as Error).message}`, { cause: error });
  }
}

export async function readJsonFile(io: CliIo, path: string): Promise<Member> {
  const text = await readTextFile(io, path, 'JSON file');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AppError('invalid', 'CLI_BAD_JSON', `Cannot read JSON file "${path}": ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new AppError('invalid', 'CLI_BAD_JSON', `Cannot read JSON file "${path}": it must hold one JSON object`);
  return value as Member;
}

/** Applies one `key=value` to a body, creating nested objects along a dotted key. */
export function applySet(body: Member, assignment: string): void {
  const at = assignment.indexOf('=');
  if (at <= 0) throw new AppError('invalid', 'CLI_USAGE', `Cannot use --set "${assignment}": expected key=value`);
  const keys = assignment.slice(0, at).split('.');
  const raw = assignment.slice(at + 1);
  let value: unknown = raw;
  if (/^(\{|\[|true$|false$|null$|-?\d+(\.\d+)?$)/.test(raw.trim())) {
    try {
      value = JSON.parse(raw);
    } catch {
      value = raw;
    }
  }
  let target = body;
  for (const key of keys.slice(0, -1)) {
    const next = target[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) target[key] = {};
    target = target[key] as Member;
  }
  target[keys[keys.length - 1] ?? ''] = value;
}

/** The body a command sends: the file's object (if any) with each `--set` applied on top of `base`. */
export async function bodyFrom(io: CliIo, options: BodyOptions, base: Member = {}): Promise<Member> {
  const body: Member = { ...base, ...(options.file === undefined ? {} : await readJsonFile(io, options.file)) };
  for (const assignment of options.set ?? []) applySet(body, assignment);
  return body;
}
