// Identifiers as Image Streamer spells them: lower-case UUIDs for resources, upper-case for tasks.
import { randomUUID } from 'node:crypto';

export const newResourceId = (): string => randomUUID();
export const newTaskId = (): string => randomUUID().toUpperCase();
