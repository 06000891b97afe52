// The task engine: records every create/update/delete as a task, runs long work in named queues under a
// concurrency limit, persists state and progress, and on start ends tasks a previous process left running.
import { EventEmitter } from 'node:events';
import { AppError, errorBody, toAppError, type ErrorBody } from '../core/errors.js';
import { newTaskId } from '../core/ids.js';
import { isoNow } from '../core/time.js';
import { WorkQueue } from './queue.js';
import { activeStates, type AssociatedResource, type Task, type TaskStep } from './task.js';

/** What the engine needs from persistence (implemented by db's TaskTable through an adapter). */
export interface TaskRepository {
  save(task: Task): Promise<void>;
  get(id: string): Promise<Task | undefined>;
  list(): Promise<Task[]>;
  listActive(): Promise<Task[]>;
}

export interface ResourceRef {
  uri: string | null;
  name: string | null;
  category: string | null;
}

export interface TaskContext {
  readonly task: Readonly<Task>;
  readonly signal: AbortSignal;
  /** Sets percent complete (0–100, rounded) and adds a progress update when a message is given. */
  progress(percent: number, message?: string): Promise<void>;
  /** Marks the named step running (and the previous one completed). */
  step(name: string): Promise<void>;
  /** Adds a line to taskOutput. */
  output(line: string): void;
  /** Points the task at the resource it made or changed. */
  setResource(resource: ResourceRef): void;
}

export interface StartOptions {
  name: string;
  owner: string;
  resource?: ResourceRef;
  /** Queue name; each has its own concurrency limit (default queue: "default"). */
  queue?: string;
  /** Names of the steps the task will go through, shown as a timeline. */
  steps?: string[];
  data?: Record<string, unknown>;
  run: (context: TaskContext) => Promise<void>;
  /** Frees what the task holds (an open file) once it has ended, whether `run` ran or not (cancelled while queued). */
  release?: () => Promise<void>;
}

export interface TaskEngineEvents {
  change: [task: Task];
}

export interface TaskEngineOptions {
  repository: TaskRepository;
  /** Concurrency limit per queue; unknown queues get `defaultLimit`. */
  limits?: Record<string, number>;
  defaultLimit?: number;
  onError?: (error: unknown, task: Task) => void;
}

function blankTask(options: { name: string; owner: string; resource?: ResourceRef | undefined; steps?: string[] | undefined; data?: Record<string, unknown> | undefined }): Task {
  const id = newTaskId();
  const now = isoNow();
  return {
    type: 'TaskResourceV2',
    id,
    uri: `/rest/tasks/${id}`,
    category: 'tasks',
    name: options.name,
    owner: options.owner,
    taskState: 'New',
    taskStatus: `${options.name}: queued`,
    stateReason: null,
    taskErrors: [],
    associatedResource: associated(options.resource),
    percentComplete: 0,
    computedPercentComplete: 0,
    completedSteps: 0,
    totalSteps: options.steps?.length ?? 1,
    expectedDuration: 0,
    progressUpdates: [],
    taskOutput: [],
    data: options.data ?? null,
    taskType: 'User',
    userInitiated: true,
    hidden: false,
    parentTaskUri: null,
    associatedTaskUri: null,
    steps: (options.steps ?? []).map((name) => ({ name, state: 'Pending', startTime: null, endTime: null })),
    startTime: null,
    endTime: null,
    created: now,
    modified: now,
    eTag: `${Date.now()}/0`,
    status: 'OK',
    state: 'New',
  };
}

function associated(resource: ResourceRef | undefined): AssociatedResource {
  return {
    resourceUri: resource?.uri ?? null,
    resourceName: resource?.name ?? null,
    resourceCategory: resource?.category ?? null,
    associationType: 'MANAGED_BY',
  };
}

