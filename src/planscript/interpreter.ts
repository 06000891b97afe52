// Runs a build plan: its steps' scripts, attributes substituted, as one guestfish-like session on a
// GuestSession, with host commands in a sandboxed scratch directory. Failure is a result, not an exception,
// once anything has run; problems found before (syntax, unsupported commands) are thrown.
import { readFile, writeFile } from 'node:fs/promises';
import { AppError, isAppError, toAppError } from '../core/errors.js';
import { secretValues, substitute, type AttributeValues, type CustomAttribute } from '../attributes/index.js';
import type { GuestSession } from '../guestfs/session.js';
import type { OsInspection } from '../guestfs/inspect/index.js';
import { commandError, type CommandContext } from './command.js';
import { CommandRegistry } from './commands/index.js';
import { GUESTFISH_COMMANDS } from './guestfish-commands.js';
import { DEFAULT_HOST_LIMITS, HostSandbox, type HostCommands, type HostLimits, type HostResult } from './host.js';
import { parseLine } from './line-parser.js';
import { canonicalCommandName, parseScript } from './parser.js';
import { preflight, type ParsedStep, type PreflightReport } from './preflight.js';
import { RunLog, type ImageStreamerLogLine, type LogLine } from './run-log.js';
import { Scratch } from './scratch.js';
import type { CommandStatement, Statement } from './syntax.js';
import { unsupportedReason } from './commands/unsupported.js';

export interface BuildPlanStep {
  /** The plan script's name, used in results and errors. */
  name: string;
  content: string;
}

export interface RunBuildPlanOptions {
  steps: readonly BuildPlanStep[];
  /** Attribute values by key (`HostName`, `Nic1.mac`), already layered; script defaults apply last. */
  values?: AttributeValues;
  /** The plan's attribute definitions: password values among `values` are masked in the log and errors. */
  attributes?: readonly CustomAttribute[];
  session: GuestSession;
  /** Where the run's scratch directory is made (outside the data directory). */
  scratchParent: string;
  /** Shared sandbox (probes once); a fresh one otherwise. */
  sandbox?: HostSandbox;
  hostLimits?: Partial<HostLimits>;
  signal?: AbortSignal;
  /** Called for every log line as it happens. */
  log?: (line: LogLine) => void;
  /** inspect-os for this guest; the session's own inspection by default. Without either, scripts using inspect-os are refused. */
  inspectOs?: () => Promise<OsInspection[]>;
  registry?: CommandRegistry;
}

export interface StepResult {
  index: number;
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  /** ISO time the step started; absent when skipped. */
  startedAt?: string;
  durationMs: number;
  /** Statements run (a `<!` line counts once). */
  commands: number;
  /** `-` prefixed statements that failed. */
  ignoredErrors: number;
}

export interface RunFailure {
  stepIndex: number;
  step: string;
  line: number;
  column: number;
  /** The failing source line (passwords masked). */
  command: string;
  /** What went wrong (passwords masked). */
  cause: string;
  code: string;
}

export interface RunResult {
  ok: boolean;
  steps: StepResult[];
  failure?: RunFailure;
  log: LogLine[];
  imageStreamerLog: ImageStreamerLogLine[];
  durationMs: number;
  /** Attribute keys the scripts used with no value and no default (substituted as ""). */
  unresolved: string[];
}

export interface PreparedBuildPlan {
  steps: ParsedStep[];
  report: PreflightReport;
  unresolved: string[];
}

/**
 * Substitutes and parses every step and runs the pre-flight pass, writing nothing. Throws AppError
 * `PLANSCRIPT_SYNTAX` for an unterminated here-document. The report lists lines that do not parse and uses
 * the native engine cannot do: the hook for handing the plan to guestfish instead.
 */
