// Runs a conformance case through the native engine on a copy of its image, as the deployer would.
import { copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openGuestSession } from '../../src/guestfs/open-session.js';
import { HostSandbox } from '../../src/planscript/host.js';
import { runBuildPlan, type RunResult } from '../../src/planscript/interpreter.js';
import { FileDisk } from '../../src/storage/index.js';
import type { ConformanceCase } from './corpus.js';

const sandbox = new HostSandbox();

export interface EngineOutcome {
  result: RunResult;
  /** The log as guestfish would print it: command output, host output and errors, in order. */
  log: string;
  image: string;
}

export async function runEngine(c: ConformanceCase, pristine: string, image: string): Promise<EngineOutcome> {
  copyFileSync(pristine, image);
  const disk = await FileDisk.open(image);
  try {
    const session = await openGuestSession(disk);
    try {
      const result = await runBuildPlan({ steps: c.steps, values: c.values, session, scratchParent: tmpdir(), sandbox });
      const log = result.log.filter((l) => l.kind !== 'warning').map((l) => `${l.text}\n`).join('');
      return { result, log, image };
    } finally {
      await session.close();
    }
  } finally {
    await disk.close();
  }
}
