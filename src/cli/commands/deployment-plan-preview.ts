// `streamer deployment-plans preview PLAN [Name=value…]`: what a server would get from a deployment plan
// with these attribute values (POST /rest/deployment-plans/{id}/preview runs it on a throw-away clone):
// the log, then every file that would change, with line diffs for text files. Nothing is kept.
import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { print, type CliIo } from '../io.js';
import { resolveMember } from '../resolve.js';
import type { ResourceSpec } from '../resources.js';
import { connect } from '../session.js';

interface Preview {
  ok: boolean;
  failure?: { step: string; line: number; command: string; cause: string };
  log: string[];
  changes: { path: string; change: 'added' | 'removed' | 'modified'; details: string[]; diff?: { kind: 'added' | 'removed'; line: number; text: string }[]; sizeBytes: number }[];
}

/** `Name=value` arguments as HPE's osCustomAttributes (a value may hold `=`). */
export function attributeArguments(pairs: readonly string[]): { name: string; value: string }[] {
  return pairs.map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AppError('invalid', 'CLI_USAGE', `"${pair}" is not an attribute value: write Name=value (e.g. HostName=web01)`);
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1) };
  });
}

/** The preview as a reader wants it: log, changed files with their diffs, and the verdict. */
export function renderPreview(preview: Preview, options: { diff: boolean }): string {
  const out: string[] = ['Log:', ...preview.log.map((line) => `  ${line}`)];
  out.push(preview.changes.length === 0 ? 'No file would change.' : `Files that would change (${preview.changes.length}):`);
  for (const c of preview.changes) {
    const extra = [...c.details, ...(c.change === 'removed' ? [] : [`${c.sizeBytes} bytes`])];
    out.push(`  ${c.change.padEnd(8)} ${c.path}${extra.length === 0 ? '' : ` (${extra.join(', ')})`}`);
    if (options.diff) for (const d of c.diff ?? []) out.push(`    ${d.kind === 'added' ? '+' : '-'} ${String(d.line).padStart(4)}: ${d.text}`);
  }
  return `${out.join('\n')}\n`;
}

export function registerDeploymentPlanPreview(group: Command, io: CliIo, spec: ResourceSpec): void {
  group
    .command('preview')
    .description('Run the plan on a throw-away clone with these attribute values and show the log and every file that would change (nothing is kept)')
    .argument('<ref>', 'NAME|ID')
    .argument('[values...]', 'attribute values as Name=value (e.g. HostName=web01 NIC1.ipaddress=10.0.0.5)')
    .option('--no-diff', 'list the changed files without their line diffs')
    .option('--json', 'print the preview as the API returns it')
    .action(async (ref: string, values: string[], opts: { diff: boolean; json?: boolean }) => {
      const osCustomAttributes = attributeArguments(values);
      const client = await connect(io);
      const plan = await resolveMember(client, spec, ref);
      const preview = await client.call<Preview>('POST', `${spec.path}/${String(plan['id'])}/preview`, { body: { osCustomAttributes }, action: `preview deployment plan "${ref}"` });
      print(io, opts.json === true ? JSON.stringify(preview, null, 2) : renderPreview(preview, opts));
      if (!preview.ok) {
        const f = preview.failure;
        throw new AppError('invalid', 'PREVIEW_FAILED', f === undefined ? `A deploy with deployment plan "${String(plan['name'])}" would fail` : `A deploy with deployment plan "${String(plan['name'])}" would fail: step "${f.step}", line ${f.line} (${f.command}): ${f.cause}`, {
          recommendedActions: ['Correct the plan script or the attribute values, and preview again'],
        });
      }
    });
}