export async function prepareBuildPlan(options: Pick<RunBuildPlanOptions, 'steps' | 'values' | 'session' | 'inspectOs' | 'registry'>): Promise<PreparedBuildPlan> {
  const unresolved = new Set<string>();
  const steps = options.steps.map((step) => {
    const substituted = substitute(step.content, options.values ?? {});
    substituted.unresolved.forEach((key) => unresolved.add(key));
    return { name: step.name, script: parseScript(substituted.text, { step: step.name }) };
  });
  const filesystems = new Map((await options.session.listFilesystems()).map((f) => [f.device, f.type]));
  const report = preflight(steps, { filesystems, canInspect: options.inspectOs !== undefined || options.session.inspect !== undefined }, options.registry ?? new CommandRegistry());
  return { steps, report, unresolved: [...unresolved] };
}

function refuse(report: PreflightReport, mask: (text: string) => string): AppError | undefined {
  const syntax = report.syntax[0];
  if (syntax !== undefined) {
    return new AppError('invalid', 'PLANSCRIPT_SYNTAX', `Cannot parse the plan script: ${syntax.message} (step "${syntax.step}", line ${syntax.line}, column ${syntax.column})`, {
      details: report.syntax.map((s) => `step "${s.step}", line ${s.line}, column ${s.column}: ${s.message}`).join('\n'),
      data: { step: syntax.step, line: syntax.line, column: syntax.column, problems: report.syntax },
    });
  }
  const first = report.unsupported[0];
  if (first === undefined) return undefined;
  return new AppError('unavailable', 'PLANSCRIPT_UNSUPPORTED', `Cannot run the build plan natively: "${first.command}" (step "${first.step}", line ${first.line}): ${first.reason}`, {
    details: report.unsupported.map((u) => `step "${u.step}", line ${u.line}: ${mask(u.source.trim())}: ${u.reason}`).join('\n'),
    recommendedActions: ['Install libguestfs-tools (guestfish) so that such build plans run through it, or change the plan script'],
    data: { uses: report.unsupported.map((u) => ({ ...u, source: mask(u.source) })) },
  });
}

/** Errors that guestfish itself prints plainly (not as `libguestfs: error:`). */
const FISH_LEVEL = new Set(['PLANSCRIPT_UNKNOWN_COMMAND', 'PLANSCRIPT_ARGUMENTS', 'PLANSCRIPT_UNSUPPORTED', 'PLANSCRIPT_SYNTAX']);
const HOST_LEVEL = /^PLANSCRIPT_HOST/;

/**
 * Runs the build plan. Throws (before anything is written) AppError `invalid` `PLANSCRIPT_SYNTAX` or
 * `unavailable` `PLANSCRIPT_UNSUPPORTED` (data.uses lists every unsupported use with step and line).
 * Otherwise returns the result: per-step status and timings, the log, and on failure the step, line,
 * command and cause. The scratch directory is removed and the session synced before it returns.
 */
