// How a task's progress reads: one status line (percent, state, current step, status text), drawn as a
// bar that rewrites itself on a terminal, or printed as plain lines when output goes to a file or pipe.
import type { Task } from '../tasks/index.js';

/** The step a task is in: its running named step, else its latest progress update. */
export function currentStep(task: Task): string | undefined {
  const running = task.steps?.find((s) => s.state === 'Running');
  if (running !== undefined) return running.name;
  return task.progressUpdates.at(-1)?.statusUpdate;
}

export function progressBar(percent: number, width = 30): string {
  const p = Math.max(0, Math.min(100, Math.round(percent)));
  const filled = Math.round((p / 100) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(p).padStart(3)}%`;
}

/** One plain line per change, e.g. `42% Running  copy image: Writing blocks`. */
export function plainLine(task: Task): string {
  const step = currentStep(task);
  return `${String(task.percentComplete).padStart(3)}% ${task.taskState}${step === undefined ? '' : `  ${step}`}  ${task.taskStatus}`;
}

/** The bar line for a terminal `columns` wide (cut to fit, so `\r` can redraw it). */
export function barLine(task: Task, columns: number): string {
  const step = currentStep(task);
  const line = `${progressBar(task.percentComplete)} ${task.taskState}${step === undefined ? '' : ` · ${step}`} · ${task.taskStatus}`;
  return line.length >= columns ? `${line.slice(0, Math.max(0, columns - 2))}…` : line;
}
