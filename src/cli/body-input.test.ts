import { describe, expect, it } from 'vitest';
import { applySet } from './body-input.js';

describe('applySet', () => {
  it('sets strings, JSON values and dotted paths', () => {
    const body: Record<string, unknown> = { keep: 1 };
    applySet(body, 'name=web 01');
    applySet(body, 'hpProvided=false');
    applySet(body, 'size=20');
    applySet(body, 'osDeploymentSettings.osDeploymentPlanUri=/rest/deployment-plans/x');
    applySet(body, 'steps=[{"a":1}]');
    applySet(body, 'eq=a=b');
    expect(body).toEqual({
      keep: 1,
      name: 'web 01',
      hpProvided: false,
      size: 20,
      osDeploymentSettings: { osDeploymentPlanUri: '/rest/deployment-plans/x' },
      steps: [{ a: 1 }],
      eq: 'a=b',
    });
  });

  it('keeps text that only looks like JSON as a string', () => {
    const body: Record<string, unknown> = {};
    applySet(body, 'content={not json');
    expect(body['content']).toBe('{not json');
  });

  it('rejects an assignment without a key as a usage error', () => {
    expect(() => applySet({}, '=x')).toThrow(expect.objectContaining({ code: 'CLI_USAGE' }));
    expect(() => applySet({}, 'novalue')).toThrow('expected key=value');
  });
});
