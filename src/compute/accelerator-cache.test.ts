// The accelerator probe's answer is kept in the data directory and trusted while the host kernel and QEMU stay.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { probeAccelerator, rememberAcceleratorIn } from './qemu-driver.js';

const dir = mkdtempSync(join(tmpdir(), 'accel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('keeps the answer, trusts it while the stamp matches, and probes again when it does not', async () => {
  delete process.env['STREAMER_QEMU_ACCEL'];
  const file = join(dir, 'accelerator.json');
  rememberAcceleratorIn(file);
  const probed = await probeAccelerator();
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { accelerator: string; kernel: string; qemu: string };
  expect(saved.accelerator).toBe(probed);
  const other = probed === 'kvm' ? 'tcg' : 'kvm';
  writeFileSync(file, JSON.stringify({ ...saved, accelerator: other }));
  expect(await probeAccelerator()).toBe(other);
  writeFileSync(file, JSON.stringify({ ...saved, accelerator: other, kernel: 'another kernel' }));
  expect(await probeAccelerator()).toBe(probed);
});
