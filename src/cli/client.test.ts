import { describe, expect, it } from 'vitest';
import { exitCodeFor } from './exit-codes.js';
import { ApiClient, errorFromReply, isLoopback, taskFailure } from './client.js';
import type { Task } from '../tasks/index.js';

const oneView = (status: number, message = 'Cannot do it: because') => errorFromReply({ status, headers: {}, body: { errorCode: 'E', message, details: 'd', recommendedActions: ['Act'] } }, 'do it');

describe('errorFromReply', () => {
  it('maps statuses to kinds and kinds to exit codes', () => {
    const codes = [400, 401, 403, 404, 409, 412, 415, 500, 503].map((s) => exitCodeFor(oneView(s)));
    expect(codes).toEqual([6, 5, 5, 3, 4, 4, 6, 1, 7]);
  });

  it('keeps the OneView message, details and actions; 401 adds the login hint', () => {
    const e = oneView(401);
    expect(e).toMatchObject({ message: 'Cannot do it: because', details: 'd', code: 'E' });
    expect(e.recommendedActions).toEqual(['Act', 'Log in again with "streamer login --url URL --user NAME"']);
  });

  it('makes a message when the body is not a OneView error', () => {
    expect(errorFromReply({ status: 502, headers: {}, body: '<html>' }, 'list plan scripts').message).toBe('Cannot list plan scripts: the server answered HTTP 502');
  });
});

describe('taskFailure', () => {
  it('carries the first task error, exit code 8', () => {
    const e = taskFailure({ name: 'Deploy', uri: '/rest/tasks/X', taskState: 'Error', taskStatus: 'failed', taskErrors: [{ errorCode: 'C', message: 'Cannot boot', details: '', recommendedActions: ['Retry'], nestedErrors: [], errorSource: null, data: {} }] } as unknown as Task);
    expect(e.message).toBe('Cannot boot');
    expect(e.recommendedActions).toEqual(['Retry']);
    expect(exitCodeFor(e)).toBe(8);
  });
});

describe('ApiClient', () => {
  it('knows loopback URLs and refuses other schemes', () => {
    expect(isLoopback('https://127.0.0.1:8443')).toBe(true);
    expect(isLoopback('https://localhost')).toBe(true);
    expect(isLoopback('https://[::1]:8443')).toBe(true);
    expect(isLoopback('https://streamer.example')).toBe(false);
    expect(() => new ApiClient({ url: 'ftp://x' })).toThrow('must start with https:// or http://');
  });
});
