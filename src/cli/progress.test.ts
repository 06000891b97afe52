import { describe, expect, it } from 'vitest';
import type { Task } from '../tasks/index.js';
import { barLine, currentStep, plainLine, progressBar } from './progress.js';

const task = (over: Partial<Task>): Task => ({ taskState: 'Running', taskStatus: 'Deploy: running', percentComplete: 0, progressUpdates: [], steps: [], ...over }) as Task;

describe('progress', () => {
  it('draws a bar clamped to 0–100', () => {
    expect(progressBar(50, 10)).toBe('[#####.....]  50%');
    expect(progressBar(140, 4)).toBe('[####] 100%');
    expect(progressBar(-3, 4)).toBe('[....]   0%');
  });

  it('names the running step, else the latest progress update', () => {
    expect(currentStep(task({ steps: [{ name: 'clone', state: 'Completed', startTime: null, endTime: null }, { name: 'boot', state: 'Running', startTime: null, endTime: null }] }))).toBe('boot');
    expect(currentStep(task({ progressUpdates: [{ id: 1, statusUpdate: 'Copying', timestamp: '' }] }))).toBe('Copying');
    expect(currentStep(task({}))).toBeUndefined();
  });

  it('plain lines and bar lines carry percent, state and status; bar lines fit the terminal', () => {
    expect(plainLine(task({ percentComplete: 7 }))).toBe('  7% Running  Deploy: running');
    const line = barLine(task({ percentComplete: 7, taskStatus: 'x'.repeat(200) }), 60);
    expect(line.length).toBe(59);
    expect(line.endsWith('…')).toBe(true);
  });
});
