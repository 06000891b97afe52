// Tasks: every create/update/delete and every long operation, with state, progress and failure cause.
export { TaskEngine, type TaskRepository, type TaskContext, type StartOptions, type ResourceRef } from './engine.js';
export { WorkQueue } from './queue.js';
export { activeStates, finalStates, isFinal, type Task, type TaskState, type TaskStep } from './task.js';
