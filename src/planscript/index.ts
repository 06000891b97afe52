// The plan-script engine (reference §9): parsing the guestfish dialect and running build plans.
export { parseScript, scriptSyntaxProblems, canonicalCommandName, type ParseOptions, type ScriptSyntaxProblem } from './parser.js';
export { parseLine, type LineResult } from './line-parser.js';
export type { Statement, CommandStatement, HostStatement, InvalidStatement, ParsedScript } from './syntax.js';
export {
  runBuildPlan,
  prepareBuildPlan,
  type BuildPlanStep,
  type RunBuildPlanOptions,
  type StepResult,
  type RunFailure,
  type RunResult,
  type PreparedBuildPlan,
} from './interpreter.js';
export type { ParsedStep, PreflightReport, UnsupportedUse, SyntaxProblem } from './preflight.js';
export { BUILTIN_COMMANDS, CommandRegistry, UNSUPPORTED_REASONS, unsupportedReason } from './commands/index.js';
export type { CommandSpec, CommandContext, PreflightFacts } from './command.js';
export { GUESTFISH_COMMANDS } from './guestfish-commands.js';
export { HostSandbox, DEFAULT_HOST_LIMITS, type HostLimits, type HostResult, type HostSandboxOptions, type SandboxMode } from './host.js';
export type { LogLine, LogKind, ImageStreamerLogLine } from './run-log.js';
export { renderCommandReference } from './reference.js';
