import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.js';
import { openSqliteStore, type Store } from '../db/index.js';
import { TaskEngine } from './engine.js';
import { activeStates, type Task } from './task.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tasks-'));
  store = await openSqliteStore(join(dir, 'db.sqlite'));
});
afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const engineOver = (s: Store, limits: Record<string, number> = {}) => new TaskEngine({ repository: s.taskDocuments<Task>(activeStates), limits });

describe('TaskEngine', () => {
  it('queues work beyond the concurrency limit and runs it later, never rejecting', async () => {
    const engine = engineOver(store, { deploy: 2 });
    let running = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const started = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        engine.start({
          name: `Deploy ${i}`,
          owner: 't',
          queue: 'deploy',
          run: async () => {
            running++;
            peak = Math.max(peak, running);
            await new Promise<void>((r) => release.push(r));
            running--;
          },
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(peak).toBe(2);
    const states = await Promise.all(started.map(async (t) => (await engine.get(t.id))!.taskState));
    expect(states.filter((s) => s === 'Running')).toHaveLength(2);
    expect(states.filter((s) => s === 'New')).toHaveLength(3);
    while (release.length > 0 || running > 0) {
      release.shift()?.();
      await new Promise((r) => setTimeout(r, 5));
    }
    const done = await Promise.all(started.map((t) => engine.wait(t.id)));
    expect(done.every((t) => t.taskState === 'Completed' && t.percentComplete === 100)).toBe(true);
    expect(peak).toBe(2);
  });

  it('stores a failure as Error with taskErrors naming the running step', async () => {
    const engine = engineOver(store);
    const task = await engine.start({
      name: 'Deploy',
      owner: 't',
      steps: ['Clone', 'Personalize'],
      run: async (ctx) => {
        await ctx.step('Clone');
        await ctx.step('Personalize');
        throw new AppError('invalid', 'PLANSCRIPT_FAILED', 'Cannot run step 1: boom', { recommendedActions: ['Fix the script'] });
      },
    });
    const done = await engine.wait(task.id);
    expect(done.taskState).toBe('Error');
    expect(done.taskErrors).toHaveLength(1);
    expect(done.taskErrors[0]).toMatchObject({ errorCode: 'PLANSCRIPT_FAILED', message: 'Cannot run step 1: boom', errorSource: 'Personalize', recommendedActions: ['Fix the script'] });
    expect(done.steps.map((s) => s.state)).toEqual(['Completed', 'Error']);
    expect(done.taskStatus).toMatch(/Personalize/);
  });

  it('persists progress updates with timestamps', async () => {
    const engine = engineOver(store);
    const task = await engine.start({
      name: 'Import',
      owner: 't',
      run: async (ctx) => {
        await ctx.progress(33.4, 'a third');
        await ctx.progress(66.6, 'two thirds');
      },
    });
    const done = await engine.wait(task.id);
    expect(done.progressUpdates.map((u) => u.statusUpdate)).toEqual(['a third', 'two thirds']);
    expect(done.progressUpdates.every((u) => !Number.isNaN(Date.parse(u.timestamp)))).toBe(true);
  });

  it('ends tasks left running by a previous process as Error with a cause', async () => {
    const first = engineOver(store);
    let release!: () => void;
    const task = await first.start({ name: 'Deploy', owner: 't', run: () => new Promise<void>((r) => (release = r)) });
    await new Promise((r) => setTimeout(r, 10));
    expect((await first.get(task.id))!.taskState).toBe('Running');
    // A new engine over the same database stands for the restarted process.
    const second = engineOver(store);
    const recovered = await second.recover();
    expect(recovered.map((t) => t.id)).toContain(task.id);
    const after = (await second.get(task.id))!;
    expect(after.taskState).toBe('Error');
    expect(after.taskErrors[0]!.errorCode).toBe('TASK_INTERRUPTED');
    expect(after.taskErrors[0]!.message).toMatch(/restarted/);
    release();
  });

  it('releases what a task holds once it has ended, also when it never ran (aborted while queued)', async () => {
    const engine = engineOver(store, { import: 1 });
    const events: string[] = [];
    await engine.start({
      name: 'Import 1', owner: 't', queue: 'import',
      run: (ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => (events.push('first aborted'), resolve()))),
      release: () => Promise.resolve(void events.push('first released')),
    });
    const queued = await engine.start({
      name: 'Import 2', owner: 't', queue: 'import',
      run: () => Promise.resolve(void events.push('second ran')),
      release: () => Promise.resolve(void events.push('second released')),
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual([]);
    await engine.close();
    expect(events).toEqual(['first aborted', 'first released', 'second released']);
    expect((await engine.get(queued.id))!.taskState).toBe('Error');
  });
});