export class TaskEngine extends EventEmitter<TaskEngineEvents> {
  private readonly repository: TaskRepository;
  private readonly queues = new Map<string, WorkQueue>();
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly limits: Record<string, number>;
  private readonly defaultLimit: number;
  private readonly onError: (error: unknown, task: Task) => void;
  private closing = false;

  constructor(options: TaskEngineOptions) {
    super();
    this.repository = options.repository;
    this.limits = options.limits ?? {};
    this.defaultLimit = options.defaultLimit ?? 4;
    this.onError = options.onError ?? (() => undefined);
  }

  /**
   * Ends every task a previous process left active: they become `Error` with a cause, since the work
   * they stood for stopped with that process. Returns the tasks it ended.
   */
  async recover(): Promise<Task[]> {
    const stale = await this.repository.listActive();
    for (const task of stale) {
      this.fail(task, new AppError('unavailable', 'TASK_INTERRUPTED', `Task "${task.name}" was interrupted: the appliance restarted while it was ${task.taskState.toLowerCase()}`, {
        recommendedActions: ['Run the operation again'],
      }));
      await this.save(task);
    }
    return stale;
  }

  /** Records work that already finished in the request (instant CRUD) as a Completed task. */
  async recordCompleted(options: { name: string; owner: string; resource?: ResourceRef; data?: Record<string, unknown> }): Promise<Task> {
    const task = blankTask(options);
    const now = isoNow();
    Object.assign(task, { taskState: 'Completed', state: 'Completed', taskStatus: `${options.name} completed`, percentComplete: 100, computedPercentComplete: 100, completedSteps: 1, startTime: now, endTime: now });
    await this.save(task);
    return task;
  }

  /** Queues long work and returns its task at once (state `New`, or `Running` if a slot was free). */
  async start(options: StartOptions): Promise<Task> {
    if (this.closing) throw new AppError('unavailable', 'APPLIANCE_STOPPING', `Cannot start "${options.name}": the appliance is shutting down`, { recommendedActions: ['Retry when the appliance is back'] });
    const task = blankTask(options);
    await this.save(task);
    const controller = new AbortController();
    const done = this.queue(options.queue ?? 'default')
      .run(
        () => this.execute(task, controller.signal, options.run),
        async () => {
          task.taskState = 'Running';
          task.state = 'Running';
          task.startTime = isoNow();
          task.taskStatus = `${task.name}: running`;
          await this.save(task);
        },
      )
      .catch((error: unknown) => this.onError(error, task))
      .then(() => options.release?.())
      .catch((error: unknown) => this.onError(error, task))
      .finally(() => this.running.delete(task.id));
    this.running.set(task.id, { controller, done });
    return structuredClone(task);
  }

  /**
   * Starts a task for work the caller drives itself (an upload streamed by a request): Running at once,
   * not queued. `end()` records Completed, `end(error)` records Error with the cause.
   */
  async begin(options: Omit<StartOptions, 'run' | 'queue'>): Promise<{ task: Task; context: TaskContext; end(error?: unknown): Promise<Task> }> {
    const task = blankTask(options);
    Object.assign(task, { taskState: 'Running', state: 'Running', startTime: isoNow(), taskStatus: `${options.name}: running` });
    await this.save(task);
    const controller = new AbortController();
    const context = this.contextFor(task, controller.signal);
    let finished: Promise<void> | undefined;
    return {
      task: structuredClone(task),
      context,
      end: async (error?: unknown) => {
        finished ??= this.execute(task, controller.signal, () => (error === undefined ? Promise.resolve() : Promise.reject(error instanceof Error ? error : toAppError(error))));
        await finished;
        return structuredClone(task);
      },
    };
  }

  async get(id: string): Promise<Task | undefined> {
    return this.repository.get(id);
  }

  async list(): Promise<Task[]> {
    return this.repository.list();
  }

  /** Waits until the task reaches a final state (for tests and the CLI's in-process use). */
  async wait(id: string): Promise<Task> {
    await this.running.get(id)?.done;
    const task = await this.repository.get(id);
    if (task === undefined) throw new AppError('not_found', 'TASK_NOT_FOUND', `Cannot find task "${id}"`);
    return task;
  }