export async function runBuildPlan(options: RunBuildPlanOptions): Promise<RunResult> {
  const registry = options.registry ?? new CommandRegistry();
  const secrets = secretValues(options.attributes ?? [], options.values ?? {});
  const log = new RunLog(secrets, options.log);
  const prepared = await prepareBuildPlan({ ...options, registry });
  const refusal = refuse(prepared.report, (t) => log.mask(t));
  if (refusal !== undefined) throw refusal;

  // a sandbox of the run's own (no appliance gave one) ends with the run
  const ownSandbox = options.sandbox === undefined ? new HostSandbox({ warn: (message) => log.add({ step: 0, line: 0 }, 'warning', message) }) : undefined;
  const sandbox = options.sandbox ?? ownSandbox!;
  const mode = await sandbox.probe();
  const scratch = await Scratch.create(options.scratchParent, mode.runAs);
  const limits: HostLimits = { ...DEFAULT_HOST_LIMITS, ...options.hostLimits };
  const started = Date.now();
  const results: StepResult[] = prepared.steps.map((step, index) => ({ index, name: step.name, status: 'skipped', durationMs: 0, commands: 0, ignoredErrors: 0 }));
  let failure: RunFailure | undefined;
  const run = new Session({ options, registry, log, sandbox, scratch, limits });
  // the sandbox's runner starts now (once per sandbox), while the guest work goes on, when a step will need it
  if (prepared.steps.some((step) => step.script.statements.some((st) => st.kind === 'host' || st.kind === 'inline' || (st.kind === 'command' && st.pipe !== undefined)))) run.warmHost();
  try {
    for (const [index, step] of prepared.steps.entries()) {
      const result = results[index]!;
      result.startedAt = new Date().toISOString();
      const stepStarted = performance.now();
      result.status = 'ok';
      for (const statement of step.script.statements) {
        const at = { step: index, line: statement.line };
        result.commands++;
        try {
          if (options.signal?.aborted === true) throw new AppError('unavailable', 'PLANSCRIPT_ABORTED', 'The plan-script run was cancelled');
          await run.statement(statement, at, statement.ignoreErrors);
        } catch (error) {
          const e = toAppError(error);
          run.logError(e, at);
          if (statement.ignoreErrors && e.code !== 'PLANSCRIPT_ABORTED') {
            result.ignoredErrors++;
            continue;
          }
          result.status = 'failed';
          failure = { stepIndex: index, step: step.name, line: statement.line, column: statement.column, command: log.mask(statement.source), cause: log.mask(e.message), code: e.code };
          break;
        }
      }
      result.durationMs = Math.round(performance.now() - stepStarted);
      if (failure !== undefined) break;
    }
  } finally {
    await options.session.sync().catch((error: unknown) => log.add({ step: 0, line: 0 }, 'error', `Cannot write the guest filesystems out: ${toAppError(error).message}`));
    run.closeHost();
    await ownSandbox?.close();
    await scratch.remove();
    log.flush();
  }
  return runResult({ steps: results, failure, log, started, unresolved: prepared.unresolved });
}

/** A run's result from its parts; the native engine and the guestfish route both end with it. */
export function runResult(parts: { steps: StepResult[]; failure: RunFailure | undefined; log: RunLog; started: number; unresolved: string[] }): RunResult {
  const { failure, log } = parts;
  return {
    ok: failure === undefined,
    steps: parts.steps,
    ...(failure === undefined ? {} : { failure }),
    log: log.lines,
    imageStreamerLog: log.imageStreamerLog,
    durationMs: Date.now() - parts.started,
    unresolved: parts.unresolved,
  };
}

interface SessionParts {
  options: RunBuildPlanOptions;
  registry: CommandRegistry;
  log: RunLog;
  sandbox: HostSandbox;
  scratch: Scratch;
  limits: HostLimits;
}

/** Most levels of `<!` output that itself runs `<!`. */
const MAX_INLINE_DEPTH = 8;

/** The state of one run: executes statements, logs, talks to the host. */
class Session {
  private readonly logged = new WeakSet<object>();
  private readonly inspector: (() => Promise<OsInspection[]>) | undefined;
  private shell: Promise<HostCommands> | false | undefined;
  private inspection: OsInspection[] | undefined;

  constructor(private readonly parts: SessionParts) {
    const { options } = parts;
    this.inspector = options.inspectOs ?? (options.session.inspect === undefined ? undefined : () => options.session.inspect!());
  }

  logError(error: AppError, at: { step: number; line: number }): void {
    // guestfish prints nothing of its own when a host command fails; the run's failure still says why
    if (this.logged.has(error) || error.code === 'PLANSCRIPT_HOST_FAILED') return;
    this.logged.add(error);
    const prefix = FISH_LEVEL.has(error.code) || HOST_LEVEL.test(error.code) ? '' : 'libguestfs: error: ';
    this.parts.log.add(at, 'error', `${prefix}${error.message}`);
  }

  async statement(statement: Statement, at: { step: number; line: number }, ignoreErrors: boolean, depth = 0): Promise<void> {
    switch (statement.kind) {
      case 'invalid':
        throw new AppError('invalid', 'PLANSCRIPT_SYNTAX', `${statement.message} (column ${statement.errorColumn})`);
      case 'host':
        return this.host(statement.command, at);
      case 'inline':
        return this.inline(statement.command, at, ignoreErrors, depth);
      case 'command':
        return this.command(statement, at);
    }
  }

