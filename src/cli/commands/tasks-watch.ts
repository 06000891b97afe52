// `streamer tasks watch ID|URI`: follows a task to its end with a progress bar (plain lines when not on a
// terminal); exit 0 on Completed/Warning, 8 with the task's error and recommended actions otherwise.
import type { Command } from 'commander';
import { AppError } from '../../core/errors.js';
import { isFailedTask, taskFailure } from '../client.js';
import { print, type CliIo } from '../io.js';
import { printJson } from '../output.js';
import { barLine, plainLine } from '../progress.js';
import { connect } from '../session.js';
import type { Task } from '../../tasks/index.js';

export function registerTasksWatch(tasks: Command, io: CliIo): void {
  tasks
    .command('watch')
    .description('Follow a task until it ends, with a progress bar on a terminal')
    .argument('<ref>', 'task id or URI (/rest/tasks/ID)')
    .option('--interval <ms>', 'poll interval in milliseconds', '1000')
    .option('--json', 'print the final task as JSON (no progress output)')
    .action(async (ref: string, opts: { interval: string; json?: boolean }) => {
      const intervalMs = Number(opts.interval);
      if (!Number.isFinite(intervalMs) || intervalMs < 50) throw new AppError('invalid', 'CLI_USAGE', `Cannot watch: "--interval ${opts.interval}" is not a number of milliseconds (50 or more)`);
      const uri = ref.startsWith('/rest/tasks/') ? ref : `/rest/tasks/${encodeURIComponent(ref)}`;
      const client = await connect(io);
      const tty = io.stdout.isTTY === true && opts.json !== true;
      const columns = io.stdout.columns ?? 80;
      const onChange = (task: Task) => {
        if (opts.json === true) return;
        if (tty) io.stdout.write(`\r\u001b[2K${barLine(task, columns)}`);
        else print(io, plainLine(task));
      };
      const task = await client.waitForTask(uri, { intervalMs, onChange });
      if (tty) io.stdout.write('\n');
      if (opts.json === true) printJson(io, task);
      else print(io, `Task "${task.name}" ${task.taskState}${task.associatedResource.resourceName === null ? '' : ` (${task.associatedResource.resourceName})`}: ${task.taskStatus}`);
      if (isFailedTask(task)) throw taskFailure(task);
    });
}
