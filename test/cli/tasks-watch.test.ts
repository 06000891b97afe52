// `streamer tasks watch` against real tasks of a served appliance: finished, failed, and running ones.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/core/errors.js';
import { ADMIN_PASSWORD, startCliHarness, type CliHarness } from './harness.js';

let h: CliHarness;

beforeAll(async () => {
  h = await startCliHarness();
  const login = await h.cli(['login', '--url', h.url, '--password', ADMIN_PASSWORD]);
  expect(login.code, login.stderr).toBe(0);
});
afterAll(async () => {
  await h.close();
});

/** Starts a task that reports progress, then waits until `release` is called. */
function gatedTask(): { started: Promise<string>; release: () => void; progressed: Promise<void> } {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let progressed!: () => void;
  const progressedP = new Promise<void>((resolve) => (progressed = resolve));
  const started = h.running.appliance.tasks
    .start({
      name: 'Deploy',
      owner: 'Administrator',
      steps: ['clone', 'personalize'],
      resource: { uri: null, name: 'web01', category: 'server-profiles' },
      run: async (context) => {
        await context.step('clone');
        await context.progress(40, 'Cloning golden image');
        progressed();
        await gate;
        await context.step('personalize');
        await context.progress(90, 'Running build plan');
      },
    })
    .then((task) => task.id);
  return { started, release, progressed: progressedP };
}

describe('tasks watch', () => {
  it('a finished task from --no-wait exits 0', async () => {
    const create = await h.cli(['plan-scripts', 'create', '--name', 'w1', '--type', 'general', '--set', 'content=echo', '--no-wait']);
    expect(create.code, create.stderr).toBe(0);
    const uri = create.stdout.trim();
    expect(uri).toMatch(/^\/rest\/tasks\/[0-9A-F-]{36}$/);
    const watch = await h.cli(['tasks', 'watch', uri]);
    expect(watch.code, watch.stderr).toBe(0);
    expect(watch.stdout).toContain('100% Completed');
    expect(watch.stdout).toContain('Task "Create" Completed (w1)');
    const byId = await h.cli(['tasks', 'watch', uri.split('/').pop() ?? '', '--json']);
    expect(JSON.parse(byId.stdout)).toMatchObject({ taskState: 'Completed', uri });
  });

  it('a failed task exits 8 with its error and recommended actions', async () => {
    const task = await h.running.appliance.tasks.start({
      name: 'Deploy',
      owner: 'Administrator',
      run: () => Promise.reject(new AppError('invalid', 'PLANSCRIPT_UNKNOWN_COMMAND', 'Cannot run "frob": unknown command (line 3)', { recommendedActions: ['Fix line 3 of plan script "x"'] })),
    });
    await h.running.appliance.tasks.wait(task.id);
    const watch = await h.cli(['tasks', 'watch', task.id]);
    expect(watch.code).toBe(8);
    expect(watch.stdout).toContain('Task "Deploy" Error');
    expect(watch.stderr).toContain('Cannot run "frob": unknown command (line 3)');
    expect(watch.stderr).toContain('→ Fix line 3 of plan script "x"');
  });

  it('follows a running task with plain lines when not on a terminal', async () => {
    const t = gatedTask();
    const id = await t.started;
    await t.progressed;
    const watching = h.cli(['tasks', 'watch', id, '--interval', '50']);
    setTimeout(t.release, 300);
    const watch = await watching;
    expect(watch.code, watch.stderr).toBe(0);
    const lines = watch.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ 40% Running {2}clone {2}/);
    expect(lines.at(-2)).toMatch(/^100% Completed/);
    expect(watch.stdout).not.toContain('\r');
  });

  it('draws a progress bar on a terminal', async () => {
    const t = gatedTask();
    const id = await t.started;
    await t.progressed;
    const watching = h.cli(['tasks', 'watch', `/rest/tasks/${id}`, '--interval', '50'], { tty: true });
    setTimeout(t.release, 300);
    const watch = await watching;
    expect(watch.code, watch.stderr).toBe(0);
    expect(watch.stdout).toContain(`\r\u001b[2K[############..................]  40% Running · clone · `);
    expect(watch.stdout).toContain('[##############################] 100% Completed');
  });

  it('an unknown task exits 3; a bad interval exits 2', async () => {
    expect((await h.cli(['tasks', 'watch', 'NOPE'])).code).toBe(3);
    expect((await h.cli(['tasks', 'watch', 'NOPE', '--interval', 'soon'])).code).toBe(2);
  });

  it('logout forgets the session; then commands exit 5', async () => {
    const out = await h.cli(['logout']);
    expect(out.code, out.stderr).toBe(0);
    const run = await h.cli(['tasks', 'list']);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain('streamer login');
  });
});