  private async command(statement: Pick<CommandStatement, 'name' | 'args' | 'pipe' | 'heredoc'>, at: { step: number; line: number }): Promise<void> {
    const output: string[] = [];
    let failed: AppError | undefined;
    try {
      await this.invoke(statement.name, statement.args, { print: (text) => output.push(text), heredoc: statement.heredoc?.body, at });
    } catch (error) {
      failed = toAppError(error);
    }
    const text = output.join('');
    if (statement.pipe === undefined) {
      this.parts.log.add(at, 'output', text);
    } else {
      // guestfish does not look at the pipeline's exit status; only our own limits make it fail.
      const result = await this.runHost(statement.pipe, Buffer.from(text, 'utf8'));
      this.logHostOutput(result, at);
      this.checkLimits(result);
    }
    if (failed !== undefined) throw failed;
  }

  /** Runs one command by name with its output going to `print`. */
  private async invoke(name: string, args: readonly string[], io: { print: (text: string) => void; heredoc: string | undefined; at: { step: number; line: number } }): Promise<void> {
    const { registry, scratch, options } = this.parts;
    const spec = registry.get(name);
    if (spec === undefined) {
      const canonical = canonicalCommandName(name);
      if (GUESTFISH_COMMANDS.has(canonical)) throw new AppError('unavailable', 'PLANSCRIPT_UNSUPPORTED', `${name}: not available in the native engine: ${unsupportedReason(canonical)}`);
      throw new AppError('invalid', 'PLANSCRIPT_UNKNOWN_COMMAND', `${name}: unknown command`);
    }
    if (args.length < spec.minArgs || args.length > spec.maxArgs) {
      throw new AppError('invalid', 'PLANSCRIPT_ARGUMENTS', `error: incorrect number of arguments\nusage: ${spec.synopsis}\ntype 'help ${name}' for more help on ${name}`);
    }
    const ctx: CommandContext = {
      session: options.session,
      scratch,
      signal: options.signal ?? new AbortController().signal,
      print: io.print,
      runCommand: async (inner, innerArgs) => {
        try {
          await this.invoke(inner, innerArgs, { ...io, heredoc: undefined });
        } catch (error) {
          this.logError(toAppError(error), io.at);
          throw error;
        }
      },
      fileIn: async (command, arg) => {
        if (arg.startsWith('-<<') && io.heredoc !== undefined) return Buffer.from(io.heredoc, 'utf8');
        if (arg === '-' || arg.startsWith('-<<')) throw commandError(command, `${arg}: standard input is not available to plan scripts`);
        const path = await scratch.hostPath(command, arg);
        try {
          return await readFile(path);
        } catch (error) {
          // guestfish's own open() of the local file fails: it names that call, not the command
          throw commandError('open', `${arg}: ${hostErrorText(error)}`);
        }
      },
      fileOut: async (command, arg, data) => {
        if (arg === '-') {
          io.print(Buffer.from(data).toString('utf8'));
          return;
        }
        const path = await scratch.hostPath(command, arg);
        try {
          await writeFile(path, data);
        } catch (error) {
          // guestfish reports the local file's error, then the daemon's cancelled transfer
          throw new AppError('invalid', 'PLANSCRIPT_COMMAND_FAILED', `${arg}: ${hostErrorText(error)}\nlibguestfs: error: file receive cancelled by daemon`);
        }
        await scratch.adopt(path);
      },
      ...(this.inspector === undefined ? {} : { inspect: async () => (this.inspection = await this.inspector!()) }),
      inspected: () => this.inspection,
    };
    try {
      await spec.run(ctx, args);
    } catch (error) {
      throw isAppError(error) ? error : commandError(spec.name, error instanceof Error ? error.message : String(error), 'PLANSCRIPT_INTERNAL');
    }
  }

  private async host(command: string, at: { step: number; line: number }): Promise<void> {
    const result = await this.runHost(command);
    this.logHostOutput(result, at);
    this.checkLimits(result);
    this.checkExit(result);
  }