  /** Stops accepting work, aborts running tasks, waits for them to record their end. */
  async close(): Promise<void> {
    this.closing = true;
    for (const { controller } of this.running.values()) controller.abort(new AppError('unavailable', 'APPLIANCE_STOPPING', 'The appliance is shutting down'));
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  private queue(name: string): WorkQueue {
    let queue = this.queues.get(name);
    if (queue === undefined) {
      queue = new WorkQueue(this.limits[name] ?? this.defaultLimit);
      this.queues.set(name, queue);
    }
    return queue;
  }

  private async execute(task: Task, signal: AbortSignal, run: (context: TaskContext) => Promise<void>): Promise<void> {
    const context = this.contextFor(task, signal);
    try {
      signal.throwIfAborted();
      await run(context);
      const now = isoNow();
      for (const step of task.steps) if (step.state === 'Running' || step.state === 'Pending') Object.assign(step, { state: 'Completed', endTime: step.endTime ?? now, startTime: step.startTime ?? now });
      Object.assign(task, { taskState: 'Completed', state: 'Completed', taskStatus: `${task.name} completed`, percentComplete: 100, computedPercentComplete: 100, completedSteps: task.totalSteps, endTime: now });
    } catch (error) {
      this.fail(task, signal.aborted && !(error instanceof AppError) ? signal.reason : error);
    }
    await this.save(task);
  }

  private fail(task: Task, error: unknown): void {
    const now = isoNow();
    const running = task.steps.find((s) => s.state === 'Running');
    const body: ErrorBody = errorBody(error, running?.name ?? null);
    if (running !== undefined) Object.assign(running, { state: 'Error', endTime: now });
    Object.assign(task, {
      taskState: 'Error',
      state: 'Error',
      status: 'Critical',
      taskStatus: running === undefined ? `${task.name} failed: ${body.message}` : `${task.name} failed at step "${running.name}": ${body.message}`,
      stateReason: body.errorCode,
      taskErrors: [body],
      endTime: now,
    });
  }

  private contextFor(task: Task, signal: AbortSignal): TaskContext {
    const save = (t: Task) => this.save(t);
    return {
      task,
      signal,
      async progress(percent: number, message?: string) {
        const p = Math.max(0, Math.min(100, Math.round(percent)));
        task.percentComplete = p;
        task.computedPercentComplete = p;
        if (message !== undefined) {
          task.taskStatus = message;
          task.progressUpdates.push({ id: task.progressUpdates.length + 1, statusUpdate: message, timestamp: isoNow() });
        }
        await save(task);
      },
      async step(name: string) {
        const now = isoNow();
        const steps: TaskStep[] = task.steps;
        let step = steps.find((s) => s.name === name);
        if (step === undefined) {
          step = { name, state: 'Pending', startTime: null, endTime: null };
          steps.push(step);
          task.totalSteps = steps.length;
        }
        for (const s of steps) if (s.state === 'Running') Object.assign(s, { state: 'Completed', endTime: now });
        Object.assign(step, { state: 'Running', startTime: now });
        task.completedSteps = steps.filter((s) => s.state === 'Completed').length;
        task.taskStatus = `${task.name}: ${name}`;
        task.progressUpdates.push({ id: task.progressUpdates.length + 1, statusUpdate: name, timestamp: now });
        await save(task);
      },
      output(line: string) {
        task.taskOutput.push(line);
      },
      setResource(resource: ResourceRef) {
        task.associatedResource = associated(resource);
      },
    };
  }

  private async save(task: Task): Promise<void> {
    const now = isoNow();
    task.modified = now;
    const version = Number(task.eTag.split('/')[1] ?? 0) + 1;
    task.eTag = `${Date.parse(now)}/${version}`;
    await this.repository.save(task);
    this.emit('change', structuredClone(task));
  }
}

export { activeStates };
