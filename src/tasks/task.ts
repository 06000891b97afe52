// The task resource exactly as HPE's clients read it (reference §2.5): state names are case-sensitive
// for Python, numbers are integers for Go, a failed task always carries taskErrors.
import type { ErrorBody } from '../core/errors.js';

export type TaskState =
  | 'New'
  | 'Starting'
  | 'Pending'
  | 'Running'
  | 'Suspended'
  | 'Stopping'
  | 'Completed'
  | 'Warning'
  | 'Error'
  | 'Terminated'
  | 'Killed'
  | 'Interrupted'
  | 'Unknown';

export const activeStates: readonly TaskState[] = ['New', 'Starting', 'Pending', 'Running', 'Suspended', 'Stopping'];
export const finalStates: readonly TaskState[] = ['Completed', 'Warning', 'Error', 'Terminated', 'Killed', 'Interrupted'];

export interface AssociatedResource {
  resourceUri: string | null;
  resourceName: string | null;
  resourceCategory: string | null;
  associationType: 'MANAGED_BY';
}

export interface ProgressUpdate {
  id: number;
  statusUpdate: string;
  timestamp: string;
}

export interface Task {
  type: 'TaskResourceV2';
  id: string;
  uri: string;
  category: 'tasks';
  name: string;
  owner: string;
  taskState: TaskState;
  taskStatus: string;
  stateReason: string | null;
  taskErrors: ErrorBody[];
  associatedResource: AssociatedResource;
  percentComplete: number;
  computedPercentComplete: number;
  completedSteps: number;
  totalSteps: number;
  expectedDuration: number;
  progressUpdates: ProgressUpdate[];
  taskOutput: string[];
  data: Record<string, unknown> | null;
  taskType: 'User' | 'Appliance' | 'Background';
  userInitiated: boolean;
  hidden: boolean;
  parentTaskUri: string | null;
  associatedTaskUri: string | null;
  /** Named steps of a long task (deploy, capture), with their own state and timestamps. */
  steps: TaskStep[];
  startTime: string | null;
  endTime: string | null;
  created: string;
  modified: string;
  eTag: string;
  status: string;
  state: string;
}

export interface TaskStep {
  name: string;
  state: 'Pending' | 'Running' | 'Completed' | 'Error' | 'Skipped';
  startTime: string | null;
  endTime: string | null;
}

export const isFinal = (state: TaskState): boolean => finalStates.includes(state);