  private async inline(command: string, at: { step: number; line: number }, ignoreErrors: boolean, depth: number): Promise<void> {
    if (depth >= MAX_INLINE_DEPTH) throw new AppError('invalid', 'PLANSCRIPT_HOST_NESTING', `Host command output runs "<!" more than ${MAX_INLINE_DEPTH} levels deep`);
    const result = await this.runHost(command);
    this.parts.log.add(at, 'host', result.stderr.toString('utf8'));
    this.checkLimits(result);
    for (const line of result.stdout.toString('utf8').split('\n')) {
      const parsed = parseLine(line);
      if (parsed.kind === 'empty') continue;
      const ignore = ignoreErrors || parsed.ignoreErrors;
      try {
        if (parsed.kind === 'command' && parsed.args.some((a) => a.startsWith('-<<'))) {
          throw new AppError('invalid', 'PLANSCRIPT_SYNTAX', `${parsed.name}: here-documents cannot come from "<!" output`);
        }
        const statement: Statement =
          parsed.kind === 'command'
            ? { kind: 'command', name: parsed.name, args: parsed.args, ...(parsed.pipe === undefined ? {} : { pipe: parsed.pipe }), line: at.line, column: parsed.column, ignoreErrors: ignore, source: line }
            : parsed.kind === 'invalid'
              ? { ...parsed, line: at.line, source: line }
              : { ...parsed, line: at.line, source: line };
        await this.statement(statement, at, ignore, depth + 1);
      } catch (error) {
        const e = toAppError(error);
        this.logError(e, at);
        if (!ignore) throw e;
      }
    }
    this.checkExit(result);
  }

  private async runHost(command: string, stdin?: Buffer): Promise<HostResult> {
    const { sandbox, scratch, limits, options, log } = this.parts;
    const io = { limits, ...(stdin === undefined ? {} : { stdin }), ...(options.signal === undefined ? {} : { signal: options.signal }) };
    if (this.shell !== false) {
      this.shell ??= sandbox.open(scratch.dir);
      try {
        return await (await this.shell).run(command, io);
      } catch (error) {
        if (!isAppError(error) || error.code !== 'PLANSCRIPT_HOST_RUNNER') throw error;
        // the sandbox's runner is gone: this run goes on with one sandbox per command
        log.add({ step: 0, line: 0 }, 'warning', `${error.message}; host commands now get a sandbox each`);
        this.shell = false;
      }
    }
    return sandbox.run(command, { cwd: scratch.dir, ...io });
  }

  /** Starts the sandbox's host-command runner (once per sandbox) ahead of the run's first host command. */
  warmHost(): void {
    this.shell ??= this.parts.sandbox.open(this.parts.scratch.dir);
  }

  /** The run's last host command has been run (nothing a host command starts outlives it). */
  closeHost(): void {
    this.shell = false;
  }

  private logHostOutput(result: HostResult, at: { step: number; line: number }): void {
    this.parts.log.add(at, 'host', result.stdout.toString('utf8'));
    this.parts.log.add(at, 'host', result.stderr.toString('utf8'));
  }

  private checkLimits(result: HostResult): void {
    const { limits } = this.parts;
    if (result.timedOut) throw new AppError('unavailable', 'PLANSCRIPT_HOST_TIMEOUT', `Host command ran longer than ${limits.timeoutMs / 1000} s and was killed`);
    if (result.outputExceeded) throw new AppError('invalid', 'PLANSCRIPT_HOST_OUTPUT', `Host command wrote more than ${limits.maxOutputBytes} bytes of output and was killed`);
  }

  private checkExit(result: HostResult): void {
    if (result.exitCode === 0) return;
    const how = result.exitCode === null ? `was killed by ${result.signal ?? 'a signal'}` : `failed with exit status ${result.exitCode}`;
    throw new AppError('invalid', 'PLANSCRIPT_HOST_FAILED', `Host command ${how}`);
  }
}

function hostErrorText(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EISDIR') return 'Is a directory';
  if (code === 'EACCES') return 'Permission denied';
  return error instanceof Error ? error.message : String(error);
}
