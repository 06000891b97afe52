// The plan-script command reference (docs/plan-script-commands.md), rendered from the command specs in
// commands/*.ts and the unsupported list, so the document cannot drift from what the engine runs.
import type { CommandSpec } from './command.js';
import { BUILTIN_COMMANDS } from './commands/index.js';
import { UNSUPPORTED_REASONS } from './commands/unsupported.js';
import { DEFAULT_HOST_LIMITS, type HostLimits } from './host.js';

export interface RenderReferenceOptions {
  commands?: readonly CommandSpec[];
  unsupported?: ReadonlyMap<string, string>;
  hostLimits?: HostLimits;
}

/** Text inside a Markdown table cell: `|` escaped (also inside code spans, as GFM wants), no newlines. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function syntaxSection(limits: HostLimits): string {
  const seconds = limits.timeoutMs / 1000;
  const mebibytes = limits.maxOutputBytes / (1024 * 1024);
  return `## Script syntax

A plan script is a guestfish script: one command per line. A build plan's steps run one after the other as a
single session; files in the scratch directory persist from one step to the next.

| Form | Meaning |
|---|---|
| \`# text\`, blank line | Ignored. |
| \`cmd arg "arg with spaces" 'single'\` | A command and its arguments, split at blanks. Double quotes take C escapes (\`\\n\`, \`\\t\`, \`\\"\`, \`\\x41\`, \`\\101\`); single quotes take none. |
| \`-cmd args\` | Run \`cmd\` and ignore its failure: the error is logged and the run goes on (counted as an ignored error of the step). |
| \`!host command\` | Run a host command with bash in the scratch directory; its output goes to the log. A non-zero exit status stops the run (unless \`-!\`). |
| \`<!host command\` | Run a host command and then run each line of its standard output as a plan-script command, e.g. \`<!awk '/sles/ {print "rm-rf /etc/sysconfig/network"}' ./OS-Type\`. |
| \`cmd args \\| host pipeline\` | Pipe the command's output into a host command, e.g. \`inspect-os \\| cat > ./OS-Dev\`. The pipeline's exit status is not checked, as in guestfish. |
| \`upload -<<END /guest/path\` … \`END\` | Here-document: the lines up to the one that is exactly \`END\` (any word) are the file's content, verbatim, each with its newline. |
| \`@Name@\`, \`@Name:default@\`, \`@Nic1.ipaddress@\`, \`@@\` | Custom attributes, replaced in the whole script (comments and here-documents too) before it runs; \`@@\` is a literal \`@\`. An attribute with no value and no default becomes the empty string. Password values are masked in the log. |

- Paths that start with \`/\` are inside the guest, on the filesystem mounted over them. Host paths (\`./file\`)
  are in the run's scratch directory, which is deleted when the run ends; a host path that leads outside it
  is refused.
- Command names may be written with \`_\` for \`-\` (\`mkdir_p\`).
- A failing command without \`-\` stops the run: the result names the step, the line, the command and the
  cause, and the later steps are skipped.
- Host commands run with bash, a clean environment (\`PATH\`, \`HOME\` and \`TMPDIR\` at the scratch directory,
  \`LANG=C\`), no network and no view of the data directory where the machine allows it, at most ${seconds} s each
  and at most ${mebibytes} MiB of output. Each runs in a process namespace of its own, as \`nobody\` when the
  appliance is root: nothing it starts outlives it (files in the scratch directory stay), and it sees no other
  process.
`;
}

function commandsSection(commands: readonly CommandSpec[]): string {
  const rows = commands.map((spec) => {
    const names = [spec.name, ...(spec.aliases ?? [])].map((n) => `\`${n}\``).join(', ');
    return `| ${names} | \`${cell(spec.synopsis)}\` | ${spec.writes ? 'yes' : 'no'} | ${cell(spec.description)} |`;
  });
  return `## Commands the native engine runs

"Writes" says whether the command can change the guest; a dry run and a read-only mount rely on it.
Some uses are checked before anything runs (a \`mount\` of a filesystem the engine does not read, \`vgs\` on a
disk with LVM, \`compress-out\` with another type than gzip): such a build plan is refused natively, as below.

| Command | Usage | Writes | Description |
|---|---|---|---|
${rows.join('\n')}
`;
}

function unsupportedSection(unsupported: ReadonlyMap<string, string>): string {
  const rows = [...unsupported].sort(([a], [b]) => a.localeCompare(b)).map(([name, reason]) => `| \`${name}\` | ${cell(reason)} |`);
  return `## guestfish commands the native engine does not run

A build plan that uses one of these is refused before anything is written, naming the command, step and line.
The same holds for every other guestfish command not listed above. Such a build plan runs only through real
guestfish (Debian package \`libguestfs-tools\`) when it is installed. A word that guestfish does not know
either is not refused in advance: it fails when reached, as HPE's "fail deployment" scripts expect.

| Command | Why not |
|---|---|
${rows.join('\n')}
`;
}

/** The whole reference as Markdown (what docs/plan-script-commands.md holds), ending in one newline. */
export function renderCommandReference(options: RenderReferenceOptions = {}): string {
  const commands = options.commands ?? BUILTIN_COMMANDS;
  return [
    `# Plan-script commands

<!-- Generated from src/planscript/commands/*.ts by \`npm run docs:commands\`; do not edit by hand. -->

Plan scripts use the guestfish dialect that HPE Image Streamer's plan scripts use. The native engine runs the
${commands.length} commands below in-process on the OS volume, without mounting, root or a virtual machine.
`,
    syntaxSection(options.hostLimits ?? DEFAULT_HOST_LIMITS),
    commandsSection(commands),
    unsupportedSection(options.unsupported ?? UNSUPPORTED_REASONS),
  ].join('\n');
}
