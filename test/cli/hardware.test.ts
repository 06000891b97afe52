// Compute modules through the CLI: add one, power it on and off, read its console.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, startCliHarness, type CliHarness } from './harness.js';

let h: CliHarness;

beforeAll(async () => {
  h = await startCliHarness();
  expect((await h.cli(['login', '--url', h.url, '--password', ADMIN_PASSWORD])).code).toBe(0);
});
afterAll(async () => {
  await h.close();
});

describe('server-hardware', () => {
  it('adds a virtual module, powers it on and off, and prints its console', async () => {
    const add = await h.cli(['server-hardware', 'create', '--name', 'bay-7', '--set', 'driver=virtual']);
    expect(add.code, add.stderr).toBe(0);
    const on = await h.cli(['server-hardware', 'power', 'bay-7', 'on']);
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toContain('"bay-7" is on');
    const off = await h.cli(['server-hardware', 'power', 'bay-7', 'off']);
    expect(off.stdout).toContain('"bay-7" is off');
    const console = await h.cli(['server-hardware', 'console', 'bay-7']);
    expect(console.code, console.stderr).toBe(0);
    expect(console.stdout).toMatch(/power on\n.*power off\n$/s);
    const bad = await h.cli(['server-hardware', 'power', 'bay-7', 'sideways']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('"sideways" is not on, off or reset');
  });
});
