// The plan-script engine (reference §9): parsing the guestfish dialect and running build plans.
export { parseScript, canonicalCommandName, type ParseOptions } from './parser.js';
export { parseLine, type LineResult } from './line-parser.js';
export type { Statement, CommandStatement, HostStatement, InvalidStatement, ParsedScript } from './syntax.js';
