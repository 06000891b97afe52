// fio's nbd engine (libnbd) against the server: random 4 KiB writes at queue depth 16, verified on read.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ExportRegistry, startNbdServer, type NbdServer } from '../../src/nbd/index.js';
import { SparseMemoryDisk } from './test-disks.js';
import { requireTool, tool } from './tools.js';

let server: NbdServer;
const disk = new SparseMemoryDisk(32 << 20);

beforeAll(async () => {
  const registry = new ExportRegistry();
  registry.add('fio', disk, { readOnly: false });
  server = await startNbdServer({ host: '127.0.0.1', port: 0, registry });
});
afterAll(() => server.close());

it('fio --ioengine=nbd writes random 4 KiB blocks at QD16 and verifies every one', async () => {
  requireTool('fio', 'fio');
  const out = await tool('fio', [
    '--name=verify', '--ioengine=nbd', `--uri=nbd://127.0.0.1:${server.port}/fio`,
    '--rw=randwrite', '--bs=4k', '--size=16M', '--iodepth=16',
    '--verify=crc32c', '--do_verify=1', '--verify_fatal=1', '--output-format=json',
  ], { timeoutMs: 120_000 });
  const job = JSON.parse(out.slice(out.indexOf('{'))).jobs[0];
  expect(job.error).toBe(0);
  expect(job.write.io_bytes).toBe(16 << 20);
  expect(job.read.io_bytes).toBe(16 << 20);
  expect(disk.blocks.size).toBeGreaterThan(200);
});
