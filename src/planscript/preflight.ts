// The pass before a run writes anything: lines that cannot parse, and uses of commands the native engine
// cannot do (a guest binary, an XFS or LVM mount …). The caller may hand the unsupported ones to guestfish.
import { GUESTFISH_COMMANDS } from './guestfish-commands.js';
import type { PreflightFacts } from './command.js';
import { unsupportedReason, type CommandRegistry } from './commands/index.js';
import type { ParsedScript } from './syntax.js';

export interface ParsedStep {
  name: string;
  script: ParsedScript;
}

/** A use of something the native engine cannot run. */
export interface UnsupportedUse {
  stepIndex: number;
  step: string;
  line: number;
  column: number;
  /** The command name as written. */
  command: string;
  /** The source line. */
  source: string;
  reason: string;
}

/** A line that does not parse and is not `-` prefixed: the run would stop there. */
export interface SyntaxProblem {
  stepIndex: number;
  step: string;
  line: number;
  column: number;
  message: string;
}

export interface PreflightReport {
  unsupported: UnsupportedUse[];
  syntax: SyntaxProblem[];
}

/**
 * Checks every statement of every step. Commands that guestfish does not know either are left to fail when
 * reached (HPE's "fail deployment" scripts rely on that), as are commands produced by `<!` at run time.
 */
export function preflight(steps: readonly ParsedStep[], facts: PreflightFacts, registry: CommandRegistry): PreflightReport {
  const report: PreflightReport = { unsupported: [], syntax: [] };
  steps.forEach((step, stepIndex) => {
    for (const statement of step.script.statements) {
      if (statement.kind === 'invalid') {
        if (!statement.ignoreErrors) report.syntax.push({ stepIndex, step: step.name, line: statement.line, column: statement.errorColumn, message: statement.message });
        continue;
      }
      if (statement.kind !== 'command') continue;
      const spec = registry.get(statement.name);
      const base = { stepIndex, step: step.name, line: statement.line, column: statement.column, command: statement.name, source: statement.source };
      let reason: string | undefined;
      if (spec === undefined) {
        if (GUESTFISH_COMMANDS.has(statement.name.replaceAll('_', '-'))) reason = unsupportedReason(statement.name.replaceAll('_', '-'));
      } else if (spec.name === 'glob') {
        const inner = statement.args[0] === undefined ? undefined : registry.get(statement.args[0]);
        if (statement.args[0] !== undefined && inner === undefined && GUESTFISH_COMMANDS.has(statement.args[0].replaceAll('_', '-'))) {
          reason = unsupportedReason(statement.args[0].replaceAll('_', '-'));
        } else if (inner !== undefined) {
          reason = inner.preflight?.(statement.args.slice(1), facts);
        }
      } else {
        reason = spec.preflight?.(statement.args, facts);
      }
      if (reason !== undefined) report.unsupported.push({ ...base, reason });
    }
  });
  return report;
}
