// `streamer golden-images import FILE`: the appliance reads an image file on its own machine (no upload),
// while the CLI follows the import task with a progress bar.
import type { Command } from 'commander';
import { resolve as resolvePath } from 'node:path';
import type { CliIo } from '../io.js';
import type { ResourceSpec } from '../resources.js';
import { connect, follow } from '../session.js';
import { report } from './resource.js';

export function registerGoldenImageImport(group: Command, io: CliIo, spec: ResourceSpec): void {
  group
    .command('import')
    .description('Import a golden image from a file on the appliance\'s machine (read there, not uploaded; administrators only)')
    .argument('<file>', 'HPE golden image zip, raw, qcow2, .gz … (a relative path is resolved against the current directory)')
    .option('--name <name>', 'the name (default: the file name without extension)')
    .option('--description <text>', 'the description')
    .option('--no-progress', 'do not draw a progress bar while waiting (none is drawn when stderr is not a terminal)')
    .option('--no-wait', 'print the task URI instead of waiting for the task')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { name?: string; description?: string; progress: boolean; wait: boolean; json?: boolean }) => {
      const path = resolvePath(file);
      const client = await connect(io);
      const reply = await client.call<Record<string, unknown>>('POST', '/rest/golden-images/import', {
        body: { path, ...(opts.name === undefined ? {} : { name: opts.name }), ...(opts.description === undefined ? {} : { description: opts.description }) },
        action: `import "${path}"`,
      });
      const result = await follow(client, reply, { wait: opts.wait, ...(opts.progress ? { io } : {}) });
      report(io, spec, 'Imported', result, opts, opts.name ?? path);
    });
}
